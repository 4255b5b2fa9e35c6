"""The files shipped in ganlab/_data: each one a loader reads is in ``_shipped.MANIFEST`` with
the SHA-256 of its bytes, and a damaged copy (truncated, one byte altered, missing) is refused
by its loader before it is parsed, with an error naming the file and how to repair the install.

Each damage test copies the shipped files into a temporary folder, damages one, points the
package at the folder, and calls the public loader."""

import hashlib
import pathlib
import shutil

import jax
import numpy as np
import pytest

from ganlab import _shipped, data, evaluator, models

DATA = pathlib.Path(_shipped.__file__).parent / "_data"

LOADERS = {
    "mnist10k.npz": lambda: data.mnist("test"),
    "evaluator_mnist.npz": lambda: evaluator.load("mnist"),
    "evaluator_digits.npz": lambda: evaluator.load("digits"),
    "dcgan_mnist_generator.npz": models.pretrained_mnist_generator,
    "conditional_mnist_generator.npz": models.pretrained_conditional_mnist_generator,
}
REPAIR = r"pip install --force-reinstall ganlab\).*git checkout -- ganlab/_data"


def _clear_caches():
    data.images._load_mnist10k.cache_clear()
    evaluator._load_shipped.cache_clear()


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """The shipped files copied to ``tmp_path``, which the loaders now read."""
    for name in _shipped.MANIFEST:
        shutil.copyfile(DATA / name, tmp_path / name)
    monkeypatch.setattr(_shipped, "_data_dir", lambda: tmp_path)
    _clear_caches()
    yield tmp_path
    _clear_caches()


def test_the_manifest_lists_every_shipped_file_a_loader_reads_with_its_hash():
    assert set(LOADERS) == set(_shipped.MANIFEST)
    # Every shipped file is in the manifest except the provenance notes (read by people) and
    # the benchmark tables (ganlab.course reads them; they change when a benchmark is rerun).
    shipped = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file()}
    unlisted = {p for p in shipped - set(_shipped.MANIFEST) if not p.endswith(".md")}
    assert all(p.startswith("results/") for p in unlisted), unlisted
    for name, digest in _shipped.MANIFEST.items():
        got = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert got == digest, (
            f"{name}: if it was rebuilt on purpose, set MANIFEST[{name!r}] = {got!r}"
        )


@pytest.mark.parametrize("name", LOADERS)
def test_an_intact_copy_loads(copy, name):
    assert LOADERS[name]() is not None


@pytest.mark.parametrize("name", LOADERS)
def test_a_truncated_file_is_refused_naming_it_and_the_repair(copy, name):
    raw = (copy / name).read_bytes()
    (copy / name).write_bytes(raw[: len(raw) // 2])
    with pytest.raises(
        ValueError, match=rf"ganlab/_data/{name} is damaged: its SHA-256 .*{REPAIR}"
    ):
        LOADERS[name]()


@pytest.mark.parametrize("name", LOADERS)
def test_one_altered_byte_is_refused(copy, name):
    raw = bytearray((copy / name).read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (copy / name).write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=rf"ganlab/_data/{name} is damaged.*{REPAIR}"):
        LOADERS[name]()


@pytest.mark.parametrize("name", LOADERS)
def test_a_missing_file_is_refused(copy, name):
    (copy / name).unlink()
    with pytest.raises(ValueError, match=rf"ganlab/_data/{name} cannot be read .*{REPAIR}"):
        LOADERS[name]()


def test_weights_that_parse_but_hold_nan_are_refused_by_the_hash_and_by_the_loader(
    copy, monkeypatch
):
    # Altered numbers in a file that still parses (today's NaN samples): the hash refuses
    # them; were the manifest to agree, load_weights' finiteness check would still refuse them.
    name = "dcgan_mnist_generator.npz"
    arrays = _shipped.shipped_npz(name)
    _shipped.write_npz(copy / name, {k: np.full_like(v, np.nan) for k, v in arrays.items()})
    with pytest.raises(ValueError, match=f"{name} is damaged"):
        models.pretrained_mnist_generator()
    digest = hashlib.sha256((copy / name).read_bytes()).hexdigest()
    monkeypatch.setitem(_shipped.MANIFEST, name, digest)
    # load_weights' own finiteness check still refuses it, naming a parameter
    with pytest.raises(ValueError, match=r"ganlab/_data/dcgan_mnist_generator.npz: .* NaN/inf"):
        models.pretrained_mnist_generator()


def test_bytes_that_hash_right_but_do_not_parse_are_reported_with_the_repair(copy, monkeypatch):
    name = "mnist10k.npz"
    (copy / name).write_bytes(b"not a zip file")
    monkeypatch.setitem(_shipped.MANIFEST, name, hashlib.sha256(b"not a zip file").hexdigest())
    with pytest.raises(ValueError, match=rf"ganlab/_data/{name} cannot be read \(.*{REPAIR}"):
        data.mnist()


def test_the_generator_samples_images_after_the_check():
    x = models.pretrained_mnist_generator().sample(jax.random.key(0), 4)
    assert x.shape == (4, 28, 28, 1) and bool(np.all(np.isfinite(np.asarray(x))))
