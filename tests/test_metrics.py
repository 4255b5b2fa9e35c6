"""Known-answer tests for ganlab.metrics (mode coverage on the 8-ring and the 25-grid)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ganlab import metrics

STD = 0.01
K_RING = 8


def ring_centers(k: int = K_RING) -> jax.Array:
    angles = 2.0 * jnp.pi * jnp.arange(k) / k
    return jnp.stack([jnp.cos(angles), jnp.sin(angles)], axis=-1)  # (k, 2)


def grid_centers() -> jax.Array:
    xs = jnp.arange(-2.0, 3.0)
    gx, gy = jnp.meshgrid(xs, xs)
    return jnp.stack([gx.ravel(), gy.ravel()], axis=-1)  # (25, 2)


def noisy_mixture(key: jax.Array, centers: jax.Array, n: int, std: float) -> jax.Array:
    k_idx, k_eps = jax.random.split(key)
    idx = jax.random.randint(k_idx, (n,), 0, centers.shape[0])
    return centers[idx] + std * jax.random.normal(k_eps, (n, centers.shape[1]))


# --- nearest_mode ---------------------------------------------------------------------------


def test_nearest_mode_known_answer():
    centers = ring_centers()
    samples = 1.1 * centers[jnp.array([3, 0, 5])]  # radially outwards: distance 0.1
    index, distance = metrics.nearest_mode(samples, centers)
    assert index.shape == (3,) and distance.shape == (3,)
    np.testing.assert_array_equal(index, [3, 0, 5])
    np.testing.assert_allclose(distance, 0.1, rtol=1e-5)


def test_nearest_mode_matches_brute_force():
    centers = grid_centers()
    samples = 3.0 * jax.random.normal(jax.random.key(0), (500, 2))
    index, distance = metrics.nearest_mode(samples, centers)
    d = np.linalg.norm(np.asarray(samples)[:, None, :] - np.asarray(centers)[None], axis=-1)
    np.testing.assert_array_equal(index, d.argmin(axis=1))
    np.testing.assert_allclose(distance, d.min(axis=1), rtol=1e-5, atol=1e-6)


def test_nearest_mode_distance_is_exact_far_from_origin():
    # The |x|^2 - 2x.c + |c|^2 expansion alone would lose this 1e-3 offset at |x| = 1e3.
    centers = jnp.array([[1000.0, 0.0], [0.0, 1000.0]])
    samples = jnp.array([[1000.0, 1e-3]])
    _, distance = metrics.nearest_mode(samples, centers)
    np.testing.assert_allclose(distance, [1e-3], rtol=1e-4)


# --- mode_coverage: known answers -----------------------------------------------------------


def test_three_of_eight_modes_equal_counts():
    centers = ring_centers()
    samples = jnp.repeat(centers[jnp.array([1, 4, 6])], 10, axis=0)  # (30, 2), exactly on centres
    out = metrics.mode_coverage(samples, centers, STD)
    assert set(out) == {"modes", "high_quality", "kl", "counts"}
    assert int(out["modes"]) == 3
    assert float(out["high_quality"]) == 1.0
    np.testing.assert_allclose(out["kl"], math.log(8 / 3), rtol=1e-6)
    np.testing.assert_array_equal(out["counts"], [0, 10, 0, 0, 10, 0, 10, 0])
    assert out["counts"].shape == (K_RING,)
    assert jnp.issubdtype(out["counts"].dtype, jnp.integer)
    assert jnp.issubdtype(out["modes"].dtype, jnp.integer)


@pytest.mark.parametrize(("factor", "counted"), [(2.9, True), (3.1, False)])
def test_threshold_boundary(factor, counted):
    centers = ring_centers()
    # Offset tangentially from mode 2, so the nearest mode stays mode 2.
    offset = factor * STD * jnp.array([[1.0, 0.0]])
    samples = centers[2:3] + offset  # (1, 2)
    out = metrics.mode_coverage(samples, centers, STD)
    assert int(out["modes"]) == int(counted)
    assert float(out["high_quality"]) == float(counted)
    assert int(out["counts"][2]) == int(counted)


def test_threshold_argument_scales_the_radius():
    centers = ring_centers()
    samples = centers[:1] + jnp.array([[0.0, 4.0 * STD]])
    assert int(metrics.mode_coverage(samples, centers, STD)["modes"]) == 0
    assert int(metrics.mode_coverage(samples, centers, STD, threshold=5.0)["modes"]) == 1


def test_all_samples_far_away():
    centers = ring_centers()
    samples = jnp.full((50, 2), 5.0)
    out = metrics.mode_coverage(samples, centers, STD)
    assert int(out["modes"]) == 0
    assert float(out["high_quality"]) == 0.0
    np.testing.assert_allclose(out["kl"], math.log(K_RING), rtol=1e-6)  # worst case
    np.testing.assert_array_equal(out["counts"], 0)


@pytest.mark.parametrize("centers_fn", [ring_centers, grid_centers])
def test_uniform_over_all_modes_has_zero_kl(centers_fn):
    centers = centers_fn()
    samples = jnp.tile(centers, (4, 1))  # every mode exactly 4 times
    out = metrics.mode_coverage(samples, centers, STD)
    assert int(out["modes"]) == centers.shape[0]
    assert float(out["high_quality"]) == 1.0
    np.testing.assert_allclose(out["kl"], 0.0, atol=1e-6)


def test_single_mode_collapse_has_kl_log_k():
    centers = grid_centers()
    samples = jnp.repeat(centers[7:8], 20, axis=0)
    out = metrics.mode_coverage(samples, centers, 0.05)
    assert int(out["modes"]) == 1
    np.testing.assert_allclose(out["kl"], math.log(25), rtol=1e-6)


def test_high_quality_fraction_and_kl_ignore_low_quality_samples():
    centers = ring_centers()
    on_modes = centers[jnp.array([0, 0, 0, 1])]
    far = jnp.full((4, 2), 3.0)
    out = metrics.mode_coverage(jnp.concatenate([on_modes, far]), centers, STD)
    assert float(out["high_quality"]) == 0.5
    p = np.array([0.75, 0.25])
    np.testing.assert_allclose(out["kl"], np.sum(p * np.log(K_RING * p)), rtol=1e-5)


def test_true_mixture_samples_cover_everything():
    centers = ring_centers()
    samples = noisy_mixture(jax.random.key(1), centers, 2000, STD)
    out = metrics.mode_coverage(samples, centers, STD)
    assert int(out["modes"]) == K_RING
    # P(chi_2 < 9) = 1 - exp(-4.5) = 0.989 for a 2-D Gaussian.
    assert 0.98 < float(out["high_quality"]) < 0.996
    assert float(out["kl"]) < 0.01


def test_accepts_numpy_and_integer_inputs():
    out = metrics.mode_coverage(np.zeros((3, 2), np.int64), np.array([[0, 0], [5, 5]]), 1)
    assert int(out["modes"]) == 1 and float(out["high_quality"]) == 1.0


# --- jit / vmap -----------------------------------------------------------------------------


def test_jit_matches_eager():
    centers = ring_centers()
    samples = noisy_mixture(jax.random.key(2), centers, 300, 3 * STD)
    eager = metrics.mode_coverage(samples, centers, STD)
    jitted = jax.jit(metrics.mode_coverage)(samples, centers, STD)  # std traced too
    for name in eager:
        np.testing.assert_allclose(jitted[name], eager[name], rtol=1e-6)


def test_vmap_over_seeds_matches_python_loop():
    centers = ring_centers()
    keys = jax.random.split(jax.random.key(3), 10)
    # Different spreads per seed, so the seeds give different answers.
    spreads = jnp.linspace(0.5, 6.0, 10) * STD
    samples = jnp.stack(
        [noisy_mixture(keys[i], centers[: 2 + i % 7], 200, float(spreads[i])) for i in range(10)]
    )  # (10, 200, 2)
    score = jax.jit(jax.vmap(lambda s: metrics.mode_coverage(s, centers, STD)))
    batched = score(samples)
    loop = [metrics.mode_coverage(s, centers, STD) for s in samples]
    for name in batched:
        expected = jnp.stack([r[name] for r in loop])
        assert batched[name].shape == expected.shape
        np.testing.assert_allclose(batched[name], expected, rtol=1e-6)
    assert len(set(np.asarray(batched["modes"]).tolist())) > 1


def test_vmap_over_std_is_allowed():
    centers = ring_centers()
    samples = centers + jnp.array([[0.0, 0.02]])
    out = jax.vmap(lambda s: metrics.mode_coverage(samples, centers, s))(jnp.array([0.005, 0.01]))
    np.testing.assert_array_equal(out["modes"], [0, 8])


def test_nan_samples_under_jit_count_as_low_quality():
    centers = ring_centers()
    samples = jnp.concatenate([centers[:2], jnp.full((2, 2), jnp.nan)])
    out = jax.jit(metrics.mode_coverage)(samples, centers, STD)
    assert int(out["modes"]) == 2
    assert float(out["high_quality"]) == 0.5


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"samples": jnp.zeros((4,))}, r"samples must be a 2-D array \(n, d\).*shape \(4,\)"),
        ({"samples": jnp.zeros((2, 4, 2))}, r"samples must be a 2-D array.*jax.vmap"),
        ({"centers": jnp.zeros((8,))}, r"centers must be a 2-D array \(K, d\).*shape \(8,\)"),
        ({"samples": jnp.zeros((4, 3))}, "same last dimension"),
        ({"samples": jnp.zeros((0, 2))}, "at least one sample"),
        ({"centers": jnp.zeros((0, 2))}, "at least one mode"),
        ({"std": 0.0}, "std must be a finite number > 0, got 0.0"),
        ({"std": -1.0}, "std must be a finite number > 0"),
        ({"std": float("nan")}, "std must be a finite number > 0"),
        ({"std": jnp.ones(2)}, r"std must be a finite number > 0, got an array of shape \(2,\)"),
        ({"threshold": 0.0}, "threshold must be a finite number > 0"),
        ({"threshold": float("inf")}, "threshold must be a finite number > 0"),
        ({"samples": jnp.array([[jnp.nan, 0.0]])}, "samples must be finite, got 1 NaN/inf"),
        ({"centers": jnp.array([[jnp.inf, 0.0]])}, "centers must be finite"),
    ],
)
def test_mode_coverage_rejects_bad_input(kwargs, match):
    args = {"samples": jnp.zeros((4, 2)), "centers": ring_centers(), "std": STD} | kwargs
    with pytest.raises(ValueError, match=match):
        metrics.mode_coverage(**args)


def test_shape_errors_also_raise_under_jit():
    with pytest.raises(ValueError, match="same last dimension"):
        jax.jit(metrics.mode_coverage)(jnp.zeros((4, 3)), ring_centers(), STD)


def test_nearest_mode_rejects_bad_input():
    with pytest.raises(ValueError, match="centers must be a 2-D array"):
        metrics.nearest_mode(jnp.zeros((4, 2)), jnp.zeros((2,)))
    with pytest.raises(ValueError, match="samples must be finite"):
        metrics.nearest_mode(jnp.array([[jnp.nan, 0.0]]), ring_centers())


def test_numpy_scalars_and_0d_arrays_count_as_numbers():
    key = jax.random.key(3)
    samples = ring_centers()[jax.random.randint(key, (64,), 0, K_RING)]
    samples = samples + 0.02 * jax.random.normal(jax.random.key(4), samples.shape)
    ref = metrics.mode_coverage(samples, ring_centers(), STD, 3.0)
    for std, threshold in [
        (np.float32(STD), np.float64(3.0)),
        (jnp.asarray(STD), jnp.asarray(3.0)),
        (np.asarray(STD), 3),
    ]:
        got = metrics.mode_coverage(samples, ring_centers(), std, threshold)
        np.testing.assert_array_equal(got["counts"], ref["counts"])
    # the threshold matters (so the comparison above could fail): a tighter one counts fewer
    tight = metrics.mode_coverage(samples, ring_centers(), STD, np.float64(0.5))
    assert int(tight["counts"].sum()) < int(ref["counts"].sum())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"std": True}, "std must be a finite number > 0, got True"),
        ({"threshold": np.bool_(True)}, "threshold must be a finite number > 0, got True"),
        ({"threshold": jnp.asarray(True)}, "threshold must be a finite number > 0"),
        ({"threshold": "3"}, "threshold must be a finite number > 0, got '3'"),
    ],
)
def test_bools_are_not_numbers(kwargs, match):
    args = {"samples": jnp.zeros((4, 2)), "centers": ring_centers(), "std": STD} | kwargs
    with pytest.raises(ValueError, match=match):
        metrics.mode_coverage(**args)


def test_shape_error_under_jit_names_the_shape():
    with pytest.raises(ValueError, match=r"samples must be a 2-D array.*shape \(4,\)"):
        jax.jit(metrics.mode_coverage)(jnp.zeros((4,)), ring_centers(), STD)


# --- wrong types: each answered before anything compiles, naming the argument ----------------


class _Mixture:
    """Stands for a ganlab.data mixture: has centres, is not an array."""

    centers = np.zeros((8, 2))

    def __repr__(self):
        return "_Mixture(" + "x" * 5000 + ")"  # a dump of this must never reach a message


_SAMPLES = "samples must be a 2-D array \\(n, d\\) of real numbers"
_CENTERS = "centers must be a 2-D array \\(K, d\\) of real numbers"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"centers": _Mixture()}, _CENTERS + ".*got a _Mixture: pass its .centers$"),
        ({"samples": _Mixture()}, _SAMPLES + ".*got a _Mixture: pass samples drawn with its"),
        ({"samples": [[0.0, 1.0], [2.0]]}, _SAMPLES + ".*got a ragged nested list"),
        ({"samples": {"x": 1}}, _SAMPLES + ".*got a dict$"),
        ({"samples": "abc"}, _SAMPLES + ".*got 'abc'$"),
        ({"samples": None}, _SAMPLES + ".*got None$"),
        ({"centers": [["a", "b"]]}, _CENTERS + ".*got a list of 1 items holding strings$"),
        ({"samples": np.zeros((4, 2), complex)}, _SAMPLES + r".*got an array of shape \(4, 2\) a"),
        ({"samples": np.zeros((4, 2), bool)}, _SAMPLES + ".*dtype bool$"),
        ({"samples": np.full((4, 2), np.inf)}, "samples must be finite, got 8 NaN/inf.*diverged"),
        ({"std": _Mixture()}, "^std must be a finite number > 0, got a _Mixture$"),
        ({"std": {}}, "^std must be a finite number > 0, got a dict$"),
        ({"std": None}, "^std must be a finite number > 0, got None$"),
        ({"std": [0.01]}, r"^std must be a finite number > 0, got a list of 1 items$"),
        ({"threshold": -3}, "^threshold must be a finite number > 0, got -3$"),
    ],
)
def test_wrong_types_name_the_argument_and_the_type(kwargs, match):
    args = {"samples": jnp.zeros((4, 2)), "centers": ring_centers(), "std": STD} | kwargs
    with pytest.raises(ValueError, match=match):
        metrics.mode_coverage(**args)
    if set(kwargs) <= {"samples", "centers"}:
        with pytest.raises(ValueError, match=match):
            metrics.nearest_mode(args["samples"], args["centers"])


def test_checks_run_on_traced_values_under_jit():
    samples = ring_centers()[jnp.array([0, 1, 1])]
    covered = jax.jit(lambda s, std: metrics.mode_coverage(s, ring_centers(), std))(samples, STD)
    assert int(covered["modes"]) == 2  # the traced path computes, so a wrong answer could fail
    # a wrong type closed over by the traced function is still answered by the check
    with pytest.raises(ValueError, match=_CENTERS + ".*got a _Mixture: pass its .centers"):
        jax.jit(lambda s: metrics.mode_coverage(s, _Mixture(), STD))(samples)
    with pytest.raises(ValueError, match=r"^std must be a finite number > 0, got an array of sh"):
        jax.jit(lambda s, std: metrics.mode_coverage(s, ring_centers(), std))(samples, jnp.ones(2))
