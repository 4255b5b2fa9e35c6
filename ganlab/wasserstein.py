r"""The Wasserstein-1 distance, computed exactly, and diagnostics for a WGAN critic.

The Wasserstein-1 (earth mover's) distance between distributions :math:`P` and :math:`Q` is
the least average distance mass must travel to turn :math:`P` into :math:`Q`,

.. math::
    W_1(P, Q) = \inf_{\gamma \in \Pi(P, Q)} \mathbb{E}_{(x, y) \sim \gamma} \lVert x - y \rVert
              = \sup_{\lVert f \rVert_L \le 1} \mathbb{E}_{P} f(x) - \mathbb{E}_{Q} f(y),

the second form being the Kantorovich-Rubinstein duality that a WGAN critic :math:`f`
approximates (Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875). This module holds:

* exact distances to check a critic against: :func:`w1_1d` (two 1-D samples, any sizes),
  :func:`w1_exact` (two d-D samples of equal size, by an optimal assignment),
  :func:`w1_mixture_1d` (two 1-D Gaussian mixtures, by quadrature of their CDFs), and
  :func:`kantorovich_potential` (the dual: the best 1-Lipschitz critic on two small samples);
* the parallel-lines example of Arjovsky et al. (2017, example 1): :func:`parallel_line`
  (a sampler) and :func:`parallel_lines` (JSD, KL, TV and W1 as functions of :math:`\theta`);
* critic diagnostics: :func:`grad_norms`, :func:`interpolates`, :func:`critic_estimate`, and
  :class:`CriticTrainer` / :func:`train_critic`, which train *only* a critic between two fixed
  samplers (one jit-compiled ``lax.scan`` per call) so that its estimate can be compared with
  the exact distance;
* :func:`history_at_evals`, which lines a training history's losses up with its evaluations.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.typing import ArrayLike
from scipy import integrate, optimize, special
from scipy.spatial.distance import cdist
from tqdm.auto import tqdm

from ganlab import _checks, losses, update
from ganlab import data as gdata

__all__ = [
    "CRITIC_LOSSES",
    "CriticTrainer",
    "ParallelLine",
    "critic_estimate",
    "grad_norms",
    "history_at_evals",
    "interpolates",
    "kantorovich_potential",
    "parallel_line",
    "parallel_lines",
    "train_critic",
    "w1_1d",
    "w1_exact",
    "w1_mixture_1d",
]

LOG2 = math.log(2.0)
W1_EXACT_MAX_N = 3000  # an n x n assignment: about 1 s and 70 MB at n = 3000


# --------------------------------------------------------------------------------------------
# Exact W1
# --------------------------------------------------------------------------------------------


def _samples_1d(name: str, x: ArrayLike) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1 or a.shape[0] < 1:
        raise ValueError(
            f"{name} must be a non-empty 1-D sample, shape (n,) or (n, 1); got shape {np.shape(x)}"
        )
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {int(np.sum(~np.isfinite(a)))} NaN/inf")
    return a


def w1_1d(x: ArrayLike, y: ArrayLike) -> float:
    r"""Exact W1 between the empirical distributions of two 1-D samples (any sizes).

    In one dimension the optimal transport moves the :math:`k`-th smallest mass to the
    :math:`k`-th smallest place, so :math:`W_1 = \int |F_x(t) - F_y(t)|\, dt` with the
    empirical CDFs :math:`F`; for equal sizes this is :math:`\frac1n \sum_i |x_{(i)} - y_{(i)}|`
    (sorted samples). Agrees with ``scipy.stats.wasserstein_distance``.

    Args:
      x: ``(n,)`` or ``(n, 1)``.
      y: ``(m,)`` or ``(m, 1)``.
    """
    x, y = np.sort(_samples_1d("x", x)), np.sort(_samples_1d("y", y))
    if x.shape == y.shape:
        return float(np.mean(np.abs(x - y)))
    t = np.sort(np.concatenate([x, y]))  # the CDFs are constant between consecutive points
    fx = np.searchsorted(x, t[:-1], side="right") / x.size
    fy = np.searchsorted(y, t[:-1], side="right") / y.size
    return float(np.sum(np.abs(fx - fy) * np.diff(t)))


def _samples_nd(name: str, x: ArrayLike) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{name} must be a non-empty sample of shape (n, d); got {np.shape(x)}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {int(np.sum(~np.isfinite(a)))} NaN/inf")
    return a


def w1_exact(
    x: ArrayLike, y: ArrayLike, *, max_n: int = W1_EXACT_MAX_N, return_matching: bool = False
) -> float | tuple[float, np.ndarray]:
    r"""Exact W1 (Euclidean ground cost) between two samples of equal size ``n``, any dimension.

    Between two uniform empirical distributions of ``n`` points each, an optimal transport plan
    is a permutation (Birkhoff-von Neumann), so

    .. math:: W_1 = \min_\sigma \frac1n \sum_i \lVert x_i - y_{\sigma(i)} \rVert,

    solved exactly by ``scipy.optimize.linear_sum_assignment`` on the ``n x n`` distance matrix
    (O(n^3) time; ``n <= max_n``). Flatten images first: ``x.reshape(n, -1)``.

    Args:
      x, y: ``(n, d)`` (or ``(n,)`` for 1-D) finite samples with the same ``n`` and ``d``.
      max_n: the largest ``n`` allowed.
      return_matching: also return ``sigma`` ``(n,)``: ``x[i]`` moves to ``y[sigma[i]]``.

    Returns:
      ``W1`` as a float, or ``(W1, sigma)``.
    """
    x, y = _samples_nd("x", x), _samples_nd("y", y)
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same shape (n, d) (equal sizes: an optimal plan is then a "
            f"matching); got {x.shape} and {y.shape}. Subsample the larger one, or use w1_1d "
            f"for 1-D samples of different sizes."
        )
    max_n = _checks.integer("max_n", max_n, minimum=1)
    if x.shape[0] > max_n:
        raise ValueError(
            f"x and y hold n={x.shape[0]} samples; w1_exact solves an n x n assignment "
            f"(O(n^3) time, n^2 memory) and allows n <= max_n={max_n}. Subsample, or use "
            f"w1_1d for 1-D data."
        )
    cost = cdist(x, y)  # (n, n) Euclidean distances
    rows, sigma = optimize.linear_sum_assignment(cost)  # rows is 0..n-1 in order
    w1 = float(cost[rows, sigma].mean())
    return (w1, sigma) if return_matching else w1


def kantorovich_potential(
    x: ArrayLike, y: ArrayLike, *, max_n: int = 100
) -> tuple[float, np.ndarray, np.ndarray]:
    r"""The dual side of W1 between two small samples: the best 1-Lipschitz critic on the points.

    Solves the Kantorovich-Rubinstein linear program over the values :math:`f` at the
    :math:`n + m` points,

    .. math::
        \max_f \frac1n \sum_i f(x_i) - \frac1m \sum_j f(y_j) \quad \text{s.t.} \quad
        f(a) - f(b) \le \lVert a - b \rVert \text{ for every pair of points } a, b,

    with ``scipy.optimize.linprog`` (HiGHS). By the duality its optimum equals :math:`W_1`
    (:func:`w1_exact` for equal sizes); a 1-Lipschitz function on the points extends to the
    whole space with the same constant (McShane), so this is the critic a WGAN approximates.

    Args:
      x: ``(n, d)``; y: ``(m, d)``; ``n + m <= 2 * max_n`` (the program has ``(n + m)^2``
        constraints).

    Returns:
      ``(value, f_x, f_y)``: the optimum and the critic's values ``(n,)`` and ``(m,)``, shifted
      so that ``f_y`` has mean 0.
    """
    x, y = _samples_nd("x", x), _samples_nd("y", y)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dimension d; got {x.shape} and {y.shape}")
    max_n = _checks.integer("max_n", max_n, minimum=1)
    n, m = x.shape[0], y.shape[0]
    if n + m > 2 * max_n:
        raise ValueError(
            f"x and y hold n + m = {n + m} points; the linear program has (n + m)^2 constraints "
            f"and allows n + m <= 2 * max_n = {2 * max_n}. Use w1_exact for larger samples."
        )
    points = np.concatenate([x, y])  # (n + m, d)
    k = n + m
    a, b = np.nonzero(~np.eye(k, dtype=bool))  # every ordered pair a != b
    rows = np.arange(a.size)
    lhs = np.zeros((a.size, k))
    lhs[rows, a], lhs[rows, b] = 1.0, -1.0  # f(a) - f(b) <= ||a - b||
    rhs = np.linalg.norm(points[a] - points[b], axis=1)
    weights = np.concatenate([np.full(n, 1.0 / n), np.full(m, -1.0 / m)])
    result = optimize.linprog(
        -weights, A_ub=lhs, b_ub=rhs, bounds=[(None, None)] * k, method="highs"
    )
    if not result.success:  # a bounded feasible program: only numerical trouble gets here
        raise ValueError(f"the linear program failed: {result.message}")
    f = result.x - np.mean(result.x[n:])
    return float(weights @ result.x), f[:n], f[n:]


def w1_mixture_1d(p: Any, q: Any) -> float:
    r"""Exact W1 between two 1-D Gaussian mixtures, :math:`\int |F_p(t) - F_q(t)|\, dt`.

    :math:`F(t) = \sum_k w_k \Phi((t - \mu_k)/\sigma_k)`; the integral is taken by adaptive
    quadrature (``scipy.integrate.quad``) over the means :math:`\pm 12\sigma`, past which the
    integrand is below 1e-30. For two Gaussians of equal std it is :math:`|\mu_p - \mu_q|`.

    Args:
      p, q: 1-D mixtures from :func:`ganlab.data.gaussian_1d` or :func:`ganlab.data.mixture_1d`.
    """
    mp, sp, wp = gdata.mixture_1d_arrays(p, "p")
    mq, sq, wq = gdata.mixture_1d_arrays(q, "q")

    def cdf(t, m, s, w):
        return float(np.sum(w * special.ndtr((t - m) / s)))

    lo = min(np.min(mp - 12 * sp), np.min(mq - 12 * sq))
    hi = max(np.max(mp + 12 * sp), np.max(mq + 12 * sq))
    breaks = np.unique(np.concatenate([mp, mq]))
    value, _ = integrate.quad(
        lambda t: abs(cdf(t, mp, sp, wp) - cdf(t, mq, sq, wq)),
        lo,
        hi,
        points=breaks,
        limit=500,
        epsabs=1e-10,
        epsrel=1e-8,
    )
    return float(value)


# --------------------------------------------------------------------------------------------
# The parallel lines (Arjovsky et al. 2017, example 1)
# --------------------------------------------------------------------------------------------


@functools.partial(jax.tree_util.register_dataclass, data_fields=["theta"], meta_fields=[])
@dataclasses.dataclass(frozen=True, eq=False)
class ParallelLine:
    r""":math:`P_\theta`: the law of :math:`(\theta, Z)`, :math:`Z \sim U[0, 1]`, a vertical
    segment at :math:`x_1 = \theta`. A JAX pytree (``theta`` is a leaf), so it can be passed to
    a jitted function. Build with :func:`parallel_line`."""

    theta: jax.Array  # ()

    @property
    def dim(self) -> int:
        return 2

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """``n`` points ``(n, 2)`` float32: ``(theta, z)`` with ``z ~ U[0, 1]``."""
        key, n = _checks.key("key", key), _checks.integer("n", n, minimum=1)
        z = jax.random.uniform(key, (int(n),), jnp.float32)  # (n,)
        return jnp.stack([jnp.full_like(z, self.theta), z], axis=1)


def parallel_line(theta: float) -> ParallelLine:
    r"""The sampler of :math:`P_\theta = (\theta, Z)`, :math:`Z \sim U[0, 1]`."""
    t = float(theta) if isinstance(theta, int | float | np.number) else math.nan
    if not math.isfinite(t):
        raise ValueError(f"theta must be a finite real number, got {theta!r}")
    return ParallelLine(theta=jnp.asarray(t, jnp.float32))


def _jsd_shifted_gaussians(theta: float, sigma: float) -> float:
    """JSD between N(0, sigma^2) and N(theta, sigma^2), in nats, by quadrature."""
    if theta == 0.0:
        return 0.0
    a = abs(theta)

    def integrand(t):  # p log(2p / (p + q)), in logs so the tails stay finite
        lp = -0.5 * (t / sigma) ** 2
        lq = -0.5 * ((t - a) / sigma) ** 2
        p = math.exp(lp) / (sigma * math.sqrt(2 * math.pi))
        return p * (LOG2 + lp - np.logaddexp(lp, lq))

    # By symmetry about theta/2 both halves of the JSD are equal: JSD = KL(p || m).
    value, _ = integrate.quad(integrand, -12 * sigma, a + 12 * sigma, points=[0.0, a], limit=200)
    return float(min(max(value, 0.0), LOG2))


def parallel_lines(theta: ArrayLike, noise: float = 0.0) -> dict[str, np.ndarray]:
    r"""JSD, KL, total variation and W1 between :math:`P_0` and :math:`P_\theta`.

    :math:`P_\theta` is the law of :math:`(\theta, Z)`, :math:`Z \sim U[0, 1]` (Arjovsky et
    al. 2017, example 1). For :math:`\theta \ne 0` the two segments do not overlap, so

    .. math::
        \mathrm{JSD} = \log 2, \quad \mathrm{KL} = +\infty, \quad \mathrm{TV} = 1, \quad
        W_1 = |\theta|,

    and all four are 0 at :math:`\theta = 0`: only :math:`W_1` is continuous in
    :math:`\theta`, and only :math:`W_1` has a useful gradient.

    With ``noise = sigma > 0`` both segments are blurred horizontally by
    :math:`\mathcal N(0, \sigma^2)`; the second coordinate is the same :math:`U[0, 1]` for both
    and cancels, leaving two 1-D Gaussians a distance :math:`\theta` apart:
    :math:`\mathrm{KL} = \theta^2 / 2\sigma^2`, :math:`\mathrm{TV} = \operatorname{erf}
    (|\theta| / 2\sqrt2\sigma)`, the JSD by quadrature of the densities, :math:`W_1 = |\theta|`.
    As :math:`\sigma \to 0` they tend to the values above (instance noise, Arjovsky & Bottou
    2017, https://arxiv.org/abs/1701.04862). Divergences in nats.

    Args:
      theta: a number or an array of horizontal offsets.
      noise: the blur :math:`\sigma \ge 0`.

    Returns:
      ``{"jsd", "kl", "tv", "w1"}``, each a float64 array of ``theta``'s shape.
    """
    t = np.asarray(theta, dtype=np.float64)
    if not np.all(np.isfinite(t)):
        raise ValueError(f"theta must be finite, got {theta!r}")
    sigma = float(noise) if isinstance(noise, int | float | np.number) else math.nan
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    w1 = np.abs(t)
    if sigma == 0.0:
        moved = t != 0
        return {
            "jsd": np.where(moved, LOG2, 0.0),
            "kl": np.where(moved, np.inf, 0.0),
            "tv": np.where(moved, 1.0, 0.0),
            "w1": w1,
        }
    jsd = np.vectorize(lambda a: _jsd_shifted_gaussians(float(a), sigma), otypes=[float])(t)
    return {
        "jsd": jsd,
        "kl": t**2 / (2 * sigma**2),
        "tv": special.erf(np.abs(t) / (2 * math.sqrt(2) * sigma)),
        "w1": w1,
    }


# --------------------------------------------------------------------------------------------
# Critic diagnostics
# --------------------------------------------------------------------------------------------

Critic = Callable[[jax.Array], jax.Array]


# One implementation of each, shared with the losses: interpolates(real, fake, key) draws
# exactly the points losses.gradient_penalty uses.
grad_norms = losses.grad_norms
interpolates = losses.interpolates


@nnx.jit
def _mean_score(critic: nnx.Module, x: jax.Array) -> jax.Array:
    return jnp.mean(critic(x))


def critic_estimate(critic: nnx.Module, x: ArrayLike, y: ArrayLike) -> float:
    r""":math:`\frac1n \sum_i f(x_i) - \frac1m \sum_j f(y_j)`: the critic's estimate of
    :math:`W_1` between the samples (a lower bound when :math:`f` is 1-Lipschitz)."""
    if not isinstance(critic, nnx.Module):
        _checks.fail("critic", type(critic).__name__, "a Flax NNX module")
    x, y = _checks.batch("x", x), _checks.batch("y", y)
    return float(_mean_score(critic, x) - _mean_score(critic, y))


# --------------------------------------------------------------------------------------------
# Training a critic alone
# --------------------------------------------------------------------------------------------

#: name -> (the loss, as in ganlab.losses.LOSSES, and its paper's optimizer settings).
CRITIC_LOSSES: dict[str, tuple[losses.GANLoss, dict[str, Any]]] = {
    # Gulrajani et al. 2017, Algorithm 1: lambda = 10, Adam(1e-4, beta1 = 0 or 0.5, beta2 = 0.9)
    "wgan-gp": (losses.get("wgan-gp"), dict(optimizer="adam", lr=1e-4, betas=(0.5, 0.9))),
    # Arjovsky et al. 2017, Algorithm 1: c = 0.01, RMSProp(5e-5)
    "wgan-clip": (losses.get("wgan-clip"), dict(optimizer="rmsprop", lr=5e-5, betas=(0.5, 0.9))),
    # the Wasserstein objective with no Lipschitz constraint at all (a mistake, for the lesson)
    "wgan": (losses.get("wgan"), dict(optimizer="adam", lr=1e-4, betas=(0.5, 0.9))),
    # the original GAN's discriminator; its estimate is the JSD lower bound log 2 - L_D / 2
    "bce": (losses.get("nonsaturating"), dict(optimizer="adam", lr=1e-4, betas=(0.5, 0.999))),
}
_CHUNK = 250  # steps per compiled call (one progress-bar update each)

Penalty = Callable[[Critic, jax.Array, jax.Array, jax.Array], jax.Array]


@functools.lru_cache(maxsize=64)
def _runner(graphdef, loss: losses.GANLoss, optimizer: tuple, batch_size: int, length: int):
    """The jitted ``(critic, p, q) -> (critic, metrics)`` running ``length`` critic updates
    (:func:`ganlab.update.d_update`), each on fresh batches of ``p`` (real) and ``q`` (fake).
    ``optimizer`` is ``(name, lr, betas)``."""
    tx = _make_tx(*optimizer)

    def one(carry, _, p, q):
        critic, step, key = carry
        k_p, k_q, k_pen = jax.random.split(jax.random.fold_in(key, step), 3)
        real, fake = p.sample(k_p, batch_size), q.sample(k_q, batch_size)
        critic, m = update.d_update(graphdef, critic, tx, loss, real, fake, k_pen)
        # the distance the loss estimates (the JSD bound for BCE), else the mean score gap
        gap = m["d_real"] - m["d_fake"]
        estimate = gap if loss.estimate is None else loss.estimate(m["d_loss"])
        out = {"loss": m["d_loss"], "penalty": m["penalty"], "estimate": estimate}
        return (critic, step + 1, key), out

    def run(carry, p, q):
        return jax.lax.scan(lambda c, x: one(c, x, p, q), carry, None, length=length)

    return jax.jit(run, donate_argnums=0)


def _make_tx(name: str, lr: float, betas: tuple[float, float]):
    return update.optimizer(name, lr, betas=betas)


class CriticTrainer:
    r"""Train only a critic (or a discriminator) to tell samples of ``p`` from samples of ``q``.

    Each update draws ``batch_size`` samples of each inside the compiled step and takes one
    step of :func:`ganlab.update.d_update`, the discriminator update ganlab's GAN trainer
    uses; :meth:`run` fuses many updates into one ``lax.scan``. Compiled programs are cached by
    the critic's structure and the settings, so a second trainer of the same shape starts at
    once.

    ``loss`` is one of :data:`CRITIC_LOSSES`, a :class:`ganlab.losses.GANLoss`, or a callable
    ``(real_out, fake_out) -> scalar`` to *minimise* (no constraint is added for a callable).
    Unset optimizer settings take the loss's defaults: ``"wgan-gp"``: Adam(1e-4, betas
    (0.5, 0.9)), penalty weight 10; ``"wgan-clip"``: RMSProp(5e-5), weights clipped to
    ``[-clip, clip]`` from the start, ``clip = 0.01``; ``"wgan"``: no constraint; ``"bce"``:
    Adam(1e-4, betas (0.5, 0.999)). ``gp_weight`` and ``clip``, when given, apply to any loss.

    ``penalty`` replaces the gradient penalty: a callable ``(critic, real, fake, key) ->
    scalar``, with the signature of :func:`ganlab.losses.gradient_penalty`, added with weight
    ``gp_weight`` (10 if not given).

    After :meth:`run`, ``trainer.critic`` holds the trained weights and ``trainer.history``
    one value per update: ``"step"``, ``"loss"`` (without the penalty), ``"penalty"``, and
    ``"estimate"`` (:math:`\bar f(\text{real}) - \bar f(\text{fake})` on the batch, the critic's
    W1 estimate; for ``"bce"`` the JSD lower bound :math:`\log 2 - L_D / 2`).
    """

    def __init__(
        self,
        critic: nnx.Module,
        p,
        q,
        *,
        loss: str | losses.GANLoss | Callable = "wgan-gp",
        penalty: Penalty | None = None,
        optimizer: str | None = None,
        lr: float | None = None,
        betas: tuple[float, float] | None = None,
        clip: float | None = None,
        gp_weight: float | None = None,
        batch_size: int = 256,
        seed: int = 0,
        progress: bool = True,
    ):
        if not isinstance(critic, nnx.Module):
            _checks.fail("critic", type(critic).__name__, "a Flax NNX module")
        if isinstance(loss, losses.GANLoss):
            gan_loss, defaults = loss, CRITIC_LOSSES["wgan"][1]
        elif isinstance(loss, str):
            gan_loss, defaults = CRITIC_LOSSES[_checks.choice("loss", loss, CRITIC_LOSSES)]
        elif callable(loss):
            gan_loss = losses.GANLoss("custom", loss, None)
            defaults = CRITIC_LOSSES["wgan"][1]
        else:
            _checks.fail("loss", loss, f"one of {sorted(CRITIC_LOSSES)}, a GANLoss or a callable")
        changes: dict[str, Any] = {}
        if penalty is not None:
            changes["gp"] = _checks.function("penalty", penalty, "(critic, real, fake, key)")
            changes["gp_weight"] = 10.0 if gp_weight is None else gp_weight
        elif gp_weight is not None:
            changes["gp_weight"] = gp_weight
        if clip is not None:
            changes["clip"] = clip
        self.loss = gan_loss.replace(**changes) if changes else gan_loss
        self.optimizer = _checks.choice(
            "optimizer", defaults["optimizer"] if optimizer is None else optimizer,
            update.OPTIMIZERS,
        )  # fmt: skip
        self.lr = _checks.positive("lr", defaults["lr"] if lr is None else lr)
        self.betas = _checks.pair("betas", defaults["betas"] if betas is None else betas)
        self.batch_size = _checks.integer("batch_size", batch_size, minimum=1)
        seed = _checks.integer("seed", seed, minimum=0)
        self.p, self.q = gdata.as_sampler("p", p), gdata.as_sampler("q", q)
        real = jax.eval_shape(lambda: self.p.sample(jax.random.PRNGKey(0), 2))
        fake = jax.eval_shape(lambda: self.q.sample(jax.random.PRNGKey(0), 2))
        if real.shape != fake.shape:
            raise ValueError(
                f"p and q must draw samples of one shape, got {real.shape[1:]} and "
                f"{fake.shape[1:]} per sample"
            )
        try:
            out = jax.eval_shape(critic, real)
        except ValueError as e:
            raise ValueError(f"critic rejected samples of shape {real.shape}: {e}") from None
        if out.shape != (2,):
            raise ValueError(
                f"critic must map (B, ...) to scores of shape (B,), got {out.shape} for B = 2"
            )
        self.critic = critic
        self.progress = _checks.boolean("progress", progress)
        self._optimizer = (self.optimizer, self.lr, self.betas)
        # a clipped critic starts inside its box, as the WGAN reference code does
        self._graphdef, state = update.player(critic, _make_tx(*self._optimizer), self.loss)
        self._state = (state, jnp.zeros((), jnp.int32), jax.random.PRNGKey(seed))
        update.write_back(critic, state)
        self.history: dict[str, np.ndarray] = {
            k: np.zeros((0,)) for k in ("step", "loss", "penalty", "estimate")
        }

    @property
    def step(self) -> int:
        """Critic updates done so far."""
        return int(self._state[1])

    def run(self, steps: int) -> dict[str, np.ndarray]:
        """Run ``steps`` more critic updates; returns the history."""
        steps = _checks.integer("steps", steps, minimum=0)
        chunks = []
        with tqdm(total=steps, disable=not self.progress, leave=False) as bar:
            done = 0
            while done < steps:
                n = min(_CHUNK, steps - done)
                run = _runner(self._graphdef, self.loss, self._optimizer, self.batch_size, n)
                self._state, metrics = run(self._state, self.p, self.q)
                chunks.append({k: np.asarray(v) for k, v in metrics.items()})
                done += n
                bar.update(n)
                bar.set_postfix(estimate=f"{float(chunks[-1]['estimate'][-1]):.4f}")
        if chunks:
            start = self.history["step"].shape[0]
            new = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
            new["step"] = np.arange(start + 1, start + steps + 1)
            self.history = {k: np.concatenate([self.history[k], new[k]]) for k in self.history}
        update.write_back(self.critic, self._state[0])
        return self.history

    def estimate(self, key: jax.Array, n: int = 4096) -> float:
        """The critic's estimate on ``n`` fresh samples of each of ``p`` and ``q``."""
        key, n = _checks.key("key", key), _checks.integer("n", n, minimum=1)
        k_p, k_q = jax.random.split(key)
        return critic_estimate(self.critic, self.p.sample(k_p, n), self.q.sample(k_q, n))


def train_critic(critic: nnx.Module, p, q, steps: int = 2000, **settings) -> CriticTrainer:
    """Build a :class:`CriticTrainer` (keywords as there), run ``steps`` updates, return it."""
    trainer = CriticTrainer(critic, p, q, **settings)
    trainer.run(steps)
    return trainer


# --------------------------------------------------------------------------------------------
# Histories
# --------------------------------------------------------------------------------------------


def history_at_evals(
    history: dict[str, Any],
    keys: tuple[str, ...] = ("d_loss",),
    window: int = 50,
) -> dict[str, np.ndarray]:
    """Line a training history's per-step metrics up with its evaluations.

    For each evaluation ``e`` in ``history["eval"]`` made after at least one step, each metric
    in ``keys`` is averaged over the ``window`` steps ending at ``e["step"]`` (a single step is
    too noisy to plot against anything).

    Returns:
      ``{"step": (E,), <each eval key>: (E,), <each key in keys>: (E,)}`` as float arrays.
    """
    if not isinstance(history, Mapping) or "step" not in history or "eval" not in history:
        raise ValueError(
            "history must be a ganlab training history with 'step' and 'eval' entries, got "
            f"{type(history).__name__}"
        )
    window = _checks.integer("window", window, minimum=1)
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    missing = [k for k in keys if k not in history]
    if missing:
        raise ValueError(f"keys {missing} are not in history; it has {sorted(history)}")
    steps = np.asarray(history["step"])
    evals = [e for e in history["eval"] if e["step"] >= 1 and e["step"] <= steps.max(initial=0)]
    if not evals:
        raise ValueError("history has no evaluation made after a training step")
    out: dict[str, list] = {"step": []}
    for e in evals:
        mask = (steps <= e["step"]) & (steps > e["step"] - window)
        out["step"].append(e["step"])
        for k, v in e.items():
            if k != "step":
                out.setdefault(k, []).append(v)
        for k in keys:
            out.setdefault(k, []).append(float(np.mean(np.asarray(history[k])[mask])))
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}
