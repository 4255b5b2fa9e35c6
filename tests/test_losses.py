"""Known-answer tests for every loss and penalty: values and gradients at hand-computed points."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ganlab import losses

LOG2 = math.log(2.0)


def test_d_bce_at_confusion_is_2_log_2_with_gradient_one_half():
    zeros = jnp.zeros(4)
    assert float(losses.d_bce(zeros, zeros)) == pytest.approx(2 * LOG2, rel=1e-6)
    # d/dl softplus(-l) = -sigmoid(-l) = -1/2 at l = 0, averaged over the batch of 4
    g_real, g_fake = jax.grad(losses.d_bce, argnums=(0, 1))(zeros, zeros)
    np.testing.assert_allclose(g_real, -0.5 / 4, rtol=1e-6)
    np.testing.assert_allclose(g_fake, 0.5 / 4, rtol=1e-6)


def test_d_bce_matches_the_probability_form():
    r, f = jnp.array([2.0, -1.0]), jnp.array([0.5, -3.0])
    pr, pf = jax.nn.sigmoid(r), jax.nn.sigmoid(f)
    expected = -jnp.mean(jnp.log(pr)) - jnp.mean(jnp.log(1 - pf))
    assert float(losses.d_bce(r, f)) == pytest.approx(float(expected), rel=1e-5)


def test_d_bce_is_finite_for_extreme_logits():
    big = jnp.array([1e4, -1e4])
    value, grads = jax.value_and_grad(losses.d_bce, argnums=(0, 1))(big, big)
    assert np.isfinite(float(value))
    assert all(np.all(np.isfinite(g)) for g in grads)


def test_minimax_generator_loss_saturates_and_nonsaturating_does_not():
    confident_fake = jnp.array([-10.0])  # D(G(z)) = sigmoid(-10) ~ 4.5e-5
    g_mm = jax.grad(losses.g_minimax)(confident_fake)
    g_ns = jax.grad(losses.g_nonsaturating)(confident_fake)
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1 - sigmoid(l))
    np.testing.assert_allclose(g_mm, -jax.nn.sigmoid(-10.0), rtol=1e-5)
    np.testing.assert_allclose(g_ns, -(1 - jax.nn.sigmoid(-10.0)), rtol=1e-5)
    assert abs(float(g_ns[0])) > 10_000 * abs(float(g_mm[0]))


def test_generator_losses_at_d_one_half():
    zeros = jnp.zeros(3)
    assert float(losses.g_minimax(zeros)) == pytest.approx(-LOG2, rel=1e-6)
    assert float(losses.g_nonsaturating(zeros)) == pytest.approx(LOG2, rel=1e-6)


def test_wasserstein_losses():
    real, fake = jnp.array([1.0, 3.0]), jnp.array([0.0, 2.0])
    assert float(losses.d_wasserstein(real, fake)) == pytest.approx(-1.0)
    assert float(losses.g_wasserstein(fake)) == pytest.approx(-1.0)
    np.testing.assert_allclose(jax.grad(losses.g_wasserstein)(fake), [-0.5, -0.5])


def test_hinge_losses():
    real, fake = jnp.array([2.0, 0.5]), jnp.array([-2.0, 0.0])
    # real: relu(1-2)=0, relu(1-0.5)=0.5 -> 0.25; fake: relu(1-2)=0, relu(1+0)=1 -> 0.5
    assert float(losses.d_hinge(real, fake)) == pytest.approx(0.75)
    assert float(losses.g_hinge(fake)) == pytest.approx(1.0)


def test_least_squares_losses_apply_squares_to_d_outputs():
    assert float(losses.d_least_squares(jnp.ones(2), jnp.zeros(2))) == 0.0
    assert float(losses.d_least_squares(jnp.zeros(2), jnp.ones(2))) == pytest.approx(1.0)
    assert float(losses.g_least_squares(jnp.array([1.0]))) == 0.0
    assert float(losses.g_least_squares(jnp.array([3.0]))) == pytest.approx(2.0)
    np.testing.assert_allclose(jax.grad(losses.g_least_squares)(jnp.array([3.0])), [2.0])


def linear_critic(a):
    a = jnp.asarray(a)
    return lambda x: x @ a


def test_gradient_penalty_is_zero_for_a_unit_slope_and_one_at_a_zero_gradient():
    key = jax.random.PRNGKey(0)
    real, fake = jnp.ones((8, 2)), jnp.zeros((8, 2))
    unit = linear_critic([0.6, 0.8])  # ||a|| = 1
    assert float(losses.gradient_penalty(unit, real, fake, key)) == pytest.approx(0.0, abs=1e-10)
    double = linear_critic([0.0, 2.0])
    assert float(losses.gradient_penalty(double, real, fake, key)) == pytest.approx(1.0)
    constant = lambda x: jnp.zeros(x.shape[0])
    value, grads = jax.value_and_grad(lambda r: losses.gradient_penalty(constant, r, fake, key))(
        real
    )
    assert float(value) == pytest.approx(1.0)
    assert np.all(np.isfinite(grads))  # sqrt at 0 must not produce NaN


def test_gradient_penalty_interpolates_with_one_uniform_eps_per_sample():
    key = jax.random.PRNGKey(3)
    b, d = 64, 5
    real, fake = jnp.ones((b, d)), jnp.zeros((b, d))
    square = lambda x: 0.5 * jnp.sum(x**2, axis=1)  # grad at x_hat is x_hat = eps * 1
    eps = jax.random.uniform(key, (b, 1))
    expected = jnp.mean((eps[:, 0] * math.sqrt(d) - 1.0) ** 2)
    got = losses.gradient_penalty(square, real, fake, key)
    assert float(got) == pytest.approx(float(expected), rel=1e-5)
    assert 0.0 <= float(eps.min()) and float(eps.max()) <= 1.0


def test_gradient_penalty_on_images():
    key = jax.random.PRNGKey(0)
    real, fake = jnp.ones((4, 3, 3, 1)), jnp.zeros((4, 3, 3, 1))
    critic = lambda x: jnp.sum(x, axis=(1, 2, 3)) / 3.0  # ||grad|| = sqrt(9)/3 = 1
    assert float(losses.gradient_penalty(critic, real, fake, key)) == pytest.approx(0, abs=1e-10)


def test_r1_and_r2_are_squared_gradient_norms():
    critic = linear_critic([3.0, 4.0])
    x = jnp.ones((5, 2))
    assert float(losses.r1_penalty(critic, x)) == pytest.approx(25.0)
    assert float(losses.r2_penalty(critic, -x)) == pytest.approx(25.0)
    quad = lambda x: jnp.sum(x**2, axis=1)  # grad 2x, ||.||^2 = 4 ||x||^2
    assert float(losses.r1_penalty(quad, jnp.zeros((3, 2)))) == 0.0
    assert float(losses.r1_penalty(quad, jnp.ones((3, 2)))) == pytest.approx(8.0)


def test_clip_weights():
    params = {"w": jnp.array([-1.0, 0.005, 2.0]), "b": jnp.array(0.5)}
    clipped = losses.clip_weights(params, 0.01)
    np.testing.assert_allclose(clipped["w"], [-0.01, 0.005, 0.01])
    assert float(clipped["b"]) == pytest.approx(0.01)


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_every_named_pair_gives_finite_scalars_and_gradients(name):
    d_loss, g_loss = losses.LOSSES[name].d_loss, losses.LOSSES[name].g_loss
    r = jnp.array([0.3, -2.0, 5.0])
    f = jnp.array([-0.7, 1.0, -4.0])
    assert d_loss(r, f).shape == () and g_loss(f).shape == ()
    grads = jax.grad(d_loss, argnums=(0, 1))(r, f)
    assert all(np.all(np.isfinite(g)) for g in grads)
    assert np.all(np.isfinite(jax.grad(g_loss)(f)))


# --- a loss as one object ----------------------------------------------------------------------


def _linear(w):
    w = jnp.asarray(w, jnp.float32)
    return lambda x: x @ w  # gradient w at every point: norm ||w||


def test_a_loss_object_adds_exactly_the_penalties_it_carries():
    real = jnp.ones((4, 2))
    fake = jnp.zeros((4, 2))
    d = _linear([3.0, 4.0])  # ||grad|| = 5 everywhere
    key = jax.random.PRNGKey(0)
    assert float(losses.get("hinge").penalty(d, real, fake, key)) == 0.0
    # by hand: WGAN-GP's (5 - 1)^2 = 16, R1's and R2's ||grad||^2 = 25, halved and weighted
    assert float(losses.get("hinge", gp_weight=10).penalty(d, real, fake, key)) == 160.0
    assert float(losses.get("hinge", r1_weight=2).penalty(d, real, fake, key)) == 25.0
    both = losses.get("nonsaturating", r1_weight=2, r2_weight=4)
    assert float(both.penalty(d, real, fake, key)) == 25.0 + 50.0
    assert float(losses.get("wgan-gp").penalty(d, real, fake, key)) == 160.0  # the preset's 10


def test_clipping_belongs_to_the_loss():
    params = {"w": jnp.array([-1.0, 0.005, 2.0])}
    assert losses.get("wgan-gp").constrain(params) is params
    np.testing.assert_allclose(losses.get("wgan-clip").constrain(params)["w"], [-0.01, 0.005, 0.01])
    np.testing.assert_allclose(
        losses.get("hinge", clip=0.5).constrain(params)["w"], [-0.5, 0.005, 0.5]
    )


def test_estimates_read_the_distance_from_the_loss():
    # The optimal BCE discriminator between two disjoint supports has L_D -> 0: JSD log 2.
    assert float(losses.get("nonsaturating").estimate(jnp.zeros(()))) == pytest.approx(LOG2)
    # at D = 1/2 everywhere L_D = 2 log 2: JSD 0
    assert float(losses.get("minimax").estimate(jnp.asarray(2 * LOG2))) == pytest.approx(0.0)
    real, fake = jnp.array([3.0, 1.0]), jnp.array([0.5, -0.5])  # gap 2
    value = losses.get("wgan-gp").d_loss(real, fake)
    assert float(losses.get("wgan-gp").estimate(value)) == pytest.approx(2.0)
    assert losses.get("hinge").estimate is None


def test_loss_names_and_fields_are_checked():
    with pytest.raises(ValueError, match="loss must be one of .*'least-squares'.*got 'lsgan'"):
        losses.get("lsgan")
    with pytest.raises(ValueError, match="a GANLoss field must be one of"):
        losses.get("hinge", gp=1, lamda=10)
    with pytest.raises(ValueError, match="gp_weight must be a finite number >= 0, got -1"):
        losses.get("hinge", gp_weight=-1)
    with pytest.raises(ValueError, match="clip must be a finite number > 0"):
        losses.get("wgan-clip", clip=0.0)
    assert losses.get("hinge", gp_weight=np.float32(10)).gp_weight == 10.0


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: losses.get(3), r"loss must be one of \['hinge', .*got 3"),
        (lambda: losses.clip_weights({"w": jnp.ones(2)}, -0.01), r"c must be a finite number > 0"),
        (lambda: losses.gradient_penalty(_linear([1.0, 0.0]), jnp.ones((4, 2)),
                                         jnp.ones((3, 2)), jax.random.PRNGKey(0)),
         r"real and fake must have the same shape, got \(4, 2\) and \(3, 2\)"),
        (lambda: losses.gradient_penalty("d", jnp.ones((4, 2)), jnp.ones((4, 2)),
                                         jax.random.PRNGKey(0)),
         r"critic must be a callable \(B, ...\) -> \(B,\), got 'd'"),
        (lambda: losses.gradient_penalty(_linear([1.0, 0.0]), jnp.ones((4, 2)),
                                         jnp.ones((4, 2)), 0),
         r"key must be a JAX random key, got the integer 0 \(a seed\)"),
        (lambda: losses.interpolates(jnp.ones(4), jnp.ones(4), jax.random.PRNGKey(0)),
         r"real must be a batch of samples \(B, ...\), got shape \(4,\)"),
        (lambda: losses.r1_penalty(_linear([1.0, 0.0]), jnp.ones(4)),
         r"real must be a batch of samples"),
        (lambda: losses.r2_penalty(None, jnp.ones((4, 2))),
         r"discriminator must be a callable \(B, ...\) -> \(B,\), got None"),
        (lambda: losses.GANLoss("x", "d", None), r"d_loss must be a callable"),
        (lambda: losses.GANLoss("x", losses.d_hinge, 3), r"g_loss must be a callable"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()
