"""Known-answer tests for exact W1, the parallel lines and the critic diagnostics."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
from flax import nnx
from scipy import integrate

from ganlab import data, losses, models
from ganlab import wasserstein as W

LOG2 = math.log(2.0)


class Linear(nnx.Module):
    """f(x) = w . x + b, a critic whose gradient is w everywhere."""

    def __init__(self, w, b=0.0):
        self.w = nnx.Param(jnp.asarray(w, jnp.float32))
        self.b = nnx.Param(jnp.asarray(b, jnp.float32))

    def __call__(self, x):
        return x @ self.w[...] + self.b[...]  # (B, d) @ (d,) -> (B,)


# --- exact W1 ---------------------------------------------------------------------------------


def test_w1_of_two_point_masses_is_their_distance():
    assert W.w1_1d([2.0], [-1.5]) == pytest.approx(3.5)
    assert W.w1_1d([2.0, 2.0, 2.0], [5.0]) == pytest.approx(3.0)  # unequal sizes
    assert W.w1_exact([[0.0, 0.0]], [[3.0, 4.0]]) == pytest.approx(5.0)
    assert W.w1_exact([[0.0, 0.0]] * 3, [[3.0, 4.0]] * 3) == pytest.approx(5.0)


@pytest.mark.parametrize("c", [-2.5, 0.3, 7.0])
def test_w1_of_a_sample_and_its_shift_is_the_shift(c):
    x = np.random.default_rng(0).normal(size=(200, 2))
    assert W.w1_1d(x[:, 0], x[:, 0] + c) == pytest.approx(abs(c), rel=1e-12)
    direction = np.array([0.6, -0.8])  # unit vector: a translation by c * u costs |c|
    assert W.w1_exact(x, x + c * direction) == pytest.approx(abs(c), rel=1e-9)


def test_w1_1d_agrees_with_scipy_and_with_the_sorted_formula():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=300), rng.gamma(2.0, size=517)
    assert W.w1_1d(x, y) == pytest.approx(scipy.stats.wasserstein_distance(x, y), rel=1e-10)
    y = y[:300]
    sorted_formula = np.mean(np.abs(np.sort(x) - np.sort(y)))
    assert W.w1_1d(x, y) == pytest.approx(sorted_formula, rel=1e-12)
    assert W.w1_1d(x[:, None], y[:, None]) == pytest.approx(sorted_formula, rel=1e-12)


def test_w1_exact_of_a_permutation_is_zero_and_matches_1d():
    x = np.random.default_rng(2).normal(size=(150, 3))
    perm = np.random.default_rng(3).permutation(150)
    w1, matching = W.w1_exact(x, x[perm], return_matching=True)
    assert w1 == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(perm[matching], np.arange(150))  # each x_i finds itself
    a, b = np.random.default_rng(4).normal(size=(2, 120))
    assert W.w1_exact(a, b) == pytest.approx(W.w1_1d(a, b), rel=1e-9)


def test_w1_exact_matching_gives_the_distance():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 1.0
    w1, m = W.w1_exact(x, y, return_matching=True)
    assert sorted(m) == list(range(60))
    assert w1 == pytest.approx(np.mean(np.linalg.norm(x - y[m], axis=1)), rel=1e-12)
    # any other matching costs at least as much (here: the identity)
    assert w1 <= np.mean(np.linalg.norm(x - y, axis=1)) + 1e-12
    # and any 1-Lipschitz f gives a lower bound: the best linear one
    assert np.linalg.norm(x.mean(0) - y.mean(0)) <= w1 + 1e-12


def test_w1_exact_rejects_bad_input():
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="same shape"):
        W.w1_exact(x, np.zeros((6, 2)))
    with pytest.raises(ValueError, match="max_n=4"):
        W.w1_exact(x, x, max_n=4)
    with pytest.raises(ValueError, match="finite"):
        W.w1_exact(x, np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match=r"shape \(n, d\)"):
        W.w1_exact(np.zeros((5, 2, 2)), np.zeros((5, 2, 2)))
    with pytest.raises(ValueError, match="1-D sample"):
        W.w1_1d(np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="non-empty"):
        W.w1_1d([], [1.0])


def test_kantorovich_duality_on_small_samples():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(15, 2)), rng.normal(size=(15, 2)) + [2.0, 0.0]
    value, fx, fy = W.kantorovich_potential(x, y)
    assert value == pytest.approx(W.w1_exact(x, y), rel=1e-7)  # the duality gap is zero
    assert np.mean(fx) - np.mean(fy) == pytest.approx(value, rel=1e-9)
    pts, f = np.concatenate([x, y]), np.concatenate([fx, fy])
    dist = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    assert np.all(f[:, None] - f[None] <= dist + 1e-7)  # 1-Lipschitz on the points
    assert abs(np.mean(fy)) < 1e-9
    # unequal sizes: the same as the 1-D formula
    a, b = rng.normal(size=7), rng.normal(size=11)
    assert W.kantorovich_potential(a, b)[0] == pytest.approx(W.w1_1d(a, b), rel=1e-7)
    with pytest.raises(ValueError, match="max_n"):
        W.kantorovich_potential(x, y, max_n=10)
    with pytest.raises(ValueError, match="dimension"):
        W.kantorovich_potential(x, y[:, :1])


def test_w1_mixture_1d_known_answers():
    p = data.gaussian_1d(0.0, 1.0)
    assert W.w1_mixture_1d(p, data.gaussian_1d(2.5, 1.0)) == pytest.approx(2.5, rel=1e-7)
    # scaling by s moves each quantile by (s - 1) * z: W1 = |s - 1| E|Z| = |s - 1| sqrt(2/pi)
    s = 2.0
    expected = abs(s - 1) * math.sqrt(2 / math.pi)
    assert W.w1_mixture_1d(p, data.gaussian_1d(0.0, s)) == pytest.approx(expected, rel=1e-7)


def test_w1_mixture_1d_agrees_with_samples():
    p, q = data.gaussian_1d(0.0, 1.0), data.mixture_1d([-1.5, 3.0], 0.3, [0.3, 0.7])
    kp, kq = jax.random.split(jax.random.PRNGKey(0))
    x, y = np.asarray(p.sample(kp, 200_000)), np.asarray(q.sample(kq, 200_000))
    assert W.w1_mixture_1d(p, q) == pytest.approx(W.w1_1d(x, y), rel=0.01)


def test_w1_mixture_1d_rejects_2d_mixtures():
    with pytest.raises(ValueError, match="1-D mixture"):
        W.w1_mixture_1d(data.ring(), data.gaussian_1d())
    with pytest.raises(ValueError, match="Gaussian mixture"):
        W.w1_mixture_1d(np.zeros(3), data.gaussian_1d())


# --- the parallel lines -----------------------------------------------------------------------


def test_parallel_lines_closed_forms():
    theta = np.array([-2.0, -0.1, 0.0, 0.5, 3.0])
    d = W.parallel_lines(theta)
    moved = theta != 0
    np.testing.assert_allclose(d["w1"], np.abs(theta))
    np.testing.assert_allclose(d["jsd"], np.where(moved, LOG2, 0.0))
    np.testing.assert_allclose(d["tv"], np.where(moved, 1.0, 0.0))
    assert np.all(np.isinf(d["kl"][moved])) and d["kl"][2] == 0.0
    assert W.parallel_lines(0.7)["jsd"].shape == ()


def test_parallel_lines_with_noise_match_the_densities():
    sigma, theta = 0.3, 0.45
    d = W.parallel_lines(theta, noise=sigma)

    def p(t):
        return scipy.stats.norm.pdf(t, 0.0, sigma)

    def q(t):
        return scipy.stats.norm.pdf(t, theta, sigma)

    lo, hi = -12 * sigma, theta + 12 * sigma
    kl = integrate.quad(lambda t: p(t) * np.log(p(t) / q(t)), lo, hi)[0]
    tv = 0.5 * integrate.quad(lambda t: abs(p(t) - q(t)), lo, hi, points=[theta / 2])[0]

    def half(a, b):
        return integrate.quad(lambda t: a(t) * np.log(2 * a(t) / (a(t) + b(t))), lo, hi)[0]

    jsd = 0.5 * half(p, q) + 0.5 * half(q, p)
    assert float(d["kl"]) == pytest.approx(kl, rel=1e-6)
    assert float(d["tv"]) == pytest.approx(tv, rel=1e-6)
    assert float(d["jsd"]) == pytest.approx(jsd, rel=1e-6)
    assert float(d["w1"]) == pytest.approx(theta)


def test_blurred_parallel_lines_tend_to_the_closed_forms():
    theta = np.array([0.0, 0.2, -0.5, 1.0])
    sharp = W.parallel_lines(theta)
    blurred = W.parallel_lines(theta, noise=1e-3)
    np.testing.assert_allclose(blurred["jsd"], sharp["jsd"], atol=1e-9)
    np.testing.assert_allclose(blurred["tv"], sharp["tv"], atol=1e-9)
    assert np.all(blurred["kl"][1:] > 1e4)
    wide = W.parallel_lines(theta, noise=1.0)
    assert np.all(wide["jsd"][1:] < sharp["jsd"][1:])  # overlap lowers the JSD below log 2


def test_parallel_line_samples_and_their_exact_w1():
    key = jax.random.PRNGKey(0)
    x0, x1 = W.parallel_line(0.0).sample(key, 400), W.parallel_line(0.75).sample(key, 400)
    assert x1.shape == (400, 2)
    np.testing.assert_allclose(x1[:, 0], 0.75)
    assert float(x1[:, 1].min()) >= 0.0 and float(x1[:, 1].max()) <= 1.0
    np.testing.assert_allclose(x1[:, 1], x0[:, 1])  # the same z for the same key
    assert W.w1_exact(x0, x1) == pytest.approx(0.75, rel=1e-6)
    other = W.parallel_line(0.75).sample(jax.random.PRNGKey(1), 400)  # independent z: a bit more
    assert 0.75 <= W.w1_exact(x0, other) <= 0.76


def test_parallel_lines_reject_bad_input():
    with pytest.raises(ValueError, match="theta"):
        W.parallel_line(float("nan"))
    with pytest.raises(ValueError, match="theta"):
        W.parallel_line("1")
    with pytest.raises(ValueError, match="noise"):
        W.parallel_lines(1.0, noise=-0.1)
    with pytest.raises(ValueError, match="theta"):
        W.parallel_lines([1.0, np.inf])


# --- critic diagnostics -----------------------------------------------------------------------


def test_gradient_norms_of_a_linear_critic_are_its_weight_norm():
    w = np.array([3.0, -4.0])
    x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    np.testing.assert_allclose(W.grad_norms(Linear(w), x), 5.0, rtol=1e-6)
    # also inside a jitted function, and with a zero gradient (norm 0, finite slope)
    norms = jax.jit(lambda x: W.grad_norms(Linear(w), x))(x)
    np.testing.assert_allclose(norms, 5.0, rtol=1e-6)
    slope = jax.grad(lambda v: jnp.sum(W.grad_norms(Linear(v), x)))(jnp.zeros(2))
    assert np.all(np.isfinite(slope))


def test_critic_estimate_of_a_linear_critic():
    w = np.array([0.6, 0.8])
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(50, 2)), rng.normal(size=(70, 2)) + 2.0
    expected = w @ (x.mean(0) - y.mean(0))
    assert W.critic_estimate(Linear(w, 0.3), x, y) == pytest.approx(expected, rel=1e-5)


def test_interpolates_are_the_points_of_the_gradient_penalty():
    _, d = models.mlp_gan(seed=0)
    kr, kf, key = jax.random.split(jax.random.PRNGKey(0), 3)
    real, fake = jax.random.normal(kr, (32, 2)), jax.random.normal(kf, (32, 2)) + 3.0
    x_hat = W.interpolates(real, fake, key)
    eps = (x_hat - fake)[:, 0] / (real - fake)[:, 0]
    assert float(eps.min()) >= 0.0 and float(eps.max()) <= 1.0
    np.testing.assert_allclose(x_hat, eps[:, None] * real + (1 - eps[:, None]) * fake, atol=1e-5)
    expected = losses.gradient_penalty(d, real, fake, key)
    ours = np.mean((W.grad_norms(d, x_hat) - 1.0) ** 2)
    assert ours == pytest.approx(float(expected), rel=1e-5)


def test_diagnostics_reject_bad_input():
    with pytest.raises(ValueError, match="callable"):
        W.grad_norms(3.0, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NNX module"):
        W.critic_estimate(lambda x: x.sum(1), np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="batch"):
        W.grad_norms(Linear([1.0, 0.0]), np.zeros(2))
    with pytest.raises(ValueError, match="same shape"):
        W.interpolates(np.zeros((3, 2)), np.zeros((4, 2)), jax.random.PRNGKey(0))


# --- training a critic ------------------------------------------------------------------------


def _critic_1d(seed=0):
    return models.MLPDiscriminator(1, width=64, rngs=nnx.Rngs(seed))


def test_a_trained_gp_critic_estimates_w1_of_an_easy_1d_pair():
    p, q = data.gaussian_1d(0.0, 1.0), data.gaussian_1d(1.0, 1.0)
    exact = W.w1_mixture_1d(p, q)  # = 1
    trainer = W.train_critic(_critic_1d(), p, q, steps=2500, lr=1e-3, progress=False)
    estimate = trainer.estimate(jax.random.PRNGKey(1), 50_000)
    # The penalty is soft: the best linear critic f = -s x maximises s W1 - lambda (s - 1)^2,
    # s = 1 + W1 / (2 lambda) = 1.05, so the estimate sits a little above W1.
    assert estimate == pytest.approx(exact * (1 + exact / 20), rel=0.05)
    norms = W.grad_norms(trainer.critic, np.linspace(-2, 3, 50, dtype=np.float32)[:, None])
    np.testing.assert_allclose(norms, 1.05, atol=0.1)
    assert trainer.history["estimate"].shape == (2500,)
    np.testing.assert_array_equal(trainer.history["step"], np.arange(1, 2501))


def test_a_clipped_critic_keeps_its_weights_in_the_box_and_bce_bounds_the_jsd():
    p, q = data.gaussian_1d(0.0, 1.0), data.gaussian_1d(3.0, 1.0)
    trainer = W.train_critic(_critic_1d(), p, q, steps=300, loss="wgan-clip", progress=False)
    weights = np.concatenate([np.ravel(w) for w in jax.tree.leaves(nnx.state(trainer.critic))])
    assert np.max(np.abs(weights)) <= 0.01 + 1e-7
    assert 0 < trainer.estimate(jax.random.PRNGKey(0)) < 0.3  # Lipschitz far below 1
    bce = W.train_critic(_critic_1d(), p, q, steps=300, loss="bce", lr=1e-3, progress=False)
    assert np.all(bce.history["estimate"] <= LOG2 + 1e-6)
    assert bce.history["estimate"][-50:].mean() > 0.3  # JSD(N(0,1), N(3,1)) is about 0.50


def test_an_unconstrained_critic_runs_away():
    p, q = data.gaussian_1d(0.0, 1.0), data.gaussian_1d(1.0, 1.0)
    trainer = W.train_critic(_critic_1d(), p, q, steps=500, loss="wgan", lr=1e-3, progress=False)
    assert trainer.history["estimate"][-1] > 5.0  # W1 is 1: the supremum is unbounded


def test_custom_loss_and_penalty_are_used_and_programs_are_reused():
    p, q = data.gaussian_1d(0.0, 1.0), data.gaussian_1d(1.0, 1.0)

    def penalty(critic, real, fake, key):
        return jnp.ones(())

    trainer = W.CriticTrainer(
        _critic_1d(), p, q, loss=losses.d_wasserstein, penalty=penalty, gp_weight=2.5,
        progress=False,
    )  # fmt: skip
    trainer.run(20)
    np.testing.assert_allclose(trainer.history["penalty"], 2.5)
    hits = W._runner.cache_info().hits
    again = W.CriticTrainer(
        _critic_1d(1), data.gaussian_1d(5.0), q, loss=losses.d_wasserstein, penalty=penalty,
        gp_weight=2.5, progress=False,
    )  # fmt: skip
    again.run(20)
    assert W._runner.cache_info().hits == hits + 1
    assert trainer.step == 20 and again.step == 20


def test_critic_trainer_takes_arrays_and_rejects_bad_settings():
    x = np.random.default_rng(0).normal(size=(100, 1)).astype(np.float32)
    trainer = W.CriticTrainer(_critic_1d(), x, x + 1.0, progress=False)
    trainer.run(5)
    assert trainer.step == 5
    with pytest.raises(ValueError, match="loss must be one of"):
        W.CriticTrainer(_critic_1d(), x, x, loss="wasserstein")
    with pytest.raises(ValueError, match="p must be a sampler with a sample"):
        W.CriticTrainer(_critic_1d(), [1.0, 2.0], x)
    with pytest.raises(ValueError, match="one shape"):
        W.CriticTrainer(_critic_1d(), x, np.zeros((10, 2), np.float32))
    with pytest.raises(ValueError, match="lr must be"):
        W.CriticTrainer(_critic_1d(), x, x, lr=0.0)
    with pytest.raises(ValueError, match="betas"):
        W.CriticTrainer(_critic_1d(), x, x, betas=(0.5, 1.0))
    with pytest.raises(ValueError, match="optimizer"):
        W.CriticTrainer(_critic_1d(), x, x, optimizer="lbfgs")
    with pytest.raises(ValueError, match="critic rejected"):
        W.CriticTrainer(models.MLPDiscriminator(2, rngs=nnx.Rngs(0)), x, x)
    with pytest.raises(ValueError, match="steps"):
        trainer.run(-1)


# --- histories --------------------------------------------------------------------------------


def test_history_at_evals_averages_the_window_before_each_evaluation():
    history = {
        "step": np.arange(1, 11),
        "d_loss": np.arange(1.0, 11.0),
        "eval": [{"step": 0, "w1": 9.0}, {"step": 4, "w1": 2.0}, {"step": 10, "w1": 1.0}],
    }
    out = W.history_at_evals(history, ("d_loss",), window=2)
    np.testing.assert_array_equal(out["step"], [4, 10])  # the step-0 evaluation has no loss yet
    np.testing.assert_allclose(out["w1"], [2.0, 1.0])
    np.testing.assert_allclose(out["d_loss"], [3.5, 9.5])
    with pytest.raises(ValueError, match="keys"):
        W.history_at_evals(history, ("g_loss",))
    with pytest.raises(ValueError, match="window"):
        W.history_at_evals(history, window=0)
    with pytest.raises(ValueError, match="history must be"):
        W.history_at_evals({"step": []})


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: W.train_critic(_critic_1d(), data.gaussian_1d(), data.gaussian_1d(1.0), steps=1,
                                progress=False).estimate(0),
         r"key must be a JAX random key, got the integer 0 \(a seed\)"),
        (lambda: W.CriticTrainer(_critic_1d(), data.gaussian_1d(), data.gaussian_1d(1.0),
                                 gp_weight=-1),
         r"gp_weight must be a finite number >= 0, got -1"),
        (lambda: W.CriticTrainer(_critic_1d(), data.gaussian_1d(), data.gaussian_1d(1.0), clip=0),
         r"clip must be a finite number > 0, got 0"),
        (lambda: W.CriticTrainer(_critic_1d(), data.gaussian_1d(), data.gaussian_1d(1.0),
                                 penalty=3),
         r"penalty must be a callable"),
        (lambda: W.CriticTrainer(_critic_1d(), data.gaussian_1d(), data.gaussian_1d(1.0),
                                 progress="no"),
         r"progress must be True or False"),
        (lambda: W.parallel_line(1.0).sample(0, 3), r"key must be a JAX random key"),
        (lambda: W.parallel_line(1.0).sample(jax.random.key(0), 0), r"n must be an integer >= 1"),
        (lambda: W.history_at_evals([1, 2]), r"history must be a ganlab training history"),
        (lambda: W.w1_exact(np.zeros((3, 2)), np.zeros((3, 2)), max_n=0),
         r"max_n must be an integer >= 1, got 0"),
    ],
)  # fmt: skip
def test_critic_and_diagnostics_refuse_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
