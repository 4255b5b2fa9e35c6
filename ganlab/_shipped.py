"""Files on disk: the ones shipped inside the package, verified before use, and the ``.npz``
reading and writing every loader shares.

Every file under ``ganlab/_data`` that a loader reads is listed in :data:`MANIFEST` with the
SHA-256 of its bytes. :func:`shipped_npz` hashes the bytes first and parses them only if the
hash matches, so a truncated or altered install is reported as such (naming the file and how to
repair it), never as a zip error or as NaN samples. ``tests/test_shipped_files.py`` checks the
manifest against the files.

:func:`read_npz` reads a user's ``.npz`` (no pickle) and turns every reader error into one
``ValueError`` naming the file and what is wrong; :func:`write_npz` writes one whose bytes
depend only on the arrays, atomically (a temporary file in the same folder, then
``os.replace``), so a failed write never leaves a half-written file over a good one.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from ganlab import _checks

#: SHA-256 of the bytes of every shipped file a loader reads (file name under ganlab/_data).
MANIFEST = {
    "mnist10k.npz": "0217e13bd0668deb198aa7d305edbf0331eb89f8a6e7dd226e03d1aa3a9bd4ef",
    "evaluator_mnist.npz": "66ad6aa57bdc15464d776bba2d1a1bb419e478d3ee9bd31c748d7140518e30fa",
    "evaluator_digits.npz": "416aa856e6d255aad22f2fe43f93869e05b1cf2d24b77db96d5ebcdbce082cca",
    "dcgan_mnist_generator.npz": (
        "e0a537dd6c5d79c104d7b100e481c71361b0826b36118d36da44fb71e6953fcb"
    ),
    "conditional_mnist_generator.npz": (
        "5f39c265e7beba45666e5267659aa99f37024aa8576939d99d022a3d35b0bf2f"
    ),
}

#: How to repair a damaged install, said by every error about a shipped file.
REPAIR = (
    "The ganlab install is damaged: reinstall the package (pip install --force-reinstall "
    "ganlab), or in a git checkout restore the files (git checkout -- ganlab/_data)."
)

# Every way numpy's reader fails on a file that is not a sound npz.
_READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error)


def _data_dir() -> Traversable:
    """Where the shipped files are (the tests point it at a copy)."""
    return importlib.resources.files("ganlab") / "_data"


def sha256_bytes(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def shipped_bytes(name: str) -> bytes:
    """The bytes of the shipped file ``name``, after checking them against :data:`MANIFEST`."""
    expected = MANIFEST[name]
    resource = _data_dir() / name
    where = f"ganlab/_data/{name}"
    try:
        raw = resource.read_bytes()
    except OSError as e:
        raise ValueError(f"the shipped file {where} cannot be read ({e}). {REPAIR}") from e
    got = sha256_bytes(raw)
    if got != expected:
        raise ValueError(
            f"the shipped file {where} is damaged: its SHA-256 is {got} ({len(raw):,} bytes), "
            f"expected {expected}. {REPAIR}"
        )
    return raw


def shipped_npz(name: str) -> dict[str, np.ndarray]:
    """The arrays of the shipped ``.npz`` file ``name``, hash-checked before they are parsed."""
    raw = shipped_bytes(name)
    try:
        return _parse_npz(io.BytesIO(raw))
    except _READ_ERRORS as e:  # the hash matched, so only a broken numpy could get here
        raise ValueError(
            f"the shipped file ganlab/_data/{name} cannot be read ({type(e).__name__}: {e}). "
            f"{REPAIR}"
        ) from e


def _parse_npz(source) -> dict[str, np.ndarray]:
    stored = np.load(source, allow_pickle=False)
    if not isinstance(stored, np.lib.npyio.NpzFile):  # a .npy file: one array, already read
        raise ValueError("it holds a single .npy array, not an .npz archive of named arrays")
    with stored:
        return {key: stored[key] for key in stored.files}


def path(name: str, value: object) -> Path:
    """A file path argument: a ``str`` or ``os.PathLike``, returned as a ``Path``."""
    if isinstance(value, bool) or not isinstance(value, str | os.PathLike) or value == "":
        _checks.fail(name, value, "a file path (a non-empty str or os.PathLike)")
    return Path(value).expanduser()


def read_npz(file: Path, what: str) -> dict[str, np.ndarray]:
    """The arrays of a user's ``.npz`` file, read without pickle. ``what`` says what the file
    should hold, for the message. Every reader error becomes a ``ValueError`` naming the file;
    a missing file is a ``FileNotFoundError``."""
    if not file.exists():
        raise FileNotFoundError(f"{what}: {file} does not exist")
    if file.is_dir():
        raise ValueError(f"{what}: {file} is a folder, not an .npz file")
    try:
        return _parse_npz(file)
    except ValueError as e:
        if "pickle" in str(e):
            reason = "it is not an .npz file of arrays (a text file, or numpy's pickled data)"
        else:
            reason = str(e)
        raise ValueError(f"{what}: {file} cannot be read: {reason}") from e
    except _READ_ERRORS as e:
        raise ValueError(
            f"{what}: {file} cannot be read: it is not an .npz file, or it is truncated or "
            f"damaged ({type(e).__name__}: {e})"
        ) from e


def check_arrays(name: str, arrays: object) -> dict[str, np.ndarray]:
    """A mapping of ``str`` names to numeric numpy-convertible arrays, as numpy arrays."""
    allowed = "a dict of parameter names to numeric arrays"
    if not isinstance(arrays, Mapping):
        _checks.fail(name, arrays, allowed)
    out = {}
    for key, value in arrays.items():
        a = np.asarray(value) if isinstance(key, str) else None
        if a is None or a.dtype.kind not in "biuf":
            _checks.fail(f"{name}[{key!r}]", value, "a numeric array")
        out[key] = a
    return out


def write_npz(file: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed ``.npz`` whose bytes depend only on the arrays (fixed
    member order and timestamps, unlike ``np.savez_compressed``), readable by
    ``np.load(file, allow_pickle=False)``. Written to a temporary file in the same folder, then
    moved over ``file`` in one step: a failed write leaves an existing ``file`` as it was."""
    if file.is_dir():
        raise ValueError(f"path must be a file to write, got the folder {file}")
    folder = file.parent
    if not folder.is_dir():
        raise ValueError(f"path must be in an existing folder, got {file} ({folder} is missing)")
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
            for key in sorted(arrays):
                buffer = io.BytesIO()
                array = np.ascontiguousarray(arrays[key])
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, buffer.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
