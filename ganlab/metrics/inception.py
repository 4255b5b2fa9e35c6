r"""Feature-space metrics built on moments and kernels: FID (and FID extrapolated to
:math:`N \to \infty`), KID and the Inception Score. Float64 numpy, not jit-able; see
:mod:`ganlab.metrics`, which re-exports every name here.
"""

from collections.abc import Sequence

import numpy as np
from jax.typing import ArrayLike
from scipy import special

from ganlab import _checks
from ganlab.metrics._features import array, at_least_rows, feature_pair

__all__ = [
    "frechet_distance",
    "frechet_distance_extrapolated",
    "frechet_distance_gaussians",
    "inception_score",
    "kernel_inception_distance",
]

# A row of class probabilities may miss a sum of 1 by this much (float32/float16 softmax).
_PROBS_ATOL = 1e-3

# Relative tolerances for moments given to frechet_distance_gaussians: covariances stored in
# float32 are symmetric, and PSD, only to about 1e-7 of their largest entry/eigenvalue.
_SYMMETRY_RTOL = 1e-5
_PSD_RTOL = 1e-5


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
            f"only as rounding, within {_PSD_RTOL:g} of the largest"
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
    mu1, mu2 = array("mu1", mu1, 1, "(D,)"), array("mu2", mu2, 1, "(D,)")
    cov1, cov2 = array("cov1", cov1, 2, "(D, D)"), array("cov2", cov2, 2, "(D, D)")
    d = mu1.shape[0]
    for name, x, shape in (("mu2", mu2, (d,)), ("cov1", cov1, (d, d)), ("cov2", cov2, (d, d))):
        _checks.shape(name, x, shape, what=f"{shape} to match mu1 of shape {mu1.shape}")
    for name, cov in (("cov1", cov1), ("cov2", cov2)):
        asym = float(np.max(np.abs(cov - cov.T)))
        if asym > _SYMMETRY_RTOL * float(np.max(np.abs(cov))):
            raise ValueError(
                f"{name} must be symmetric (a covariance), got max |{name} - {name}.T| = "
                f"{asym:.3g}, more than {_SYMMETRY_RTOL:g} of its largest entry"
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
    real, fake = feature_pair(real_feats, fake_feats)
    at_least_rows("real_feats", real, 2, "a covariance needs two samples")
    at_least_rows("fake_feats", fake, 2, "a covariance needs two samples")
    mu_r, cov_r = _moments(real)
    mu_f, cov_f = _moments(fake)
    return _frechet(mu_r, cov_r, _psd_sqrt(cov_r)[1], mu_f, cov_f)


def _check_sizes(sizes: Sequence[int] | None, n_fake: int) -> np.ndarray:
    if sizes is None:
        # The authors' choice: 15 sizes evenly spaced from a tenth of the set to all of it.
        return np.unique(np.linspace(max(2, n_fake // 10), n_fake, 15).astype(np.int64))
    allowed = (
        f"at least two different integers in [2, M = {n_fake}] (M the rows of fake_feats: "
        "subsets are drawn without replacement)"
    )
    if not isinstance(sizes, list | tuple | range | np.ndarray):
        raise ValueError(f"sizes must be {allowed}, got {_checks.what(sizes)}")
    ok = all(_checks.is_integer(n) for n in np.asarray(sizes, dtype=object).ravel())
    arr = np.asarray(sizes, dtype=np.int64) if ok else None
    ok = ok and arr.ndim == 1 and len(np.unique(arr)) >= 2
    if not (ok and np.all(arr >= 2) and np.all(arr <= n_fake)):
        _checks.fail("sizes", sizes, allowed)
    return arr


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
    real, fake = feature_pair(real_feats, fake_feats)
    at_least_rows("real_feats", real, 2, "a covariance needs two samples")
    sizes_arr = _check_sizes(sizes, fake.shape[0])
    seed = _checks.integer("seed", seed, minimum=0)
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
    real, fake = feature_pair(real_feats, fake_feats)
    subsets = _checks.integer("subsets", subsets, minimum=1)
    n_real, n_fake = real.shape[0], fake.shape[0]
    if not (_checks.is_integer(subset_size) and 2 <= subset_size <= min(n_real, n_fake)):
        _checks.fail(
            "subset_size",
            subset_size,
            f"an integer with 2 <= subset_size <= min(N, M) = {min(n_real, n_fake)} (N = "
            f"{n_real} rows of real_feats, M = {n_fake} rows of fake_feats; subsets are drawn "
            "without replacement)",
        )
    seed = _checks.integer("seed", seed, minimum=0)
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
    p = array("probs", probs, 2, "of class probabilities (N, C)")
    n = p.shape[0]
    if np.any(p < 0):
        raise ValueError(
            f"probs must be non-negative (probabilities), got {int(np.sum(p < 0))} negative "
            f"entries, the smallest {p.min():.3g}: pass a softmax, not logits"
        )
    row_error = np.abs(p.sum(axis=1) - 1.0)  # (N,)
    if row_error.max() > _PROBS_ATOL:
        i = int(row_error.argmax())
        raise ValueError(
            f"probs rows must sum to 1 (within {_PROBS_ATOL:g}), got row {i} summing to "
            f"{p[i].sum():.6g}: pass a softmax over the classes"
        )
    if not (_checks.is_integer(splits) and 1 <= splits <= n):
        _checks.fail("splits", splits, f"an integer with 1 <= splits <= N = {n} (rows of probs)")
    scores = np.empty(splits)
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]  # (n_i, C)
        p_y = part.mean(axis=0, keepdims=True)  # (1, C)
        # KL(p(y|x) || p(y)) = sum_y p log p - p log p(y); xlogy gives 0 log 0 = 0.
        kl = special.xlogy(part, part) - special.xlogy(part, p_y)  # (n_i, C)
        scores[i] = np.exp(kl.sum(axis=1).mean())
    return {"mean": float(scores.mean()), "std": float(scores.std())}
