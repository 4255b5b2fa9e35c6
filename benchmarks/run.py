"""ganlab's benchmarks: one command, one table. Figures, not pass/fail tests.

    python benchmarks/run.py            (or: make bench)
    python benchmarks/run.py --quick    (fewer repetitions, for a smoke check)

What it measures, all in this one process so that ratios compare like with like:

1. time to quality: wall seconds, compilation included, until a fresh 2-D MLP GAN covers all 8
   modes of the ring with >= 90% high-quality samples (ganlab.metrics.mode_coverage on 2,500
   samples, checked every 250 steps). Run first, so its compile is cold.
2. the machine's float32 matmul rate (a 1024x1024 jitted matmul), the yardstick for (4);
3. steps/s of the foundation's 2-D MLP GAN (G 2-128-128-2, D 2-128-128-1, batch 256, Adam,
   one D and one G update per step) with ganlab, as one jit call per step and fused by
   lax.scan, and in PyTorch eager (benchmarks/torch_reference.py) when torch is importable;
4. the achieved FLOP rate: XLA's count of the step's FLOPs times steps/s, over (2);
5. the small 28x28 DCGAN (ganlab.models.conv_gan), with sub-pixel upsampling (im2col
   convolutions) and with transposed convolutions (XLA's), each as one call per step and fused:
   the measurement behind each model's ``fuse_steps``.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import sys
import time

import jax
import jax.numpy as jnp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch_reference  # noqa: E402

from ganlab import data, metrics, models, train  # noqa: E402

KEY = jax.random.PRNGKey(0)


def best_rate(fn, reps: int) -> float:
    """Best of ``reps`` calls of ``fn() -> (work, seconds)``: the least-disturbed run on a shared
    machine."""
    return max(work / seconds for work, seconds in (fn() for _ in range(reps)))


def time_to_quality(lr: float, seed: int, max_steps: int = 20_000) -> tuple[float, int]:
    ring = data.ring()
    start = time.perf_counter()
    g, d = models.mlp_gan(seed=seed)
    trainer = train.Trainer(g, d, ring, train.Config(g_lr=lr, d_lr=lr, seed=seed, progress=False))
    while trainer.step < max_steps:
        trainer.run(250)
        m = metrics.mode_coverage(trainer.sample(KEY, 2500), ring.centers, ring.std)
        if int(m["modes"]) == 8 and float(m["high_quality"]) >= 0.9:
            return time.perf_counter() - start, trainer.step
    return float("nan"), trainer.step


def matmul_rate(n: int = 1024, reps: int = 5) -> float:
    a = jax.random.normal(KEY, (n, n), jnp.float32)
    b = a + 1.0
    f = jax.jit(jnp.matmul)
    f(a, b).block_until_ready()

    def once():
        t = time.perf_counter()
        for _ in range(10):
            c = f(a, b)
        c.block_until_ready()
        return 10 * 2 * n**3, time.perf_counter() - t

    return best_rate(once, reps)


def ganlab_rate(pair, dataset, steps_per_call: int, steps: int, reps: int, **config):
    g, d = pair
    cfg = train.Config(progress=False, steps_per_call=steps_per_call, **config)
    trainer = train.Trainer(g, d, dataset, cfg)
    trainer.run(2 * steps_per_call)  # compile and warm up

    def once():
        t = time.perf_counter()
        trainer.run(steps)
        return steps, time.perf_counter() - t

    return best_rate(once, reps), trainer


def step_flops(trainer: train.Trainer) -> float:
    """FLOPs of one training step, as XLA counts them for the single-step program."""
    analysis = trainer._step.lower(trainer.state, trainer.data).compile().cost_analysis()
    analysis = analysis[0] if isinstance(analysis, list) else analysis
    return float(analysis["flops"])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repetitions")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5
    mlp_steps = 500 if args.quick else 2000

    rows: list[tuple[str, str, str]] = []

    def row(name, value, note=""):
        rows.append((name, value, note))
        print(f"  {name:<46} {value:>14}  {note}", flush=True)

    print(
        f"ganlab benchmarks — {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, jax {jax.__version__}, {jax.devices()[0].platform}"
    )

    ttq = [time_to_quality(lr=2e-3, seed=s) for s in ((0,) if args.quick else (0, 1, 2))]
    for s, (seconds, steps) in enumerate(ttq):
        row(
            f"time to quality, ring, seed {s} (target < 15 s)", f"{seconds:.1f} s", f"{steps} steps"
        )

    peak = matmul_rate(reps=reps)
    row("float32 matmul rate (1024x1024)", f"{peak / 1e9:.0f} GFLOP/s")

    ring = data.ring()
    single, _ = ganlab_rate(models.mlp_gan(), ring, 1, mlp_steps // 4, reps)
    fused, trainer = ganlab_rate(models.mlp_gan(), ring, 50, mlp_steps, reps)
    row("MLP GAN, ganlab, one jit call per step", f"{single:.0f} steps/s")
    row(
        "MLP GAN, ganlab, 50 steps per lax.scan call",
        f"{fused:.0f} steps/s",
        f"{fused / single:.2f}x one call per step",
    )

    flops = step_flops(trainer)
    achieved = flops * fused
    row("MLP GAN FLOPs per step (XLA cost analysis)", f"{flops / 1e6:.1f} MFLOP")
    row(
        "MLP GAN achieved FLOP rate (target >= 50%)",
        f"{achieved / 1e9:.0f} GFLOP/s",
        f"{100 * achieved / peak:.0f}% of the matmul rate",
    )

    if torch_reference.TORCH_AVAILABLE:
        import torch

        torch_steps = mlp_steps // 4
        for threads in sorted({1, torch.get_num_threads()}):
            rate = max(
                torch_reference.steps_per_second(torch_steps, 50, num_threads=threads)
                for _ in range(reps)
            )
            row(
                f"MLP GAN, PyTorch {torch.__version__} eager, {threads} thread(s)",
                f"{rate:.0f} steps/s",
                f"ganlab fused is {fused / rate:.2f}x (target >= 3x)",
            )
    else:
        row("MLP GAN, PyTorch eager", "skipped", "torch not importable (make bench installs it)")

    images = data.from_array(data.mnist("train")[0])
    conv_steps = 10 if args.quick else 30
    for upsample, layers in (("subpixel", "im2col"), ("transpose", "XLA transposed conv")):
        make = functools.partial(models.conv_gan, upsample=upsample)
        c_single, _ = ganlab_rate(make(), images, 1, conv_steps, 2, batch_size=64)
        c_fused, _ = ganlab_rate(make(), images, 10, conv_steps, 2, batch_size=64)
        fused_default = make()[0].fuse_steps
        row(f"DCGAN 28x28 b64 {upsample} ({layers}), per step", f"{c_single:.1f} steps/s")
        row(
            f"DCGAN 28x28 b64 {upsample} ({layers}), 10 fused",
            f"{c_fused:.1f} steps/s",
            f"fused/per-step {c_fused / c_single:.2f}x; fuse_steps={fused_default}",
        )


if __name__ == "__main__":
    main()
