r"""The course's "Inception network": small frozen digit classifiers for the sample metrics.

FID, KID, precision/recall and density/coverage compare *features* of real and generated
images; the Inception Score reads a classifier's *softmax*. The published numbers use
Inception-v3 (Szegedy et al. 2016) on 299x299 colour photographs. It cannot be downloaded here
and would not suit 28x28 or 8x8 grayscale digits anyway, so ganlab ships one small classifier
per image dataset of the course, trained by ``scripts/train_evaluators.py``:

* ``load("mnist")`` - a CNN for the 28x28 digits of :func:`ganlab.data.mnist`; 128 features;
* ``load("digits")`` - a CNN for the 8x8 digits of :func:`ganlab.data.digits`; 64 features.

Their architectures, training and held-out accuracies are in ``ganlab/_data/EVALUATORS.md``.
Scores computed with them are comparable with each other, **not** with published FIDs.

Usage::

    from ganlab import data, evaluator

    net = evaluator.load("mnist")
    images, labels = data.mnist("test")  # (1000, 28, 28, 1) in [-1, 1]
    f = net.features(images)              # (1000, 128) float32, for FID/KID/PR/DC
    p = net.probs(images)                 # (1000, 10), for the Inception Score
    net.accuracy(images, labels)          # 0.982 for the shipped weights

Weights are plain ``.npz`` files read with ``allow_pickle=False``. On load the file's bytes are
checked against ``ganlab._shipped.MANIFEST`` before they are parsed; :data:`WEIGHTS_SHA256`,
the SHA-256 of the arrays themselves, identifies the weights independently of how they were
zipped (``scripts/train_evaluators.py --check`` compares it).
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.typing import ArrayLike

from ganlab import _checks, _shipped
from ganlab.nn import conv_primitive

__all__ = [
    "ARCHITECTURES",
    "NAMES",
    "WEIGHTS_SHA256",
    "DigitsNet",
    "Evaluator",
    "MNISTNet",
    "build",
    "from_arrays",
    "load",
    "param_arrays",
    "save_npz",
    "weights_sha256",
]

#: The evaluators that ship with the package.
NAMES = ("mnist", "digits")

#: SHA-256 of each shipped weights file's arrays (:func:`weights_sha256`), checked on load.
WEIGHTS_SHA256 = {
    "mnist": "cef31feba3c6ee635fdc32ddd42d17e66b7691b82e40eaf3c8c40363e9bef3d6",
    "digits": "204fa9b0276c7aa15adbeb85f9f1a72669c9a768497e3f7128fb4631fbb71be9",
}

# The largest |value| accepted: [-1, 1] plus room for a little noise or a sharpened image;
# a [0, 255] image (or one scaled to [-1, 1] twice over) fails at once.
_RANGE_LIMIT = 1.5


# --------------------------------------------------------------------------------------------
# The networks
# --------------------------------------------------------------------------------------------


def _max_pool(x: jax.Array) -> jax.Array:
    """2x2 max pooling, stride 2: ``(B, H, W, C) -> (B, H // 2, W // 2, C)`` (an odd last row
    and column are dropped, as in VALID pooling)."""
    b, h, w, c = x.shape
    x = x[:, : h // 2 * 2, : w // 2 * 2, :]
    return x.reshape(b, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


class MNISTNet(nnx.Module):
    """``images (B, 28, 28, 1) -> features (B, 128) -> logits (B, 10)``.

    Three 3x3 convolutions (32, 64, 64 channels, SAME padding), each followed by ReLU and 2x2
    max pooling (28 -> 14 -> 7 -> 3), then a dense layer to 128 ELU features (the
    penultimate layer, the counterpart of Inception-v3's 2048 pool features) and a linear
    layer to 10 logits. 130,890 parameters. No dropout or batch norm: inference needs no mode
    switch.

    Why ELU (Clevert et al. 2016, https://arxiv.org/abs/1511.07289) at the feature layer: a
    ReLU unit that is negative for every input outputs a constant 0. Trained with ReLU there,
    65 of the 128 features were 0 on every MNIST digit (and 24 of 64 for the 8x8 digits), so
    the feature covariance FID uses was singular; with ELU every feature varies and the
    covariance has full rank, at the same validation accuracy.
    """

    image_shape = (28, 28, 1)
    feature_dim = 128

    def __init__(self, *, conv: Callable | None = None, rngs: nnx.Rngs):
        conv = conv or conv_primitive()
        self.conv1 = nnx.Conv(1, 32, (3, 3), conv_general_dilated=conv, rngs=rngs)
        self.conv2 = nnx.Conv(32, 64, (3, 3), conv_general_dilated=conv, rngs=rngs)
        self.conv3 = nnx.Conv(64, 64, (3, 3), conv_general_dilated=conv, rngs=rngs)
        self.dense = nnx.Linear(3 * 3 * 64, self.feature_dim, rngs=rngs)
        self.out = nnx.Linear(self.feature_dim, 10, rngs=rngs)

    def features(self, x: jax.Array) -> jax.Array:
        h = _max_pool(jax.nn.relu(self.conv1(x)))  # (B, 14, 14, 32)
        h = _max_pool(jax.nn.relu(self.conv2(h)))  # (B, 7, 7, 64)
        h = _max_pool(jax.nn.relu(self.conv3(h)))  # (B, 3, 3, 64)
        return jax.nn.elu(self.dense(h.reshape(x.shape[0], -1)))  # (B, 128)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(self.features(x))  # (B, 10)


class DigitsNet(nnx.Module):
    """``images (B, 8, 8, 1) -> features (B, 64) -> logits (B, 10)``.

    Two 3x3 convolutions (32, 64 channels, SAME padding), each followed by ReLU and 2x2 max
    pooling (8 -> 4 -> 2), then a dense layer to 64 ELU features (see :class:`MNISTNet` for
    why ELU) and a linear layer to 10 logits. 35,914 parameters.
    """

    image_shape = (8, 8, 1)
    feature_dim = 64

    def __init__(self, *, conv: Callable | None = None, rngs: nnx.Rngs):
        conv = conv or conv_primitive()
        self.conv1 = nnx.Conv(1, 32, (3, 3), conv_general_dilated=conv, rngs=rngs)
        self.conv2 = nnx.Conv(32, 64, (3, 3), conv_general_dilated=conv, rngs=rngs)
        self.dense = nnx.Linear(2 * 2 * 64, self.feature_dim, rngs=rngs)
        self.out = nnx.Linear(self.feature_dim, 10, rngs=rngs)

    def features(self, x: jax.Array) -> jax.Array:
        h = _max_pool(jax.nn.relu(self.conv1(x)))  # (B, 4, 4, 32)
        h = _max_pool(jax.nn.relu(self.conv2(h)))  # (B, 2, 2, 64)
        return jax.nn.elu(self.dense(h.reshape(x.shape[0], -1)))  # (B, 64)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(self.features(x))  # (B, 10)


ARCHITECTURES: dict[str, type[MNISTNet] | type[DigitsNet]] = {
    "mnist": MNISTNet,
    "digits": DigitsNet,
}


def build(name: str, seed: int = 0, *, conv: Callable | None = None) -> MNISTNet | DigitsNet:
    """A freshly initialised (untrained) network for evaluator ``name``, from ``seed``.

    ``conv`` is the convolution primitive: by default :func:`ganlab.nn.conv2d` on
    CPU (its gradients are cheap there: training) and XLA's convolution elsewhere.
    :class:`Evaluator` uses XLA's convolution everywhere: for the forward pass alone it measured
    about 6x faster than im2col on CPU. The two agree to float32 rounding.
    """
    name = _checks.choice("name", name, NAMES)
    seed = _checks.integer("seed", seed)
    if conv is not None:
        _checks.function("conv", conv, "like jax.lax.conv_general_dilated")
    return ARCHITECTURES[name](conv=conv, rngs=nnx.Rngs(seed))


# --------------------------------------------------------------------------------------------
# Weights on disk: a plain npz, one float32 array per parameter path, hashed by content
# --------------------------------------------------------------------------------------------


def param_arrays(model: nnx.Module) -> dict[str, np.ndarray]:
    """``{"conv1/kernel": array, ...}``: the model's parameters as numpy arrays, named like
    :func:`ganlab.models.save_weights` names them."""
    if not isinstance(model, nnx.Module):
        _checks.fail("model", model, "a Flax NNX module, e.g. evaluator.build('mnist')")
    flat = nnx.to_flat_state(nnx.state(model, nnx.Param))
    return {"/".join(map(str, p)): np.asarray(v[...]) for p, v in flat}


def weights_sha256(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over the arrays in name order: each name, dtype, shape, then the raw bytes.

    Independent of how the file was zipped or compressed, so it identifies the weights
    themselves (the zip container's bytes depend on the zlib version)."""
    arrays = _shipped.check_arrays("arrays", arrays)
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed ``.npz`` whose bytes depend only on the arrays (fixed
    member order and timestamps, unlike ``np.savez_compressed``), so rerunning the training
    script gives the same file; atomically (a failed write leaves an existing file as it was).
    Readable by ``np.load(path, allow_pickle=False)``."""
    file = _shipped.path("path", path)
    _shipped.write_npz(file, _shipped.check_arrays("arrays", arrays))


def from_arrays(name: str, arrays: dict[str, np.ndarray]) -> Evaluator:
    """An :class:`Evaluator` for ``name`` with the parameters ``arrays`` (as returned by
    :func:`param_arrays`), unverified: for the training script. Use :func:`load` otherwise."""
    name = _checks.choice("name", name, NAMES)
    arrays = _shipped.check_arrays("arrays", arrays)
    # Shapes only (no random initialisation to throw away), then the arrays put in place.
    abstract = nnx.eval_shape(lambda: build(name, conv=jax.lax.conv_general_dilated))
    graphdef, state = nnx.split(abstract)
    flat = nnx.to_flat_state(state)
    wanted = {"/".join(map(str, p)): v for p, v in flat}
    if sorted(wanted) != sorted(arrays):
        raise ValueError(
            f"the weights do not fit the {name!r} network: got {sorted(arrays)}, expected "
            f"{sorted(wanted)}"
        )
    for key, v in wanted.items():
        a = np.asarray(arrays[key])
        if a.shape != tuple(v.shape) or a.dtype != np.float32:
            raise ValueError(
                f"the weights do not fit the {name!r} network: {key} is {a.dtype} {a.shape}, "
                f"the network's is float32 {tuple(v.shape)}"
            )
        _checks.finite(f"arrays[{key!r}]", a)
    loaded = nnx.from_flat_state(
        [(p, v.replace(jnp.asarray(arrays["/".join(map(str, p))]))) for p, v in flat]
    )
    return Evaluator(name, nnx.merge(graphdef, loaded))


@functools.cache
def _load_shipped(name: str) -> Evaluator:
    return from_arrays(name, _shipped.shipped_npz(f"evaluator_{name}.npz"))


def load(name: str) -> Evaluator:
    """The shipped evaluator ``"mnist"`` (28x28) or ``"digits"`` (8x8), verified and cached:
    every call with the same name returns the same object (compiled once)."""
    return _load_shipped(_checks.choice("name", name, NAMES))


# --------------------------------------------------------------------------------------------
# The frozen classifier
# --------------------------------------------------------------------------------------------


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)  # softmax is shift-invariant; this keeps exp finite
    p = np.exp(z)
    return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


class Evaluator:
    """A frozen digit classifier: penultimate-layer features, logits, softmax, predictions.

    Build it with :func:`load`. Every method takes ``images`` as the course makes them: floats
    in [-1, 1], ``(N, H, W, 1)`` (NHWC) or ``(N, H, W)``, with ``(H, W, 1)`` equal to
    :attr:`image_shape`. The network runs in batches of ``batch_size``; the last batch is
    padded, so one compiled program serves any ``N`` (per batch size), and no image's output
    depends on the others in its batch.

    Attributes:
        name: "mnist" or "digits".
        image_shape: ``(28, 28, 1)`` or ``(8, 8, 1)``.
        feature_dim: the width of :meth:`features` (128 or 64).
    """

    def __init__(self, name: str, model: MNISTNet | DigitsNet):
        name = _checks.choice("name", name, NAMES)
        if not isinstance(model, ARCHITECTURES[name]):
            _checks.fail("model", model, f"a {ARCHITECTURES[name].__name__} (evaluator.build)")
        self._name = name
        self._model = model
        graphdef, state = nnx.split(model)

        def apply(state, x):
            net = nnx.merge(graphdef, state)
            f = net.features(x)  # (B, feature_dim)
            return f, net.out(f)  # (B, feature_dim), (B, 10)

        self._apply: Callable = jax.jit(apply)
        self._state = state

    @property
    def name(self) -> str:
        return self._name

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self._model.image_shape)

    @property
    def feature_dim(self) -> int:
        return self._model.feature_dim

    def __repr__(self) -> str:
        return (
            f"Evaluator(name={self.name!r}, image_shape={self.image_shape}, "
            f"feature_dim={self.feature_dim})"
        )

    # ---- checks, all in numpy before anything is compiled ----------------------------------

    def _check_images(self, images: ArrayLike) -> np.ndarray:
        x = np.asarray(images)
        h, w, c = self.image_shape
        want = f"(N, {h}, {w}, {c}) or (N, {h}, {w})"
        if x.dtype == np.bool_ or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
            raise ValueError(
                f"images must be a real float array scaled like ganlab.data, got dtype {x.dtype}"
            )
        if x.ndim == 3:
            x = x[..., None]
        if x.ndim != 4 or tuple(x.shape[1:]) != self.image_shape:
            other = [n for n in NAMES if n != self.name and x.ndim == 4]
            other = [n for n in other if tuple(x.shape[1:]) == ARCHITECTURES[n].image_shape]
            hint = f"; use evaluator.load({other[0]!r}) for those" if other else ""
            raise ValueError(
                f"images must have shape {want} for the {self.name!r} evaluator, got shape "
                f"{np.shape(images)}{hint}"
            )
        if x.shape[0] == 0:
            raise ValueError(f"images must hold at least one image, got shape {np.shape(images)}")
        x = x.astype(np.float32, copy=False)
        _checks.finite("images", x)
        lo, hi = float(x.min()), float(x.max())
        if lo < -_RANGE_LIMIT or hi > _RANGE_LIMIT:
            raise ValueError(
                f"images must be scaled like ganlab.data, to [-1, 1]; got values in "
                f"[{lo:g}, {hi:g}]. Bytes: x / 127.5 - 1; [0, 1] images: 2 * x - 1; noisy "
                "images: clip them to [-1, 1]."
            )
        if lo >= 0.0:
            warnings.warn(
                f"images range over [{lo:g}, {hi:g}]: no pixel is below 0, as if scaled to "
                "[0, 1]; the evaluators expect ganlab.data's [-1, 1] (use 2 * x - 1).",
                stacklevel=3,
            )
        return x

    # ---- the forward pass ------------------------------------------------------------------

    def _run(self, images: ArrayLike, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Features ``(N, feature_dim)`` and logits ``(N, 10)``, float32 numpy."""
        x = self._check_images(images)
        b = _checks.integer("batch_size", batch_size, minimum=1)
        n = x.shape[0]
        feats, logits = [], []
        for start in range(0, n, b):
            chunk = x[start : start + b]
            k = chunk.shape[0]
            if k < b:  # pad the last batch: one compiled shape serves every batch
                chunk = np.pad(chunk, ((0, b - k), (0, 0), (0, 0), (0, 0)), constant_values=-1.0)
            f, z = self._apply(self._state, jnp.asarray(chunk))
            feats.append(np.asarray(f)[:k])
            logits.append(np.asarray(z)[:k])
        return np.concatenate(feats), np.concatenate(logits)

    def features(self, images: ArrayLike, batch_size: int = 500) -> np.ndarray:
        """Penultimate-layer activations ``(N, feature_dim)`` float32 (after the ELU): what
        FID, KID, precision/recall and density/coverage compare."""
        return self._run(images, batch_size)[0]

    def logits(self, images: ArrayLike, batch_size: int = 500) -> np.ndarray:
        """Class logits ``(N, 10)`` float32."""
        return self._run(images, batch_size)[1]

    def probs(self, images: ArrayLike, batch_size: int = 500) -> np.ndarray:
        """Class probabilities ``(N, 10)`` float32, rows summing to 1: the softmax the
        Inception Score reads."""
        return _softmax(self.logits(images, batch_size))

    def features_and_probs(
        self, images: ArrayLike, batch_size: int = 500
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(features(images), probs(images))`` from one pass through the network."""
        feats, logits = self._run(images, batch_size)
        return feats, _softmax(logits)

    def predict(self, images: ArrayLike) -> np.ndarray:
        """The predicted class of each image, ``(N,)`` int64 in 0..9."""
        return np.argmax(self.logits(images), axis=1)

    def accuracy(self, images: ArrayLike, labels: ArrayLike) -> float:
        """The fraction of ``images`` whose predicted class equals ``labels`` ``(N,)``."""
        y = np.asarray(labels)
        n = np.shape(images)[0] if np.ndim(images) else None
        if y.ndim != 1 or y.shape[0] != n or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"labels must be integers of shape ({n},), one per image, got {y.dtype} {y.shape}"
            )
        return float(np.mean(self.predict(images) == y))
