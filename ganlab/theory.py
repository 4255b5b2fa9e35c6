r"""The theory of the GAN game, computed: divergences, the optimal discriminator, the Dirac-GAN.

Two halves, both used by lesson 2:

* **1-D distributions on a grid.** Densities are arrays of values on a grid ``x`` (1-D, strictly
  increasing) and every integral is the trapezoid rule in float64: :func:`kl`, :func:`jsd`,
  :func:`total_variation`, the optimal discriminator :func:`optimal_discriminator`, the value
  function :func:`value` and its maximum :func:`value_at_optimum` (Goodfellow et al. 2014,
  https://arxiv.org/abs/1406.2661, Proposition 1 and Theorem 1). :func:`fit_discriminator`
  trains a real discriminator against two fixed samplers, to check :math:`D^*` numerically.
* **The Dirac-GAN** of Mescheder et al. 2018 (https://arxiv.org/abs/1801.04406, section 2):
  data at 0, a generator that puts all its mass at :math:`\theta`, a linear discriminator
  :math:`D_\psi(x) = \psi x` (a logit). :class:`DiracGAN` gives the gradient vector field of
  the two players, its Jacobian and eigenvalues, and trajectories of gradient descent. The
  losses are the very functions of :mod:`ganlab.losses` that the trainer uses.

Conventions: the discriminator's logit is positive for "real" (as everywhere in ganlab), so
:math:`D(x) = \sigma(\psi x)`. The paper writes the discriminator with the opposite sign; its
pictures are ours mirrored in :math:`\psi`, and every eigenvalue is the same.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.typing import ArrayLike
from scipy.integrate import trapezoid
from scipy.special import ndtri

from ganlab import _checks, data, losses, update

__all__ = [
    "DiracGAN",
    "discriminator_1d",
    "fit_discriminator",
    "fit_generator",
    "jsd",
    "kl",
    "optimal_discriminator",
    "pdf",
    "total_variation",
    "value",
    "value_at_optimum",
]

LOG2 = math.log(2.0)

# ---------------------------------------------------------------------------------------------
# Densities on a grid
# ---------------------------------------------------------------------------------------------


def _grid(x: ArrayLike) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 1 or a.shape[0] < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {a.shape}")
    if not np.all(np.isfinite(a)) or not np.all(np.diff(a) > 0):
        raise ValueError("x must be finite and strictly increasing (a grid such as linspace)")
    return a


def _density(p: ArrayLike, x: np.ndarray, name: str, tol: float | None) -> np.ndarray:
    a = np.asarray(p, dtype=np.float64)
    if a.shape != x.shape:
        raise ValueError(
            f"{name} must hold one density value per grid point, shape {x.shape}; got {a.shape}"
        )
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"{name} must be finite and >= 0 (a density), got min {np.min(a)!r}")
    if tol is not None:
        mass = trapezoid(a, x)
        if abs(mass - 1.0) > tol:
            raise ValueError(
                f"{name} integrates to {mass:.4f} over the grid, not 1 (allowed error {tol}): "
                "widen or refine the grid x, or normalise the density"
            )
    return a


def _xlogy_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``p * log(p / q)`` with ``0 log 0 = 0`` and ``inf`` where ``p > 0 = q``."""
    out = np.zeros_like(p)
    both = (p > 0) & (q > 0)
    out[both] = p[both] * np.log(p[both] / q[both])
    out[(p > 0) & (q == 0)] = np.inf
    return out


def pdf(dist: Any, x: ArrayLike) -> np.ndarray:
    r"""The density of a 1-D Gaussian mixture from :mod:`ganlab.data` on the grid ``x``.

    Computed in float64 from ``dist.centers`` ``(K, 1)``, ``dist.stds`` and ``dist.weights``
    (the mixture's own ``log_prob`` works in float32, too coarse for integrals of tails).

    Returns:
      ``(n,)`` float64 density values.
    """
    x = _grid(x)
    means, stds, weights = data.mixture_1d_arrays(dist, "dist")
    z = (x[:, None] - means[None, :]) / stds[None, :]  # (n, K)
    comp = np.exp(-0.5 * z**2) / (stds[None, :] * math.sqrt(2 * math.pi))
    return comp @ weights


def kl(p: ArrayLike, q: ArrayLike, x: ArrayLike, *, tol: float | None = 1e-2) -> float:
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(p \,\|\, q) = \int p \log(p/q)\,dx`.

    ``p`` and ``q`` are density values on the grid ``x`` (all ``(n,)``); the integral is the
    trapezoid rule. ``0 log 0 = 0``; where ``p > 0`` and ``q = 0`` the divergence is ``inf``.
    Each density must integrate to 1 within ``tol`` over the grid (``None``: no check), so a grid
    that misses part of the support is an error, not a silently wrong answer.
    """
    x = _grid(x)
    p, q = _density(p, x, "p", tol), _density(q, x, "q", tol)
    integrand = _xlogy_ratio(p, q)
    if np.any(np.isinf(integrand)):
        return math.inf
    return float(trapezoid(integrand, x))


def jsd(p: ArrayLike, q: ArrayLike, x: ArrayLike, *, tol: float | None = 1e-2) -> float:
    r"""Jensen–Shannon divergence, in nats:

    .. math:: \mathrm{JSD}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) +
              \tfrac12 \mathrm{KL}(q \,\|\, m), \qquad m = \tfrac12 (p + q).

    Symmetric, always finite, 0 when ``p = q`` and :math:`\log 2` when the supports are
    disjoint. Arguments as in :func:`kl`.
    """
    x = _grid(x)
    p, q = _density(p, x, "p", tol), _density(q, x, "q", tol)
    m = 0.5 * (p + q)
    return float(trapezoid(0.5 * _xlogy_ratio(p, m) + 0.5 * _xlogy_ratio(q, m), x))


def total_variation(p: ArrayLike, q: ArrayLike, x: ArrayLike, *, tol: float | None = 1e-2) -> float:
    r"""Total variation distance :math:`\delta(p, q) = \tfrac12 \int |p - q|\,dx`, in [0, 1].

    Arguments as in :func:`kl`.
    """
    x = _grid(x)
    p, q = _density(p, x, "p", tol), _density(q, x, "q", tol)
    return float(0.5 * trapezoid(np.abs(p - q), x))


def optimal_discriminator(p_data: ArrayLike, p_g: ArrayLike, *, logits: bool = False) -> np.ndarray:
    r"""The best discriminator against a fixed generator (Goodfellow et al. 2014, Prop. 1):

    .. math:: D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}, \qquad
              \operatorname{logit} D^*(x) = \log p_\text{data}(x) - \log p_g(x).

    ``p_data`` and ``p_g`` are density values at the same points (any equal shapes). With
    ``logits=True`` the log density ratio is returned instead (``+inf``/``-inf`` where only one
    density is 0): in the tails, where :math:`D^*` rounds to exactly 0 or 1, the logit keeps
    its precision. Where both densities are 0, :math:`D^*` is not determined (no sample ever
    lands there): the result is NaN.
    """
    a = np.asarray(p_data, dtype=np.float64)
    b = np.asarray(p_g, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"p_data and p_g must have one shape, got {a.shape} and {b.shape}")
    for name, v in (("p_data", a), ("p_g", b)):
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be finite and >= 0 (density values)")
    total = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        if logits:
            return np.where(total > 0, np.log(a) - np.log(b), np.nan)
        return np.where(total > 0, a / np.where(total > 0, total, 1.0), np.nan)


def value(
    d: ArrayLike,
    p_data: ArrayLike,
    p_g: ArrayLike,
    x: ArrayLike,
    *,
    logits: bool = False,
    tol: float | None = 1e-2,
) -> float:
    r"""The value function of a discriminator given on the grid ``x``:

    .. math:: V(D, G) = \int p_\text{data}(x) \log D(x) + p_g(x) \log(1 - D(x))\,dx

    (Goodfellow et al. 2014, eq. 1, with the expectation over :math:`z` written over
    :math:`x = G(z) \sim p_g`). The discriminator maximises it.

    Args:
      d: :math:`D(x) \in [0, 1]` at each grid point, or its logits when ``logits=True``
        (the stable choice for a confident discriminator: :math:`\log D = \log\sigma(l)`).
      p_data, p_g, x, tol: as in :func:`kl`. ``0 log 0 = 0``: ``D`` may be 0 or 1 where the
        density that would be multiplied by ``log 0`` is 0.
    """
    x = _grid(x)
    p_data, p_g = _density(p_data, x, "p_data", tol), _density(p_g, x, "p_g", tol)
    d = np.asarray(d, dtype=np.float64)
    if d.shape != x.shape:
        raise ValueError(f"d must hold D(x) at each grid point, shape {x.shape}; got {d.shape}")
    if np.any(np.isnan(d)):
        raise ValueError("d must not hold NaN (where D* is undetermined, any value will do)")
    if logits:  # log sigmoid(l) = -log(1 + e^-l), log(1 - sigmoid(l)) = -log(1 + e^l)
        log_d, log_1md = -np.logaddexp(0.0, -d), -np.logaddexp(0.0, d)
    else:
        if np.any(d < 0) or np.any(d > 1):
            raise ValueError(
                "d must hold probabilities D(x) in [0, 1]; pass logits=True for raw logits"
            )
        with np.errstate(divide="ignore"):
            log_d, log_1md = np.log(d), np.log1p(-d)
    real = np.where(p_data > 0, p_data * np.where(p_data > 0, log_d, 0.0), 0.0)
    fake = np.where(p_g > 0, p_g * np.where(p_g > 0, log_1md, 0.0), 0.0)
    integrand = real + fake
    if np.any(np.isinf(integrand)):
        return -math.inf
    return float(trapezoid(integrand, x))


def value_at_optimum(
    p_data: ArrayLike, p_g: ArrayLike, x: ArrayLike, *, tol: float | None = 1e-2
) -> float:
    r"""The generator's criterion (Goodfellow et al. 2014, Theorem 1):

    .. math:: C(G) = \max_D V(D, G) = -\log 4 + 2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g),

    :math:`-\log 4` exactly when :math:`p_g = p_\text{data}`, and 0 when the supports are
    disjoint. Arguments as in :func:`kl`."""
    return -2.0 * LOG2 + 2.0 * jsd(p_data, p_g, x, tol=tol)


def discriminator_1d(d: Any, x: ArrayLike, *, logits: bool = False) -> np.ndarray:
    r"""A 1-D discriminator's probabilities :math:`D(x) = \sigma(\text{logit})` on the grid ``x``
    (float64), or its raw logits when ``logits=True``.

    ``d`` maps ``(n, 1)`` float32 to logits ``(n,)`` (e.g. a trained
    ``ganlab.models.MLPDiscriminator(1, ...)``). The sigmoid is taken in float64, so a confident
    discriminator's :math:`1 - D(x)` does not round to 0 where a float32 sigmoid would.
    """
    x = _grid(x)
    if not callable(d):
        raise ValueError(
            f"d must be a callable mapping (n, 1) to logits (n,); got {type(d).__name__}"
        )
    raw = np.asarray(d(jnp.asarray(x[:, None], jnp.float32)), dtype=np.float64)
    if raw.shape != x.shape:
        raise ValueError(
            f"d must map (n, 1) to logits (n,); for n={x.size} it returned {raw.shape}"
        )
    if logits:
        return raw
    return 0.5 * (1.0 + np.tanh(0.5 * raw))  # sigmoid, without overflow in exp


# ---------------------------------------------------------------------------------------------
# Training a discriminator against two fixed distributions
# ---------------------------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnames=("d_def", "loss", "betas", "steps", "batch_size"))
def _fit_d(d_def, d, data, fake, key, lr, *, betas, loss, steps: int, batch_size: int):
    tx = update.optimizer("adam", lr, betas=betas)
    d = d._replace(opt=tx.init(d.params))

    def one(d, k):
        k_real, k_fake, k_pen = jax.random.split(k, 3)
        real_x, fake_x = data.sample(k_real, batch_size), fake.sample(k_fake, batch_size)
        d, metrics = update.d_update(d_def, d, tx, loss, real_x, fake_x, k_pen)
        return d, metrics["d_loss"]

    return jax.lax.scan(one, d, jax.random.split(key, steps))


@functools.partial(
    jax.jit, static_argnames=("g_def", "d_def", "loss", "betas", "steps", "batch_size")
)
def _fit_g(g_def, g, d_def, d, key, lr, *, betas, loss, steps: int, batch_size: int):
    tx = update.optimizer("adam", lr, betas=betas)
    g = g._replace(opt=tx.init(g.params))
    latent_dim = nnx.merge(g_def, g.params, g.rest).latent_dim

    def one(g, k):
        z = jax.random.normal(k, (batch_size, latent_dim))
        g, metrics = update.g_update(g_def, g, tx, loss, d_def, d, z)
        return g, metrics["g_loss"]

    return jax.lax.scan(one, g, jax.random.split(key, steps))


def _fit_settings(steps, batch_size, lr, betas) -> tuple:
    return (
        _checks.integer("steps", steps, minimum=1),
        _checks.integer("batch_size", batch_size, minimum=1),
        _checks.positive("lr", lr),
        _checks.pair("betas", betas),
    )


def fit_discriminator(
    d: nnx.Module,
    data: Any,
    fake: Any,
    key: jax.Array,
    *,
    steps: int = 2000,
    batch_size: int = 512,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    loss: str | losses.GANLoss = "nonsaturating",
) -> np.ndarray:
    r"""Train only a discriminator, in place, to tell ``data`` from ``fake`` (both fixed).

    This is the inner maximisation :math:`\max_D V(D, G)` with the generator frozen: Adam on
    the discriminator's loss of ``loss`` (for the default, :func:`ganlab.losses.d_bce`, which is
    :math:`-V`), fresh batches of ``batch_size`` from each sampler every step, all ``steps``
    fused in one jit-compiled ``lax.scan`` of :func:`ganlab.update.d_update`. A second call
    with the same architecture, ``steps`` and ``batch_size`` reuses the compiled program.

    Args:
      d: a discriminator mapping ``(B, dim)`` to logits ``(B,)``, e.g.
        ``ganlab.models.MLPDiscriminator(1, rngs=...)``; updated in place.
      data, fake: samplers with ``sample(key, n) -> (n, dim)`` that are JAX pytrees: the
        mixtures of :mod:`ganlab.data`, or a generator module (NNX modules are pytrees), which
        stays frozen. ``data`` is the real data, ``fake`` the generator's distribution.
      key: the training key (batches are drawn from it).
      steps, batch_size, lr, betas: Adam steps, samples per distribution per step, learning
        rate, Adam's betas.
      loss: a name in :data:`ganlab.losses.LOSSES` or a :class:`ganlab.losses.GANLoss`.

    Returns:
      D's loss (without any penalty) at every step, ``(steps,)``: :math:`L_D = -V` by default.
    """
    steps, batch_size, lr, betas = _fit_settings(steps, batch_size, lr, betas)
    key = _checks.key("key", key)
    if not isinstance(d, nnx.Module):
        _checks.fail("d", type(d).__name__, "a Flax NNX module")
    _checks.sampler("data", data, "ganlab.data.gaussian_1d()")
    _checks.sampler("fake", fake, "ganlab.data.gaussian_1d()")
    gan_loss = losses.get(loss)
    d_def, state = update.player(d, update.optimizer("adam", lr), gan_loss)
    state, history = _fit_d(
        d_def, state, data, fake, key, jnp.float32(lr),
        betas=betas, loss=gan_loss, steps=steps, batch_size=batch_size,
    )  # fmt: skip
    update.write_back(d, state)
    return np.asarray(history)


def fit_generator(
    g: nnx.Module,
    d: nnx.Module,
    key: jax.Array,
    *,
    steps: int = 500,
    batch_size: int = 256,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    loss: str | losses.GANLoss = "nonsaturating",
) -> np.ndarray:
    r"""Train only a generator, in place, against a frozen discriminator ``d``.

    The other half of the game with one player held still: Adam on the generator's loss of
    ``loss`` (the non-saturating :math:`-\log D(G(z))` by default), fresh noise every step,
    all ``steps`` fused in one ``lax.scan`` of :func:`ganlab.update.g_update`. Against a
    fixed D the generator moves its samples to wherever D scores highest, which is how a
    generator collapses onto one mode (lesson 4).

    Returns:
      G's loss at every step, ``(steps,)``.
    """
    steps, batch_size, lr, betas = _fit_settings(steps, batch_size, lr, betas)
    key = _checks.key("key", key)
    for name, model in (("g", g), ("d", d)):
        if not isinstance(model, nnx.Module):
            _checks.fail(name, type(model).__name__, "a Flax NNX module")
    gan_loss = losses.get(loss)
    g_def, g_state = update.player(g, update.optimizer("adam", lr))
    d_def, d_state = update.player(d, update.optimizer("adam", lr))
    g_state, history = _fit_g(
        g_def, g_state, d_def, d_state, key, jnp.float32(lr),
        betas=betas, loss=gan_loss, steps=steps, batch_size=batch_size,
    )  # fmt: skip
    update.write_back(g, g_state)
    return np.asarray(history)


# ---------------------------------------------------------------------------------------------
# The Dirac-GAN (Mescheder et al. 2018)
# ---------------------------------------------------------------------------------------------

DIRAC_LOSSES = ("minimax", "nonsaturating", "wgan-clip", "wgan-gp")
METHODS = ("simultaneous", "alternating")


def _std_normal_nodes(n: int) -> np.ndarray:
    """``n`` equally weighted points whose mean is 0 and variance exactly 1: the normal
    quantiles at the midpoints ``(i + 1/2) / n``, rescaled. Expectations over Gaussian noise
    become deterministic averages, exact for the first two moments."""
    z = ndtri((np.arange(n) + 0.5) / n)
    return z / np.sqrt(np.mean(z**2))


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["r1", "noise", "clip", "gp_weight"],
    meta_fields=["loss", "noise_points"],
)
@dataclasses.dataclass(frozen=True)
class DiracGAN:
    r"""The Dirac-GAN: the smallest GAN that shows why gradient descent need not converge.

    The data are a point mass at 0, the generator a point mass at :math:`\theta`, and the
    discriminator :math:`D_\psi(x) = \psi x` (a logit). The unique equilibrium is
    :math:`(\theta, \psi) = (0, 0)`. Each player descends its own loss from
    :mod:`ganlab.losses`, so the gradient vector field is

    .. math:: v(\theta, \psi) = \big(-\partial_\theta L_G,\ -\partial_\psi L_D\big).

    For ``loss="minimax"`` the game is zero-sum, :math:`L_D = \log 2 - L_G`:
    :math:`v = (\psi f'(-\psi\theta),\ -\theta f'(-\psi\theta))` with
    :math:`f(t) = -\log(1 + e^{-t})`, :math:`f'(0) = 1/2`, and the Jacobian at the
    equilibrium has eigenvalues :math:`\pm i f'(0)` (Mescheder et al. 2018, section 2).

    Attributes:
      loss: ``"minimax"`` (:func:`~ganlab.losses.d_bce` / :func:`~ganlab.losses.g_minimax`),
        ``"nonsaturating"``, ``"wgan-clip"`` (critic :math:`f(t) = t`, :math:`|\psi|` clipped
        to ``clip`` after each discriminator step) or ``"wgan-gp"`` (plus
        ``gp_weight`` times :func:`~ganlab.losses.gradient_penalty`, whose gradient here is
        :math:`\psi` at every point, so the penalty is :math:`\lambda(|\psi| - 1)^2`).
      r1: :math:`\gamma`; adds :math:`\frac{\gamma}{2} R_1 = \frac{\gamma}{2}\psi^2` to
        :math:`L_D` (:func:`~ganlab.losses.r1_penalty`; eigenvalues
        :math:`-\gamma/2 \pm \sqrt{\gamma^2/4 - f'(0)^2}`).
      noise: instance noise :math:`\sigma`: real and generated points are both blurred by
        :math:`\mathcal N(0, \sigma^2)` (eigenvalues :math:`f''(0)\sigma^2 \pm
        \sqrt{f''(0)^2\sigma^4 - f'(0)^2}`, :math:`f''(0) = -1/4`). The expectation is an
        average over ``noise_points`` fixed Gaussian quantiles, so the field is deterministic.
      clip: the clipping bound of ``"wgan-clip"`` (the paper's figure uses 1).
      gp_weight: :math:`\lambda` of ``"wgan-gp"``.
      noise_points: how many points stand for the noise distribution.

    A ``DiracGAN`` is a JAX pytree whose leaves are the four strengths, so games that differ
    only in ``r1``, ``noise``, ``clip`` or ``gp_weight`` share one compiled program.
    """

    loss: str = "minimax"
    r1: float = 0.0
    noise: float = 0.0
    clip: float = 1.0
    gp_weight: float = 1.0
    noise_points: int = 64

    def __post_init__(self):
        _checks.choice("loss", self.loss, DIRAC_LOSSES)
        # Numbers are checked; JAX rebuilds games with traced (array) leaves, left alone here.
        for name in ("r1", "noise", "gp_weight", "clip"):
            v = getattr(self, name)
            if not isinstance(v, jax.Array | np.ndarray):
                bound = {"above": 0} if name == "clip" else {"minimum": 0}
                _checks.number(name, v, **bound)
        _checks.integer("noise_points", self.noise_points, minimum=2)

    # --- the two losses ------------------------------------------------------------------------

    def _points(self, theta):
        """Real and generated points, ``(n, 1)`` each: 0 and theta, blurred by the noise
        (all at 0 and theta when ``noise = 0``)."""
        eps = self.noise * jnp.asarray(_std_normal_nodes(self.noise_points), jnp.float32)
        return eps[:, None], (theta + eps)[:, None]

    def player_losses(self, theta: ArrayLike, psi: ArrayLike) -> tuple[jax.Array, jax.Array]:
        """``(L_D, L_G)`` at scalar ``(theta, psi)``, penalties included in ``L_D``."""
        loss = losses.get(self.loss)

        def critic(x):  # (n, 1) -> (n,)
            return psi * x[:, 0]

        real, fake = self._points(theta)
        l_d = loss.d_loss(critic(real), critic(fake))
        if loss.gp_weight:  # the game's own lambda replaces the preset's
            # The critic is linear: its gradient is psi everywhere, whatever the interpolation.
            l_d += self.gp_weight * losses.gradient_penalty(
                critic, real, fake, jax.random.PRNGKey(0)
            )
        l_d += 0.5 * self.r1 * losses.r1_penalty(critic, real)  # 0 when r1 = 0
        return l_d, loss.g_loss(critic(fake))

    # --- the vector field and its linearisation -----------------------------------------------

    def _v(self, theta, psi):
        v_theta = -jax.grad(lambda t: self.player_losses(t, psi)[1])(theta)
        v_psi = -jax.grad(lambda p: self.player_losses(theta, p)[0])(psi)
        return v_theta, v_psi

    def field(self, theta: ArrayLike, psi: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        r"""The gradient vector field :math:`v = (-\partial_\theta L_G, -\partial_\psi L_D)`.

        ``theta`` and ``psi`` are numbers or arrays of one shape (a grid, say); returns
        ``(v_theta, v_psi)`` of that shape.
        """
        t, p = _pair(theta, psi)
        v_t, v_p = _field_fn(self, t.ravel(), p.ravel())
        return np.asarray(v_t).reshape(t.shape), np.asarray(v_p).reshape(t.shape)

    def jacobian(self, theta: float = 0.0, psi: float = 0.0) -> np.ndarray:
        r"""The ``(2, 2)`` Jacobian :math:`\partial v / \partial(\theta, \psi)` at a point
        (the equilibrium by default); rows are :math:`(v_\theta, v_\psi)`."""
        t, p = _pair(theta, psi)
        if t.shape != ():
            raise ValueError(f"theta and psi must be numbers, got arrays of shape {t.shape}")
        return np.asarray(_jacobian_fn(self, t, p), dtype=np.float64)

    def eigenvalues(self, theta: float = 0.0, psi: float = 0.0) -> np.ndarray:
        """Eigenvalues of :meth:`jacobian` (complex, ``(2,)``, sorted by imaginary part).
        Continuous-time gradient flow converges locally when both real parts are < 0."""
        return _sorted(np.linalg.eigvals(self.jacobian(theta, psi)))

    def step_jacobian(
        self, h: float, method: str = "simultaneous", n_critic: int = 1
    ) -> np.ndarray:
        r"""The ``(2, 2)`` Jacobian of one training step :math:`(\theta, \psi) \mapsto
        (\theta', \psi')` at the equilibrium. Its eigenvalues decide the discrete dynamics:
        all of modulus < 1 converges locally, any > 1 diverges, = 1 neither.
        For simultaneous steps it is :math:`I + hJ`."""
        h, method, n_critic = _step_args(h, method, n_critic)
        zero = jnp.zeros((), jnp.float32)
        jac = _step_jacobian_fn(self, zero, zero, jnp.float32(h), method, n_critic)
        return np.asarray(jac, dtype=np.float64)

    # --- training ------------------------------------------------------------------------------

    def trajectory(
        self,
        start: tuple[float, float] = (1.0, 1.0),
        *,
        h: float = 0.1,
        steps: int = 500,
        method: str = "simultaneous",
        n_critic: int = 1,
    ) -> np.ndarray:
        r"""Gradient descent on both players from ``start = (theta, psi)``.

        ``"simultaneous"``: both players step from the same point,
        :math:`x_{k+1} = x_k + h\,v(x_k)`. ``"alternating"``: ``n_critic`` discriminator steps,
        then one generator step that already sees the updated discriminator (the order of
        Goodfellow et al.'s Algorithm 1 and of :mod:`ganlab.train`). ``"wgan-clip"`` clips
        :math:`\psi` after every discriminator step. One jit-compiled ``lax.scan``.

        Returns:
          ``(steps + 1, 2)`` float64: :math:`(\theta_k, \psi_k)` for ``k = 0 .. steps``; a run
          that overflows holds inf/NaN from there on.
        """
        h, method, n_critic = _step_args(h, method, n_critic)
        steps = _checks.integer("steps", steps, minimum=1)
        s = np.asarray(start, dtype=np.float64)
        if s.shape != (2,) or not np.all(np.isfinite(s)):
            raise ValueError(f"start must be two finite numbers (theta, psi), got {start!r}")
        path = _trajectory_fn(
            self, jnp.asarray(s, jnp.float32), jnp.float32(h), method, n_critic, steps
        )
        return np.asarray(path, dtype=np.float64)

    # --- one step, as a pure function ------------------------------------------------------------

    def _step(self, x, h, method: str, n_critic: int):
        theta, psi = x[0], x[1]

        def project(psi):  # the loss's constraint, with the game's own bound
            clipped = losses.get(self.loss).clip is not None
            return jnp.clip(psi, -self.clip, self.clip) if clipped else psi

        if method == "simultaneous":
            v_t, v_p = self._v(theta, psi)
            return jnp.stack([theta + h * v_t, project(psi + h * v_p)])
        for _ in range(n_critic):
            psi = project(psi + h * self._v(theta, psi)[1])
        theta = theta + h * self._v(theta, psi)[0]
        return jnp.stack([theta, psi])


def _sorted(eigs: np.ndarray) -> np.ndarray:
    return eigs[np.lexsort((eigs.real, eigs.imag))]


def _pair(theta: ArrayLike, psi: ArrayLike) -> tuple[jax.Array, jax.Array]:
    t, p = np.asarray(theta, dtype=np.float64), np.asarray(psi, dtype=np.float64)
    if t.shape != p.shape:
        raise ValueError(f"theta and psi must have one shape, got {t.shape} and {p.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(p))):
        raise ValueError("theta and psi must be finite")
    return jnp.asarray(t, jnp.float32), jnp.asarray(p, jnp.float32)


def _step_args(h: float, method: str, n_critic: int) -> tuple[float, str, int]:
    _checks.positive("h (the step size)", h)
    _checks.choice("method", method, METHODS)
    _checks.integer("n_critic", n_critic, minimum=1)
    if method == "simultaneous" and n_critic != 1:
        raise ValueError(
            f"n_critic={n_critic} needs method='alternating' (simultaneous steps update both "
            "players once from the same point)"
        )
    return float(h), method, n_critic


# The game is a pytree argument: one compilation per loss (and method), whatever the strengths.
@jax.jit
def _field_fn(game: DiracGAN, theta, psi):
    return jax.vmap(game._v)(theta, psi)


@jax.jit
def _jacobian_fn(game: DiracGAN, theta, psi):
    return jax.jacfwd(lambda x: jnp.stack(game._v(x[0], x[1])))(jnp.stack([theta, psi]))


@functools.partial(jax.jit, static_argnums=(4, 5))
def _step_jacobian_fn(game: DiracGAN, theta, psi, h, method, n_critic):
    return jax.jacfwd(lambda x: game._step(x, h, method, n_critic))(jnp.stack([theta, psi]))


@functools.partial(jax.jit, static_argnums=(3, 4, 5))
def _trajectory_fn(game: DiracGAN, start, h, method, n_critic, steps):
    def body(x, _):
        x = game._step(x, h, method, n_critic)
        return x, x

    _, path = jax.lax.scan(body, start, None, length=steps)
    return jnp.concatenate([start[None], path])
