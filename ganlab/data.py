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
"""

import dataclasses
import functools
import gzip
import hashlib
import importlib.resources
import math
import os
import urllib.request
from collections.abc import Callable, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

__all__ = [
    "MNIST10K_SHA256",
    "MNIST_SHA256",
    "MNIST_URL",
    "ArrayDataset",
    "GaussianMixture",
    "Moons",
    "Spiral",
    "digits",
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
    """``n`` must be a positive Python int (static under jit)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
        raise ValueError(
            f"n must be a positive Python integer (the number of samples, static under jit), "
            f"got {n!r}."
        )
    return int(n)


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _real(name: str, value: object, allowed: str, ok: Callable[[float], bool]) -> float:
    """``float(value)`` if it is a finite number satisfying ``ok``, else a ValueError."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        v = math.nan
    if not (math.isfinite(v) and ok(v)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def _finite_float(name: str, value: object) -> float:
    return _real(name, value, "a finite real number", lambda v: True)


def _positive_float(name: str, value: object) -> float:
    return _real(name, value, "a positive finite number", lambda v: v > 0)


def _nonnegative_float(name: str, value: object) -> float:
    return _real(name, value, "a non-negative finite number", lambda v: v >= 0)


# The public ``sample``/``log_prob`` methods check their arguments in Python, then call these.
# Compiling the whole method once is faster than JAX's op-by-op dispatch on a first eager call
# (as in a notebook); inside a user's jitted step the inner jit is simply inlined.
_jit_sample = jax.jit(lambda sampler, key, n: sampler._sample(key, n), static_argnums=2)
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
        return _jit_sample(self, key, _check_n(n))

    def _sample(self, key: jax.Array, n: int) -> jax.Array:
        key_mode, key_noise = jax.random.split(key)
        modes = jax.random.categorical(key_mode, jnp.log(self.weights), shape=(n,))  # (n,)
        eps = jax.random.normal(key_noise, (n, self.dim), dtype=jnp.float32)  # (n, d)
        return self.centers[modes] + self.stds[modes][:, None] * eps

    def log_prob(self, x: ArrayLike) -> jax.Array:
        r"""Log-density of each row of ``x`` ``(n, d)``, returned as ``(n,)``.

        :math:`\log p(x) = \operatorname{logsumexp}_k [\log w_k - \tfrac{\|x-\mu_k\|^2}
        {2\sigma_k^2} - d \log\sigma_k - \tfrac d2 \log 2\pi]`, stable far from every mode.
        """
        x = jnp.asarray(x, dtype=jnp.float32)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"x must have shape (n, {self.dim}) for this {self.dim}-D mixture, "
                f"got shape {x.shape}"
            )
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
    c = np.asarray(centers, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] < 1:
        raise ValueError(f"centers must be a non-empty 2-D array (K, d), got shape {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError(f"centers must be finite, got {c.tolist()}")
    k = c.shape[0]

    s = np.asarray(stds, dtype=np.float64)
    if s.ndim == 0:
        s = np.full((k,), float(s))
    if s.shape != (k,):
        raise ValueError(
            f"stds must be a number or have one entry per mode ({k}), got shape {s.shape}"
        )
    if not np.all(np.isfinite(s) & (s > 0)):
        raise ValueError(f"stds must be positive finite numbers, got {s.tolist()}")

    if weights is None:
        w = np.full((k,), 1.0 / k)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (k,):
            raise ValueError(f"weights must have one entry per mode ({k}), got shape {w.shape}")
        if not np.all(np.isfinite(w) & (w > 0)):
            raise ValueError(
                f"weights must be positive finite numbers (drop a mode instead of giving it "
                f"weight 0), got {w.tolist()}"
            )
        w = w / w.sum()
    return GaussianMixture(
        centers=jnp.asarray(c, dtype=jnp.float32),
        stds=jnp.asarray(s, dtype=jnp.float32),
        weights=jnp.asarray(w, dtype=jnp.float32),
    )


def gaussian_1d(mean: float = 0.0, std: float = 1.0) -> GaussianMixture:
    """A single 1-D Gaussian N(mean, std^2), as a mixture with d=1, K=1; samples ``(n, 1)``."""
    mean = _finite_float("mean", mean)
    std = _positive_float("std", std)
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
    m = np.asarray(means, dtype=np.float64)
    if m.ndim != 1 or m.shape[0] < 1:
        raise ValueError(f"means must be a non-empty 1-D sequence, got {np.asarray(means)!r}")
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
    n_modes = _positive_int("n_modes", n_modes)
    radius = _positive_float("radius", radius)
    std = _positive_float("std", std)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes  # (K,)
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (K, 2)
    return mixture(centers, std)


def grid(points: Sequence[float] = (-4, -2, 0, 2, 4), std: float = 0.05) -> GaussianMixture:
    """The grid of equal-weight 2-D Gaussians at ``points x points`` (25 modes by default,
    PacGAN/VEEGAN). Mode ``i * len(points) + j`` is at ``(points[i], points[j])``. Samples
    ``(n, 2)``."""
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 1 or p.shape[0] < 1 or not np.all(np.isfinite(p)):
        raise ValueError(
            f"points must be a non-empty 1-D sequence of finite numbers, got {points!r}"
        )
    if np.unique(p).shape[0] != p.shape[0]:
        raise ValueError(f"points must be distinct, got {points!r}")
    std = _positive_float("std", std)
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
        return _jit_sample(self, key, _check_n(n))


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
    return Moons(noise=_nonnegative_float("noise", noise))


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
    return Spiral(noise=_nonnegative_float("noise", noise), turns=_positive_float("turns", turns))


# --------------------------------------------------------------------------------------------
# Datasets held in memory
# --------------------------------------------------------------------------------------------


@functools.partial(jax.tree_util.register_dataclass, data_fields=["data"], meta_fields=[])
@dataclasses.dataclass(frozen=True, eq=False)
class ArrayDataset:
    """A fixed set of ``N`` rows, sampled uniformly with replacement. Build with
    :func:`from_array`, which validates.

    The rows are a pytree leaf, so passing the dataset as an argument to a jitted step makes
    them an input of the compiled function, not a constant baked into it.

    Attributes:
        data: ``(N, ...)`` float32, e.g. ``(N, 28, 28, 1)`` images or ``(N, 2)`` points.
    """

    data: jax.Array  # (N, ...)

    def __len__(self) -> int:
        return self.data.shape[0]

    @property
    def dim(self) -> tuple[int, ...]:
        """The shape of one row, e.g. ``(28, 28, 1)`` or ``(2,)``."""
        return tuple(self.data.shape[1:])

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """Draw ``n`` rows uniformly with replacement, ``(n, *dim)`` float32."""
        return _jit_sample(self, key, _check_n(n))

    def _sample(self, key: jax.Array, n: int) -> jax.Array:
        idx = jax.random.randint(key, (n,), 0, self.data.shape[0])  # (n,)
        return self.data[idx]


def from_array(x: ArrayLike) -> ArrayDataset:
    """An :class:`ArrayDataset` from a float array ``(N, ...)`` with ``N >= 1`` and at least 2
    dimensions (use ``x[:, None]`` for 1-D data); must be finite. Stored as float32."""
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
    n_bad = int(np.sum(~np.isfinite(a)))
    if n_bad:
        raise ValueError(f"x must be finite, got {n_bad} NaN/inf entries in shape {a.shape}")
    return ArrayDataset(data=jnp.asarray(a, dtype=jnp.float32))


# --------------------------------------------------------------------------------------------
# Splits
# --------------------------------------------------------------------------------------------

_SPLITS = ("train", "test", "all")


def _check_split(split: object) -> str:
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {', '.join(map(repr, _SPLITS))}, got {split!r}")
    return split  # type: ignore[return-value]


def _split_indices(n: int, split: str, every: int) -> np.ndarray:
    """Index ``i`` is in "test" when ``i % every == 0``, else in "train"; "all" is everything.
    On class-ordered data this is a fixed, stratified split."""
    i = np.arange(n)
    if split == "test":
        return i[i % every == 0]
    if split == "train":
        return i[i % every != 0]
    return i


# --------------------------------------------------------------------------------------------
# The 10,000 shipped MNIST digits
# --------------------------------------------------------------------------------------------

#: SHA-256 of ``images.tobytes() + labels.tobytes()`` of the shipped digits.
MNIST10K_SHA256 = "bc6b63550c8a82f6ecccd9458252069fb030ee802997b8242e71d5146b0cbf0e"


def _mnist10k_path() -> Traversable:
    return importlib.resources.files("ganlab") / "_data" / "mnist10k.npz"


def _check_mnist10k(images: np.ndarray, labels: np.ndarray) -> None:
    """Raise ``ValueError`` unless SHA-256(images.tobytes() + labels.tobytes()) is the
    published hash (see ``ganlab/_data/MNIST10K.md``)."""
    got = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    if got != MNIST10K_SHA256:
        raise ValueError(
            f"the shipped MNIST digits (ganlab/_data/mnist10k.npz) are corrupted: SHA-256 of "
            f"the arrays is {got}, expected {MNIST10K_SHA256}. Reinstall ganlab, or rebuild "
            "the file with scripts/build_mnist10k.py."
        )


@functools.lru_cache(maxsize=1)
def _load_mnist10k() -> tuple[np.ndarray, np.ndarray]:
    """The raw arrays, uint8 ``(10000, 28, 28)`` and ``(10000,)``, verified, read-only, cached."""
    with (
        importlib.resources.as_file(_mnist10k_path()) as path,
        np.load(path, allow_pickle=False) as z,
    ):
        images, labels = z["images"], z["labels"]
    if images.shape != (10_000, 28, 28) or labels.shape != (10_000,):
        raise ValueError(
            f"the shipped MNIST digits have the wrong shapes: images {images.shape}, labels "
            f"{labels.shape}; expected (10000, 28, 28) and (10000,)."
        )
    _check_mnist10k(images, labels)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _scale_bytes(images: np.ndarray) -> np.ndarray:
    """uint8 ``(N, H, W)`` -> float32 ``(N, H, W, 1)`` in [-1, 1] (byte / 127.5 - 1)."""
    x = images.astype(np.float32)  # a fresh copy
    x /= 127.5
    x -= 1.0
    return x[..., None]


def mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """10,000 real MNIST digits shipped with the package (offline; provenance and licence in
    ``ganlab/_data/MNIST10K.md``).

    The stored digits are in class order (all 0s, then all 1s, ...; about 1,000 of each), so
    the fixed split "index ``i`` is a test image when ``i % 10 == 0``" is stratified: "test" has
    1,000 images (a tenth of each class, to within one), "train" the other 9,000, "all" 10,000.

    Args:
        split: "train", "test" or "all".

    Returns:
        ``(images, labels)``: float32 ``(N, 28, 28, 1)`` (NHWC) in [-1, 1] (byte / 127.5 - 1),
        and int32 ``(N,)`` in 0..9. Fresh arrays: changing them does not change later calls.
    """
    split = _check_split(split)
    images, labels = _load_mnist10k()
    idx = _split_indices(labels.shape[0], split, every=10)
    return _scale_bytes(images[idx]), labels[idx].astype(np.int32)


# --------------------------------------------------------------------------------------------
# scikit-learn's 8x8 digits
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # shipped with scikit-learn, no download

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float32)  # (1797, 8, 8) in 0..16
    labels = np.asarray(bunch.target, dtype=np.int32)  # (1797,)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def digits(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits shipped inside scikit-learn (UCI optical digits).

    Fixed split: index ``i`` is a test image when ``i % 5 == 0`` (360 images), else train
    (1,437); "all" gives 1,797.

    Returns:
        ``(images, labels)``: float32 ``(N, 8, 8, 1)`` in [-1, 1] (value / 8 - 1, from 0..16),
        and int32 ``(N,)`` in 0..9. Fresh arrays.
    """
    split = _check_split(split)
    images, labels = _load_digits()
    idx = _split_indices(labels.shape[0], split, every=5)
    x = images[idx] / np.float32(8.0) - np.float32(1.0)
    return x[..., None], labels[idx].copy()


# --------------------------------------------------------------------------------------------
# The full 70,000-image MNIST (downloaded; never needed by a lesson)
# --------------------------------------------------------------------------------------------

#: A mirror of the original MNIST files (the one TensorFlow Datasets uses).
MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

#: SHA-256 of the four original MNIST .gz files (from TensorFlow Datasets' url_checksums).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
}

_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

# IDX type codes -> big-endian numpy dtypes (http://yann.lecun.com/exdb/mnist/).
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), raw or gzip-compressed (detected from its bytes).

    Header: two zero bytes, a type code (0x08 = uint8, ...), the number of dimensions, then
    each dimension as a big-endian uint32; then the values, big-endian, C order.

    Returns:
        A writable native-endian array, e.g. uint8 ``(60000, 28, 28)`` for MNIST images.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ValueError(f"{path} looks gzip-compressed but cannot be decompressed: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path} is not an IDX file: its magic number must start with two zero bytes, got "
            f"{raw[:4].hex() or 'an empty file'}"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(
            f"{path} has IDX type code {code:#04x}; allowed: "
            f"{', '.join(f'{c:#04x}' for c in _IDX_DTYPES)}"
        )
    if ndim < 1:
        raise ValueError(f"{path} declares {ndim} dimensions; an IDX file needs at least 1")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: the header needs {header} bytes, got {len(raw)}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path} has dims {shape} of {dtype.name}, i.e. {expected} bytes of data, but holds "
            f"{len(raw) - header}"
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))  # a writable native-endian copy


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _default_cache_dir() -> Path:
    return Path(os.environ.get("GANLAB_CACHE", "~/.cache/ganlab")).expanduser() / "mnist"


def _fetch(name: str, cache_dir: Path, base_url: str, download: bool, sha256: str) -> Path:
    """Return the verified path of one MNIST file, downloading it first if needed."""
    path = cache_dir / name
    if not path.exists():
        if not download:
            raise FileNotFoundError(
                f"{path} is missing and download=False; put the file there or pass download=True"
            )
        cache_dir.mkdir(parents=True, exist_ok=True)
        url = base_url.rstrip("/") + "/" + name
        part = path.with_name(path.name + ".part")
        with urllib.request.urlopen(url, timeout=60) as response, part.open("wb") as f:
            for block in iter(lambda: response.read(1 << 20), b""):
                f.write(block)
        os.replace(part, path)
    got = _sha256_file(path)
    if got != sha256:
        path.unlink()
        raise ValueError(
            f"{path} has SHA-256 {got}, expected {sha256}; the file was deleted, call again to "
            "download it afresh (or check base_url)."
        )
    return path


def mnist_full(
    split: str = "train",
    cache_dir: str | os.PathLike | None = None,
    base_url: str = MNIST_URL,
    download: bool = True,
    checksums: dict[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The full MNIST (60,000 train + 10,000 test), downloaded once and checksum-verified.

    Args:
        split: "train" (60,000), "test" (10,000, the official t10k set) or "all" (70,000,
            train then test).
        cache_dir: where the four ``*-ubyte.gz`` files live; default ``$GANLAB_CACHE/mnist``,
            or ``~/.cache/ganlab/mnist`` when ``GANLAB_CACHE`` is unset.
        base_url: where missing files are downloaded from (``base_url + name``); ``file://``
            URLs work too.
        download: if False, a missing file raises ``FileNotFoundError``.
        checksums: ``{file name: SHA-256}`` overriding entries of :data:`MNIST_SHA256`. A file
            whose hash is wrong is deleted and ``ValueError`` raised.

    Returns:
        ``(images, labels)`` scaled like :func:`mnist`: float32 ``(N, 28, 28, 1)`` in [-1, 1]
        and int32 ``(N,)``.
    """
    split = _check_split(split)
    table = {**MNIST_SHA256, **(checksums or {})}
    cache = Path(cache_dir).expanduser() if cache_dir is not None else _default_cache_dir()
    parts = ("train", "test") if split == "all" else (split,)
    all_images, all_labels = [], []
    for part in parts:
        image_name, label_name = _MNIST_FILES[part]
        images = read_idx(_fetch(image_name, cache, base_url, download, table[image_name]))
        labels = read_idx(_fetch(label_name, cache, base_url, download, table[label_name]))
        if (
            images.dtype != np.uint8
            or labels.dtype != np.uint8
            or images.ndim != 3
            or images.shape[1:] != (28, 28)
            or labels.shape != images.shape[:1]
        ):
            raise ValueError(
                f"{image_name} / {label_name} are not MNIST: got images {images.dtype} "
                f"{images.shape} and labels {labels.dtype} {labels.shape}, expected uint8 "
                "(N, 28, 28) and uint8 (N,)"
            )
        all_images.append(images)
        all_labels.append(labels)
    images = np.concatenate(all_images)
    labels = np.concatenate(all_labels)
    return _scale_bytes(images), labels.astype(np.int32)
