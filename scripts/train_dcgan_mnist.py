"""Train lesson 1's convolutional GAN on the shipped MNIST digits and ship its generator.

Writes ``ganlab/_data/dcgan_mnist_generator.npz`` with :func:`ganlab.models.save_weights`.
Lesson 1 (``lessons/01_background.ipynb``) trains the same model live for as long as its time
budget allows, then loads these weights into a freshly built
``ganlab.models.conv_gan(**MODEL)`` generator to show where the same training gets with more
steps. The code path is exactly the lesson's: ``ganlab.data.mnist("train")`` (9,000 digits),
``ganlab.models.conv_gan`` and ``ganlab.train.train``, deterministic from the seeds below.

The shipped file was made by ``python scripts/train_dcgan_mnist.py`` with

* model: ``conv_gan(latent_dim=32, channels=32, upsample="subpixel", seed=0)``
  (generator: 178,500 parameters, 0.66 MB as a compressed npz);
* training: non-saturating loss, Adam(2e-4, betas=(0.5, 0.999)) for both players at a constant
  rate (DCGAN's settings), batch 64, 10,000 generator steps (about 71 epochs of the 9,000
  digits), training seed 0;
* code: ganlab's train.py and models.py as of commit 1374349 (im2col convolutions, 50 steps
  fused per call);
* time: 1,191 s (8.4 steps/s, compilation included) on the project's shared 2-core CPU
  machine while other jobs ran (load average about 6). Idle, the same machine ran the default
  DCGAN at about 30 steps/s fused (commit f41a7b4), which would put this run near 6 minutes.

Training is deterministic on a given machine and library version: the run with and without
``--preview`` gives identical weights (previews do not touch the training key).

Usage::

    python scripts/train_dcgan_mnist.py                    # train and write the npz
    python scripts/train_dcgan_mnist.py --steps 200 --out /tmp/g.npz --preview /tmp/prev
"""

from __future__ import annotations

import argparse
import pathlib
import time

import jax
import numpy as np

from ganlab import data, models, train

MODEL = dict(**models.PRETRAINED_MNIST, seed=0)  # conv_gan(**MODEL)
CONFIG = train.Config(
    loss="nonsaturating",
    steps=10_000,
    batch_size=64,
    seed=0,
    g_lr=2e-4,
    d_lr=2e-4,
    g_betas=(0.5, 0.999),
    d_betas=(0.5, 0.999),
)
DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "ganlab" / "_data"
DEFAULT_OUT = DEFAULT_OUT / "dcgan_mnist_generator.npz"


def preview_fn(directory: pathlib.Path):
    """An ``eval_fn`` that saves a grid of 64 samples (fixed latents) as a PNG per call."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ganlab import plot

    directory.mkdir(parents=True, exist_ok=True)
    key = jax.random.key(1)

    def evaluate(generator, discriminator):
        ax = plot.image_grid(generator.sample(key, 64), nrow=8)
        step = len(list(directory.glob("*.png")))
        ax.figure.savefig(directory / f"preview_{step:03d}.png", dpi=80)
        plt.close(ax.figure)
        return {}

    return evaluate


def save_generator(generator, out: pathlib.Path) -> None:
    """Write ``generator``'s weights to ``out``, unless training diverged (its samples are
    NaN/inf), in which case nothing is written."""
    fake = np.asarray(generator.sample(jax.random.key(0), 256))
    if not np.all(np.isfinite(fake)):
        raise SystemExit("training diverged: the generator makes NaN/inf; nothing written")
    out.parent.mkdir(parents=True, exist_ok=True)
    models.save_weights(generator, out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=CONFIG.steps, help="generator steps")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="npz to write")
    parser.add_argument("--preview", type=pathlib.Path, default=None, help="folder for PNGs")
    parser.add_argument("--preview-every", type=int, default=500)
    args = parser.parse_args(argv)

    images, _ = data.mnist("train")  # (9000, 28, 28, 1) in [-1, 1]
    g, d = models.conv_gan(**MODEL)
    config = CONFIG.replace(steps=args.steps)
    eval_fn = None
    if args.preview is not None:
        config = config.replace(eval_every=args.preview_every)
        eval_fn = preview_fn(args.preview)
    print(f"model: conv_gan({', '.join(f'{k}={v!r}' for k, v in MODEL.items())})")
    print(f"config: {config}")
    start = time.perf_counter()
    result = train.train(g, d, images, config, eval_fn=eval_fn)
    seconds = time.perf_counter() - start
    save_generator(result.generator, args.out)
    h = result.history
    print(
        f"{args.steps} steps in {seconds:.0f} s ({args.steps / seconds:.1f} steps/s, "
        f"{jax.device_count()} {jax.default_backend()} device(s)); "
        f"last 500 steps: d_loss {np.mean(h['d_loss'][-500:]):.3f}, "
        f"g_loss {np.mean(h['g_loss'][-500:]):.3f}"
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
