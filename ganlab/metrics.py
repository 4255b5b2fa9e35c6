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
"""

import functools
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from scipy import special

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


def _is_concrete(*xs: object) -> bool:
    """True when no argument is a tracer, i.e. we may look at the values in Python."""
    return not any(isinstance(x, jax.core.Tracer) for x in xs)


def _as_float_array(x: ArrayLike) -> jax.Array:
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    return x


def _check_points(samples: jax.Array, centers: jax.Array) -> None:
    """Shape checks (shapes are static, so these run under jit/vmap too) and, when the
    arrays are concrete, finiteness checks."""
    if samples.ndim != 2:
        raise ValueError(
            f"samples must be 2-D (n, d), got shape {samples.shape}; for several seeds use "
            "jax.vmap over the leading axis."
        )
    if centers.ndim != 2:
        raise ValueError(f"centers must be 2-D (K, d), got shape {centers.shape}.")
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"samples and centers must have the same last dimension d, got samples "
            f"{samples.shape} and centers {centers.shape}."
        )
    if samples.shape[0] < 1:
        raise ValueError(f"samples must hold at least one sample, got shape {samples.shape}.")
    if centers.shape[0] < 1:
        raise ValueError(f"centers must hold at least one mode, got shape {centers.shape}.")
    for name, x in (("samples", samples), ("centers", centers)):
        if _is_concrete(x):
            # Evaluate now even inside a jit trace (x is a closed-over constant there).
            with jax.ensure_compile_time_eval():
                n_bad = int(jnp.sum(~jnp.isfinite(x)))
            if n_bad:
                raise ValueError(
                    f"{name} must be finite, got {n_bad} NaN/inf entries in an array of shape "
                    f"{x.shape}; a diverged generator produces these: check the training run."
                )


def _check_positive(name: str, value: ArrayLike) -> None:
    """`value` must be a finite scalar > 0 (value check skipped when traced)."""
    if jnp.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar, got shape {jnp.shape(value)}.")
    if _is_concrete(value):
        v = float(value)
        if not (math.isfinite(v) and v > 0.0):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")


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
    samples, centers = _as_float_array(samples), _as_float_array(centers)
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
    samples, centers = _as_float_array(samples), _as_float_array(centers)
    _check_points(samples, centers)
    _check_positive("std", std)
    _check_positive("threshold", threshold)

    return _mode_coverage(samples, centers, std, threshold)  # compiled once per shape


# --------------------------------------------------------------------------------------------
# Feature-space metrics: validation
# --------------------------------------------------------------------------------------------

# Rows of queries per compiled block of the k-NN metrics: one (block_size, M) float32 matrix of
# squared distances is alive at a time, 100 MB for M = 50 000 (the usual size of an FID set).
_BLOCK_SIZE = 512

# A row of class probabilities may miss a sum of 1 by this much (float32/float16 softmax).
_PROBS_ATOL = 1e-3

# Relative tolerances for moments given to frechet_distance_gaussians: covariances stored in
# float32 are symmetric, and PSD, only to about 1e-7 of their largest entry/eigenvalue.
_SYMMETRY_RTOL = 1e-5
_PSD_RTOL = 1e-5


def _array(name: str, x: ArrayLike, ndim: int, shape_text: str) -> np.ndarray:
    """``x`` as a float64 numpy array of ``ndim`` dimensions, non-empty and finite."""
    arr = np.asarray(x)
    if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
        raise ValueError(
            f"{name} must be an array of real numbers {shape_text}, got dtype {arr.dtype}."
        )
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array {shape_text}, got shape {arr.shape}"
            + (": stack the samples along axis 0 and flatten the rest." if ndim == 2 else ".")
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty {shape_text}, got shape {arr.shape}.")
    arr = arr.astype(np.float64)
    n_bad = int(np.sum(~np.isfinite(arr)))
    if n_bad:
        raise ValueError(
            f"{name} must be finite, got {n_bad} NaN/inf entries in an array of shape "
            f"{arr.shape}; a diverged generator produces these: check the training run."
        )
    return arr


def _features(name: str, x: ArrayLike) -> np.ndarray:
    return _array(name, x, 2, "of features (N, D)")


def _feature_pair(real_feats: ArrayLike, fake_feats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    real, fake = _features("real_feats", real_feats), _features("fake_feats", fake_feats)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real_feats and fake_feats must have the same feature dimension D, got real_feats "
            f"{real.shape} and fake_feats {fake.shape}: use the same feature extractor for both."
        )
    return real, fake


def _int_at_least(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _check_k(k: object, n: int, feats_name: str) -> int:
    """``k`` nearest neighbours other than the point itself need ``1 <= k < N``."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < n:
        raise ValueError(
            f"k must be an integer with 1 <= k < N = {n} (the number of rows of {feats_name}: "
            f"a point's k-th nearest neighbour other than itself), got {k!r}."
        )
    return int(k)


def _at_least_rows(name: str, x: np.ndarray, low: int, why: str) -> None:
    if x.shape[0] < low:
        raise ValueError(f"{name} must hold at least {low} rows ({why}), got shape {x.shape}.")


# --------------------------------------------------------------------------------------------
# Frechet distance (FID)
# --------------------------------------------------------------------------------------------


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(D,)`` and covariance ``(D, D)`` with the N - 1 normalisation of ``np.cov``."""
    mu = x.mean(axis=0)
    xc = x - mu  # (N, D)
    return mu, (xc.T @ xc) / (x.shape[0] - 1)


def _psd_sqrt(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of a symmetric ``cov`` and its PSD square root ``V diag(sqrt(w+)) V^T``."""
    w, v = np.linalg.eigh(cov)
    return w, (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def _check_psd(name: str, w: np.ndarray) -> None:
    scale = float(np.max(np.abs(w)))
    if w[0] < -_PSD_RTOL * scale:
        raise ValueError(
            f"{name} must be positive semi-definite (a covariance), got the eigenvalue "
            f"{w[0]:.3g} (largest |eigenvalue| {scale:.3g}); a negative eigenvalue is allowed "
            f"only as rounding, within {_PSD_RTOL:g} of the largest."
        )


def _frechet(
    mu1: np.ndarray, cov1: np.ndarray, sqrt1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray
) -> float:
    # Tr((S1 S2)^{1/2}) = Tr((S1^{1/2} S2 S1^{1/2})^{1/2}): S1 S2 is similar to the symmetric
    # PSD matrix M = S1^{1/2} S2 S1^{1/2}, so its square root's trace is the sum of the square
    # roots of M's real eigenvalues (clipped at 0: rounding leaves tiny negative ones).
    m = sqrt1 @ cov2 @ sqrt1  # (D, D)
    w = np.linalg.eigvalsh(0.5 * (m + m.T))
    tr_sqrt = float(np.sum(np.sqrt(np.clip(w, 0.0, None))))
    diff = mu1 - mu2
    fd = float(diff @ diff) + float(np.trace(cov1)) + float(np.trace(cov2)) - 2.0 * tr_sqrt
    # Mathematically >= 0; rounding of the traces can leave e.g. -1e-13 for equal moments.
    return max(fd, 0.0)


def frechet_distance_gaussians(
    mu1: ArrayLike, cov1: ArrayLike, mu2: ArrayLike, cov2: ArrayLike
) -> float:
    r"""Frechet (Wasserstein-2) distance, squared, between two Gaussians given their moments.

    .. math::

        d^2\big(\mathcal{N}(\mu_1, \Sigma_1), \mathcal{N}(\mu_2, \Sigma_2)\big)
        = \lVert \mu_1 - \mu_2 \rVert_2^2
        + \operatorname{Tr}\big(\Sigma_1 + \Sigma_2 - 2 (\Sigma_1 \Sigma_2)^{1/2}\big)

    (Dowson & Landau 1982; the FID of Heusel et al. 2017, https://arxiv.org/abs/1706.08500,
    applies it to the moments of Inception features). :math:`\Sigma_1 \Sigma_2` is not
    symmetric, and pytorch-fid takes its square root with ``scipy.linalg.sqrtm``, which can
    return complex values whose imaginary parts it then discards. Here the trace is taken in
    a symmetric form instead,

    .. math::

        \operatorname{Tr}(\Sigma_1 \Sigma_2)^{1/2}
        = \operatorname{Tr}\big(\Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2}\big)^{1/2}
        = \sum_i \sqrt{\max(\lambda_i, 0)},

    with :math:`\lambda_i` the eigenvalues (``eigh``, float64) of the symmetric PSD matrix
    :math:`\Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2}`: real, no complex arithmetic, and exact
    for singular covariances (fewer samples than dimensions). The result is mathematically
    :math:`\ge 0`; a tiny negative value left by rounding (e.g. ``-1e-13`` for equal moments)
    is returned as ``0.0``.

    Args:
      mu1: ``(D,)`` mean of the first Gaussian.
      cov1: ``(D, D)`` its covariance, symmetric positive semi-definite.
      mu2: ``(D,)`` mean of the second Gaussian.
      cov2: ``(D, D)`` its covariance.

    Returns:
      The squared Frechet distance, a Python float :math:`\ge 0`.

    Raises:
      ValueError: if a shape does not fit, a value is NaN/inf, or a covariance is not
        symmetric (relative tolerance 1e-5) or has an eigenvalue below ``-1e-5`` times its
        largest.
    """
    mu1, mu2 = _array("mu1", mu1, 1, "(D,)"), _array("mu2", mu2, 1, "(D,)")
    cov1, cov2 = _array("cov1", cov1, 2, "(D, D)"), _array("cov2", cov2, 2, "(D, D)")
    d = mu1.shape[0]
    for name, x, shape in (("mu2", mu2, (d,)), ("cov1", cov1, (d, d)), ("cov2", cov2, (d, d))):
        if x.shape != shape:
            raise ValueError(
                f"{name} must have shape {shape} to match mu1 of shape {mu1.shape}, got {x.shape}."
            )
    for name, cov in (("cov1", cov1), ("cov2", cov2)):
        asym = float(np.max(np.abs(cov - cov.T)))
        if asym > _SYMMETRY_RTOL * float(np.max(np.abs(cov))):
            raise ValueError(
                f"{name} must be symmetric (a covariance), got max |{name} - {name}.T| = "
                f"{asym:.3g}, more than {_SYMMETRY_RTOL:g} of its largest entry."
            )
    cov1, cov2 = 0.5 * (cov1 + cov1.T), 0.5 * (cov2 + cov2.T)
    w1, sqrt1 = _psd_sqrt(cov1)
    _check_psd("cov1", w1)
    _check_psd("cov2", np.linalg.eigvalsh(cov2))
    return _frechet(mu1, cov1, sqrt1, mu2, cov2)


def frechet_distance(real_feats: ArrayLike, fake_feats: ArrayLike) -> float:
    r"""Frechet Inception Distance (FID) between two sets of features.

    Fits a Gaussian to each set (mean, and covariance with the :math:`N - 1` normalisation of
    ``np.cov``) and returns :func:`frechet_distance_gaussians` of the two (Heusel et al.
    2017, https://arxiv.org/abs/1706.08500):

    .. math::

        \mathrm{FID} = \lVert \mu_r - \mu_f \rVert_2^2
        + \operatorname{Tr}\big(\Sigma_r + \Sigma_f - 2 (\Sigma_r \Sigma_f)^{1/2}\big)

    All in float64, with the symmetric eigenvalue form of the trace term, so it is finite and
    exact when :math:`N < D` (singular covariances). The estimate is biased upward for small
    :math:`N` (see :func:`frechet_distance_extrapolated`): compare FIDs only at equal sizes.
    Memory: two ``(D, D)`` float64 covariances.

    Args:
      real_feats: ``(N, D)`` features of real samples, :math:`N \ge 2`.
      fake_feats: ``(M, D)`` features of generated samples, :math:`M \ge 2`.

    Returns:
      FID, a Python float :math:`\ge 0` (0 for identical sets, up to rounding).

    Raises:
      ValueError: if an array is not 2-D, holds NaN/inf or fewer than 2 rows, or the two
        feature dimensions differ.
    """
    real, fake = _feature_pair(real_feats, fake_feats)
    _at_least_rows("real_feats", real, 2, "a covariance needs two samples")
    _at_least_rows("fake_feats", fake, 2, "a covariance needs two samples")
    mu_r, cov_r = _moments(real)
    mu_f, cov_f = _moments(fake)
    return _frechet(mu_r, cov_r, _psd_sqrt(cov_r)[1], mu_f, cov_f)


def _check_sizes(sizes: Sequence[int] | None, n_fake: int) -> np.ndarray:
    if sizes is None:
        # The authors' choice: 15 sizes evenly spaced from a tenth of the set to all of it.
        sizes = np.unique(np.linspace(max(2, n_fake // 10), n_fake, 15).astype(np.int64))
    else:
        if isinstance(sizes, str | bytes) or not all(
            isinstance(n, int | np.integer) and not isinstance(n, bool) for n in sizes
        ):
            raise ValueError(
                f"sizes must be a sequence of integers in [2, M = {n_fake}] (M the rows of "
                f"fake_feats), got {sizes!r}."
            )
        sizes = np.asarray(sizes, dtype=np.int64)
    if sizes.ndim != 1 or np.any(sizes < 2) or np.any(sizes > n_fake) or len(np.unique(sizes)) < 2:
        raise ValueError(
            f"sizes must hold at least two different integers in [2, M = {n_fake}] (M the rows "
            f"of fake_feats: subsets are drawn without replacement), got {sizes.tolist()}."
        )
    return sizes


def frechet_distance_extrapolated(
    real_feats: ArrayLike,
    fake_feats: ArrayLike,
    sizes: Sequence[int] | None = None,
    *,
    seed: int = 0,
) -> dict[str, float | tuple[int, ...] | tuple[float, ...]]:
    r""":math:`\mathrm{FID}_\infty`: FID extrapolated to infinitely many generated samples.

    FID computed from :math:`N` generated samples is biased upward, and for large :math:`N`
    the bias is close to linear in :math:`1/N` (Chong & Forsyth 2020, "Effectively Unbiased
    FID and Inception Score and where to find them", https://arxiv.org/abs/1911.07023):

    .. math::

        \mathbb{E}\,\mathrm{FID}_N \approx \mathrm{FID}_\infty + \frac{s}{N}

    So, as in the authors' code (mchong6/FID_IS_infinity), FID is computed on one random
    subset (without replacement) of ``fake_feats`` per size :math:`N` in ``sizes``, with the
    real statistics from all of ``real_feats``, and the line
    :math:`\mathrm{FID}_N = \mathrm{FID}_\infty + s / N` is fitted by least squares; its
    intercept is returned. Unlike FID it is comparable across sample sizes. It is an
    extrapolation, so it can come out slightly negative when the two distributions match.

    Randomness is explicit: the subsets come from ``numpy.random.default_rng(seed)``, one
    ``rng.choice(M, N, replace=False)`` per size in the order of ``sizes``.

    Args:
      real_feats: ``(N_r, D)`` features of real samples, :math:`N_r \ge 2`.
      fake_feats: ``(M, D)`` features of generated samples.
      sizes: subset sizes, integers in ``[2, M]``, at least two different ones. Default: the
        authors' 15 sizes evenly spaced from :math:`M/10` to :math:`M` (5000 to 50 000 for
        the usual 50 000 samples).
      seed: seed of the numpy ``Generator`` that draws the subsets.

    Returns:
      ``{"fid_inf": float, "slope": float, "sizes": tuple[int, ...], "fids": tuple[float,
      ...]}``: the intercept :math:`\mathrm{FID}_\infty`, the slope :math:`s` (> 0 when the
      bias behaves as expected), and the sizes with the FID at each.

    Raises:
      ValueError: on bad features (see :func:`frechet_distance`) or bad ``sizes``/``seed``.
    """
    real, fake = _feature_pair(real_feats, fake_feats)
    _at_least_rows("real_feats", real, 2, "a covariance needs two samples")
    sizes_arr = _check_sizes(sizes, fake.shape[0])
    seed = _int_at_least("seed", seed, 0)
    mu_r, cov_r = _moments(real)
    sqrt_r = _psd_sqrt(cov_r)[1]  # (D, D), computed once for all sizes
    rng = np.random.default_rng(seed)
    fids = []
    for n in sizes_arr:
        mu_f, cov_f = _moments(fake[rng.choice(fake.shape[0], int(n), replace=False)])
        fids.append(_frechet(mu_r, cov_r, sqrt_r, mu_f, cov_f))
    design = np.stack([np.ones(len(sizes_arr)), 1.0 / sizes_arr], axis=1)  # (S, 2)
    (fid_inf, slope), *_ = np.linalg.lstsq(design, np.asarray(fids), rcond=None)
    return {
        "fid_inf": float(fid_inf),
        "slope": float(slope),
        "sizes": tuple(int(n) for n in sizes_arr),
        "fids": tuple(fids),
    }


# --------------------------------------------------------------------------------------------
# Kernel Inception Distance (KID) and Inception Score (IS)
# --------------------------------------------------------------------------------------------


def _mmd2_unbiased_cubic(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 of two ``(m, D)`` float64 samples with the cubic polynomial kernel."""
    m, d = x.shape
    k_xx = (x @ x.T / d + 1.0) ** 3  # (m, m)
    k_yy = (y @ y.T / d + 1.0) ** 3  # (m, m)
    k_xy = (x @ y.T / d + 1.0) ** 3  # (m, m)
    sum_xx = k_xx.sum() - np.trace(k_xx)  # off-diagonal: i != j
    sum_yy = k_yy.sum() - np.trace(k_yy)
    return float((sum_xx + sum_yy) / (m * (m - 1)) - 2.0 * k_xy.sum() / (m * m))


def kernel_inception_distance(
    real_feats: ArrayLike,
    fake_feats: ArrayLike,
    subsets: int = 100,
    subset_size: int = 1000,
    *,
    seed: int = 0,
) -> dict[str, float]:
    r"""Kernel Inception Distance (KID): unbiased MMD^2 with a cubic kernel, over subsets.

    Binkowski et al. 2018, "Demystifying MMD GANs", https://arxiv.org/abs/1801.01401. With
    the polynomial kernel :math:`k(x, y) = (x^\top y / D + 1)^3` and two samples
    :math:`x_{1..m}` (real) and :math:`y_{1..m}` (generated) of size :math:`m`:

    .. math::

        \widehat{\mathrm{MMD}}^2 = \frac{1}{m(m-1)} \sum_{i \ne j} k(x_i, x_j)
        + \frac{1}{m(m-1)} \sum_{i \ne j} k(y_i, y_j)
        - \frac{2}{m^2} \sum_{i, j} k(x_i, y_j)

    This is the unbiased estimator of the authors' code (mbinkowski/MMD-GAN
    ``compute_scores.py``, ``polynomial_mmd_averages``), also used by torch-fidelity. It is
    computed on ``subsets`` pairs of random subsets of ``subset_size`` rows of each set, drawn
    without replacement, and the mean and (population, ``ddof=0``) standard deviation over
    the subsets are returned. Being unbiased, a single estimate, and even the mean, can be
    slightly negative when the two distributions match: it is not clipped.

    Randomness is explicit: ``rng = numpy.random.default_rng(seed)``, and for each subset
    ``rng.choice(M, subset_size, replace=False)`` picks the generated rows, then
    ``rng.choice(N, subset_size, replace=False)`` the real rows (the order of the reference
    code). A numpy ``Generator`` is fine here: this is evaluation, not training.

    Float64 numpy: the kernel values are cubes, and the estimate is a small difference of
    their sums. Memory: three ``(subset_size, subset_size)`` float64 kernel matrices.

    Args:
      real_feats: ``(N, D)`` features of real samples.
      fake_feats: ``(M, D)`` features of generated samples.
      subsets: number of subset pairs, an integer >= 1 (100 as in torch-fidelity).
      subset_size: rows per subset, an integer in ``[2, min(N, M)]`` (default 1000).
      seed: seed of the numpy ``Generator`` that draws the subsets.

    Returns:
      ``{"mean": float, "std": float}`` over the subsets.

    Raises:
      ValueError: on bad features (2-D, finite, same ``D``), if ``subsets`` is not an integer
        >= 1, or ``subset_size`` is not an integer in ``[2, min(N, M)]``.
    """
    real, fake = _feature_pair(real_feats, fake_feats)
    subsets = _int_at_least("subsets", subsets, 1)
    n_real, n_fake = real.shape[0], fake.shape[0]
    if (
        isinstance(subset_size, bool)
        or not isinstance(subset_size, int | np.integer)
        or not 2 <= subset_size <= min(n_real, n_fake)
    ):
        raise ValueError(
            f"subset_size must be an integer with 2 <= subset_size <= min(N, M) = "
            f"{min(n_real, n_fake)} (N = {n_real} rows of real_feats, M = {n_fake} rows of "
            f"fake_feats; subsets are drawn without replacement), got {subset_size!r}."
        )
    seed = _int_at_least("seed", seed, 0)
    rng = np.random.default_rng(seed)
    mmds = np.empty(subsets)
    for i in range(subsets):
        y = fake[rng.choice(n_fake, int(subset_size), replace=False)]
        x = real[rng.choice(n_real, int(subset_size), replace=False)]
        mmds[i] = _mmd2_unbiased_cubic(x, y)
    return {"mean": float(mmds.mean()), "std": float(mmds.std())}


def inception_score(probs: ArrayLike, splits: int = 10) -> dict[str, float]:
    r"""Inception Score (IS) of class probabilities :math:`p(y \mid x)` of generated samples.

    Salimans et al. 2016, "Improved Techniques for Training GANs",
    https://arxiv.org/abs/1606.03498:

    .. math::

        \mathrm{IS} = \exp\Big(\mathbb{E}_x\, \mathrm{KL}\big(p(y \mid x) \,\|\, p(y)\big)\Big),
        \qquad p(y) = \mathbb{E}_x\, p(y \mid x),

    between 1 (every sample gets the same prediction, or every prediction is uniform) and the
    number of classes :math:`C` (confident predictions, spread evenly over the classes). As
    in the reference code (openai/improved-gan ``inception_score``), the rows are cut into
    ``splits`` contiguous chunks, rows ``[i N // splits, (i + 1) N // splits)``; each chunk
    gets its own :math:`p(y)` and score; the mean and (``ddof=0``) standard deviation over
    the chunks are returned. Float64 numpy, with :math:`0 \log 0 = 0` (``scipy.special.xlogy``)
    so that exact zeros in a softmax are fine.

    Args:
      probs: ``(N, C)`` class probabilities: non-negative, each row summing to 1 within
        1e-3 (e.g. ``ganlab.evaluator`` ``probs``).
      splits: number of chunks, an integer in ``[1, N]`` (10 as in the reference code).

    Returns:
      ``{"mean": float, "std": float}`` over the chunks.

    Raises:
      ValueError: if ``probs`` is not 2-D, holds NaN/inf or negative values, or a row does not
        sum to 1; or ``splits`` is not an integer in ``[1, N]``.
    """
    p = _array("probs", probs, 2, "of class probabilities (N, C)")
    n = p.shape[0]
    if np.any(p < 0):
        raise ValueError(
            f"probs must be non-negative (probabilities), got {int(np.sum(p < 0))} negative "
            f"entries, the smallest {p.min():.3g}: pass a softmax, not logits."
        )
    row_error = np.abs(p.sum(axis=1) - 1.0)  # (N,)
    if row_error.max() > _PROBS_ATOL:
        i = int(row_error.argmax())
        raise ValueError(
            f"probs rows must sum to 1 (within {_PROBS_ATOL:g}), got row {i} summing to "
            f"{p[i].sum():.6g}: pass a softmax over the classes."
        )
    if isinstance(splits, bool) or not isinstance(splits, int | np.integer) or not 1 <= splits <= n:
        raise ValueError(
            f"splits must be an integer with 1 <= splits <= N = {n} (rows of probs), got "
            f"{splits!r}."
        )
    scores = np.empty(splits)
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]  # (n_i, C)
        p_y = part.mean(axis=0, keepdims=True)  # (1, C)
        # KL(p(y|x) || p(y)) = sum_y p log p - p log p(y); xlogy gives 0 log 0 = 0.
        kl = special.xlogy(part, part) - special.xlogy(part, p_y)  # (n_i, C)
        scores[i] = np.exp(kl.sum(axis=1).mean())
    return {"mean": float(scores.mean()), "std": float(scores.std())}


# --------------------------------------------------------------------------------------------
# k-nearest-neighbour metrics, in jit-compiled blocks of rows
# --------------------------------------------------------------------------------------------


def _check_block_size(block_size: object) -> int:
    return _int_at_least("block_size", block_size, 1)


def _row_blocks(x: np.ndarray, block_size: int) -> jax.Array:
    """``(N, D)`` -> ``(n_blocks, B, D)`` with ``B = min(block_size, N)``, zero-padded rows."""
    n, d = x.shape
    b = min(block_size, n)
    n_blocks = -(-n // b)
    x = np.pad(x, ((0, n_blocks * b - n), (0, 0)))
    return jnp.asarray(x.reshape(n_blocks, b, d))  # JAX's default float: float32 unless x64


def _sq_dists(q: jax.Array, ref: jax.Array) -> jax.Array:
    """Squared distances ``(B, M)`` of ``(B, D)`` queries to ``(M, D)`` references."""
    # Summed from the differences, not by the matmul expansion |q|^2 - 2 q.r + |r|^2: in
    # float32 the expansion's cancellation error, ~1e-7 (|q|^2 + |r|^2), is a few percent of
    # a squared k-NN radius on the 2-D ring (|x| = 1, std 0.01, 2000 samples), enough to give
    # a set against itself a density of 0.996 instead of 1. XLA fuses subtract-square-sum,
    # so the (B, M, D) array is never formed.
    diff = q[:, None, :] - ref[None, :, :]  # (B, M, D), fused away
    return jnp.sum(diff * diff, axis=-1)


@functools.partial(jax.jit, static_argnames=("k", "exclude_self"))
def _kth_sq_dist(q_blocks: jax.Array, ref: jax.Array, k: int, exclude_self: bool) -> jax.Array:
    """Squared distance ``(n_blocks * B,)`` of each query to its k-th nearest reference."""
    n_blocks, b, _ = q_blocks.shape
    m = ref.shape[0]

    def block(args: tuple[jax.Array, jax.Array]) -> jax.Array:
        q, start = args  # (B, D), ()
        d2 = _sq_dists(q, ref)  # (B, M)
        if exclude_self:  # queries are ref itself: drop column == row *index*, not distance 0
            rows = start + jnp.arange(b)  # (B,)
            d2 = jnp.where(rows[:, None] == jnp.arange(m)[None, :], jnp.inf, d2)
        if k == 1:
            return jnp.min(d2, axis=1)  # (B,)
        return -jax.lax.top_k(-d2, k)[0][:, k - 1]  # (B,): the k-th smallest

    out = jax.lax.map(block, (q_blocks, jnp.arange(n_blocks) * b))  # (n_blocks, B)
    return out.reshape(n_blocks * b)


# Measured: at most ~1.3 ulps between block shapes (D = 2 and 4), none for D >= 16.
_TIE_ULPS = 4.0


@functools.partial(jax.jit, static_argnames=("strict",))
def _count_within(
    q_blocks: jax.Array, ref: jax.Array, r2_blocks: jax.Array, ref_r2: jax.Array, strict: bool
) -> jax.Array:
    """For each query ``j``, the number of references ``i`` with ``d(q_j, x_i)`` within a
    radius: ``r_ij^2 = r2_blocks[j] + ref_r2[i]`` (pass zeros for the one not used)."""
    n_blocks, b, _ = q_blocks.shape
    # Within _TIE_ULPS ulps a distance equals the radius: the same squared differences summed
    # in another order (another block shape) may differ by an ulp or so.
    tie = _TIE_ULPS * jnp.finfo(ref.dtype).eps

    def block(args: tuple[jax.Array, jax.Array]) -> jax.Array:
        q, q_r2 = args  # (B, D), (B,)
        d2 = _sq_dists(q, ref)  # (B, M)
        r2 = q_r2[:, None] + ref_r2[None, :]  # (B, M)
        inside = d2 < r2 * (1.0 - tie) if strict else d2 <= r2 * (1.0 + tie)  # (B, M)
        return jnp.sum(inside, axis=1, dtype=jnp.int32)  # (B,)

    return jax.lax.map(block, (q_blocks, r2_blocks)).reshape(n_blocks * b)


def _knn_sq_radii(x: np.ndarray, k: int, block_size: int, centre: np.ndarray) -> jax.Array:
    """Squared k-NN radii ``(N,)`` of a float64 ``(N, D)`` set, self excluded by index."""
    # Centred in float64 before the cast to float32, so a large common offset costs no digits.
    xc = x - centre
    return _kth_sq_dist(_row_blocks(xc, block_size), jnp.asarray(xc), k, True)[: x.shape[0]]


def _count(
    queries: np.ndarray,
    reference: np.ndarray,
    centre: np.ndarray,
    block_size: int,
    *,
    strict: bool,
    query_r2: jax.Array | None = None,
    ref_r2: jax.Array | None = None,
) -> np.ndarray:
    """``(N,)`` counts of :func:`_count_within`, radii given for the queries or the refs."""
    q_blocks = _row_blocks(queries - centre, block_size)  # (n_blocks, B, D)
    n_blocks, b, _ = q_blocks.shape
    q_r2 = jnp.zeros((n_blocks * b,), q_blocks.dtype)
    if query_r2 is not None:
        q_r2 = q_r2.at[: queries.shape[0]].set(query_r2)
    if ref_r2 is None:
        ref_r2 = jnp.zeros((reference.shape[0],), q_blocks.dtype)
    ref = jnp.asarray(reference - centre)
    counts = _count_within(q_blocks, ref, q_r2.reshape(n_blocks, b), ref_r2, strict)
    return np.asarray(counts[: queries.shape[0]])


def knn_radii(feats: ArrayLike, k: int, *, block_size: int = _BLOCK_SIZE) -> jax.Array:
    r"""Distance from each point to its k-th nearest neighbour in the same set, itself excluded.

    .. math::

        r_i = \lVert x_i - x_{(k)}^{(i)} \rVert_2, \quad x_{(k)}^{(i)} \text{ the k-th
        nearest of } \{x_j : j \ne i\}

    The radii of the k-NN manifold estimate of :func:`precision_recall` and
    :func:`density_coverage`. "Itself" means the same *index*, not distance 0: a duplicate
    of :math:`x_i` at another index is a genuine neighbour at distance 0. The reference codes
    (kynkaat/improved-precision-and-recall-metric, clovaai/generative-evaluation-prdc) take
    the (k+1)-th smallest distance with the point included, which is the same value whenever
    the self-distance is the minimum 0, i.e. always in exact arithmetic; excluding by index
    does not rely on the computed self-distance being exactly 0.

    Distances are computed in jit-compiled blocks of ``block_size`` query rows against the
    whole other set: one ``(block_size, M)`` matrix at a time, never ``(N, M)``. Each squared
    distance is summed from the differences, :math:`\sum_d (a_d - b_d)^2` (XLA fuses it, so
    no ``(block_size, M, D)`` array is formed), on features centred in float64 and cast to
    JAX's default float (float32 unless ``jax_enable_x64``). On CPU this runs 5-10 times
    slower than the matmul expansion :math:`\lVert a \rVert^2 - 2 a^\top b + \lVert b
    \rVert^2`, but that expansion's float32 cancellation error, :math:`\sim 10^{-7}
    (\lVert a \rVert^2 + \lVert b \rVert^2)`, grows with the features' norm over the radii:
    a few percent of a squared radius on the ring of ``ganlab.data`` (radius 1, std 0.01),
    enough to give a set compared with itself a density of 0.996 instead of 1. Summed
    from differences, :math:`d(a, b)` and :math:`d(b, a)` are the same float up to the
    order of the sum, and a gap of at most 4 ulps between a squared distance and a squared
    radius counts as a tie, so exact ties (a set compared with itself, duplicate points, a
    duplicate at radius 0) follow the reference code's ``<`` or ``<=`` as exact arithmetic
    would. The metrics do not depend on ``block_size``; radii and distances may change in
    the last bit with it.

    Args:
      feats: ``(N, D)`` features.
      k: neighbour rank, an integer in ``[1, N - 1]``.
      block_size: query rows per compiled block (memory ``block_size * N`` floats).

    Returns:
      ``(N,)`` float radii, a ``jax.Array``.

    Raises:
      ValueError: if ``feats`` is not 2-D or holds NaN/inf, or ``k``/``block_size`` is out of
        range.
    """
    x = _features("feats", feats)
    k = _check_k(k, x.shape[0], "feats")
    block_size = _check_block_size(block_size)
    return jnp.sqrt(_knn_sq_radii(x, k, block_size, x.mean(axis=0)))


def nearest_distances(
    queries: ArrayLike, reference: ArrayLike, *, block_size: int = _BLOCK_SIZE
) -> jax.Array:
    r"""Distance from each query to its nearest reference point, :math:`\min_i \lVert q_j -
    r_i \rVert_2`.

    Finds memorised training data: a generated sample much closer to a training image than
    held-out real images are is a copy (a duplicate gives exactly 0).

    Computed in blocks, from differences, as described in :func:`knn_radii` (memory:
    ``block_size`` times the larger set; float32 unless ``jax_enable_x64``).

    Args:
      queries: ``(N, D)`` points, e.g. features of generated samples.
      reference: ``(M, D)`` points, e.g. features of the training set.
      block_size: query rows per compiled block (memory ``block_size * M`` floats).

    Returns:
      ``(N,)`` float distances, a ``jax.Array``.

    Raises:
      ValueError: if an array is not 2-D or holds NaN/inf, the feature dimensions differ, or
        ``block_size`` is not a positive integer.
    """
    q, ref = _features("queries", queries), _features("reference", reference)
    if q.shape[1] != ref.shape[1]:
        raise ValueError(
            f"queries and reference must have the same feature dimension D, got queries "
            f"{q.shape} and reference {ref.shape}."
        )
    block_size = _check_block_size(block_size)
    c = ref.mean(axis=0)
    d2 = _kth_sq_dist(_row_blocks(q - c, block_size), jnp.asarray(ref - c), 1, False)
    return jnp.sqrt(d2[: q.shape[0]])


def precision_recall(
    real_feats: ArrayLike, fake_feats: ArrayLike, k: int = 3, *, block_size: int = _BLOCK_SIZE
) -> dict[str, float]:
    r"""Improved precision and recall (Kynkaanniemi et al. 2019, k-NN manifolds).

    "Improved Precision and Recall Metric for Assessing Generative Models",
    https://arxiv.org/abs/1904.06991, reference code kynkaat/improved-precision-and-recall-
    metric. Each set :math:`\Phi` estimates its manifold as a union of balls, each point's ball
    reaching its k-th nearest neighbour in the set (itself excluded, :func:`knn_radii`):

    .. math::

        f(\phi, \Phi) = \mathbb{1}\big[\exists\, \phi' \in \Phi :
        \lVert \phi - \phi' \rVert_2 \le r_k(\phi', \Phi)\big]

        \text{precision} = \frac{1}{M} \sum_{j} f(\phi_{g,j}, \Phi_r), \qquad
        \text{recall} = \frac{1}{N} \sum_{i} f(\phi_{r,i}, \Phi_g)

    Precision is the fraction of generated samples inside the real manifold (quality),
    recall the fraction of real samples inside the generated manifold (diversity). As in the
    reference code the comparison is ``<=`` (so identical sets give 1 and 1) and ``k = 3``.

    Computed in blocks, from differences, as described in :func:`knn_radii` (memory:
    ``block_size`` times the larger set; float32 unless ``jax_enable_x64``).

    Args:
      real_feats: ``(N, D)`` features of real samples.
      fake_feats: ``(M, D)`` features of generated samples.
      k: neighbour rank of the radii, an integer with ``1 <= k < min(N, M)``.
      block_size: query rows per compiled block.

    Returns:
      ``{"precision": float, "recall": float}``, each in ``[0, 1]``.

    Raises:
      ValueError: on bad features (2-D, finite, same ``D``), or ``k``/``block_size`` out of
        range.
    """
    real, fake = _feature_pair(real_feats, fake_feats)
    k = _check_k(k, real.shape[0], "real_feats")
    k = _check_k(k, fake.shape[0], "fake_feats")
    block_size = _check_block_size(block_size)
    c = real.mean(axis=0)  # one centre for every distance of the call
    r2_real = _knn_sq_radii(real, k, block_size, c)  # (N,)
    r2_fake = _knn_sq_radii(fake, k, block_size, c)  # (M,)
    fake_in_real = _count(fake, real, c, block_size, strict=False, ref_r2=r2_real) > 0  # (M,)
    real_in_fake = _count(real, fake, c, block_size, strict=False, ref_r2=r2_fake) > 0  # (N,)
    return {"precision": float(fake_in_real.mean()), "recall": float(real_in_fake.mean())}


def density_coverage(
    real_feats: ArrayLike, fake_feats: ArrayLike, k: int = 5, *, block_size: int = _BLOCK_SIZE
) -> dict[str, float]:
    r"""Density and coverage (Naeem et al. 2020), k-NN balls around the real samples only.

    "Reliable Fidelity and Diversity Metrics for Generative Models",
    https://arxiv.org/abs/2002.09797, reference code clovaai/generative-evaluation-prdc. With
    real points :math:`x_{1..N}`, their k-NN radii :math:`r_i` (itself excluded,
    :func:`knn_radii`) and generated points :math:`y_{1..M}`:

    .. math::

        \text{density} = \frac{1}{kM} \sum_{j=1}^{M} \sum_{i=1}^{N}
        \mathbb{1}\big[\lVert y_j - x_i \rVert_2 < r_i\big], \qquad
        \text{coverage} = \frac{1}{N} \sum_{i=1}^{N}
        \mathbb{1}\big[\min_j \lVert x_i - y_j \rVert_2 < r_i\big]

    Density counts how many real balls each generated sample falls in (about 1 when the
    two distributions match, above 1 when samples crowd dense real regions); coverage is the
    fraction of real balls holding at least one generated sample. Unlike precision and recall
    no ball is built around a generated sample, so generated outliers cannot inflate them.
    The comparisons are strict (``<``), as in the reference code; ``k = 5`` is its default.

    Computed in blocks, from differences, as described in :func:`knn_radii` (memory:
    ``block_size`` times the larger set; float32 unless ``jax_enable_x64``).

    Args:
      real_feats: ``(N, D)`` features of real samples.
      fake_feats: ``(M, D)`` features of generated samples.
      k: neighbour rank of the real radii, an integer with ``1 <= k < N``.
      block_size: query rows per compiled block.

    Returns:
      ``{"density": float, "coverage": float}``; density >= 0 (can exceed 1), coverage in
      ``[0, 1]``.

    Raises:
      ValueError: on bad features (2-D, finite, same ``D``), or ``k``/``block_size`` out of
        range.
    """
    real, fake = _feature_pair(real_feats, fake_feats)
    k = _check_k(k, real.shape[0], "real_feats")
    block_size = _check_block_size(block_size)
    c = real.mean(axis=0)  # one centre for every distance of the call
    r2_real = _knn_sq_radii(real, k, block_size, c)  # (N,)
    balls = _count(fake, real, c, block_size, strict=True, ref_r2=r2_real)  # (M,)
    # min_j d(x_i, y_j) < r_i  <=>  some y_j lies strictly inside the ball of x_i.
    covered = _count(real, fake, c, block_size, strict=True, query_r2=r2_real) > 0  # (N,)
    return {
        "density": float(balls.sum() / (k * fake.shape[0])),
        "coverage": float(covered.mean()),
    }
