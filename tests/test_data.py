"""Tests for ganlab.data: known answers for the samplers, the shipped digits, the IDX reader
and the (offline) full-MNIST loader. No test touches the network."""

import gzip
import hashlib
import math
import shutil
import struct

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats

from ganlab import _shipped, data

KEY = jax.random.key(0)


# --------------------------------------------------------------------------------------------
# Gaussian mixtures: known answers
# --------------------------------------------------------------------------------------------


def test_ring_centres_on_circle_at_right_angles():
    gm = data.ring()
    c = np.asarray(gm.centers)
    assert c.shape == (8, 2) and gm.n_modes == 8 and gm.dim == 2
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 1.0, atol=1e-6)
    angles = np.arctan2(c[:, 1], c[:, 0]) % (2 * np.pi)
    np.testing.assert_allclose(angles, 2 * np.pi * np.arange(8) / 8, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gm.weights), 1 / 8, rtol=1e-6)
    assert gm.std == 0.01 and isinstance(gm.std, float)

    big = data.ring(n_modes=5, radius=2.0, std=0.1)
    np.testing.assert_allclose(np.linalg.norm(np.asarray(big.centers), axis=1), 2.0, atol=1e-6)
    np.testing.assert_allclose(
        np.asarray(big.centers)[1],
        [2 * math.cos(0.4 * math.pi), 2 * math.sin(0.4 * math.pi)],
        atol=1e-6,
    )


def test_grid_has_25_centres_at_the_points():
    gm = data.grid()
    c = np.asarray(gm.centers)
    assert c.shape == (25, 2) and gm.n_modes == 25
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(p) for p in c.tolist()} == expected
    np.testing.assert_allclose(np.asarray(gm.weights).sum(), 1.0, rtol=1e-6)
    assert gm.std == pytest.approx(0.05)


def test_gaussian_1d_moments():
    x = np.asarray(data.gaussian_1d(mean=2.0, std=3.0).sample(KEY, 20_000))
    assert x.shape == (20_000, 1) and x.dtype == np.float32
    assert x.mean() == pytest.approx(2.0, abs=0.1)
    assert x.std() == pytest.approx(3.0, abs=0.1)


def test_mixture_1d_moments_and_weights():
    gm = data.mixture_1d([-2.0, 3.0], [0.5, 1.0], weights=[1.0, 3.0])  # normalized to 1/4, 3/4
    np.testing.assert_allclose(np.asarray(gm.weights), [0.25, 0.75], rtol=1e-6)
    x = np.asarray(gm.sample(KEY, 20_000))[:, 0]
    mean = 0.25 * -2 + 0.75 * 3
    second = 0.25 * (4 + 0.25) + 0.75 * (9 + 1)
    assert x.mean() == pytest.approx(mean, abs=0.05)
    assert x.std() == pytest.approx(math.sqrt(second - mean**2), abs=0.05)
    assert np.mean(x < 0.5) == pytest.approx(0.25, abs=0.02)


def test_ring_sample_moments():
    x = np.asarray(data.ring(std=0.1).sample(KEY, 20_000))
    np.testing.assert_allclose(x.mean(axis=0), [0.0, 0.0], atol=0.03)
    # E|x|^2 = radius^2 + d * std^2
    assert np.mean(np.sum(x**2, axis=1)) == pytest.approx(1.0 + 2 * 0.01, abs=0.02)


def test_log_prob_matches_scipy_1d():
    means, stds, weights = np.array([-1.0, 2.0, 5.0]), np.array([0.5, 1.5, 0.2]), [0.2, 0.5, 0.3]
    gm = data.mixture_1d(means, stds, weights)
    x = np.linspace(-4, 7, 23)
    pdf = sum(
        w * scipy.stats.norm.pdf(x, m, s) for m, s, w in zip(means, stds, weights, strict=True)
    )
    np.testing.assert_allclose(np.asarray(gm.log_prob(x[:, None])), np.log(pdf), rtol=1e-5)


def test_log_prob_matches_scipy_2d_and_is_stable_far_away():
    gm = data.ring(n_modes=3, std=0.3)
    x = np.array([[0.0, 0.0], [1.0, 0.1], [-0.5, 0.8]])
    c = np.asarray(gm.centers, dtype=np.float64)
    pdf = sum(scipy.stats.multivariate_normal.pdf(x, ci, 0.09 * np.eye(2)) / 3 for ci in c)
    np.testing.assert_allclose(np.asarray(gm.log_prob(x)), np.log(pdf), rtol=1e-5)
    # far from every mode the density underflows, but its log must not
    far = np.asarray(data.ring().log_prob(np.array([[100.0, 0.0]])))
    assert np.all(np.isfinite(far)) and far[0] < -1e7


def test_std_raises_when_stds_differ():
    with pytest.raises(ValueError, match="share one std"):
        _ = data.mixture_1d([0.0, 1.0], [0.1, 0.2]).std


# --------------------------------------------------------------------------------------------
# All samplers: determinism, jit, vmap
# --------------------------------------------------------------------------------------------

SAMPLERS = {
    "gaussian_1d": data.gaussian_1d,
    "ring": data.ring,
    "grid": data.grid,
    "moons": data.moons,
    "spiral": data.spiral,
    "array": lambda: data.from_array(np.arange(20.0, dtype=np.float32).reshape(10, 2)),
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_sampler_deterministic_per_key_and_jits(name):
    s = SAMPLERS[name]()
    a, b = s.sample(KEY, 64), s.sample(KEY, 64)
    assert a.shape == (64, *np.atleast_1d(s.dim)) and a.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(s.sample(jax.random.key(1), 64)))
    jitted = jax.jit(lambda sampler, key: sampler.sample(key, 64))(s, KEY)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(a), atol=1e-5)


def test_shapes_stay_in_range():
    for s in (data.moons(), data.spiral()):
        x = np.asarray(s.sample(KEY, 20_000))
        assert np.all(np.abs(x) < 2.3), s
        assert np.abs(x).max() > 1.5, s
    clean = np.asarray(data.moons(noise=0.0).sample(KEY, 20_000))
    assert clean[:, 0].min() >= -2.0 - 1e-5 and clean[:, 0].max() <= 2.0 + 1e-5


def test_sampler_is_a_jit_argument_not_a_constant():
    traces = []

    @jax.jit
    def step(sampler, key):
        traces.append(1)
        return sampler.sample(key, 16)

    a = step(data.ring(radius=1.0), KEY)
    b = step(data.ring(radius=3.0), KEY)  # same structure: no retrace, yet the new centres
    assert len(traces) == 1
    np.testing.assert_allclose(
        np.asarray(b), np.asarray(data.ring(radius=3.0).sample(KEY, 16)), atol=1e-5
    )
    assert np.linalg.norm(np.asarray(b), axis=1).mean() == pytest.approx(3.0, abs=0.05)
    assert np.linalg.norm(np.asarray(a), axis=1).mean() == pytest.approx(1.0, abs=0.05)

    ds1 = data.from_array(np.zeros((5, 3), np.float32))
    ds2 = data.from_array(np.ones((5, 3), np.float32))
    np.testing.assert_array_equal(np.asarray(step(ds2, KEY)), 1.0)
    np.testing.assert_array_equal(np.asarray(step(ds1, KEY)), 0.0)
    assert len(traces) == 2


def test_vmap_over_stacked_mixtures():
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), data.ring(radius=1.0), data.ring(radius=2.0))
    x = jax.vmap(lambda gm, key: gm.sample(key, 500))(stacked, jax.random.split(KEY, 2))
    assert x.shape == (2, 500, 2)
    radii = np.linalg.norm(np.asarray(x), axis=-1).mean(axis=1)
    np.testing.assert_allclose(radii, [1.0, 2.0], atol=0.01)


def test_array_dataset_uniform_with_replacement():
    rows = np.arange(10, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)  # (10, 3)
    ds = data.from_array(rows)
    assert len(ds) == 10 and ds.dim == (3,)
    x = np.asarray(ds.sample(KEY, 10_000))
    assert x.shape == (10_000, 3)
    np.testing.assert_array_equal(x[:, 0], x[:, 2])  # whole rows
    counts = np.bincount(x[:, 0].astype(int), minlength=10)
    assert counts.min() > 850 and counts.max() < 1150
    assert data.from_array(np.zeros((4, 28, 28, 1))).dim == (28, 28, 1)


# --------------------------------------------------------------------------------------------
# The shipped MNIST digits and sklearn's digits
# --------------------------------------------------------------------------------------------


def test_mnist_shapes_range_splits_and_balance():
    x_all, y_all = data.mnist("all")
    x_tr, y_tr = data.mnist("train")
    x_te, y_te = data.mnist()
    x_te, y_te = data.mnist("test")
    assert x_all.shape == (10_000, 28, 28, 1) and x_tr.shape == (9_000, 28, 28, 1)
    assert x_te.shape == (1_000, 28, 28, 1) and y_te.shape == (1_000,)
    assert x_all.dtype == np.float32 and y_all.dtype == np.int32
    assert x_all.min() == -1.0 and x_all.max() == 1.0
    all_counts = np.bincount(y_all, minlength=10)
    assert all_counts.tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    # i % 10 == 0 on class-ordered data: a tenth of each class, to within one
    test_counts = np.bincount(y_te, minlength=10)
    assert np.all(np.abs(test_counts - all_counts / 10) <= 1)
    assert np.all(np.bincount(y_tr, minlength=10) + test_counts == all_counts)
    np.testing.assert_array_equal(x_te, x_all[::10])
    np.testing.assert_array_equal(y_tr, np.delete(y_all, np.s_[::10]))


def test_mnist_is_cached_and_returns_fresh_arrays():
    x1, y1 = data.mnist("test")
    hits = data.images._load_mnist10k.cache_info().hits
    x1[:] = 0.5
    y1[:] = 7
    x2, y2 = data.mnist("test")
    assert data.images._load_mnist10k.cache_info().hits == hits + 1
    assert x2.min() == -1.0 and set(np.unique(y2)) == set(range(10))


def test_the_shipped_digits_are_the_published_ones():
    # The file's bytes are checked on load (tests/test_shipped_files.py); this checks what
    # they hold against the hash of the arrays published in MNIST10K.md.
    images, labels = data.images._load_mnist10k()
    digest = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    assert digest == data.MNIST10K_SHA256
    bad = images.copy()
    bad[123, 14, 14] ^= 1  # one bit of one pixel: a different digest
    assert hashlib.sha256(bad.tobytes() + labels.tobytes()).hexdigest() != digest


def test_mnist10k_hash_constant_matches_attribution_file():
    md = (_shipped._data_dir() / "MNIST10K.md").read_text()
    assert data.MNIST10K_SHA256 in md and "CC BY-SA 3.0" in md


def test_digits_shapes_range_and_split():
    x, y = data.digits("all")
    assert x.shape == (1797, 8, 8, 1) and x.dtype == np.float32 and y.dtype == np.int32
    assert x.min() == -1.0 and x.max() == 1.0
    x_tr, _ = data.digits()
    x_te, y_te = data.digits("test")
    assert x_tr.shape == (1437, 8, 8, 1) and x_te.shape == (360, 8, 8, 1)
    np.testing.assert_array_equal(x_te, x[::5])
    np.testing.assert_array_equal(y_te, y[::5])


# --------------------------------------------------------------------------------------------
# IDX files and the full MNIST, offline
# --------------------------------------------------------------------------------------------


def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def tiny_mnist(tmp_path):
    """Four images and labels as train-*-ubyte.gz files in tmp_path/src, with their hashes."""
    rng = np.random.default_rng(0)  # fixture data only; samplers never use np.random
    images = rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1], dtype=np.uint8)
    src = tmp_path / "src"
    src.mkdir()
    checksums = {}
    for name, array in (
        ("train-images-idx3-ubyte.gz", images),
        ("train-labels-idx1-ubyte.gz", labels),
    ):
        blob = gzip.compress(_idx_bytes(array))
        (src / name).write_bytes(blob)
        checksums[name] = hashlib.sha256(blob).hexdigest()
    return src, images, labels, checksums


def test_read_idx_raw_and_gzipped(tmp_path, tiny_mnist):
    _, images, labels, _ = tiny_mnist
    raw = tmp_path / "images-idx3-ubyte"
    raw.write_bytes(_idx_bytes(images))
    gz = tmp_path / "images-idx3-ubyte.gz"
    gz.write_bytes(gzip.compress(_idx_bytes(images)))
    for path in (raw, gz):
        out = data.read_idx(path)
        assert out.dtype == np.uint8 and out.shape == (4, 28, 28)
        np.testing.assert_array_equal(out, images)
    floats = np.array([[1.5, -2.0]], dtype=">f4")
    fpath = tmp_path / "floats-idx"
    fpath.write_bytes(bytes([0, 0, 0x0D, 2]) + struct.pack(">2I", 1, 2) + floats.tobytes())
    np.testing.assert_array_equal(data.read_idx(fpath), [[1.5, -2.0]])


@pytest.mark.parametrize(
    ("blob", "match"),
    [
        (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "two zero bytes"),
        (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "type code 0x07"),
        (b"\x00\x00\x08\x00", "at least 1"),
        (b"\x00\x00\x08\x03" + struct.pack(">I", 1), "truncated"),
        (b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x00\x00", "holds 2"),
        (b"", "empty file"),
    ],
)
def test_read_idx_rejects_bad_files(tmp_path, blob, match):
    path = tmp_path / "bad-idx"
    path.write_bytes(blob)
    with pytest.raises(ValueError, match=match):
        data.read_idx(path)


def test_mnist_full_offline_end_to_end(tmp_path, tiny_mnist):
    src, images, labels, checksums = tiny_mnist
    cache = tmp_path / "cache"
    x, y = data.mnist_full(
        "train", cache_dir=cache, base_url=src.as_uri() + "/", checksums=checksums
    )
    assert x.shape == (4, 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_allclose(x[..., 0], images / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(y, labels)
    assert sorted(p.name for p in cache.iterdir()) == sorted(checksums)
    # now cached: no source needed
    shutil.rmtree(src)
    x2, _ = data.mnist_full("train", cache_dir=cache, download=False, checksums=checksums)
    np.testing.assert_array_equal(x2, x)


def test_mnist_full_wrong_checksum_deletes_and_raises(tmp_path, tiny_mnist):
    src, _, _, checksums = tiny_mnist
    cache = tmp_path / "cache"
    wrong = {**checksums, "train-images-idx3-ubyte.gz": "0" * 64}
    with pytest.raises(ValueError, match="expected 0000"):
        data.mnist_full("train", cache_dir=cache, base_url=src.as_uri(), checksums=wrong)
    assert not (cache / "train-images-idx3-ubyte.gz").exists()


def test_mnist_full_missing_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_CACHE", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="download=False"):
        data.mnist_full("test", download=False)
    assert data.images._default_cache_dir() == tmp_path / "mnist"


def test_mnist_sha256_table():
    assert set(data.MNIST_SHA256) == {
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    }
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in data.MNIST_SHA256.values())
    assert data.MNIST_URL.startswith("https://")


# --------------------------------------------------------------------------------------------
# Bad input: ValueError naming the argument, the value and what is allowed
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.ring(n_modes=0), "n_modes must be an integer >= 1, got 0"),
        (lambda: data.ring(n_modes=2.5), "n_modes must be an integer >= 1, got 2.5"),
        (lambda: data.ring(std=0.0), "std must be a finite number > 0, got 0.0"),
        (lambda: data.ring(radius=-1), "radius must be a finite number > 0, got -1"),
        (lambda: data.gaussian_1d(std=-1.0), "std must be a finite number > 0, got -1.0"),
        (lambda: data.gaussian_1d(mean=float("nan")), "mean must be a finite"),
        (lambda: data.grid(std=float("inf")), "std must be a finite number > 0, got inf"),
        (lambda: data.grid(points=()), "points must be a non-empty"),
        (lambda: data.grid(points=(0, 0, 1)), r"points must be .*distinct.*, got \(0, 0, 1\)"),
        (
            lambda: data.mixture_1d([0.0, 1.0], [0.1, 0.2, 0.3]),
            r"stds must be finite numbers > 0, one per mode \(2\).*got \[0.1, 0.2, 0.3\]",
        ),
        (
            lambda: data.mixture_1d([0.0, 1.0], 0.1, [0.5]),
            r"weights must be finite numbers > 0, one per mode \(2\).*got \[0.5\]",
        ),
        (
            lambda: data.mixture_1d([0.0, 1.0], 0.1, [0.5, 0.0]),
            r"weights must be .* > 0.*weight 0\), got \[0.5, 0.0\]",
        ),
        (
            lambda: data.mixture_1d([0.0, 1.0], 0.1, [1.5, -0.5]),
            r"weights must be .* > 0.*got \[1.5, -0.5\]",
        ),
        (
            lambda: data.mixture_1d([0.0, 1.0], [0.1, 0.0]),
            r"stds must be finite numbers > 0, one per mode \(2\).*got \[0.1, 0.0\]",
        ),
        (lambda: data.mixture_1d([], 0.1), "means must be a non-empty"),
        (lambda: data.mixture([0.0, 1.0], 0.1), r"centers must be a non-empty 2-D"),
        (lambda: data.moons(noise=-0.1), "noise must be a finite number >= 0, got -0.1"),
        (lambda: data.spiral(turns=0), "turns must be a finite number > 0, got 0"),
        (lambda: data.from_array(np.array([[1.0, np.nan]])), "x must be finite, got 1 NaN"),
        (lambda: data.from_array(np.zeros((3, 2), np.uint8)), "x must be a float array"),
        (lambda: data.from_array(np.zeros(3)), r"at least 2-D \(N, \.\.\.\), got shape \(3,\)"),
        (lambda: data.from_array(np.zeros((0, 2))), "at least one row"),
        (lambda: data.ring().sample(KEY, 0), "n must be an integer >= 1, got 0"),
        (lambda: data.moons().sample(KEY, -3), r"got -3"),
        (lambda: data.from_array(np.zeros((3, 2))).sample(KEY, 2.0), r"got 2\.0"),
        (lambda: data.ring().log_prob(np.zeros((4, 3))), r"shape \(n, 2\).*\(4, 3\)"),
        (
            lambda: data.mnist(split="val"),
            r"split must be one of \['all', 'test', 'train'\], got 'val'",
        ),
        (lambda: data.digits(split="validation"), "split must be one of"),
        (lambda: data.mnist_full(split="val", download=False), "split must be one of"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_mixture_1d_arrays_gives_float64_parts_and_rejects_other_inputs():
    means, stds, weights = data.mixture_1d_arrays(data.mixture_1d([0.0, 2.0], [1.0, 0.5], [1, 3]))
    assert means.dtype == stds.dtype == weights.dtype == np.float64
    np.testing.assert_allclose(means, [0.0, 2.0])
    np.testing.assert_allclose(stds, [1.0, 0.5])
    np.testing.assert_allclose(weights, [0.25, 0.75])
    with pytest.raises(ValueError, match="q must be a 1-D Gaussian mixture"):
        data.mixture_1d_arrays(np.zeros(3), "q")
    with pytest.raises(ValueError, match=r"p must be a 1-D mixture \(centers of shape \(K, 1\)\)"):
        data.mixture_1d_arrays(data.ring(), "p")


def test_numpy_scalars_count_as_numbers():
    ref = data.ring(n_modes=8, radius=1.0, std=0.05)
    got = data.ring(n_modes=np.int64(8), radius=np.float32(1.0), std=np.float32(0.05))
    np.testing.assert_array_equal(got.centers, ref.centers)
    np.testing.assert_array_equal(got.stds, ref.stds)
    assert got.std == 0.05
    g = data.gaussian_1d(np.float64(0.5), np.float32(2.0))
    assert float(g.centers[0, 0]) == 0.5 and float(g.stds[0]) == 2.0
    np.testing.assert_array_equal(data.mixture([[1.0, 2.0]], np.float64(0.5)).stds, [0.5])
    np.testing.assert_array_equal(data.grid(std=np.float32(0.05)).stds, data.grid().stds)
    # a static field of the pytree: a plain float, so jit caches on its value
    assert type(data.moons(noise=np.float32(0.25)).noise) is float
    assert data.spiral(turns=np.int64(3)).turns == 3.0
    assert data.ring().sample(KEY, np.int32(5)).shape == (5, 2)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.ring(std=True), "std must be a finite number > 0, got True"),
        (lambda: data.ring(n_modes=True), "n_modes must be an integer >= 1, got True"),
        (lambda: data.gaussian_1d(mean=False), "mean must be a finite number, got False"),
        (lambda: data.moons(noise=np.bool_(True)), "noise must be a finite number >= 0, got True"),
        (lambda: data.ring().sample(KEY, True), "n must be an integer >= 1, got True"),
        (
            lambda: data.mixture([[0.0]], True),
            r"stds must be finite numbers > 0, one per mode \(1\), or one number, got True",
        ),
        (
            lambda: data.mixture([[0.0], [1.0]], 0.1, [True, True]),
            r"weights must be finite numbers > 0, one per mode \(2\)",
        ),
        (lambda: data.mixture([[True, False]], 0.1), "centers must be a non-empty 2-D array"),
        (lambda: data.mnist_full(download="yes"), "download must be True or False, got 'yes'"),
    ],
)
def test_bools_are_not_numbers(call, match):
    with pytest.raises(ValueError, match=match):
        call()


SAMPLER_MAKERS = {
    "mixture": data.ring,
    "shape": data.moons,
    "array": lambda: data.from_array(np.zeros((3, 2), np.float32)),
}
NOT_A_KEY = "key must be a JAX random key"


@pytest.mark.parametrize("kind", SAMPLER_MAKERS)
@pytest.mark.parametrize(
    ("key", "match"),
    [
        (0, r"key must be a JAX random key, got the integer 0 \(a seed\).*jax\.random\.key\(0\)"),
        (np.int64(3), r"got the integer 3 \(a seed\); make a key of it with jax\.random\.key\(3\)"),
        (None, f"{NOT_A_KEY} .*, got None"),
        ("key", f"{NOT_A_KEY} .*, got 'key'"),
        ({}, f"{NOT_A_KEY} .*, got {{}}"),
        ([0, 0], rf"{NOT_A_KEY} .*, got \[0, 0\]"),
        (True, f"{NOT_A_KEY} .*, got True"),
        (float("nan"), f"{NOT_A_KEY} .*, got nan"),
        (np.zeros(2, np.float32), rf"{NOT_A_KEY} .*, got an array of shape \(2,\)"),
    ],
)
def test_sample_wants_a_key_not_a_seed(kind, key, match):
    with pytest.raises(ValueError, match=match):
        SAMPLER_MAKERS[kind]().sample(key, 4)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: data.ring().log_prob({}),
            r"x must be an array \(n, 2\) of finite numbers, got {}",
        ),
        (lambda: data.ring().log_prob("xy"), r"x must be an array \(n, 2\).*, got 'xy'"),
        (lambda: data.ring().log_prob(None), r"x must be an array \(n, 2\).*, got None"),
        (lambda: data.ring().log_prob([[0.0, 1.0], [2.0]]), r"x must be an array \(n, 2\)"),
        (lambda: data.ring().log_prob(np.full((3, 2), np.nan)), "x must be finite, got 6 NaN"),
        (lambda: data.ring().log_prob(np.zeros(2)), r"x must have shape \(n, 2\).*got \(2,\)"),
        (lambda: data.ring(n_modes=None), "n_modes must be an integer >= 1, got None"),
        (lambda: data.ring(radius="1"), "radius must be a finite number > 0, got '1'"),
        (lambda: data.grid(points={}), "points must be a non-empty 1-D sequence.*, got {}"),
        (lambda: data.mixture("ab", 0.1), "centers must be a non-empty 2-D array.*, got 'ab'"),
        (lambda: data.from_array(None), "x must be a float array, got dtype object"),
        (lambda: data.ring().sample(KEY, None), "n must be an integer >= 1, got None"),
        (lambda: data.ring().sample(KEY, "4"), "n must be an integer >= 1, got '4'"),
        (lambda: data.read_idx(None), r"path must be a file path \(a non-empty str or os"),
        (lambda: data.read_idx(3), r"path must be a file path .*, got 3"),
        (lambda: data.read_idx("/"), r"path must be a readable IDX file, got /"),
        (lambda: data.mnist_full(cache_dir=0), "cache_dir must be a file path .*, got 0"),
        (lambda: data.mnist_full(base_url=None), "base_url must be a URL string.*, got None"),
        (lambda: data.mnist_full(checksums=[]), r"checksums must be None or a dict .*, got \[\]"),
        (
            lambda: data.mnist_full(checksums={"train.gz": "0" * 64}),
            r"checksums must be None or a dict \{file name: SHA-256 hex string\}",
        ),
    ],
)
def test_wrong_types_raise_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_missing_idx_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path must be an IDX file, got .*nope"):
        data.read_idx(tmp_path / "nope")


def test_a_failed_download_names_the_url_and_leaves_no_partial_file(tmp_path):
    with pytest.raises(OSError, match=r"could not download file:.*missing/t10k-images"):
        data.mnist_full("test", cache_dir=tmp_path, base_url=(tmp_path / "missing").as_uri())
    assert list(tmp_path.iterdir()) == []
