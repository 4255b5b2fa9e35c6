"""Train lesson 6's class-conditional GAN on the shipped MNIST digits and ship its generator.

Writes ``ganlab/_data/conditional_mnist_generator.npz`` with :func:`ganlab.models.save_weights`;
``ganlab.models.pretrained_conditional_mnist_generator()`` loads it (hash-checked, no pickle).
The code path is the lesson's: ``ganlab.data.mnist("train")`` (9,000 labelled digits) as
``data.from_array(images, labels=labels)``, ``ganlab.models.conditional_conv_gan`` with the
projection discriminator, and ``ganlab.train.train``, deterministic from the seeds below.

Every ``--eval-every`` steps it prints the shipped MNIST evaluator's accuracy on 1,000
generated digits (100 asked of each class). The shipped file was made by
``python scripts/train_conditional_mnist.py``: 10,000 steps in 548 s (18.2 steps/s) on the
project's shared 2-core CPU machine, accuracy 0.100 at step 0, 0.578 at 1,000, 0.945 at 4,000
and 0.975 at 10,000 (``ganlab/_data/CONDITIONAL_GENERATOR.md`` has every figure).

Usage::

    python scripts/train_conditional_mnist.py                   # train and write the npz
    python scripts/train_conditional_mnist.py --steps 500 --out /tmp/g.npz
"""

from __future__ import annotations

import argparse
import pathlib
import time

import jax
import numpy as np
import train_dcgan_mnist  # this folder: the unconditional generator's script

from ganlab import data, evaluator, models, train

MODEL = dict(**models.PRETRAINED_CONDITIONAL_MNIST, seed=0)  # conditional_conv_gan(**MODEL)
# DCGAN's settings, exactly those of the shipped unconditional generator: the non-saturating
# loss, Adam(2e-4, betas (0.5, 0.999)) for both players, batch 64, 10,000 steps, seed 0.
CONFIG: train.Config = train_dcgan_mnist.CONFIG
DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "ganlab" / "_data"
DEFAULT_OUT = DEFAULT_OUT / "conditional_mnist_generator.npz"


def accuracy_fn(start: float):
    """An ``eval_fn`` that prints the evaluator's accuracy on 100 digits asked of each class."""
    judge = evaluator.load("mnist")
    labels = np.repeat(np.arange(10), 100)
    key = jax.random.key(1)

    def evaluate(generator, discriminator):
        images = np.asarray(generator.sample(key, labels.size, labels=labels))
        acc = judge.accuracy(images, labels)
        print(f"  {time.perf_counter() - start:6.0f} s: evaluator accuracy {acc:.3f}", flush=True)
        return {"accuracy": acc}

    return evaluate


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=CONFIG.steps, help="generator steps")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="npz to write")
    parser.add_argument("--eval-every", type=int, default=1000)
    args = parser.parse_args(argv)

    images, labels = data.mnist("train")  # (9000, 28, 28, 1) in [-1, 1], (9000,) in 0..9
    g, d = models.conditional_conv_gan(**MODEL)
    config = CONFIG.replace(steps=args.steps, eval_every=args.eval_every, progress=False)
    print(f"model: conditional_conv_gan({', '.join(f'{k}={v!r}' for k, v in MODEL.items())})")
    print(f"config: {config}")
    start = time.perf_counter()
    result = train.train(g, d, data.from_array(images, labels=labels), config,
                         eval_fn=accuracy_fn(start))  # fmt: skip
    seconds = time.perf_counter() - start
    train_dcgan_mnist.save_generator(result.generator, args.out)
    print(
        f"{args.steps} steps in {seconds:.0f} s ({args.steps / seconds:.1f} steps/s, "
        f"{jax.device_count()} {jax.default_backend()} device(s))"
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
