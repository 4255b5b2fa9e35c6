"""Time to quality for the lesson-1 DCGAN: wall seconds, compilation included, until its digits
pass a bar set by the shipped evaluator.

The bar: the Frechet distance between the evaluator's features (``ganlab.evaluator.load("mnist")``,
128 features per image) of 1,000 generated digits and of the 1,000 test digits is at most 60.
For scale, measured here: 1,000 training digits score about 4, the shipped generator (10,000
steps) about 36, an untrained generator about 525. (The other bar the issue offers, >= 80% of
samples classified with confidence >= 0.9, cannot tell: the classifier is that confident on
100% of an untrained generator's blobs and on only 62% of the shipped generator's digits.)

The bar is checked every ``--every`` steps; the time the checks take (sampling, features, FID)
is stopped off the clock and printed separately. The same recipe runs for ganlab
(``models.conv_gan`` trained by ``ganlab.train``) and, with ``--torch`` and PyTorch installed,
for the same networks in PyTorch eager (``torch_reference.TorchDCGAN``), whose samples are
scored by the same evaluator::

    python benchmarks/dcgan_time_to_quality.py [--lr 1e-3] [--batch 64] [--torch]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import jax

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch_reference  # noqa: E402

from ganlab import data, evaluator, metrics, models, train  # noqa: E402

FID_BAR = 60.0
N_SAMPLES = 1000


class Bar:
    """FID of generated digits against the 1,000 test digits, in the evaluator's features."""

    def __init__(self):
        self.net = evaluator.load("mnist")
        self.reference = self.net.features(data.mnist("test")[0])  # (1000, 128)

    def fid(self, images) -> float:
        return metrics.frechet_distance(self.reference, self.net.features(images))


def race(step, sample, bar: Bar, every: int, max_seconds: float, start: float) -> dict:
    """Call ``step(every)`` until ``bar.fid(sample())`` <= FID_BAR or ``max_seconds`` of
    training have passed. ``start``: when the clock started (before the models were built).
    Returns the seconds (training and compilation, checks excluded), steps, the FID trace and
    the seconds the checks took."""
    pause = time.perf_counter()
    trace = [(0, round(bar.fid(sample()), 1))]  # the untrained generator: far above the bar
    checking, steps = time.perf_counter() - pause, 0
    while True:
        step(every)
        steps += every
        pause = time.perf_counter()
        fid = bar.fid(sample())
        trace.append((steps, round(fid, 1)))
        checking += time.perf_counter() - pause
        seconds = time.perf_counter() - start - checking
        if fid <= FID_BAR or seconds > max_seconds:
            return dict(seconds=seconds, steps=steps, fid=fid, reached=fid <= FID_BAR,
                        trace=trace, checking=checking)  # fmt: skip


def ganlab_time(args, bar: Bar, images) -> dict:
    start = time.perf_counter()
    g, d = models.conv_gan(args.latent, channels=args.channels, seed=args.seed)
    config = train.Config(
        batch_size=args.batch, g_lr=args.lr, d_lr=args.lr, g_betas=(args.beta1, 0.999),
        d_betas=(args.beta1, 0.999), seed=args.seed, progress=False,
    )  # fmt: skip
    trainer = train.Trainer(g, d, images, config)
    key = jax.random.key(1)
    return race(trainer.run, lambda: trainer.sample(key, N_SAMPLES), bar, args.every,
                args.max_seconds, start)  # fmt: skip


def torch_time(args, bar: Bar, images, threads: int) -> dict:
    start = time.perf_counter()
    gan = torch_reference.TorchDCGAN(
        images, args.seed, threads, latent_dim=args.latent, channels=args.channels,
        batch=args.batch, lr=args.lr, betas=(args.beta1, 0.999),
    )  # fmt: skip

    def steps(n):
        for _ in range(n):
            gan.step()

    return race(steps, lambda: gan.sample(N_SAMPLES), bar, args.every, args.max_seconds, start)


def parse_args(argv=None) -> argparse.Namespace:
    """The recipe and the race's settings; ``parse_args([])`` gives the defaults (the recipe
    proposed for lesson 1)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lr", type=float, default=1e-3, help="both players' Adam rate")
    parser.add_argument("--beta1", type=float, default=0.5, help="both players' Adam beta1")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--latent", type=int, default=32, help="the lesson's: 32")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--every", type=int, default=250, help="steps between checks")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--torch", action="store_true", help="also PyTorch eager (1 and 2 threads)")
    return parser.parse_args(argv)


def main(argv=None) -> list[tuple[str, dict]]:
    args = parse_args(argv)

    bar = Bar()
    images = data.mnist("train")[0]
    runs = [("ganlab", ganlab_time(args, bar, images))]
    if args.torch and torch_reference.TORCH_AVAILABLE:
        runs += [(f"PyTorch, {n} thread(s)", torch_time(args, bar, images, n)) for n in (1, 2)]
    recipe = (f"lr {args.lr:g}, betas ({args.beta1:g}, 0.999), batch {args.batch}, "
              f"channels {args.channels}, latent {args.latent}, seed {args.seed}")  # fmt: skip
    print(f"DCGAN time to FID <= {FID_BAR:g} ({recipe}; load {os.getloadavg()[0]:.1f}):")
    for name, r in runs:
        status = "reached" if r["reached"] else "NOT reached"
        print(f"  {name:<20} {status} in {r['seconds']:.1f} s, {r['steps']} steps, FID "
              f"{r['fid']:.1f} (checks: {r['checking']:.1f} s more); {r['trace']}")  # fmt: skip
    return runs


if __name__ == "__main__":
    main()
