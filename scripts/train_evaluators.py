"""Train the two evaluator classifiers of lesson 5 and ship their weights.

Writes ``ganlab/_data/evaluator_mnist.npz`` and ``ganlab/_data/evaluator_digits.npz`` (see
``ganlab/_data/EVALUATORS.md``), the frozen networks behind :func:`ganlab.evaluator.load`:

* ``mnist``: :class:`ganlab.evaluator.MNISTNet` on the 9,000 digits of
  ``ganlab.data.mnist("train")``;
* ``digits``: :class:`ganlab.evaluator.DigitsNet` on the 1,437 digits of
  ``ganlab.data.digits("train")``.

Training: Adam with a cosine decay of the learning rate to 0, softmax cross-entropy, random
integer shifts of each training image by up to ``max_shift`` pixels (filled with the
background value -1), a fresh shuffle every epoch. All randomness comes from explicit JAX keys
derived from ``seed`` (initialisation, shuffles, shifts); nothing reads numpy's global state.
The test splits are used for one thing only: printing the held-out accuracy of the final
weights. The hyperparameters in ``HPARAMS`` were chosen with ``--validate``, which trains on
the train split minus every 10th image and scores those held-back training images (the runs
are listed in ``EVALUATORS.md``).

The shipped files: mnist 98.20% held-out accuracy (982/1,000), 76.6 s of training; digits
98.89% (356/360), 2.8 s; jax 0.10.2 on the project's shared 2-core CPU machine. ``--check``
retrains both and reproduced them bit for bit there (other CPUs or library versions may round
differently; training amplifies that).

Usage::

    python scripts/train_evaluators.py             # train both, write the npz files
    python scripts/train_evaluators.py --check     # retrain, compare with the shipped weights
    python scripts/train_evaluators.py --validate  # hyperparameter check, no test labels
    python scripts/train_evaluators.py --only digits --out-dir /tmp/ev
"""

from __future__ import annotations

import argparse
import hashlib
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from ganlab import data, evaluator

HPARAMS = {
    # epochs: passes over the training split; lr: Adam's peak rate, decayed to 0 (cosine);
    # max_shift: the largest random translation in pixels (about 7% of the image side).
    "mnist": dict(epochs=15, batch_size=128, lr=2e-3, max_shift=2, seed=0),
    "digits": dict(epochs=60, batch_size=64, lr=2e-3, max_shift=1, seed=0),
}
LOADERS = {"mnist": data.mnist, "digits": data.digits}
DEFAULT_DIR = pathlib.Path(__file__).resolve().parents[1] / "ganlab" / "_data"


def random_shift(key: jax.Array, images: jax.Array, max_shift: int) -> jax.Array:
    """Translate each image of ``(B, H, W, C)`` by its own integer offset in
    ``[-max_shift, max_shift]`` along each axis, filling with the background value -1."""
    if max_shift == 0:
        return images
    b, h, w, _ = images.shape
    s = max_shift
    padded = jnp.pad(images, ((0, 0), (s, s), (s, s), (0, 0)), constant_values=-1.0)
    offsets = jax.random.randint(key, (b, 2), 0, 2 * s + 1)  # (B, 2) top-left corners

    def crop(image, offset):
        return jax.lax.dynamic_slice(image, (offset[0], offset[1], 0), (h, w, image.shape[-1]))

    return jax.vmap(crop)(padded, offsets)


def make_step(graphdef, tx: optax.GradientTransformation, batch_size: int, max_shift: int):
    """One jit-compiled update: take batch ``i`` of the epoch's permutation, shift it, and
    apply one Adam step to the cross-entropy."""

    def loss_fn(params, x, y):
        logits = nnx.merge(graphdef, params)(x)  # (B, 10)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @jax.jit
    def step(params, opt_state, images, labels, perm, i, key):
        idx = jax.lax.dynamic_slice(perm, (i * batch_size,), (batch_size,))  # (B,)
        x = random_shift(key, images[idx], max_shift)
        loss, grads = jax.value_and_grad(loss_fn)(params, x, labels[idx])
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    return step


def train(
    name: str,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    max_shift: int,
    seed: int,
    max_steps: int | None = None,
    log=print,
) -> nnx.Module:
    """Train evaluator ``name``'s network on ``images`` ``(N, H, W, 1)`` and int ``labels``
    ``(N,)``; returns the trained module. Deterministic given the arguments (and the JAX
    version and machine). ``max_steps`` stops early (for tests)."""
    model = evaluator.build(name, seed=seed)
    key_shuffle, key_shift = jax.random.split(jax.random.fold_in(jax.random.key(seed), 1))
    steps_per_epoch = images.shape[0] // batch_size  # the remainder changes every epoch
    total = epochs * steps_per_epoch
    tx = optax.adam(optax.cosine_decay_schedule(lr, total))
    graphdef, params = nnx.split(model, nnx.Param)
    opt_state = tx.init(params)
    step = make_step(graphdef, tx, batch_size, max_shift)
    x, y = jnp.asarray(images), jnp.asarray(labels)
    done = 0
    for epoch in range(epochs):
        perm = jax.random.permutation(jax.random.fold_in(key_shuffle, epoch), x.shape[0])
        losses = []
        for i in range(steps_per_epoch):
            if max_steps is not None and done >= max_steps:
                break
            key = jax.random.fold_in(key_shift, done)
            params, opt_state, loss = step(params, opt_state, x, y, perm, i, key)
            losses.append(loss)
            done += 1
        if losses:
            log(f"  {name} epoch {epoch + 1}/{epochs}: mean loss {float(np.mean(losses)):.4f}")
        if max_steps is not None and done >= max_steps:
            break
    nnx.update(model, params)
    return model


def _validation_split(images: np.ndarray, labels: np.ndarray):
    """Every 10th *training* image held back (the test split is not touched)."""
    held = np.arange(images.shape[0]) % 10 == 0
    return (images[~held], labels[~held]), (images[held], labels[held])


def _accuracy(name: str, model: nnx.Module, images: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy through :class:`ganlab.evaluator.Evaluator`, the code path the lessons use."""
    return evaluator.from_arrays(name, evaluator.param_arrays(model)).accuracy(images, labels)


def run(name: str, args) -> bool:
    """Train (or validate, or check) one evaluator; returns False if a check failed."""
    hp = HPARAMS[name]
    train_x, train_y = LOADERS[name]("train")
    if args.validate:
        (fit_x, fit_y), (val_x, val_y) = _validation_split(train_x, train_y)
        start = time.perf_counter()
        model = train(name, fit_x, fit_y, **hp)
        seconds = time.perf_counter() - start
        acc = _accuracy(name, model, val_x, val_y)
        print(f"{name}: validation accuracy {acc:.4f} on {len(val_y)} held-back training "
              f"images ({seconds:.0f} s) with {hp}")  # fmt: skip
        return True

    start = time.perf_counter()
    model = train(name, train_x, train_y, **hp)
    seconds = time.perf_counter() - start
    arrays = evaluator.param_arrays(model)
    digest = evaluator.weights_sha256(arrays)
    n_params = sum(a.size for a in arrays.values())
    test_x, test_y = LOADERS[name]("test")
    acc = _accuracy(name, model, test_x, test_y)
    print(f"{name}: {n_params:,} parameters, {seconds:.1f} s of training, held-out test "
          f"accuracy {acc:.4f} ({round(acc * len(test_y))}/{len(test_y)})")  # fmt: skip
    print(f"{name}: SHA-256 of the arrays {digest}")
    shipped = DEFAULT_DIR / f"evaluator_{name}.npz"

    if args.check:
        with np.load(shipped, allow_pickle=False) as z:
            old = {k: z[k] for k in z.files}
        same = sorted(old) == sorted(arrays) and all(
            np.array_equal(old[k], arrays[k]) for k in arrays
        )
        if same:
            print(f"{name}: CHECK OK - the retrained weights equal {shipped.name} bit for bit")
        else:
            diff = max(float(np.max(np.abs(old[k] - arrays[k]))) for k in arrays if k in old)
            print(f"{name}: CHECK FAILED - the retrained weights differ from {shipped.name} "
                  f"(largest difference {diff:.3g}); other hardware or library versions can "
                  "change float rounding, which training amplifies")  # fmt: skip
        ok = same and digest == evaluator.WEIGHTS_SHA256[name]
        if same and not ok:
            print(f"{name}: CHECK FAILED - WEIGHTS_SHA256[{name!r}] in ganlab/evaluator.py "
                  f"is not {digest}")  # fmt: skip
        return ok

    out = args.out_dir / f"evaluator_{name}.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    evaluator.save_npz(out, arrays)
    file_hash = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"{name}: wrote {out} ({out.stat().st_size / 1e3:.0f} kB, file SHA-256 {file_hash})")
    if digest != evaluator.WEIGHTS_SHA256[name]:
        print(f"{name}: set WEIGHTS_SHA256[{name!r}] = {digest!r} in ganlab/evaluator.py")
    return True


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=evaluator.NAMES, help="train just this one")
    parser.add_argument("--out-dir", type=pathlib.Path, default=DEFAULT_DIR)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="retrain and compare, write nothing")
    mode.add_argument("--validate", action="store_true", help="score on held-back train images")
    args = parser.parse_args(argv)
    print(f"jax {jax.__version__}, {jax.device_count()} {jax.default_backend()} device(s)")
    names = [args.only] if args.only else list(evaluator.NAMES)
    start = time.perf_counter()
    ok = all([run(name, args) for name in names])
    print(f"total {time.perf_counter() - start:.1f} s")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
