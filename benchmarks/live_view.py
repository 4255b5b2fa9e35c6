"""What the live training view costs: wall time of the same training with and without
``plot.LiveView`` redrawing (``mode="live"``, as in JupyterLab; here each picture is drawn to a
PNG and dropped, the work a notebook's display does).

Both arms run the same trainer settings after the same warm-up (so compilation is not timed,
except the sampler's, which the view's first picture compiles: that is the view's cost). The
arms alternate, so a load change on a shared machine falls on both. Prints, per model, the
median wall time of each arm, the slowdown, and how many pictures the view drew.

    python benchmarks/live_view.py [--reps 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from ganlab import data, models, plot, train


def timed_run(make, data_, config, steps, view):
    g, d = make()
    trainer = train.Trainer(g, d, data_, config)
    trainer.run(trainer.steps_per_call)  # warm-up: compiles the training call
    start = time.perf_counter()
    trainer.run(steps, live=view)
    return time.perf_counter() - start


def measure(name, make, data_, config, steps, every, reps):
    off, on, renders = [], [], []
    for _ in range(reps):
        off.append(timed_run(make, data_, config, steps, None))
        view = plot.LiveView(mode="live", every=every)
        on.append(timed_run(make, data_, config, steps, view))
        renders.append(view.renders)
    t_off, t_on = statistics.median(off), statistics.median(on)
    print(
        f"{name}: {steps} steps, redraw every {every} steps at most: without the view "
        f"{t_off:.2f} s, with it {t_on:.2f} s (median of {reps}); slowdown "
        f"{100 * (t_on / t_off - 1):+.1f}%; pictures drawn {renders} "
        f"({steps / t_off:.0f} steps/s)"
    )
    return t_on / t_off - 1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    ring = data.ring()
    ring_config = train.Config(batch_size=256, g_lr=1e-3, d_lr=1e-3, progress=False)
    measure("MLP GAN on the ring", lambda: models.mlp_gan(seed=0), ring, ring_config,
            steps=6000, every=100, reps=args.reps)  # fmt: skip
    images = np.asarray(data.mnist("train")[0])
    dcgan_config = train.Config(batch_size=64, g_lr=2e-4, d_lr=2e-4, progress=False)
    measure("DCGAN on MNIST", lambda: models.conv_gan(**models.PRETRAINED_MNIST, seed=0), images,
            dcgan_config, steps=600, every=100, reps=args.reps)  # fmt: skip


if __name__ == "__main__":
    main()
