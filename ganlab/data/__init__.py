r"""Data for the course: synthetic 1-D/2-D distributions and real handwritten digits.

Samplers (each a frozen dataclass registered as a JAX pytree, so it can be passed as an
argument to a ``jax.jit``-compiled step or ``jax.vmap``-ped; arrays are leaves, Python numbers
are static):

* :class:`GaussianMixture` - isotropic Gaussian mixtures, built by :func:`gaussian_1d`,
  :func:`mixture_1d`, :func:`mixture`, :func:`ring` (the 8-Gaussian ring of VEEGAN/PacGAN) and
  :func:`grid` (the 25-Gaussian grid).
* :class:`Moons`, :class:`Spiral` - small 2-D shapes (:func:`moons`, :func:`spiral`).
* :class:`ArrayDataset` - rows drawn uniformly with replacement from a fixed array
  (:func:`from_array`).

Every sampler has ``sample(key, n) -> (n, *dim)`` float32 and a ``dim`` property. Randomness
is always an explicit ``jax.random`` key.

Real images (numpy arrays, NHWC, scaled to [-1, 1]):

* :func:`mnist` - 10,000 real MNIST digits shipped with the package (offline, hash-checked).
* :func:`digits` - the 1,797 8x8 digits shipped inside scikit-learn.
* :func:`mnist_full` / :func:`read_idx` - the full 70,000-image MNIST, downloaded once and
  checksum-verified. No lesson needs it.

The samplers are defined here; the image datasets in ``ganlab/data/images.py``, re-exported.
"""

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ganlab import _checks
from ganlab.data.images import (
    MNIST10K_SHA256,
    MNIST_SHA256,
    MNIST_URL,
    digits,
    mnist,
    mnist_full,
    read_idx,
)

__all__ = [
    "MNIST10K_SHA256",
    "MNIST_SHA256",
    "MNIST_URL",
    "ArrayDataset",
    "GaussianMixture",
    "Moons",
    "Spiral",
    "digits",
    "as_sampler",
    "from_array",
    "gaussian_1d",
    "grid",
    "mixture",
    "mixture_1d",
    "mnist",
    "mnist_full",
    "moons",
    "read_idx",
    "ring",
    "spiral",
    "mixture_1d_arrays",
]


# --------------------------------------------------------------------------------------------
# Argument checks: every one runs in Python, before anything is traced or compiled.
# --------------------------------------------------------------------------------------------


def _check_n(n: object) -> int:
    """The number of samples: an integer >= 1 (a static shape under jit)."""
    return _checks.integer("n", n, minimum=1)


def _real_array(name: str, x: object, allowed: str) -> np.ndarray:
    """``x`` as a float64 numpy array, if it holds real numbers (not bools, not strings)."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        a = None
    if a is None or a.dtype.kind not in "iuf":
        _checks.fail(name, x, allowed)
    return a.astype(np.float64)


# The public ``sample``/``log_prob`` methods check their arguments in Python, then call these.
# Compiling the whole method once is faster than JAX's op-by-op dispatch on a first eager call
# (as in a notebook); inside a user's jitted step the inner jit is simply inlined.
_jit_sample = jax.jit(lambda sampler, key, n: sampler._sample(key, n), static_argnums=2)
_jit_sample_labeled = jax.jit(
    lambda sampler, key, n: sampler._sample_labeled(key, n), static_argnums=2
)
_jit_log_prob = jax.jit(lambda sampler, x: sampler._log_prob(x))


# --------------------------------------------------------------------------------------------
# Gaussian mixtures
# --------------------------------------------------------------------------------------------


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["centers", "stds", "weights"],
    meta_fields=[],
)
@dataclasses.dataclass(frozen=True, eq=False)
class GaussianMixture:
    r"""A mixture of isotropic Gaussians in ``d`` dimensions,

    .. math:: p(x) = \sum_{k=1}^K w_k\, \mathcal N(x;\ \mu_k,\ \sigma_k^2 I_d).

    Build one with :func:`mixture`, :func:`gaussian_1d`, :func:`mixture_1d`, :func:`ring` or
    :func:`grid`: they validate their arguments. The constructor itself does not (it is also
    called by JAX with traced leaves).

    Attributes:
        centers: ``(K, d)`` float32, the means :math:`\mu_k`.
        stds: ``(K,)`` float32, the per-mode standard deviations :math:`\sigma_k > 0`.
        weights: ``(K,)`` float32, the mixing weights :math:`w_k > 0`, summing to 1.
    """

    centers: jax.Array  # (K, d)
    stds: jax.Array  # (K,)
    weights: jax.Array  # (K,)

    @property
    def dim(self) -> int:
        """The dimension ``d`` of a sample."""
        return self.centers.shape[-1]

    @property
    def n_modes(self) -> int:
        """The number of components ``K``."""
        return self.centers.shape[-2]

    @property
    def std(self) -> float:
        """The shared standard deviation, as a Python float (for the mode-coverage threshold).

        Raises ``ValueError`` if the modes have different stds. Needs concrete values: do not
        call it inside ``jax.jit``.
        """
        stds = np.asarray(self.stds)
        if stds.size == 0 or not np.all(stds == stds.flat[0]):
            raise ValueError(
                f"std is only defined when all modes share one std, got stds={stds.tolist()}; "
                "use .stds for the per-mode values."
            )
        # the shortest decimal that rounds to the stored float32: 0.01, not 0.009999999776
        return float(str(stds.flat[0]))

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """Draw ``n`` samples, ``(n, d)`` float32. Pure and jit-able (``n`` static)."""
        return _jit_sample(self, _checks.key("key", key), _check_n(n))

    @property
    def n_classes(self) -> int:
        """The number of labels :meth:`sample_labeled` draws: one per mode."""
        return self.n_modes

    def sample_labeled(self, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        """``n`` samples with their mode's index as a class label: ``(x (n, d), y (n,))``,
        ``y`` int32. ``x`` is exactly :meth:`sample` with the same key."""
        return _jit_sample_labeled(self, _checks.key("key", key), _check_n(n))

    def _sample(self, key: jax.Array, n: int) -> jax.Array:
        return self._sample_labeled(key, n)[0]

    def _sample_labeled(self, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        key_mode, key_noise = jax.random.split(key)
        modes = jax.random.categorical(key_mode, jnp.log(self.weights), shape=(n,))  # (n,)
        eps = jax.random.normal(key_noise, (n, self.dim), dtype=jnp.float32)  # (n, d)
        x = self.centers[modes] + self.stds[modes][:, None] * eps
        return x, modes.astype(jnp.int32)

    def log_prob(self, x: ArrayLike) -> jax.Array:
        r"""Log-density of each row of ``x`` ``(n, d)``, returned as ``(n,)``.

        :math:`\log p(x) = \operatorname{logsumexp}_k [\log w_k - \tfrac{\|x-\mu_k\|^2}
        {2\sigma_k^2} - d \log\sigma_k - \tfrac d2 \log 2\pi]`, stable far from every mode.
        """
        d = self.dim
        if not isinstance(x, jax.Array):  # a traced x is checked by its shape only
            x = _real_array("x", x, f"an array (n, {d}) of finite numbers")
            _checks.finite("x", x)
        _checks.shape("x", x, (None, d), what=f"(n, {d}) for this {d}-D mixture")
        x = jnp.asarray(x, dtype=jnp.float32)
        return _jit_log_prob(self, x)

    def _log_prob(self, x: jax.Array) -> jax.Array:
        d = self.dim
        sq = jnp.sum((x[:, None, :] - self.centers[None, :, :]) ** 2, axis=-1)  # (n, K)
        log_norm = -d * jnp.log(self.stds) - 0.5 * d * math.log(2 * math.pi)  # (K,)
        log_comp = -0.5 * sq / (self.stds**2)[None, :] + log_norm[None, :]  # (n, K)
        # logsumexp subtracts the max first, so points far from all modes stay finite.
        return jax.nn.logsumexp(log_comp + jnp.log(self.weights)[None, :], axis=-1)


def mixture(
    centers: ArrayLike, stds: ArrayLike | float, weights: ArrayLike | None = None
) -> GaussianMixture:
    """A validated :class:`GaussianMixture` in any dimension.

    Args:
        centers: ``(K, d)`` finite means.
        stds: one positive std shared by all modes, or ``(K,)`` per-mode stds.
        weights: ``(K,)`` positive weights (normalized to sum to 1); ``None`` for equal weights.
    """
    allowed = "a non-empty 2-D array (K, d) of finite numbers"
    c = _real_array("centers", centers, allowed)
    if c.ndim != 2 or 0 in c.shape:
        _checks.fail("centers", centers, allowed)
    _checks.finite("centers", c)
    k = c.shape[0]
    s = _per_mode("stds", stds, k, scalar_ok=True)
    if weights is None:
        w = np.full((k,), 1.0 / k)
    else:
        w = _per_mode("weights", weights, k, note=" (drop a mode instead of giving it weight 0)")
    w = w / w.sum()
    return GaussianMixture(
        centers=jnp.asarray(c, dtype=jnp.float32),
        stds=jnp.asarray(s, dtype=jnp.float32),
        weights=jnp.asarray(w, dtype=jnp.float32),
    )


def _per_mode(
    name: str, x: object, k: int, *, scalar_ok: bool = False, note: str = ""
) -> np.ndarray:
    """``(K,)`` finite numbers > 0, one per mode (or one shared number when ``scalar_ok``)."""
    allowed = f"finite numbers > 0, one per mode ({k})" + (", or one number" if scalar_ok else "")
    a = _real_array(name, x, allowed + note)
    if scalar_ok and a.ndim == 0:
        a = np.full((k,), _checks.positive(name, a.item()))
    if a.shape != (k,) or not np.all(np.isfinite(a) & (a > 0)):
        _checks.fail(name, a.tolist() if a.ndim == 1 else x, allowed + note)
    return a


def gaussian_1d(mean: float = 0.0, std: float = 1.0) -> GaussianMixture:
    """A single 1-D Gaussian N(mean, std^2), as a mixture with d=1, K=1; samples ``(n, 1)``."""
    mean = _checks.number("mean", mean)
    std = _checks.positive("std", std)
    return mixture([[mean]], std)


def mixture_1d(
    means: Sequence[float] | ArrayLike,
    stds: Sequence[float] | ArrayLike | float,
    weights: Sequence[float] | ArrayLike | None = None,
) -> GaussianMixture:
    """A 1-D Gaussian mixture (d=1); samples ``(n, 1)``.

    Args:
        means: ``(K,)`` component means.
        stds: ``(K,)`` positive stds, or one number shared by all components.
        weights: ``(K,)`` positive weights (normalized to sum to 1); ``None`` for equal weights.
    """
    allowed = "a non-empty 1-D sequence of numbers (K,)"
    m = _real_array("means", means, allowed)
    if m.ndim != 1 or m.shape[0] < 1:
        _checks.fail("means", means, allowed)
    return mixture(m[:, None], stds, weights)


def mixture_1d_arrays(mix: Any, name: str = "dist") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The means ``(K,)``, stds ``(K,)`` and weights ``(K,)`` (summing to 1) of a 1-D
    :class:`GaussianMixture`, as float64 numpy arrays for exact computations outside JAX
    (quadrature, closed forms); ``ValueError`` naming ``name`` for anything else."""
    try:
        c = np.asarray(mix.centers, dtype=np.float64)
        s = np.asarray(mix.stds, dtype=np.float64)
        w = np.asarray(mix.weights, dtype=np.float64)
    except AttributeError:
        raise ValueError(
            f"{name} must be a 1-D Gaussian mixture (ganlab.data.gaussian_1d or mixture_1d), "
            f"got {type(mix).__name__}"
        ) from None
    if c.ndim != 2 or c.shape[1] != 1:
        raise ValueError(
            f"{name} must be a 1-D mixture (centers of shape (K, 1)), got centers of shape "
            f"{c.shape}"
        )
    return c[:, 0], s, w / w.sum()


def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    r"""The ring of ``n_modes`` equal-weight 2-D Gaussians (VEEGAN, Srivastava et al. 2017;
    PacGAN, Lin et al. 2018): mode ``k`` at angle :math:`2\pi k / n_\text{modes}` on the circle
    of the given ``radius``. Samples ``(n, 2)``."""
    n_modes = _checks.integer("n_modes", n_modes, minimum=1)
    radius = _checks.positive("radius", radius)
    std = _checks.positive("std", std)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes  # (K,)
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (K, 2)
    return mixture(centers, std)


def grid(points: Sequence[float] = (-4, -2, 0, 2, 4), std: float = 0.05) -> GaussianMixture:
    """The grid of equal-weight 2-D Gaussians at ``points x points`` (25 modes by default,
    PacGAN/VEEGAN). Mode ``i * len(points) + j`` is at ``(points[i], points[j])``. Samples
    ``(n, 2)``."""
    allowed = "a non-empty 1-D sequence of distinct finite numbers"
    p = _real_array("points", points, allowed)
    if p.ndim != 1 or p.shape[0] < 1 or not np.all(np.isfinite(p)):
        _checks.fail("points", points, allowed)
    if np.unique(p).shape[0] != p.shape[0]:
        _checks.fail("points", points, allowed)
    std = _checks.positive("std", std)
    xs, ys = np.meshgrid(p, p, indexing="ij")
    centers = np.stack([xs.ravel(), ys.ravel()], axis=1)  # (len(p)**2, 2)
    return mixture(centers, std)


# --------------------------------------------------------------------------------------------
# 2-D shapes
# --------------------------------------------------------------------------------------------


class _PlaneShape:
    """What the 2-D shapes share: ``dim`` 2, and ``sample`` checking ``n`` then calling the
    subclass's jit-compiled ``_sample(key, n)``."""

    @property
    def dim(self) -> int:
        return 2

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """Draw ``n`` points, ``(n, 2)`` float32."""
        return _jit_sample(self, _checks.key("key", key), _check_n(n))


@functools.partial(jax.tree_util.register_dataclass, data_fields=[], meta_fields=["noise"])
@dataclasses.dataclass(frozen=True)
class Moons(_PlaneShape):
    """Two interleaving half circles (like ``sklearn.datasets.make_moons``, but sampled in JAX),
    centred and scaled to x in [-2, 2], y in [-1, 1]. Build with :func:`moons`.

    Attributes:
        noise: std of the Gaussian noise added to each coordinate, in output units.
    """

    noise: float = 0.05

    def _sample(self, key: jax.Array, n: int) -> jax.Array:
        key_moon, key_t, key_noise = jax.random.split(key, 3)
        upper = jax.random.bernoulli(key_moon, 0.5, (n,))  # (n,)
        t = jax.random.uniform(key_t, (n,), minval=0.0, maxval=jnp.pi)  # (n,)
        # sklearn's layout: upper moon (cos t, sin t), lower moon (1 - cos t, 1/2 - sin t).
        x = jnp.where(upper, jnp.cos(t), 1.0 - jnp.cos(t))
        y = jnp.where(upper, jnp.sin(t), 0.5 - jnp.sin(t))
        # That spans [-1, 2] x [-1/2, 1]: centre it, then scale by 4/3 to reach [-2, 2].
        pts = jnp.stack([x - 0.5, y - 0.25], axis=1) * (4.0 / 3.0)  # (n, 2)
        return pts + self.noise * jax.random.normal(key_noise, (n, 2), dtype=jnp.float32)


def moons(noise: float = 0.05) -> Moons:
    """Two interleaving moons in roughly [-2, 2] x [-1, 1]; see :class:`Moons`."""
    return Moons(noise=_checks.nonnegative("noise", noise))


@functools.partial(jax.tree_util.register_dataclass, data_fields=[], meta_fields=["noise", "turns"])
@dataclasses.dataclass(frozen=True)
class Spiral(_PlaneShape):
    r"""An Archimedean spiral arm from the origin out to radius 2, with ``turns`` turns:
    :math:`(r \cos 2\pi\,\text{turns}\,t,\ r \sin 2\pi\,\text{turns}\,t)`, :math:`r = 2t`,
    with :math:`t = \sqrt u`, :math:`u \sim U(0, 1)`, so points are spread roughly evenly
    along the arm. Build with :func:`spiral`.

    Attributes:
        noise: std of the Gaussian noise added to each coordinate, in output units.
        turns: number of turns of the arm.
    """

    noise: float = 0.05
    turns: float = 2.0

    def _sample(self, key: jax.Array, n: int) -> jax.Array:
        key_t, key_noise = jax.random.split(key)
        t = jnp.sqrt(jax.random.uniform(key_t, (n,)))  # (n,) in [0, 1)
        theta = 2 * jnp.pi * self.turns * t
        pts = 2.0 * t[:, None] * jnp.stack([jnp.cos(theta), jnp.sin(theta)], axis=1)  # (n, 2)
        return pts + self.noise * jax.random.normal(key_noise, (n, 2), dtype=jnp.float32)


def spiral(noise: float = 0.05, turns: float = 2.0) -> Spiral:
    """A one-armed spiral in roughly [-2, 2]^2; see :class:`Spiral`."""
    return Spiral(noise=_checks.nonnegative("noise", noise), turns=_checks.positive("turns", turns))


# --------------------------------------------------------------------------------------------
# Datasets held in memory
# --------------------------------------------------------------------------------------------


@functools.partial(
    jax.tree_util.register_dataclass, data_fields=["data", "labels"], meta_fields=["classes"]
)
@dataclasses.dataclass(frozen=True, eq=False)
class ArrayDataset:
    """A fixed set of ``N`` rows, sampled uniformly with replacement, optionally with a class
    label per row. Build with :func:`from_array`, which validates.

    The rows are a pytree leaf, so passing the dataset as an argument to a jitted step makes
    them an input of the compiled function, not a constant baked into it.

    Attributes:
        data: ``(N, ...)`` float32, e.g. ``(N, 28, 28, 1)`` images or ``(N, 2)`` points.
        labels: ``(N,)`` int32 class labels in ``[0, classes)``, or None.
        classes: the number of classes (None when unlabelled).
    """

    data: jax.Array  # (N, ...)
    labels: jax.Array | None = None  # (N,) int32
    classes: int | None = None

    def __len__(self) -> int:
        return self.data.shape[0]

    @property
    def dim(self) -> tuple[int, ...]:
        """The shape of one row, e.g. ``(28, 28, 1)`` or ``(2,)``."""
        return tuple(self.data.shape[1:])

    @property
    def n_classes(self) -> int | None:
        """The number of class labels (None for an unlabelled dataset)."""
        return self.classes

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """Draw ``n`` rows uniformly with replacement, ``(n, *dim)`` float32."""
        return _jit_sample(self, _checks.key("key", key), _check_n(n))

    def sample_labeled(self, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        """``n`` rows and their labels, ``(x (n, *dim), y (n,))``; ``x`` is exactly
        :meth:`sample` with the same key. Only for a labelled dataset."""
        if self.labels is None:
            raise ValueError(
                "this dataset has no labels; build it with from_array(x, labels=y) to draw "
                "labelled rows"
            )
        return _jit_sample_labeled(self, _checks.key("key", key), _check_n(n))

    def _sample(self, key: jax.Array, n: int) -> jax.Array:
        idx = jax.random.randint(key, (n,), 0, self.data.shape[0])  # (n,)
        return self.data[idx]

    def _sample_labeled(self, key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
        idx = jax.random.randint(key, (n,), 0, self.data.shape[0])  # (n,), as _sample draws
        return self.data[idx], self.labels[idx]


def as_sampler(name: str, value: Any) -> Any:
    """``value`` as a sampler a compiled step can take: an array of examples ``(N, ...)``
    becomes :func:`from_array`'s dataset; a sampler must have ``sample(key, n)`` and be a JAX
    pytree (ganlab's samplers and NNX modules are), or it is refused naming ``name``."""
    if isinstance(value, np.ndarray | jax.Array):
        return from_array(value)
    _checks.sampler(name, value, example="ganlab.data.ring()")
    leaves = jax.tree.leaves(value)
    if len(leaves) == 1 and leaves[0] is value:  # an unregistered class is a single leaf
        raise ValueError(
            f"{name} must be a JAX pytree to enter a compiled step (ganlab's samplers and NNX "
            f"modules are; register the class with jax.tree_util), got {type(value).__name__}"
        )
    return value


def from_array(
    x: ArrayLike, labels: ArrayLike | None = None, n_classes: int | None = None
) -> ArrayDataset:
    """An :class:`ArrayDataset` from a float array ``(N, ...)`` with ``N >= 1`` and at least 2
    dimensions (use ``x[:, None]`` for 1-D data); must be finite. Stored as float32.

    ``labels``: optional integer class labels ``(N,)``, one per row, for class-conditional
    training (``ganlab.data.from_array(images, labels=y)``); ``n_classes`` defaults to
    ``max(labels) + 1``."""
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        raise ValueError(
            f"x must be a float array, got dtype {a.dtype}; scale it first, e.g. "
            "x.astype(np.float32) / 127.5 - 1 for bytes."
        )
    if a.ndim < 2:
        raise ValueError(
            f"x must be at least 2-D (N, ...), got shape {a.shape}; use x[:, None] for 1-D data."
        )
    if a.shape[0] < 1:
        raise ValueError(f"x must hold at least one row, got shape {a.shape}")
    _checks.finite("x", a)
    if labels is None:
        if n_classes is not None:
            _checks.fail("n_classes", n_classes, "None when there are no labels")
        return ArrayDataset(data=jnp.asarray(a, dtype=jnp.float32))
    y = np.asarray(labels)
    if y.dtype.kind not in "iu" or y.shape != (a.shape[0],):
        _checks.fail("labels", f"dtype {y.dtype}, shape {y.shape}",
                     f"integer class labels, one per row of x: shape ({a.shape[0]},)")  # fmt: skip
    if y.min() < 0:
        _checks.fail("labels", f"values {int(y.min())}..{int(y.max())}", "labels >= 0")
    if n_classes is None:
        n_classes = int(y.max()) + 1
    n_classes = _checks.integer("n_classes", n_classes, minimum=1)
    if y.max() >= n_classes:
        _checks.fail("labels", f"values {int(y.min())}..{int(y.max())}",
                     f"class labels in [0, n_classes = {n_classes})")  # fmt: skip
    return ArrayDataset(
        data=jnp.asarray(a, dtype=jnp.float32),
        labels=jnp.asarray(y, dtype=jnp.int32),
        classes=n_classes,
    )
