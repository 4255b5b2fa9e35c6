"""Known-answer tests for the feature-space metrics of ganlab.metrics (FID, KID, IS, PR, DC).

The reference implementations below are written independently, in float64 numpy with the full
distance matrix, following the formulas of the authors' code.
"""

import math

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from ganlab import metrics

# --- independent references ------------------------------------------------------------------


def pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full ``(N, M)`` Euclidean distance matrix from the differences, float64."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def ref_radii(x: np.ndarray, k: int) -> np.ndarray:
    # prdc's compute_nearest_neighbour_distances: the (k+1)-th smallest, self (0) included.
    return np.partition(pairwise(x, x), k, axis=1)[:, k]


def ref_pr(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """kynkaat's improved precision and recall: k-NN balls around both sets, ``<=``."""
    r_real, r_fake, d_rf = ref_radii(real, k), ref_radii(fake, k), pairwise(real, fake)
    return {
        "precision": (d_rf <= r_real[:, None]).any(axis=0).mean(),
        "recall": (d_rf <= r_fake[None, :]).any(axis=1).mean(),
    }


def ref_dc(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """clovaai prdc's density and coverage: k-NN balls around the real points only, ``<``."""
    r_real, d_rf = ref_radii(real, k), pairwise(real, fake)
    return {
        "density": (1.0 / k) * (d_rf < r_real[:, None]).sum(axis=0).mean(),
        "coverage": (d_rf.min(axis=1) < r_real).mean(),
    }


def ref_prdc(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    return ref_pr(real, fake, k) | ref_dc(real, fake, k)


def ref_mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """The unbiased MMD^2 estimator with k(a, b) = (a.b / d + 1)^3, pair by pair, O(m^2)."""
    m, d = x.shape

    def kern(a: np.ndarray, b: np.ndarray) -> float:
        return (float(a @ b) / d + 1.0) ** 3

    xx = sum(kern(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(kern(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(kern(x[i], y[j]) for i in range(m) for j in range(m))
    return xx / (m * (m - 1)) + yy / (m * (m - 1)) - 2.0 * xy / (m * m)


def ref_fid_sqrtm(mu1, cov1, mu2, cov2) -> float:
    """pytorch-fid's formula: scipy.linalg.sqrtm of the product, imaginary part dropped."""
    covmean = scipy.linalg.sqrtm(cov1 @ cov2).real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * np.trace(covmean))


def random_spd(rng: np.random.Generator, d: int) -> np.ndarray:
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def mixture(rng: np.random.Generator, modes: np.ndarray, per_mode: int) -> np.ndarray:
    """``per_mode`` points around each row of ``modes``, std 1."""
    points = modes[:, None, :] + rng.normal(size=(len(modes), per_mode, modes.shape[1]))
    return points.reshape(-1, modes.shape[1])


# --- Frechet distance --------------------------------------------------------------------------


def test_frechet_gaussians_diagonal_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)  # 7.25 + 5
    got = metrics.frechet_distance_gaussians(mu1, np.diag(a), mu2, np.diag(b))
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(12.25)


def test_frechet_gaussians_non_commuting_matches_sqrtm():
    rng = np.random.default_rng(0)
    cov1, cov2 = random_spd(rng, 6), random_spd(rng, 6)
    assert not np.allclose(cov1 @ cov2, cov2 @ cov1)  # the trace term is not elementwise
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = ref_fid_sqrtm(mu1, cov1, mu2, cov2)
    got = metrics.frechet_distance_gaussians(mu1, cov1, mu2, cov2)
    assert got == pytest.approx(expected, rel=1e-9)
    # Symmetric in its arguments, as the distance is.
    assert metrics.frechet_distance_gaussians(mu2, cov2, mu1, cov1) == pytest.approx(got, rel=1e-9)


def test_frechet_identical_sets_is_zero_and_shift_adds_norm():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5)) * np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    assert 0.0 <= metrics.frechet_distance(x, x) < 1e-10
    v = np.array([0.5, -1.0, 2.0, 0.0, 0.25])
    # Same covariance, mean moved by v: the distance is exactly |v|^2.
    assert metrics.frechet_distance(x, x + v) == pytest.approx(float(v @ v), rel=1e-10)


def test_frechet_distance_uses_unbiased_covariance():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(30, 4)), 2.0 * rng.normal(size=(25, 4)) + 1.0
    expected = ref_fid_sqrtm(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert metrics.frechet_distance(x, y) == pytest.approx(expected, rel=1e-9)


def test_frechet_fewer_samples_than_dimensions():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(10, 50)), rng.normal(size=(12, 50)) + 0.3
    got = metrics.frechet_distance(x, y)
    assert math.isfinite(got) and got > 0.0
    # Independent check: Tr (S1 S2)^{1/2} from the eigenvalues of the (non-symmetric) product,
    # which has the same spectrum; both covariances are singular here (rank < 50).
    c1, c2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    lam = np.clip(np.linalg.eigvals(c1 @ c2).real, 0.0, None)
    diff = x.mean(0) - y.mean(0)
    expected = diff @ diff + np.trace(c1) + np.trace(c2) - 2.0 * np.sqrt(lam).sum()
    assert got == pytest.approx(expected, rel=1e-6)
    assert metrics.frechet_distance(y, x) == pytest.approx(got, rel=1e-9)


def test_frechet_large_sample_approaches_closed_form():
    rng = np.random.default_rng(4)
    n, d = 40_000, 3
    x = rng.normal(size=(n, d))
    y = np.array([0.5, 0.0, -0.5]) + rng.normal(size=(n, d)) * np.array([2.0, 1.0, 0.5])
    # Diagonal: |mu|^2 + sum (1 - s)^2 = 0.5 + (1 + 0 + 0.25).
    assert metrics.frechet_distance(x, y) == pytest.approx(1.75, abs=0.03)


def test_frechet_accepts_jax_arrays():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(50, 3)).astype(np.float32), rng.normal(size=(40, 3)).astype(np.float32)
    assert metrics.frechet_distance(jnp.asarray(x), jnp.asarray(y)) == pytest.approx(
        metrics.frechet_distance(x, y), rel=1e-12
    )


# --- FID extrapolated to infinity ---------------------------------------------------------------


def test_frechet_extrapolated_recovers_large_n_fid():
    rng = np.random.default_rng(1)
    d = 16
    real = rng.normal(size=(10_000, d))
    fake = 1.2 * rng.normal(size=(20_000, d)) + 0.2
    large_n = metrics.frechet_distance(real, fake)
    assert large_n == pytest.approx(d * 0.04 + d * 0.04, rel=0.02)  # closed form 1.28
    sizes = (200, 300, 500, 800, 1200, 2000)
    out = metrics.frechet_distance_extrapolated(real, fake, sizes, seed=0)
    assert out["sizes"] == sizes and len(out["fids"]) == len(sizes)
    assert out["slope"] > 0.0  # FID_N is biased upward, about linearly in 1/N
    assert out["fids"][0] > large_n + 0.3  # the smallest subset's FID is far off ...
    assert out["fid_inf"] == pytest.approx(large_n, abs=0.15)  # ... the intercept is not
    # The intercept is the least-squares fit of the returned points.
    slope, intercept = np.polyfit(1.0 / np.array(sizes), out["fids"], 1)
    assert out["fid_inf"] == pytest.approx(intercept, rel=1e-9)
    assert out["slope"] == pytest.approx(slope, rel=1e-9)
    # Explicit seed: reproducible, and another seed draws other subsets.
    again = metrics.frechet_distance_extrapolated(real, fake, sizes, seed=0)
    assert again == out
    assert metrics.frechet_distance_extrapolated(real, fake, sizes, seed=1)["fids"] != out["fids"]


def test_frechet_extrapolated_default_sizes():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(300, 2)), rng.normal(size=(500, 2))
    out = metrics.frechet_distance_extrapolated(real, fake)
    assert len(out["sizes"]) == 15 and out["sizes"][0] == 50 and out["sizes"][-1] == 500


# --- KID ------------------------------------------------------------------------------------


def test_kid_full_sets_match_pairwise_reference():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3)) + 0.5
    # subset_size = N: every subset is a permutation of the whole set, so every estimate is
    # the estimate on the full sets.
    out = metrics.kernel_inception_distance(x, y, subsets=3, subset_size=20)
    assert out["mean"] == pytest.approx(ref_mmd2_unbiased(x, y), rel=1e-10)
    assert out["std"] < 1e-10


def test_kid_subsets_follow_documented_draws():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(30, 4)), 1.5 * rng.normal(size=(25, 4))
    draws = np.random.default_rng(7)
    estimates = []
    for _ in range(3):
        fake_idx = draws.choice(25, 10, replace=False)  # generated rows first, as documented
        real_idx = draws.choice(30, 10, replace=False)
        estimates.append(ref_mmd2_unbiased(real[real_idx], fake[fake_idx]))
    out = metrics.kernel_inception_distance(real, fake, subsets=3, subset_size=10, seed=7)
    assert out["mean"] == pytest.approx(np.mean(estimates), rel=1e-10)
    assert out["std"] == pytest.approx(np.std(estimates), rel=1e-8)


def test_kid_same_distribution_near_zero_unclipped_and_shift_positive():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(300, 8)), rng.normal(size=(300, 8))
    same = metrics.kernel_inception_distance(a, b, subsets=20, subset_size=100)
    shifted = metrics.kernel_inception_distance(a, b + 1.0, subsets=20, subset_size=100)
    assert shifted["mean"] > 5.0 and shifted["mean"] > 5 * shifted["std"]
    assert abs(same["mean"]) < 0.01 * shifted["mean"]
    assert same["mean"] < 0.0  # this draw is negative: the unbiased estimate is not clipped


def test_kid_seed_reproducible():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(60, 3)), rng.normal(size=(50, 3))
    kid = lambda seed: metrics.kernel_inception_distance(a, b, 5, 20, seed=seed)  # noqa: E731
    assert kid(3) == kid(3)
    assert kid(3) != kid(4)


# --- Inception score -------------------------------------------------------------------------


def test_inception_score_known_answers():
    c = 5
    one_hot_spread = np.tile(np.eye(c), (4, 1))  # (20, 5): each split of 10 holds all classes
    out = metrics.inception_score(one_hot_spread, splits=2)
    assert out["mean"] == pytest.approx(c, rel=1e-12) and out["std"] == pytest.approx(0.0)
    same_class = np.tile(np.eye(c)[2], (20, 1))
    assert metrics.inception_score(same_class, splits=2)["mean"] == pytest.approx(1.0)
    uniform = np.full((20, c), 1.0 / c)
    assert metrics.inception_score(uniform, splits=4)["mean"] == pytest.approx(1.0)


def test_inception_score_hand_computed():
    # p(y) = (3/4, 1/4); KL rows: log(4/3) and (1/2) log(4/3); IS = exp((3/4) log(4/3)).
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert metrics.inception_score(probs, splits=1)["mean"] == pytest.approx((4 / 3) ** 0.75)
    # Two splits of one row each: each row is its own p(y), so each score is 1.
    assert metrics.inception_score(probs, splits=2) == {"mean": 1.0, "std": 0.0}


def test_inception_score_contiguous_splits():
    # Rows [0, 3) then [3, 6): a one-hot half and a uniform half give scores 3 and 1.
    probs = np.concatenate([np.eye(3), np.full((3, 3), 1 / 3)])
    out = metrics.inception_score(probs, splits=2)
    assert out["mean"] == pytest.approx(2.0) and out["std"] == pytest.approx(1.0)


# --- k-NN helpers ----------------------------------------------------------------------------


def test_knn_radii_match_brute_force_far_from_origin():
    rng = np.random.default_rng(0)
    x = 1000.0 + rng.normal(size=(300, 6))  # float32 keeps ~1e-4 of 1000: centre first
    for k in (1, 3, 10):
        got = np.asarray(metrics.knn_radii(x, k))
        np.testing.assert_allclose(got, ref_radii(x, k), rtol=1e-5)


def test_knn_radii_exclude_self_by_index_not_by_distance():
    x = np.array([[0.0], [0.0], [1.0], [5.0]])
    # A duplicate is a neighbour at distance 0; only the point's own index is left out.
    np.testing.assert_array_equal(metrics.knn_radii(x, 1), [0.0, 0.0, 1.0, 4.0])
    np.testing.assert_array_equal(metrics.knn_radii(x, 2), [1.0, 1.0, 1.0, 5.0])
    np.testing.assert_array_equal(metrics.knn_radii(x, 3), [5.0, 5.0, 4.0, 5.0])


def test_nearest_distances_brute_force_and_exact_copies():
    rng = np.random.default_rng(1)
    train = 10.0 + rng.normal(size=(400, 8))
    queries = np.concatenate([10.0 + rng.normal(size=(50, 8)), train[[3, 77, 399]]])
    got = np.asarray(metrics.nearest_distances(queries, train))
    assert got.shape == (53,)
    np.testing.assert_allclose(got[:50], pairwise(queries[:50], train).min(axis=1), rtol=1e-5)
    np.testing.assert_array_equal(got[50:], 0.0)  # memorised samples: exactly 0


def test_results_do_not_depend_on_block_size():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(120, 4)), 1.3 * rng.normal(size=(120, 4)) + 0.2
    default_pr = metrics.precision_recall(real, fake)
    default_dc = metrics.density_coverage(real, fake)
    radii = np.asarray(metrics.knn_radii(real, 3))
    nearest = np.asarray(metrics.nearest_distances(fake, real))
    for block_size in (1, 37):
        assert metrics.precision_recall(real, fake, block_size=block_size) == default_pr
        assert metrics.density_coverage(real, fake, block_size=block_size) == default_dc
        # Another block shape may sum the same squares in another order: the last bit only.
        np.testing.assert_allclose(
            metrics.knn_radii(real, 3, block_size=block_size), radii, rtol=1e-6
        )
        np.testing.assert_allclose(
            metrics.nearest_distances(fake, real, block_size=block_size), nearest, rtol=1e-6
        )


# --- precision / recall and density / coverage ----------------------------------------------------


def test_precision_recall_hand_computed():
    # real 0, 1, 3, 4, -8 with k = 1: radii 1, 1, 1, 1, 8.
    real = np.array([[0.0], [1.0], [3.0], [4.0], [-8.0]])
    # 2 and 5 sit exactly on a radius (counted: <=), 0.5 inside, 10 outside: precision 3/4.
    # fake radii (k = 1): 2 -> 1.5, 5 -> 3, 0.5 -> 1.5, 10 -> 5; only -8 is outside them all.
    fake = np.array([[2.0], [5.0], [0.5], [10.0]])
    assert metrics.precision_recall(real, fake, k=1) == {"precision": 0.75, "recall": 0.8}


def test_density_coverage_hand_computed():
    # real 0, 1, 3, 4 with k = 1: every radius is 1, and the comparisons are strict.
    real = np.array([[0.0], [1.0], [3.0], [4.0]])
    # 0.5 and 0.25 lie in 2 balls each; 2 is exactly on the balls of 1 and 3 (not counted);
    # 10 in none: density = (2 + 2 + 0 + 0) / (k M) = 1. Covered: 0 and 1, not 3 and 4.
    fake = np.array([[0.5], [0.25], [2.0], [10.0]])
    assert metrics.density_coverage(real, fake, k=1) == {"density": 1.0, "coverage": 0.5}


def test_identical_sets():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 5))
    assert metrics.precision_recall(x, x) == {"precision": 1.0, "recall": 1.0}
    # Each ball holds its centre and the k - 1 neighbours strictly inside it: density is 1
    # exactly, which needs the k-th neighbour, on the radius, to count as a tie.
    assert metrics.density_coverage(x, x) == {"density": 1.0, "coverage": 1.0}


def test_dropped_modes():
    rng = np.random.default_rng(4)
    modes = 20.0 * np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    real = mixture(rng, modes, 150)  # (600, 2), all four modes
    fake = mixture(rng, modes[:2], 150)  # (300, 2), half of them
    pr = metrics.precision_recall(real, fake)
    dc = metrics.density_coverage(real, fake)
    assert pr["precision"] > 0.95
    assert 0.45 <= pr["recall"] <= 0.5
    assert 0.45 <= dc["coverage"] <= 0.5
    assert 0.8 <= dc["density"] <= 1.2


@pytest.mark.parametrize("k", [1, 3, 5])
def test_prdc_match_reference_code(k):
    rng = np.random.default_rng(5)
    # The shapes of test_identical_sets: the compiled blocks are reused.
    real, fake = rng.normal(size=(200, 5)), 1.3 * rng.normal(size=(200, 5)) + 0.3
    expected = ref_prdc(real, fake, k)
    got = metrics.precision_recall(real, fake, k) | metrics.density_coverage(real, fake, k)
    assert got == pytest.approx(expected, abs=1e-12)
    assert 0.1 < got["precision"] < 0.95 and 0.1 < got["coverage"] < 0.95  # not trivial


def test_prdc_match_reference_code_with_duplicates():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(120, 16)).astype(np.float32)
    x = np.concatenate([x[:40], x])  # 40 exact duplicates: many ties at radius 0
    got = metrics.precision_recall(x, x, 5) | metrics.density_coverage(x, x, 5)
    assert got == pytest.approx(ref_prdc(x, x, 5), abs=1e-12)
    assert got["density"] < 1.0


@pytest.mark.parametrize("d, seed, copies", [(3, 1, 1), (3, 1, 3), (5, 2, 3)])
def test_prdc_match_reference_code_with_copied_samples(d, seed, copies):
    # A generator that memorised a few real samples: each copy sits exactly on the radius of
    # the real points whose k-th neighbour it copies. These three cases break ties the wrong
    # way when the distances, summed in other block shapes, are compared without a tie band.
    real = np.random.default_rng(seed).normal(size=(150, d))
    fake = real[np.random.default_rng(seed).permutation(150)[:copies]]
    assert metrics.density_coverage(real, fake, 3) == pytest.approx(
        ref_dc(real, fake, 3), abs=1e-12
    )
    if copies > 1:  # k = 1 needs two fake points
        assert metrics.precision_recall(real, fake, 1) == pytest.approx(
            ref_pr(real, fake, 1), abs=1e-12
        )


# --- bad input -------------------------------------------------------------------------------

X = np.random.default_rng(0).normal(size=(50, 3))
Y = np.random.default_rng(1).normal(size=(40, 3))
P = np.full((10, 4), 0.25)
NAN = X.copy()
NAN[3, 1] = np.nan


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metrics.frechet_distance(X[:, 0], Y), r"real_feats must be a 2-D array.*\(50,\)"),
        (lambda: metrics.frechet_distance(X, Y[:, :2]), r"same feature dimension D.*\(40, 2\)"),
        (lambda: metrics.frechet_distance(X, NAN), r"fake_feats must be finite, got 1 NaN"),
        (lambda: metrics.frechet_distance(X[:1], Y), r"real_feats must hold at least 2 rows"),
        (lambda: metrics.frechet_distance(X, np.full((4, 3), "a")), r"fake_feats .*real numbers"),
        (
            lambda: metrics.frechet_distance_gaussians(
                np.zeros(2), np.eye(2), np.zeros(3), np.eye(2)
            ),
            r"mu2 must have shape \(2,\)",
        ),
        (
            lambda: metrics.frechet_distance_gaussians(
                np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)
            ),
            r"cov1 must be symmetric",
        ),
        (
            lambda: metrics.frechet_distance_gaussians(
                np.zeros(2), np.eye(2), np.zeros(2), np.diag([1.0, -0.5])
            ),
            r"cov2 must be positive semi-definite.*-0.5",
        ),
        (
            lambda: metrics.frechet_distance_extrapolated(X, Y, sizes=(10, 41)),
            r"sizes must be .*different integers in \[2, M = 40\].*got \(10, 41\)",
        ),
        (lambda: metrics.frechet_distance_extrapolated(X, Y, sizes=(10, 10)), r"two different"),
        (lambda: metrics.frechet_distance_extrapolated(X, Y, sizes=(10, 20.5)), r"sizes must be"),
        (lambda: metrics.kernel_inception_distance(X, Y), r"subset_size .*min\(N, M\) = 40.*1000"),
        (lambda: metrics.kernel_inception_distance(X, Y, 10, 1), r"subset_size .*got 1"),
        (lambda: metrics.kernel_inception_distance(X, Y, 0, 10), r"subsets must be .*got 0"),
        (lambda: metrics.kernel_inception_distance(X, Y, 2, 10, seed=-1), r"seed must be"),
        (lambda: metrics.inception_score(P[0]), r"probs must be a 2-D array"),
        (lambda: metrics.inception_score(P - 0.25), r"probs must be non-negative|rows must sum"),
        (lambda: metrics.inception_score(P * 2), r"probs rows must sum to 1.*row 0.*2"),
        (lambda: metrics.inception_score(P, splits=11), r"splits .*N = 10.*got 11"),
        (lambda: metrics.inception_score(P, splits=0), r"splits .*got 0"),
        (lambda: metrics.precision_recall(X, Y, k=40), r"k must be .*N = 40 .*fake_feats.*40"),
        (lambda: metrics.precision_recall(X, Y, k=0), r"k must be .*got 0"),
        (lambda: metrics.density_coverage(X, Y, k=2.0), r"k must be .*got 2.0"),
        (lambda: metrics.density_coverage(X, Y, k=True), r"k must be .*got True"),
        (lambda: metrics.density_coverage(X, NAN), r"fake_feats must be finite"),
        (lambda: metrics.precision_recall(X, Y, block_size=0), r"block_size must be .*got 0"),
        (lambda: metrics.knn_radii(X, 50), r"k must be .*N = 50 .*feats"),
        (lambda: metrics.nearest_distances(X, Y[:, :2]), r"queries and reference .*same"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_inception_score_rejects_negative_probs():
    probs = np.array([[1.2, -0.2], [0.5, 0.5]])  # rows sum to 1
    with pytest.raises(ValueError, match=r"probs must be non-negative.*1 negative"):
        metrics.inception_score(probs, splits=1)


def test_numpy_integers_count_as_integers():
    i32, i64 = np.int32, np.int64
    kid = metrics.kernel_inception_distance(X, Y, 5, 20, seed=3)
    kid_np = metrics.kernel_inception_distance(X, Y, i32(5), i64(20), seed=i64(3))
    assert kid_np == kid
    # another seed draws other subsets, so the equality above could fail
    assert metrics.kernel_inception_distance(X, Y, 5, 20, seed=4) != kid
    pr = metrics.precision_recall(X, Y, k=2, block_size=7)
    assert metrics.precision_recall(X, Y, k=i64(2), block_size=i32(7)) == pr
    assert metrics.density_coverage(X, Y, k=i32(4)) == metrics.density_coverage(X, Y, k=4)
    ext = metrics.frechet_distance_extrapolated(X, Y, sizes=(10, 20, 40), seed=1)
    ext_np = metrics.frechet_distance_extrapolated(X, Y, sizes=np.array([10, 20, 40]), seed=i64(1))
    assert ext_np == ext
    assert metrics.inception_score(P, splits=i64(5)) == metrics.inception_score(P, splits=5)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metrics.kernel_inception_distance(X, Y, True, 10), r"subsets must be .*got True"),
        (lambda: metrics.kernel_inception_distance(X, Y, 2, True), r"subset_size .*got True"),
        (lambda: metrics.kernel_inception_distance(X, Y, 2, 10, seed=False), r"seed .*got False"),
        (lambda: metrics.precision_recall(X, Y, block_size=True), r"block_size .*got True"),
        (lambda: metrics.knn_radii(X, np.bool_(True)), r"k must be an integer .*got True"),
        (lambda: metrics.inception_score(P, splits=True), r"splits .*got True"),
        (lambda: metrics.frechet_distance_extrapolated(X, Y, (True, 10)), r"sizes .*True, 10"),
        (lambda: metrics.frechet_distance(X, X > 0), r"fake_feats .*real numbers.*bool"),
    ],
)
def test_bools_are_not_numbers(call, match):
    with pytest.raises(ValueError, match=match):
        call()


class _Sampler:
    def __repr__(self):
        return "_Sampler(" + "x" * 5000 + ")"  # a dump of this must never reach a message


_FEATURE_METRICS = {
    "frechet_distance": lambda a: metrics.frechet_distance(X, a),
    "frechet_distance_extrapolated": lambda a: metrics.frechet_distance_extrapolated(X, a),
    "kernel_inception_distance": lambda a: metrics.kernel_inception_distance(X, a, 2, 5),
    "precision_recall": lambda a: metrics.precision_recall(X, a),
    "density_coverage": lambda a: metrics.density_coverage(X, a),
}
_WRONG_FEATURES = [
    ([[1.0, 2.0], [3.0]], "a ragged nested list \\(rows of different lengths\\)$"),
    ({"feats": X}, "a dict$"),
    ("features.npy", "'features.npy'$"),
    (None, "None$"),
    (_Sampler(), "a _Sampler$"),
    (np.zeros((4, 3), complex), "an array of shape \\(4, 3\\) and dtype complex128$"),
    ([[True, False, True]], "a list of 1 items holding True/False$"),
    (np.zeros((0, 3)), None),
    (np.full((5, 3), np.nan), None),
]


@pytest.mark.parametrize("metric", sorted(_FEATURE_METRICS))
@pytest.mark.parametrize(("value", "match"), _WRONG_FEATURES)
def test_every_feature_metric_names_a_wrong_type(metric, value, match):
    if match is None:  # the right type, the wrong content
        match = "not be empty" if value.size == 0 else "be finite, got 15 NaN/inf .*diverged"
    else:
        match = "be an array of real numbers of features \\(N, D\\), got " + match
    with pytest.raises(ValueError, match="^fake_feats must " + match):
        _FEATURE_METRICS[metric](value)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda v: metrics.knn_radii(v, 2), "^feats must be an array of real numbers"),
        (lambda v: metrics.nearest_distances(v, X), "^queries must be an array of real numbers"),
        (lambda v: metrics.nearest_distances(X, v), "^reference must be an array of real numb"),
        (lambda v: metrics.inception_score(v), "^probs must be an array of real numbers"),
        (lambda v: metrics.frechet_distance(v, Y), "^real_feats must be an array of real numb"),
        (
            lambda v: metrics.frechet_distance_gaussians(np.zeros(2), v, np.zeros(2), np.eye(2)),
            r"^cov1 must be an array of real numbers \(D, D\)",
        ),
    ],
)
def test_the_other_arrays_name_a_wrong_type_too(call, match):
    for value, got in [([[1.0], [2.0, 3.0]], "ragged nested list"), (_Sampler(), "a _Sampler$")]:
        with pytest.raises(ValueError, match=match + ".*" + got):
            call(value)


@pytest.mark.parametrize(
    "sizes, got",
    [
        (10, "got 10$"),
        (3.5, "got 3.5$"),
        ({"a": 10}, "got a dict$"),
        ("10, 20", "got '10, 20'$"),
        ((n for n in (10, 20)), "got a generator$"),
        ([[10, 20], [30]], r"got \[\[10, 20\], \[30\]\]$"),
        (_Sampler(), "got a _Sampler$"),
    ],
)
def test_sizes_must_be_a_list_of_integers(sizes, got):
    with pytest.raises(ValueError, match=r"^sizes must be at least two different integers.*" + got):
        metrics.frechet_distance_extrapolated(X, Y, sizes)
