"""ganlab.update: the one D update and G update, checked against hand computations."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from ganlab import losses, models, update


class Linear(nnx.Module):
    """f(x) = x @ w: its loss gradients are easy to write by hand."""

    def __init__(self, w):
        self.w = nnx.Param(jnp.asarray(w, jnp.float32))

    def __call__(self, x):
        return x @ self.w[...]


REAL = jnp.array([[1.0, 0.0], [3.0, 2.0]])
FAKE = jnp.array([[0.0, 1.0], [-1.0, 1.0]])


def test_a_critic_update_is_one_sgd_step_on_the_loss_by_hand():
    d_def, d = update.player(Linear([0.5, -0.5]), optax.sgd(0.1))
    loss = losses.get("wgan")
    d, m = update.d_update(d_def, d, optax.sgd(0.1), loss, REAL, FAKE, jax.random.key(0))
    # L = mean(f(fake)) - mean(f(real)); dL/dw = mean(fake) - mean(real) = (-2.5, 0)
    np.testing.assert_allclose(d.params["w"][...], [0.5 + 0.25, -0.5], rtol=1e-6)
    # f(fake) = (-0.5, -1), f(real) = (0.5, 0.5): L = -0.75 - 0.5
    assert float(m["d_loss"]) == pytest.approx(-1.25)
    assert float(m["d_grad_norm"]) == pytest.approx(2.5)
    assert float(m["penalty"]) == 0.0


def test_the_penalty_and_the_clip_come_from_the_loss_object():
    tx = optax.sgd(0.1)
    d_def, d = update.player(Linear([3.0, 4.0]), tx)  # ||grad f|| = 5
    loss = losses.get("wgan", gp_weight=1.0)
    _, m = update.d_update(d_def, d, tx, loss, REAL, FAKE, jax.random.key(0))
    assert float(m["penalty"]) == pytest.approx(16.0)  # (5 - 1)^2
    clipped = losses.get("wgan", clip=0.1)
    d_def, d = update.player(Linear([3.0, 4.0]), tx, clipped)
    np.testing.assert_allclose(d.params["w"][...], [0.1, 0.1])  # clipped before any update
    d, _ = update.d_update(d_def, d, tx, clipped, REAL, FAKE, jax.random.key(0))
    assert float(jnp.max(jnp.abs(d.params["w"][...]))) <= np.float32(0.1)


def test_a_generator_update_moves_g_only_and_uphill_on_d():
    g, disc = models.mlp_gan(width=8, seed=0)
    tx = optax.sgd(0.05)
    g_def, g_state = update.player(g, tx)
    d_def, d_state = update.player(Linear([1.0, 0.0]), tx)  # D says "real" to the right
    z = jax.random.normal(jax.random.key(1), (256, 2))
    before = float(jnp.mean(g(z)[:, 0]))
    loss = losses.get("wgan")
    g_state, m = update.g_update(g_def, g_state, tx, loss, d_def, d_state, z)
    update.write_back(g, g_state)
    assert float(jnp.mean(g(z)[:, 0])) > before  # samples moved to where D scores higher
    assert float(m["g_loss"]) == pytest.approx(-before, rel=1e-5)  # -mean f(G(z)) before
    np.testing.assert_array_equal(d_state.params["w"][...], [1.0, 0.0])  # D untouched


def test_unrolling_a_frozen_discriminator_is_the_plain_update():
    g, _ = models.mlp_gan(width=8, seed=0)
    tx = optax.sgd(0.0)  # D's unrolled steps do not move it
    g_def, g_state = update.player(g, optax.sgd(0.1))
    d_def, d_state = update.player(Linear([1.0, -1.0]), tx)
    z = jax.random.normal(jax.random.key(1), (64, 2))
    loss = losses.get("nonsaturating")
    plain, _ = update.g_update(g_def, g_state, optax.sgd(0.1), loss, d_def, d_state, z)
    unrolled, _ = update.g_update(
        g_def, g_state, optax.sgd(0.1), loss, d_def, d_state, z, unroll=3, d_tx=tx, real=REAL
    )
    for a, b in zip(jax.tree.leaves(plain.params), jax.tree.leaves(unrolled.params), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_optimizer_schedules_decay_to_zero_over_the_horizon():
    tx = update.optimizer("sgd", 1.0, schedule="linear", horizon=4)
    params = {"w": jnp.zeros(())}
    state = tx.init(params)
    steps = []
    for _ in range(5):
        upd, state = tx.update({"w": jnp.ones(())}, state, params)
        steps.append(float(-upd["w"]))
    np.testing.assert_allclose(steps, [1.0, 0.75, 0.5, 0.25, 0.0])


def test_the_protocols_describe_ganlab_objects():
    g, d = models.mlp_gan(seed=0)
    from ganlab import data

    assert isinstance(data.ring(), update.Sampler) and isinstance(g, update.Sampler)
    assert isinstance(g, update.Generator) and isinstance(d, update.Discriminator)
    assert not isinstance(3, update.Sampler)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: update.optimizer("adamw"), r"optimizer must be one of \['adam', 'rmsprop'"),
        (lambda: update.optimizer(lr="1e-3"), r"lr must be a finite number > 0, got '1e-3'"),
        (lambda: update.optimizer(lr=-1.0), r"lr must be a finite number > 0, got -1.0"),
        (lambda: update.optimizer(schedule="step"), r"lr_schedule must be one of"),
        (lambda: update.optimizer(schedule="cosine", horizon=0), r"horizon must be an integer"),
        (lambda: update.optimizer(betas=(0.9, 1.0)), r"betas must be two numbers in \[0, 1\)"),
        (lambda: update.player(3, optax.sgd(0.1)), r"model must be a Flax NNX module, got 'int'"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
