"""Known-answer tests for ganlab.theory: divergences against closed forms, the optimal
discriminator, C(G) = -log 4 + 2 JSD, and the Dirac-GAN's field, eigenvalues and trajectories
against Mescheder et al. (2018)."""

import math

import jax
import numpy as np
import pytest
from flax import nnx
from scipy.stats import norm

from ganlab import data, models, theory

LOG2 = math.log(2.0)
X = np.linspace(-12.0, 14.0, 20001)


def gauss(mean, std, x=X):
    return norm.pdf(x, mean, std)


def uniform(lo, hi, x):
    return np.where((x >= lo) & (x <= hi), 1.0 / (hi - lo), 0.0)


# --- divergences ----------------------------------------------------------------------------


def test_jsd_is_zero_for_identical_densities_and_log2_for_disjoint_ones():
    p = gauss(0.0, 1.0)
    assert theory.jsd(p, p, X) == pytest.approx(0.0, abs=1e-12)
    x = np.linspace(-1.0, 5.0, 60001)
    a, b = uniform(0.0, 1.0, x), uniform(2.0, 3.0, x)
    assert theory.jsd(a, b, x, tol=1e-3) == pytest.approx(LOG2, abs=2e-4)  # grid error ~dx


def test_jsd_of_half_overlapping_uniforms_is_half_log2_and_symmetric():
    # U[0,2] vs U[1,3]: the shared half contributes nothing, each own half (1/2) log 2
    x = np.linspace(-1.0, 4.0, 50001)
    a, b = uniform(0.0, 2.0, x), uniform(1.0, 3.0, x)
    assert theory.jsd(a, b, x) == pytest.approx(0.5 * LOG2, abs=1e-3)
    assert theory.jsd(a, b, x) == pytest.approx(theory.jsd(b, a, x), abs=1e-12)


@pytest.mark.parametrize("m1,s1,m2,s2", [(0.0, 1.0, 1.0, 1.0), (0.5, 0.5, -1.0, 2.0)])
def test_kl_of_two_gaussians_matches_the_closed_form(m1, s1, m2, s2):
    exact = math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    assert theory.kl(gauss(m1, s1), gauss(m2, s2), X) == pytest.approx(exact, rel=1e-6)


def test_kl_is_inf_where_q_vanishes_under_p_and_ignores_0_log_0():
    x = np.linspace(-1.0, 4.0, 5001)
    wide, narrow = uniform(0.0, 2.0, x), uniform(0.5, 1.5, x)
    assert theory.kl(wide, narrow, x) == math.inf
    assert theory.kl(narrow, wide, x) == pytest.approx(LOG2, abs=1e-3)


def test_total_variation_matches_closed_forms():
    # equal variances: TV = 2 Phi(|m1 - m2| / (2 s)) - 1
    exact = 2 * norm.cdf(1.5 / 2) - 1
    assert theory.total_variation(gauss(0, 1), gauss(1.5, 1), X) == pytest.approx(exact, rel=1e-6)
    x = np.linspace(-1.0, 4.0, 50001)
    assert theory.total_variation(uniform(0, 2, x), uniform(1, 3, x), x) == pytest.approx(
        0.5, abs=1e-3
    )


def test_pdf_of_ganlab_mixtures_matches_scipy():
    np.testing.assert_allclose(theory.pdf(data.gaussian_1d(1.0, 0.5), X), gauss(1.0, 0.5))
    mix = data.mixture_1d([-1.0, 2.0], [0.5, 1.0], weights=[1.0, 3.0])
    expected = 0.25 * gauss(-1.0, 0.5) + 0.75 * gauss(2.0, 1.0)
    np.testing.assert_allclose(theory.pdf(mix, X), expected, rtol=1e-6)


# --- the optimal discriminator and C(G) ------------------------------------------------------


def test_optimal_discriminator_of_two_gaussians_is_a_sigmoid_of_the_log_ratio():
    # N(0,1) vs N(2,1): log p_data - log p_g = 2 - 2x, so D*(x) = sigmoid(2 - 2x)
    d = theory.optimal_discriminator(gauss(0, 1), gauss(2, 1))
    np.testing.assert_allclose(d, 1 / (1 + np.exp(-(2 - 2 * X))), rtol=1e-6, atol=1e-12)
    assert theory.optimal_discriminator(np.array([0.3]), np.array([0.3]))[0] == 0.5


def test_optimal_discriminator_is_nan_where_both_densities_vanish():
    d = theory.optimal_discriminator(np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 2.0]))
    assert np.isnan(d[0]) and d[1] == 1.0 and d[2] == 0.0


def test_value_at_the_optimum_is_minus_log4_plus_2jsd():
    p, q = gauss(0, 1), gauss(1.5, 0.7)
    d_star = theory.optimal_discriminator(p, q)
    c = theory.value_at_optimum(p, q, X)
    logit = theory.optimal_discriminator(p, q, logits=True)
    assert theory.value(logit, p, q, X, logits=True) == pytest.approx(c, rel=1e-6)
    # in probabilities, D* rounds to exactly 1 far in p_data's tail while p_g > 0 there
    assert theory.value(d_star, p, q, X) == -math.inf
    assert c == pytest.approx(-2 * LOG2 + 2 * theory.jsd(p, q, X))
    # any other discriminator does worse; D = 1/2 everywhere scores -log 4
    assert theory.value(np.clip(d_star + 0.05, 0, 1), p, q, X) < c
    assert theory.value(np.full_like(X, 0.5), p, q, X) == pytest.approx(-2 * LOG2)
    assert theory.value_at_optimum(p, p, X) == pytest.approx(-2 * LOG2, abs=1e-12)


def test_value_of_a_perfect_discriminator_on_disjoint_supports_is_zero():
    x = np.linspace(-1.0, 5.0, 6001)
    a, b = uniform(0, 1, x), uniform(2, 3, x)
    d_star = theory.optimal_discriminator(a, b)
    d = np.where(np.isnan(d_star), 0.5, d_star)  # D is free where no sample ever lands
    assert theory.value(d, a, b, x, tol=2e-3) == pytest.approx(0.0, abs=1e-12)
    assert theory.value(1 - d, a, b, x, tol=2e-3) == -math.inf


def test_fit_discriminator_recovers_the_optimal_discriminator():
    real, fake = data.gaussian_1d(0.0, 1.0), data.gaussian_1d(2.0, 1.0)
    d = models.MLPDiscriminator(1, width=32, depth=2, rngs=nnx.Rngs(0))
    history = theory.fit_discriminator(d, real, fake, jax.random.PRNGKey(0), steps=800, lr=3e-3)
    assert history.shape == (800,)
    assert history[-100:].mean() < history[:10].mean()
    x = np.linspace(-2.0, 4.0, 601)
    err = np.abs(theory.discriminator_1d(d, x) - 1 / (1 + np.exp(-(2 - 2 * x))))
    assert err.max() < 0.08


def test_fit_discriminator_accepts_a_frozen_generator_as_the_fake_sampler():
    g, d = models.mlp_gan(1, 1, width=16, depth=1, seed=0)
    before = jax.tree.map(np.asarray, nnx.state(g))
    history = theory.fit_discriminator(
        d, data.gaussian_1d(4.0, 0.25), g, jax.random.PRNGKey(0), steps=200, lr=1e-2
    )
    assert history[-20:].mean() < 0.3 < 1.0 < history[0]  # D separates data at 4 from G near 0
    after = jax.tree.map(np.asarray, nnx.state(g))
    jax.tree.map(np.testing.assert_array_equal, before, after)  # G is untouched


def test_fit_generator_moves_the_samples_to_where_a_frozen_d_scores_high():
    # D learns that data sit at 4 and G's samples near 0; G, trained alone against that
    # frozen D, must move its samples up D's slope, and D must not change.
    g, d = models.mlp_gan(1, 1, width=16, depth=1, seed=0)
    theory.fit_discriminator(d, data.gaussian_1d(4.0, 0.25), g, jax.random.PRNGKey(0),
                             steps=200, lr=1e-2)  # fmt: skip
    d_before = jax.tree.map(np.asarray, nnx.state(d))
    key = jax.random.PRNGKey(5)
    mean_before = float(np.mean(g.sample(key, 1000)))
    history = theory.fit_generator(g, d, jax.random.PRNGKey(1), steps=200, lr=1e-2)
    mean_after = float(np.mean(g.sample(key, 1000)))
    assert history.shape == (200,) and history[-20:].mean() < history[:5].mean()
    assert mean_after > mean_before + 1.0, (mean_before, mean_after)
    jax.tree.map(np.testing.assert_array_equal, d_before, jax.tree.map(np.asarray, nnx.state(d)))


@pytest.mark.parametrize(
    "call",
    [
        lambda: theory.kl(gauss(0, 1), gauss(0, 1)[:-1], X),
        lambda: theory.kl(-gauss(0, 1), gauss(0, 1), X),
        lambda: theory.jsd(gauss(0, 1), gauss(0, 1), X[::-1]),
        lambda: theory.jsd(gauss(0, 1, X[:100]), gauss(0, 1, X[:100]), X[:100]),  # mass << 1
        lambda: theory.value(np.full_like(X, 1.5), gauss(0, 1), gauss(1, 1), X),
        lambda: theory.optimal_discriminator(np.ones(3), np.ones(4)),
        lambda: theory.pdf(data.ring(), X),
        lambda: theory.pdf("N(0,1)", X),
        lambda: theory.fit_discriminator(
            None, data.gaussian_1d(), data.gaussian_1d(), None, steps=0
        ),
    ],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


# --- the Dirac-GAN ---------------------------------------------------------------------------

FP0 = 0.5  # f'(0) for f(t) = -log(1 + exp(-t))
FPP0 = -0.25  # f''(0)


def closed_form_field(theta, psi):
    """The minimax Dirac-GAN field in ganlab's sign convention: (psi f'(-u), -theta f'(-u)),
    u = psi theta, f'(t) = sigmoid(-t)."""
    fp = 1 / (1 + np.exp(-psi * theta))  # f'(-u) = sigmoid(u)
    return psi * fp, -theta * fp


def test_minimax_field_matches_the_closed_form_and_is_tangent_to_circles():
    rng = np.random.default_rng(0)
    theta, psi = rng.normal(size=(2, 50))
    v_t, v_p = theory.DiracGAN().field(theta, psi)
    e_t, e_p = closed_form_field(theta, psi)
    np.testing.assert_allclose(v_t, e_t, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v_p, e_p, rtol=1e-5, atol=1e-6)
    # d/dt (theta^2 + psi^2) = 2 (theta v_theta + psi v_psi) = 0: the flow conserves the radius
    np.testing.assert_allclose(theta * v_t + psi * v_p, 0.0, atol=1e-6)


@pytest.mark.parametrize(
    "game,expected",
    [
        (theory.DiracGAN(), [-0.5j, 0.5j]),
        (theory.DiracGAN(loss="nonsaturating"), [-0.5j, 0.5j]),
        (theory.DiracGAN(loss="wgan-clip"), [-1j, 1j]),
    ],
)
def test_unregularised_eigenvalues_are_purely_imaginary(game, expected):
    np.testing.assert_allclose(game.eigenvalues(), expected, atol=1e-6)


@pytest.mark.parametrize("gamma", [0.1, 0.3, 0.9, 1.0, 1.5, 4.0])
def test_r1_eigenvalues_match_the_closed_form(gamma):
    root = np.sqrt(complex(gamma**2 / 4 - FP0**2))
    expected = np.array([-gamma / 2 - root, -gamma / 2 + root])
    game = theory.DiracGAN(r1=gamma)
    np.testing.assert_allclose(game.jacobian(), [[0.0, FP0], [-FP0, -gamma]], atol=1e-6)
    got = game.eigenvalues()  # a double root at gamma = 1 is only good to ~sqrt(float32 eps)
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(expected), atol=1e-3)


def test_critical_r1_strength_is_2_fprime0_where_eigenvalues_turn_real():
    below = theory.DiracGAN(r1=2 * FP0 - 0.01).eigenvalues()
    at = theory.DiracGAN(r1=2 * FP0).eigenvalues()
    above = theory.DiracGAN(r1=2 * FP0 + 0.01).eigenvalues()
    assert np.all(np.abs(below.imag) > 0.05)
    np.testing.assert_allclose(at, [-FP0, -FP0], atol=1e-3)
    assert np.all(above.imag == 0) and above.real.max() < 0


@pytest.mark.parametrize("sigma", [0.3, 0.7, math.sqrt(2.0), 2.0])
def test_instance_noise_eigenvalues_match_the_closed_form(sigma):
    root = np.sqrt(complex(FPP0**2 * sigma**4 - FP0**2))
    expected = np.array([FPP0 * sigma**2 - root, FPP0 * sigma**2 + root])
    game = theory.DiracGAN(noise=sigma)
    jac = np.array([[0.0, FP0], [-FP0, 2 * FPP0 * sigma**2]])
    np.testing.assert_allclose(game.jacobian(), jac, atol=1e-5)
    # at the critical sigma the root is double: float32 rounding moves it by ~sqrt(eps) = 3e-4
    got = game.eigenvalues()
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(expected), atol=1e-3)


def test_step_jacobians_simultaneous_is_i_plus_hj_and_alternating_preserves_area():
    game, h = theory.DiracGAN(), 0.3
    np.testing.assert_allclose(game.step_jacobian(h), np.eye(2) + h * game.jacobian(), atol=1e-6)
    # |1 + h i f'(0)| > 1: simultaneous steps spiral out at every step size
    rho = np.abs(np.linalg.eigvals(game.step_jacobian(h))).max()
    assert rho == pytest.approx(math.sqrt(1 + (h * FP0) ** 2), rel=1e-6)
    alt = game.step_jacobian(h, "alternating")
    assert np.linalg.det(alt) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(alt)), 1.0, atol=1e-6)


def test_simultaneous_gd_increases_the_radius_at_every_step():
    path = theory.DiracGAN().trajectory((0.5, 0.5), h=0.1, steps=300)
    r2 = np.sum(path**2, axis=1)
    assert path.shape == (301, 2)
    assert np.all(np.diff(r2) > 0)
    assert r2[-1] > 1.5 * r2[0]


def test_alternating_gd_neither_converges_nor_diverges():
    path = theory.DiracGAN().trajectory((0.5, 0.5), h=0.1, steps=2000, method="alternating")
    r = np.linalg.norm(path, axis=1)
    assert 0.5 * r[0] < r.min() and r.max() < 2 * r[0]


@pytest.mark.parametrize("method", ["simultaneous", "alternating"])
@pytest.mark.parametrize("game", [theory.DiracGAN(r1=0.3), theory.DiracGAN(noise=0.7)])
def test_r1_and_instance_noise_converge_to_the_equilibrium(game, method):
    path = game.trajectory((1.0, 1.0), h=0.2, steps=500, method=method)
    assert np.linalg.norm(path[-1]) < 1e-3


@pytest.mark.parametrize(
    "game", [theory.DiracGAN(loss="wgan-clip"), theory.DiracGAN(loss="wgan-gp", gp_weight=0.35)]
)
def test_wgan_and_wgan_gp_do_not_converge(game):
    path = game.trajectory((1.0, 1.0), h=0.2, steps=500, method="alternating")
    assert np.linalg.norm(path[-100:], axis=1).min() > 0.5


def test_wgan_clip_keeps_psi_within_the_bound():
    path = theory.DiracGAN(loss="wgan-clip", clip=0.3).trajectory((2.0, 0.0), h=0.2, steps=200)
    assert np.abs(path[1:, 1]).max() <= 0.3 + 1e-7


def test_alternating_with_n_critic_trains_the_discriminator_more():
    one = theory.DiracGAN().trajectory((1.0, 0.0), h=0.1, steps=1, method="alternating")
    five = theory.DiracGAN().trajectory(
        (1.0, 0.0), h=0.1, steps=1, method="alternating", n_critic=5
    )
    assert five[1, 1] < one[1, 1] < 0  # D lowers its logit on the fake at theta = 1


def test_unregularised_equilibrium_leaves_no_player_a_better_move():
    game = theory.DiracGAN()
    l_d0, l_g0 = (float(v) for v in game.player_losses(0.0, 0.0))
    for s in np.linspace(-3, 3, 13):
        assert float(game.player_losses(0.0, s)[0]) == pytest.approx(l_d0, abs=1e-6)
        assert float(game.player_losses(s, 0.0)[1]) == pytest.approx(l_g0, abs=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda: theory.DiracGAN(loss="hinge"),
        lambda: theory.DiracGAN(r1=-1.0),
        lambda: theory.DiracGAN(noise=float("nan")),
        lambda: theory.DiracGAN(clip=0.0),
        lambda: theory.DiracGAN(noise_points=1),
        lambda: theory.DiracGAN().trajectory((1.0,), h=0.1),
        lambda: theory.DiracGAN().trajectory((1.0, 1.0), h=0.0),
        lambda: theory.DiracGAN().trajectory((1.0, 1.0), method="adam"),
        lambda: theory.DiracGAN().trajectory((1.0, 1.0), n_critic=5),
        lambda: theory.DiracGAN().trajectory((1.0, 1.0), steps=0),
        lambda: theory.DiracGAN().field(np.zeros(3), np.zeros(4)),
        lambda: theory.DiracGAN().jacobian(np.zeros(2), np.zeros(2)),
    ],
)
def test_dirac_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: theory.fit_generator(*models.mlp_gan(1, 1), jax.random.key(0), steps=0),
         r"steps must be an integer >= 1, got 0"),
        (lambda: theory.fit_generator("g", None, jax.random.key(0)),
         r"g must be a Flax NNX module, got 'str'"),
        (lambda: theory.fit_generator(*models.mlp_gan(1, 1), 0),
         r"key must be a JAX random key, got the integer 0 \(a seed\)"),
        (lambda: theory.fit_discriminator(models.mlp_gan(1, 1)[1], data.gaussian_1d(),
                                          data.gaussian_1d(), 0),
         r"key must be a JAX random key, got the integer 0"),
        (lambda: theory.fit_discriminator(None, data.gaussian_1d(), data.gaussian_1d(),
                                          jax.random.key(0)),
         r"d must be a Flax NNX module, got 'NoneType'"),
        (lambda: theory.fit_discriminator(models.mlp_gan(1, 1)[1], "N(0, 1)",
                                          data.gaussian_1d(), jax.random.key(0)),
         r"data must be a sampler with a sample\(key, n\) method"),
        (lambda: theory.fit_discriminator(models.mlp_gan(1, 1)[1], data.gaussian_1d(),
                                          data.gaussian_1d(), jax.random.key(0), lr=0),
         r"lr must be a finite number > 0, got 0"),
        (lambda: theory.fit_discriminator(models.mlp_gan(1, 1)[1], data.gaussian_1d(),
                                          data.gaussian_1d(), jax.random.key(0), loss="bce"),
         r"loss must be one of \['hinge'"),
        (lambda: theory.DiracGAN(loss="hinge"), r"loss must be one of \['minimax', "),
        (lambda: theory.DiracGAN(clip="1"), r"clip must be a finite number > 0, got '1'"),
        (lambda: theory.DiracGAN(noise_points=1), r"noise_points must be an integer >= 2"),
    ],
)  # fmt: skip
def test_training_entry_points_refuse_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
