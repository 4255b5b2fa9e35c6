"""Real handwritten digits, as numpy arrays (NHWC, float32, scaled to [-1, 1]).

* :func:`mnist` - 10,000 real MNIST digits shipped with the package (offline, hash-checked).
* :func:`digits` - the 1,797 8x8 digits shipped inside scikit-learn.
* :func:`mnist_full` / :func:`read_idx` - the full 70,000-image MNIST, downloaded once and
  checksum-verified. No lesson needs it.

Every name here is also reachable as ``ganlab.data.<name>``; use that one.
"""

import functools
import gzip
import hashlib
import math
import os
import urllib.request
from pathlib import Path

import numpy as np

from ganlab import _checks, _shipped

__all__ = [
    "MNIST10K_SHA256",
    "MNIST_SHA256",
    "MNIST_URL",
    "digits",
    "mnist",
    "mnist_full",
    "read_idx",
]

# --------------------------------------------------------------------------------------------
# Splits
# --------------------------------------------------------------------------------------------

_SPLITS = ("train", "test", "all")


def _check_split(split: object) -> str:
    return _checks.choice("split", split, _SPLITS)


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

#: SHA-256 of ``images.tobytes() + labels.tobytes()`` of the shipped digits: what the digits
#: are (``ganlab/_data/MNIST10K.md``). On load the file's bytes are checked, before parsing,
#: against ``ganlab._shipped.MANIFEST``.
MNIST10K_SHA256 = "bc6b63550c8a82f6ecccd9458252069fb030ee802997b8242e71d5146b0cbf0e"

_MNIST10K = "mnist10k.npz"


@functools.lru_cache(maxsize=1)
def _load_mnist10k() -> tuple[np.ndarray, np.ndarray]:
    """The raw arrays, uint8 ``(10000, 28, 28)`` and ``(10000,)``, verified, read-only, cached."""
    arrays = _shipped.shipped_npz(_MNIST10K)
    images, labels = arrays.get("images"), arrays.get("labels")
    if (
        images is None
        or labels is None
        or images.shape != (10_000, 28, 28)
        or labels.shape != (10_000,)
    ):
        shapes = {k: v.shape for k, v in arrays.items()}
        raise ValueError(
            f"the shipped file ganlab/_data/{_MNIST10K} holds {shapes}, expected images "
            f"(10000, 28, 28) and labels (10000,). {_shipped.REPAIR}"
        )
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
    path = _shipped.path("path", path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"path must be an IDX file, got {path}, which does not exist"
        ) from None
    except OSError as e:  # a folder, no permission
        raise ValueError(f"path must be a readable IDX file, got {path} ({e.strerror})") from e
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
        try:
            with urllib.request.urlopen(url, timeout=60) as response, part.open("wb") as f:
                for block in iter(lambda: response.read(1 << 20), b""):
                    f.write(block)
        except (OSError, ValueError) as e:  # URLError is an OSError; a malformed URL a ValueError
            part.unlink(missing_ok=True)
            raise OSError(
                f"could not download {url} ({e}); check the network and base_url, or put the "
                f"file in {cache_dir} yourself"
            ) from e
        os.replace(part, path)
    got = _sha256_file(path)
    if got != sha256:
        path.unlink()
        raise ValueError(
            f"{path} has SHA-256 {got}, expected {sha256}; the file was deleted, call again to "
            "download it afresh (or check base_url)."
        )
    return path


def _check_checksums(checksums: object) -> dict[str, str]:
    """``None`` or ``{file name: SHA-256 hex}`` for names in ``MNIST_SHA256``."""
    if checksums is None:
        return {}
    allowed = f"None or a dict {{file name: SHA-256 hex string}} with names in {list(MNIST_SHA256)}"
    if not isinstance(checksums, dict):
        _checks.fail("checksums", checksums, allowed)
    for name, digest in checksums.items():
        if name not in MNIST_SHA256 or not isinstance(digest, str) or len(digest) != 64:
            _checks.fail("checksums", checksums, allowed)
    return checksums


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
        checksums: ``{file name: SHA-256}`` overriding entries of ``MNIST_SHA256``. A file
            whose hash is wrong is deleted and ``ValueError`` raised.

    Returns:
        ``(images, labels)`` scaled like :func:`mnist`: float32 ``(N, 28, 28, 1)`` in [-1, 1]
        and int32 ``(N,)``.
    """
    split = _check_split(split)
    download = _checks.boolean("download", download)
    cache = _default_cache_dir() if cache_dir is None else _shipped.path("cache_dir", cache_dir)
    if not isinstance(base_url, str) or not base_url:
        _checks.fail("base_url", base_url, "a URL string, e.g. " + repr(MNIST_URL))
    table = {**MNIST_SHA256, **_check_checksums(checksums)}
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
