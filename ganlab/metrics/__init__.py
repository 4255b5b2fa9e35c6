r"""Sample-quality metrics: mode coverage of the toy mixtures, and the feature-space metrics.

Mixture metrics (for the 8-Gaussian ring and the 25-Gaussian grid of ``ganlab.data``):

* :func:`nearest_mode`  - index of, and Euclidean distance to, the nearest mode centre.
* :func:`mode_coverage` - the PacGAN / VEEGAN protocol: covered modes, fraction of
  high-quality samples, KL of the mode histogram to uniform.

These two are pure ``jax.numpy``: no numpy, no random key, jit-able, and ``jax.vmap``-able
over a leading seed axis of ``samples``.

Feature-space metrics, on ``(N, D)`` arrays of features (numpy or jax) of real and generated
samples, e.g. from ``ganlab.evaluator``; each returns Python floats (or a small dict of them):

* :func:`frechet_distance` (FID), :func:`frechet_distance_gaussians` (the same formula on
  given moments) and :func:`frechet_distance_extrapolated` (FID at :math:`N \to \infty`);
* :func:`kernel_inception_distance` (KID) and :func:`inception_score` (IS, on class
  probabilities rather than features);
* :func:`precision_recall` (improved precision and recall) and :func:`density_coverage`;
* :func:`knn_radii` and :func:`nearest_distances`, the k-nearest-neighbour helpers beneath
  them (the second one also finds memorised training images).

These are evaluation code, not training code, so they are *not* jit-able: they check values
in Python and draw subsets with an explicit ``seed`` (a numpy ``Generator``), never silently.
FID, KID and IS run in float64 numpy (and ``scipy.special.xlogy``): FID is a small difference
of large traces taken from eigendecompositions of ``(D, D)`` covariances, KID a small
difference of sums of cubed kernel values, and both lose most of their digits in float32.
The k-nearest-neighbour metrics run as jit-compiled ``jax.numpy`` blocks in JAX's default
float (float32 unless ``jax_enable_x64``), so that large sets use the accelerator and never
hold an ``(N, M)`` distance matrix at once.

The mixture metrics are defined here; FID, KID and IS in ``ganlab/metrics/inception.py``, the
k-nearest-neighbour metrics in ``ganlab/metrics/knn.py``, all re-exported.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ganlab import _checks
from ganlab.metrics._features import finite as _finite
from ganlab.metrics._features import same_dimension as _same_dimension
from ganlab.metrics.inception import (
    frechet_distance,
    frechet_distance_extrapolated,
    frechet_distance_gaussians,
    inception_score,
    kernel_inception_distance,
)
from ganlab.metrics.knn import density_coverage, knn_radii, nearest_distances, precision_recall

__all__ = [
    "density_coverage",
    "frechet_distance",
    "frechet_distance_extrapolated",
    "frechet_distance_gaussians",
    "inception_score",
    "kernel_inception_distance",
    "knn_radii",
    "mode_coverage",
    "nearest_distances",
    "nearest_mode",
    "precision_recall",
]


_POINTS = {
    "samples": "a 2-D array (n, d) of real numbers holding at least one sample (for several seeds, "
    "jax.vmap over the leading axis)",
    "centers": "a 2-D array (K, d) of real numbers holding at least one mode",
}


def _as_points(name: str, x: ArrayLike) -> jax.Array:
    """``x`` as a float JAX array (traced values pass), or a ValueError naming ``name``: a
    mixture given for its centres (or its samples) says which attribute to pass."""
    if not isinstance(x, np.ndarray | jax.Array) and hasattr(x, "centers"):
        hint = "its .centers" if name == "centers" else "samples drawn with its .sample(key, n)"
        raise ValueError(f"{name} must be {_POINTS[name]}, got {_checks.what(x)}: pass {hint}")
    x = jnp.asarray(_checks.array(name, x, _POINTS[name]))
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    return x


def _check_points(samples: jax.Array, centers: jax.Array) -> None:
    """Shape checks (shapes are static, so these run under jit/vmap too) and, when the
    arrays are concrete, finiteness checks."""
    if samples.ndim != 2 or samples.shape[0] < 1:
        _checks.fail("samples", samples, _POINTS["samples"])
    if centers.ndim != 2 or centers.shape[0] < 1:
        _checks.fail("centers", centers, _POINTS["centers"])
    _same_dimension("samples", samples, "centers", centers, "last dimension d")
    _finite("samples", samples)
    _finite("centers", centers)


def _positive_scalar(name: str, value: ArrayLike) -> None:
    """A finite number > 0: a Python or numpy number, or a 0-d array. A traced value (under
    jit or vmap) has only its shape checked."""
    if not (_checks.is_number(value) or isinstance(value, np.ndarray | jax.Array)):
        raise ValueError(f"{name} must be a finite number > 0, got {_checks.what(value)}")
    if isinstance(value, jax.core.Tracer):
        if value.ndim != 0:
            _checks.fail(name, value, "a finite number > 0")
        return
    if isinstance(value, np.ndarray | jax.Array):  # a concrete 0-d array stands for its number
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            _checks.fail(name, value, "a finite number > 0")
        value = value.item()
    _checks.positive(name, value)


@jax.jit
def _nearest_mode(samples: jax.Array, centers: jax.Array) -> tuple[jax.Array, jax.Array]:
    # Squared distances through |x|^2 - 2 x.c + |c|^2: an (n, K) matrix and never the
    # (n, K, d) tensor of differences. K is small (8 ring modes, 25 grid modes), so (n, K)
    # is as small as the argmin allows. HIGHEST precision: on GPU/TPU a default float32
    # matmul may run in TF32/bf16, which could swap near-tied modes.
    cross = jnp.matmul(samples, centers.T, precision=jax.lax.Precision.HIGHEST)  # (n, K)
    x2 = jnp.sum(samples * samples, axis=-1, keepdims=True)  # (n, 1)
    c2 = jnp.sum(centers * centers, axis=-1)[None, :]  # (1, K)
    index = jnp.argmin(x2 - 2.0 * cross + c2, axis=-1)  # (n,)
    # The expansion cancels catastrophically for nearby points (float32 error ~1e-7 |x|^2),
    # so the distance to the chosen centre is recomputed from the (n, d) difference.
    distance = jnp.linalg.norm(samples - centers[index], axis=-1)  # (n,)
    return index, distance


@jax.jit
def _mode_coverage(
    samples: jax.Array, centers: jax.Array, std: ArrayLike, threshold: ArrayLike
) -> dict[str, jax.Array]:
    n, k = samples.shape[0], centers.shape[0]
    index, distance = _nearest_mode(samples, centers)  # (n,), (n,)
    radius = jnp.asarray(threshold, samples.dtype) * jnp.asarray(std, samples.dtype)
    high_quality = distance < radius  # (n,) bool; NaN compares False
    counts = jnp.zeros((k,), jnp.int32).at[index].add(high_quality.astype(jnp.int32))  # (K,)
    total = jnp.sum(counts)
    p = counts.astype(samples.dtype) / jnp.maximum(total, 1).astype(samples.dtype)  # (K,)
    # xlogy(0, 0) = 0 gives the 0 log 0 = 0 convention for empty modes.
    kl = jnp.sum(jax.scipy.special.xlogy(p, k * p))
    kl = jnp.where(total > 0, kl, jnp.asarray(math.log(k), samples.dtype))
    return {
        "modes": jnp.sum(counts > 0).astype(jnp.int32),
        "high_quality": total.astype(samples.dtype) / n,
        "kl": kl,
        "counts": counts,
    }


def nearest_mode(samples: ArrayLike, centers: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Assign each sample to its nearest mode centre (Euclidean distance).

    Args:
      samples: ``(n, d)`` points, e.g. generator outputs.
      centers: ``(K, d)`` mode centres.

    Returns:
      ``(index, distance)``: ``index`` ``(n,)`` int, the nearest centre (the first one on a
      tie); ``distance`` ``(n,)`` float, the Euclidean distance to that centre.

    Memory: builds one ``(n, K)`` matrix of squared distances (fine for the K = 8 or 25
    modes of the mixtures), never the ``(n, K, d)`` differences.

    Raises:
      ValueError: if the shapes do not fit, or (with concrete inputs) a value is not finite.
    """
    samples, centers = _as_points("samples", samples), _as_points("centers", centers)
    _check_points(samples, centers)
    return _nearest_mode(samples, centers)


def mode_coverage(
    samples: ArrayLike,
    centers: ArrayLike,
    std: ArrayLike,
    threshold: ArrayLike = 3.0,
) -> dict[str, jax.Array]:
    r"""Mode coverage of a Gaussian mixture with isotropic modes (the PacGAN/VEEGAN protocol).

    The protocol of VEEGAN (Srivastava et al., 2017, https://arxiv.org/abs/1705.07761: modes
    and high-quality samples) extended by PacGAN (Lin et al., 2018,
    https://arxiv.org/abs/1712.04086: reverse KL) for the 2-D ring of 8 Gaussians and the 2-D
    grid of 25 Gaussians. With samples
    :math:`x_1, \dots, x_n`, centres :math:`\mu_1, \dots, \mu_K` and mode std :math:`\sigma`:

    .. math::

        k_i = \arg\min_k \lVert x_i - \mu_k \rVert_2, \qquad
        h_i = \mathbb{1}\left[\lVert x_i - \mu_{k_i} \rVert_2 < \tau \sigma\right]
        \quad (\tau = \text{threshold} = 3)

        c_k = \sum_i h_i \mathbb{1}[k_i = k], \qquad
        \text{modes} = \#\{k : c_k \ge 1\}, \qquad
        \text{high\_quality} = \frac{1}{n} \sum_i h_i

        p_k = \frac{c_k}{\sum_j c_j}, \qquad
        \text{kl} = \mathrm{KL}(p \,\|\, u) = \sum_k p_k \log(K p_k)
        = \log K - H(p), \quad 0 \log 0 = 0

    A sample is *high quality* if it lies within ``threshold`` standard deviations of its
    nearest mode (strictly); a mode is *covered* if at least one high-quality sample is
    assigned to it; ``kl`` is the (reverse) KL divergence from the mode histogram of the
    high-quality samples to the uniform mixture weights :math:`u_k = 1/K`. It is 0 when the
    high-quality samples are spread evenly, :math:`\log(K/m)` when they sit evenly on
    :math:`m` modes, and :math:`\log K` (the worst case) when there is no high-quality
    sample at all. As in the PacGAN code, the histogram counts only high-quality samples, and
    the nearest centre is the nearest in Mahalanobis distance, which for isotropic modes of
    one common ``std`` is the nearest in Euclidean distance.

    Pure ``jax.numpy``, no key: jit-able and vmap-able over a leading seed axis, e.g.
    ``jax.vmap(lambda s: mode_coverage(s, centers, 0.01))(samples)`` with ``samples`` of
    shape ``(seeds, n, d)``. Memory: one ``(n, K)`` matrix of squared distances (K = 8 or
    25 here), never an ``(n, K, d)`` tensor.

    Args:
      samples: ``(n, d)`` generated points.
      centers: ``(K, d)`` mode centres (``(8, 2)`` ring, ``(25, 2)`` grid).
      std: standard deviation :math:`\sigma` of every mode, > 0 (0.01 for the ring).
      threshold: :math:`\tau`, in units of ``std``; > 0, default 3 as in both papers.

    Returns:
      A dict of arrays: ``"modes"`` () int32, the number of covered modes;
      ``"high_quality"`` () float, the fraction of high-quality samples; ``"kl"`` () float,
      :math:`\mathrm{KL}(p \| u)` in nats; ``"counts"`` ``(K,)`` int32, :math:`c_k`.

    Raises:
      ValueError: before anything is compiled, if ``samples``/``centers`` are not 2-D with
        the same last dimension, or (for concrete inputs) ``std`` or ``threshold`` is not a
        finite number > 0 or ``samples``/``centers`` hold NaN/inf. Under ``jit``/``vmap``
        the value checks are skipped (the shape checks still run); a NaN sample then simply
        counts as not high-quality.
    """
    samples, centers = _as_points("samples", samples), _as_points("centers", centers)
    _check_points(samples, centers)
    _positive_scalar("std", std)
    _positive_scalar("threshold", threshold)

    return _mode_coverage(samples, centers, std, threshold)  # compiled once per shape
