"""ganlab.evaluator: the two frozen digit classifiers lesson 5 computes its metrics with.

The shipped weights are checked as files (small, plain npz, hash-verified), as classifiers
(held-out accuracy, computed here), and for what lesson 5 relies on (features that separate the
classes, softmax confidence that drops on noise). Retraining them in full
(``python scripts/train_evaluators.py --check``, a few minutes) is too slow for CI; the last
test runs the script's training function for a few steps twice instead.
"""

import importlib.util
import pathlib

import jax
import numpy as np
import pytest

import ganlab
from ganlab import _shipped, data, evaluator

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOADERS = {"mnist": data.mnist, "digits": data.digits}


@pytest.fixture(scope="module")
def test_sets():
    return {name: LOADERS[name]("test") for name in evaluator.NAMES}


def _shipped_arrays(name):
    file = f"evaluator_{name}.npz"
    return _shipped.shipped_npz(file), len(_shipped.shipped_bytes(file))


# --- the files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", evaluator.NAMES)
def test_shipped_weights_are_small_plain_float32_npz_with_the_published_hash(name):
    arrays, size = _shipped_arrays(name)
    assert size < 1_000_000
    assert all(a.dtype == np.float32 for a in arrays.values())
    assert sum(a.nbytes for a in arrays.values()) < 1_000_000
    assert evaluator.weights_sha256(arrays) == evaluator.WEIGHTS_SHA256[name]
    net = evaluator.load(name)
    assert net is evaluator.load(name)  # cached
    assert net.name == name
    assert net.image_shape == LOADERS[name]("test")[0].shape[1:]
    assert net.feature_dim == {"mnist": 128, "digits": 64}[name]


def test_evaluator_is_in_the_flat_namespace():
    assert "evaluator" in ganlab.__all__ and ganlab.evaluator is evaluator


def test_other_weights_are_refused_by_from_arrays_naming_the_parameter():
    arrays, _ = _shipped_arrays("digits")
    assert evaluator.from_arrays("digits", arrays).feature_dim == 64  # the shipped ones load
    nan = {**arrays, "out/bias": np.full_like(arrays["out/bias"], np.nan)}
    with pytest.raises(ValueError, match=r"arrays\['out/bias'\] must be finite, got 10 NaN"):
        evaluator.from_arrays("digits", nan)
    with pytest.raises(ValueError, match=r"do not fit the 'mnist' network: got \['conv1/bias'"):
        evaluator.from_arrays("mnist", arrays)
    # (damaged shipped files: tests/test_shipped_files.py)


def test_save_npz_writes_the_same_bytes_every_time(tmp_path):
    arrays, _ = _shipped_arrays("digits")
    evaluator.save_npz(tmp_path / "a.npz", arrays)
    evaluator.save_npz(tmp_path / "b.npz", arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


# --- the classifiers ------------------------------------------------------------------------


@pytest.mark.parametrize("name, minimum", [("mnist", 0.98), ("digits", 0.97)])
def test_held_out_accuracy(name, minimum, test_sets):
    images, labels = test_sets[name]
    accuracy = evaluator.load(name).accuracy(images, labels)
    assert accuracy >= minimum, f"{name}: {accuracy:.4f} on the test split"


@pytest.mark.parametrize("name", evaluator.NAMES)
def test_outputs_have_the_documented_shapes_and_are_consistent(name, test_sets):
    net = evaluator.load(name)
    images = test_sets[name][0][:50]
    f = net.features(images)
    z = net.logits(images)
    p = net.probs(images)
    assert f.shape == (50, net.feature_dim) and f.dtype == np.float32
    assert z.shape == (50, 10) and z.dtype == np.float32
    assert p.shape == (50, 10) and p.dtype == np.float32
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(net.predict(images), np.argmax(p, axis=1))
    assert np.issubdtype(net.predict(images).dtype, np.integer)
    # every feature varies over real images: no dead unit, full-rank covariance for FID
    assert np.all(net.features(test_sets[name][0]).std(axis=0) > 1e-3)


@pytest.mark.parametrize("name", evaluator.NAMES)
def test_outputs_are_deterministic_and_independent_of_batching(name, test_sets):
    net = evaluator.load(name)
    images = test_sets[name][0][:130]
    f = net.features(images, batch_size=64)  # 64 + 64 + a padded batch of 2
    np.testing.assert_array_equal(f, net.features(images, batch_size=64))
    np.testing.assert_allclose(net.features(images, batch_size=500), f, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net.features(images, batch_size=1)[:3], f[:3], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(net.features(images[..., 0], batch_size=64), f)  # (N, H, W)


@pytest.mark.parametrize("name, minimum", [("mnist", 0.95), ("digits", 0.95)])
def test_features_separate_the_classes(name, minimum, test_sets):
    """A nearest-class-mean classifier on the features (means from the train split) is almost
    as good as the network: the feature space is organised by digit, which FID relies on."""
    net = evaluator.load(name)
    train_images, train_labels = LOADERS[name]("train")
    train_f = net.features(train_images)
    means = np.stack([train_f[train_labels == c].mean(axis=0) for c in range(10)])  # (10, F)
    images, labels = test_sets[name]
    f = net.features(images)
    d2 = ((f[:, None, :] - means[None, :, :]) ** 2).sum(axis=-1)  # (N, 10)
    assert np.mean(np.argmin(d2, axis=1) == labels) >= minimum


def _inception_score(p):
    """exp E_x KL(p(y|x) || p(y)), written out here so this test needs nothing else."""
    p = p.astype(np.float64) + 1e-12
    return float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(p.mean(axis=0))), axis=1))))


@pytest.mark.parametrize("name", evaluator.NAMES)
def test_noise_lowers_the_softmax_confidence_and_the_inception_score(name, test_sets):
    """The Inception Score's premise: a clear digit gets a confident prediction, a noisy one a
    less confident one, and heavy noise drives the score down. (Under heavy noise the mnist
    network is *confidently wrong*: nearly every image becomes an 8 with max probability
    above 0.9, so the score falls through p(y) collapsing, not through lower confidence.)"""
    net = evaluator.load(name)
    images = test_sets[name][0]
    noise = np.asarray(jax.random.normal(jax.random.key(0), images.shape))
    clean = net.probs(images)
    noisy = net.probs(np.clip(images + 0.5 * noise, -1.0, 1.0))
    heavy = net.probs(np.clip(images + 1.0 * noise, -1.0, 1.0))
    assert clean.max(axis=1).mean() > 0.97
    assert noisy.max(axis=1).mean() < clean.max(axis=1).mean() - 0.04
    assert _inception_score(clean) > 9.0  # close to the 10 classes
    assert _inception_score(heavy) < 0.5 * _inception_score(clean)


# --- bad input ------------------------------------------------------------------------------


def _digits8():
    return data.digits("test")[0][:5]


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: evaluator.load("cifar"),
            r"name must be one of \['digits', 'mnist'\], got 'cifar'",
        ),
        (lambda: evaluator.load(["mnist"]), "name must be one of"),
        (
            lambda: evaluator.load("mnist").features(_digits8()),
            r"images must have shape \(N, 28, 28, 1\).*got shape \(5, 8, 8, 1\).*'digits'",
        ),
        (lambda: evaluator.load("digits").probs(np.zeros((3, 64))), r"images.*\(3, 64\)"),
        (lambda: evaluator.load("digits").logits(np.zeros((0, 8, 8, 1))), "at least one"),
        (
            lambda: evaluator.load("digits").features(np.full((2, 8, 8, 1), np.nan)),
            "images must be finite",
        ),
        (
            lambda: evaluator.load("digits").features((_digits8() + 1) * 127.5),
            r"images must be scaled like ganlab.data, to \[-1, 1\]",
        ),
        (lambda: evaluator.load("digits").features(_digits8() > 0), "dtype bool"),
        (lambda: evaluator.load("digits").features(_digits8(), batch_size=0), "batch_size"),
        (lambda: evaluator.load("digits").features(_digits8(), batch_size=2.5), "batch_size"),
        (
            lambda: evaluator.load("digits").accuracy(_digits8(), np.zeros(4, int)),
            r"labels must be integers of shape \(5,\)",
        ),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: evaluator.load(None), r"name must be one of \['digits', 'mnist'\], got None"),
        (lambda: evaluator.build("digits", seed="0"), "seed must be an integer, got '0'"),
        (lambda: evaluator.build("digits", seed=None), "seed must be an integer, got None"),
        (lambda: evaluator.build("digits", seed=1.5), "seed must be an integer, got 1.5"),
        (lambda: evaluator.build("digits", conv=3), "conv must be a callable .*, got 3"),
        (lambda: evaluator.load("digits").features({}), "images must be a real float array"),
        (lambda: evaluator.load("digits").features(None), "images must be a real float array"),
        (lambda: evaluator.load("digits").features("x"), "images must be a real float array"),
        (lambda: evaluator.load("digits").features(_digits8(), None), "batch_size must be an"),
        (lambda: evaluator.load("digits").features(_digits8(), True), "batch_size must be an"),
        (lambda: evaluator.load("digits").predict(np.zeros((3, 28, 28))), r"\(N, 8, 8, 1\)"),
        (lambda: evaluator.load("digits").accuracy(_digits8(), None), "labels must be integers"),
        (lambda: evaluator.load("digits").accuracy(_digits8(), [0.0] * 5), "labels must be"),
        (lambda: evaluator.param_arrays({}), r"model must be a Flax NNX module.*, got {}"),
        (lambda: evaluator.param_arrays("net"), r"model must be a Flax NNX module.*, got 'net'"),
        (lambda: evaluator.weights_sha256(["a"]), r"arrays must be a dict of parameter names"),
        (lambda: evaluator.weights_sha256({"a": "x"}), r"arrays\['a'\] must be a numeric array"),
        (lambda: evaluator.weights_sha256({1: np.zeros(2)}), r"arrays\[1\] must be a numeric"),
        (lambda: evaluator.from_arrays("digits", None), "arrays must be a dict of parameter"),
        (lambda: evaluator.from_arrays("digits", {"a": np.zeros(2)}), "do not fit the 'digits'"),
        (lambda: evaluator.save_npz(None, {}), r"path must be a file path .*, got None"),
        (lambda: evaluator.save_npz("w.npz", {"a": [{}]}), r"arrays\['a'\] must be a numeric"),
        (lambda: evaluator.Evaluator("digits", None), r"model must be a DigitsNet .*, got None"),
        (
            lambda: evaluator.Evaluator("digits", evaluator.build("mnist")),
            r"model must be a DigitsNet \(evaluator.build\), got a MNISTNet",
        ),
    ],
)
def test_wrong_types_raise_a_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_save_npz_refuses_a_folder_and_keeps_an_old_file_when_a_write_fails(tmp_path):
    with pytest.raises(ValueError, match=r"path must be a file to write, got the folder"):
        evaluator.save_npz(tmp_path, {"a": np.zeros(2)})
    good = tmp_path / "w.npz"
    evaluator.save_npz(good, {"a": np.arange(3.0)})
    before = good.read_bytes()
    with pytest.raises(ValueError, match="Object arrays cannot be saved"):  # numpy's own, mid-write
        _shipped.write_npz(good, {"a": np.ones(2), "b": np.array([{}], dtype=object)})
    assert good.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]


def test_images_scaled_to_0_1_get_a_warning():
    x = (_digits8() + 1) / 2  # [0, 1]: inside the accepted range, but probably a mistake
    with pytest.warns(UserWarning, match=r"\[0, 1\]"):
        evaluator.load("digits").features(x)


# --- the training script --------------------------------------------------------------------


def _training_script():
    path = ROOT / "scripts" / "train_evaluators.py"
    spec = importlib.util.spec_from_file_location("train_evaluators", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_is_reproducible_from_its_seed():
    """Six steps of the script's own training function, twice: the weights must be identical
    (the shipped files come from the full run, checked by ``--check``)."""
    script = _training_script()
    images, labels = data.digits("train")
    hp = {**script.HPARAMS["digits"], "batch_size": 32}

    def run(seed):
        model = script.train("digits", images, labels, **{**hp, "seed": seed}, max_steps=6,
                             log=lambda line: None)  # fmt: skip
        return evaluator.param_arrays(model)

    first, second, other = run(0), run(0), run(1)
    init = evaluator.param_arrays(evaluator.build("digits", seed=0))
    assert evaluator.weights_sha256(first) == evaluator.weights_sha256(second)
    assert evaluator.weights_sha256(first) != evaluator.weights_sha256(other)
    assert evaluator.weights_sha256(first) != evaluator.weights_sha256(init)  # it did train


def test_features_and_probs_is_one_pass_with_the_same_results():
    ev = evaluator.load("digits")
    images, _ = data.digits("test")
    feats, probs = ev.features_and_probs(images[:37], batch_size=16)
    np.testing.assert_array_equal(feats, ev.features(images[:37], batch_size=16))
    np.testing.assert_array_equal(probs, ev.probs(images[:37], batch_size=16))
