"""Lesson 4's table: mode collapse on the ring and the grid, every remedy, 10 seeds each.

    python benchmarks/mode_collapse.py            # the full table (26 min), written to results/
    python benchmarks/mode_collapse.py --quick    # a smoke run: 2 seeds, a few steps, to /tmp

Every (method, dataset) pair trains all its seeds in ONE vmapped program
(``ganlab.train.train_seeds``), then draws 2,500 samples per seed and scores them with the
PacGAN/VEEGAN protocol (``ganlab.metrics.mode_coverage``, vmapped over seeds): modes covered,
the fraction of high-quality samples (within 3 standard deviations of their nearest mode) and
the KL divergence from the mode histogram to the uniform one. The table gives mean +- standard
error over seeds beside the published numbers of PacGAN (Lin et al. 2018) and VEEGAN
(Srivastava et al. 2017), and the run time of each row and of the whole script.

The networks are the same for every method (only the discriminator's input changes for
packing, and its last layer for minibatch std), so rows differ by the remedy alone. They are
smaller, and trained for far fewer steps, than the papers' (PacGAN: G 4x400 with BatchNorm, D
3x200 maxout, batch 100, 400 epochs of 100,000 samples, about 400,000 steps): this table has to
run in about 25 minutes on a shared 2-core CPU (the committed run: 26.3 min, load average 5-6).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import json
import math
import os
import pathlib
import platform
import sys
import time
from collections.abc import Callable, Sequence

import jax
import numpy as np
from flax import nnx

from ganlab import data, metrics, models, train

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results" / "mode_collapse.json"
N_SAMPLES = 2500  # per seed, as in both papers
SAMPLE_KEY = 20180101  # every method is scored on the same latents

DATASETS: dict[str, Callable[[], data.GaussianMixture]] = {"ring": data.ring, "grid": data.grid}
COLUMNS = (
    "method", "label", "dataset", "seeds", "steps",
    "modes_mean", "modes_se", "hq_mean", "hq_se", "kl_mean", "kl_se", "seconds",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Arch:
    """The networks every method shares (the foundation's MLPs, sized for this CPU budget)."""

    latent_dim: int = 2  # as in PacGAN's synthetic experiments
    g_width: int = 128  # ganlab.models.mlp_gan's defaults: 2-128-128-2 ...
    g_depth: int = 2
    d_width: int = 128  # ... and 2-128-128-1
    d_depth: int = 2


@dataclasses.dataclass(frozen=True)
class Method:
    """One row of the table: a discriminator variant and the Config overrides of a remedy."""

    label: str
    packing: int = 1  # PacGAN: D judges packs of m samples
    minibatch_std: bool = False  # D sees the batch's feature spread
    config: tuple[tuple[str, object], ...] = ()  # Config overrides, e.g. (("unroll_steps", 5),)
    step_fraction: float = 1.0  # generator steps, as a fraction of the dataset's budget
    d_width_factor: float = 1.0  # "balance" rows: a wider D ...
    g_width_factor: float = 1.0  # ... or a wider G
    d_lr_factor: float = 1.0  # ... or a faster D


WGAN_GP = (("loss", "wgan-gp"), ("n_critic", 5), ("g_betas", (0.5, 0.9)), ("d_betas", (0.5, 0.9)))

# Unrolling (k = 5 differentiable D updates inside G's loss) and WGAN-GP (5 critic updates with
# a double backward pass) cost several plain steps each: they get a quarter of the generator
# steps. Measured in the committed run (seconds per step, compilation included, vs the plain
# GAN): WGAN-GP about 4x, so its row costs about what the others do; unrolling 8-10x, so its
# row costs about twice as much.
METHODS: dict[str, Method] = {
    "gan": Method("GAN (non-saturating)"),
    "unrolled": Method("Unrolled GAN, k = 5", config=(("unroll_steps", 5),), step_fraction=0.25),
    "pacgan2": Method("PacGAN2", packing=2),
    "pacgan3": Method("PacGAN3", packing=3),
    "pacgan4": Method("PacGAN4", packing=4),
    "mbstd": Method("Minibatch std", minibatch_std=True),
    "wgan-gp": Method("WGAN-GP, n_critic = 5", config=WGAN_GP, step_fraction=0.25),
}
# The common mistake "mode collapse is an imbalance between G and D": re-balance the plain GAN.
BALANCE: dict[str, Method] = {
    "gan-wide-d": Method("GAN, D 2x wider", d_width_factor=2.0),
    "gan-wide-g": Method("GAN, G 2x wider", g_width_factor=2.0),
    "gan-fast-d": Method("GAN, D lr x 4", d_lr_factor=4.0),
}


@dataclasses.dataclass(frozen=True)
class Budget:
    """How long each dataset trains, and with what optimiser settings."""

    steps: dict[str, int] = dataclasses.field(default_factory=lambda: {"ring": 4000, "grid": 8000})
    seeds: int = 10
    batch_size: int = 128
    lr: float = 2e-3


# Published numbers: mean (and the +- each paper prints) over 10 trials, Table 1 of each paper.
# Quoted by hand from the papers (arXiv:1712.04086v4 and arXiv:1705.07761v3); this offline
# workspace could not fetch them to re-check, so check against the PDFs before relying on them.
PUBLISHED = {
    "PacGAN (Lin et al. 2018, Table 1)": {
        "ring": {
            "GAN": ((6.3, 0.5), (98.2, 0.2), (0.45, 0.09)),
            "PacGAN2": ((7.9, 0.1), (95.6, 2.0), (0.07, 0.03)),
            "PacGAN3": ((7.8, 0.1), (97.7, 0.3), (0.10, 0.02)),
            "PacGAN4": ((7.8, 0.1), (95.9, 1.4), (0.07, 0.02)),
        },
        "grid": {
            "GAN": ((17.3, 0.8), (94.8, 0.7), (0.70, 0.07)),
            "PacGAN2": ((23.8, 0.7), (91.3, 0.8), (0.13, 0.04)),
            "PacGAN3": ((24.6, 0.4), (94.2, 0.4), (0.06, 0.02)),
            "PacGAN4": ((24.8, 0.2), (93.6, 0.6), (0.04, 0.01)),
        },
    },
    "VEEGAN (Srivastava et al. 2017, Table 1)": {
        "ring": {
            "GAN": ((1.0, None), (99.3, None), (None, None)),
            "ALI": ((2.8, None), (0.13, None), (None, None)),
            "Unrolled GAN": ((7.6, None), (35.6, None), (None, None)),
            "VEEGAN": ((8.0, None), (52.9, None), (None, None)),
        },
        "grid": {
            "GAN": ((3.3, None), (0.5, None), (None, None)),
            "ALI": ((15.8, None), (1.6, None), (None, None)),
            "Unrolled GAN": ((23.6, None), (16.0, None), (None, None)),
            "VEEGAN": ((24.6, None), (40.0, None), (None, None)),
        },
    },
}
GOAL = {"ring": (8.0, 0.95), "grid": (24.8, 0.94)}  # the goal: modes, high-quality
NOTE = (
    "The papers' baselines disagree (a plain GAN covers 6.3 ring / 17.3 grid modes in PacGAN "
    "but 1 / 3.3 in VEEGAN): networks, optimisers and training length differ between the "
    "papers and from this table, so the comparison is of the protocol, not of identical "
    "networks."
)


def make_models_fn(method: Method, arch: Arch, data_dim: int = 2):
    """``seed -> (G, D)`` for ``method``: the shared MLPs, D packed or with minibatch std."""
    g_width = round(arch.g_width * method.g_width_factor)
    d_width = round(arch.d_width * method.d_width_factor)

    def make(seed: int):
        rngs = nnx.Rngs(seed)
        g = models.MLPGenerator(
            arch.latent_dim, data_dim, width=g_width, depth=arch.g_depth, rngs=rngs
        )
        if method.packing > 1:
            d = models.packed_mlp_discriminator(
                data_dim, method.packing, width=d_width, depth=arch.d_depth, rngs=rngs
            )
        else:
            d = models.MLPDiscriminator(
                data_dim,
                width=d_width,
                depth=arch.d_depth,
                minibatch_std=method.minibatch_std,
                rngs=rngs,
            )
        return g, d

    return make


def method_config(method: Method, budget: Budget, dataset: str) -> train.Config:
    steps = max(1, round(budget.steps[dataset] * method.step_fraction))
    batch = budget.batch_size - budget.batch_size % method.packing  # a multiple of m
    base = train.Config(
        steps=steps,
        batch_size=batch,
        g_lr=budget.lr,
        d_lr=budget.lr * method.d_lr_factor,
        progress=False,
    )
    overrides = dict(method.config)
    if overrides.get("loss") == "wgan-gp":  # WGAN-GP's own Adam settings (Gulrajani et al.)
        overrides.setdefault("g_lr", 1e-3)
        overrides.setdefault("d_lr", 1e-3)
    return base.replace(**overrides)


def _mean_se(x: Sequence[float]) -> tuple[float, float]:
    x = np.asarray(x, dtype=np.float64)
    se = float(np.std(x, ddof=1) / math.sqrt(len(x))) if len(x) > 1 else float("nan")
    return float(np.mean(x)), se


def run_one(
    name: str, method: Method, dataset: str, arch: Arch, budget: Budget
) -> dict[str, object]:
    """Train ``budget.seeds`` seeds of ``method`` on ``dataset`` in one vmapped program and
    score each on 2,500 samples. Returns one table row (per-seed lists included)."""
    ds = DATASETS[dataset]()
    config = method_config(method, budget, dataset)
    start = time.perf_counter()
    result = train.train_seeds(make_models_fn(method, arch), ds, config, seeds=range(budget.seeds))
    samples = result.trainer.sample(jax.random.PRNGKey(SAMPLE_KEY), N_SAMPLES)  # (S, n, 2)
    scores = jax.vmap(lambda x: metrics.mode_coverage(x, ds.centers, ds.std))(samples)
    scores = {k: np.asarray(v) for k, v in scores.items()}
    seconds = time.perf_counter() - start
    modes = scores["modes"].astype(int).tolist()
    hq = scores["high_quality"].astype(float).tolist()
    kl = scores["kl"].astype(float).tolist()
    row: dict[str, object] = {
        "method": name,
        "label": method.label,
        "dataset": dataset,
        "seeds": budget.seeds,
        "steps": config.steps,
    }
    for key, values in (("modes", modes), ("hq", hq), ("kl", kl)):
        row[f"{key}_mean"], row[f"{key}_se"] = _mean_se(values)
    row["seconds"] = seconds
    row["per_seed"] = {
        "modes": modes,
        "high_quality": hq,
        "kl": kl,
        "counts": scores["counts"].astype(int).tolist(),
    }
    return row


def run_benchmark(
    methods: dict[str, Method],
    datasets: Sequence[str] = ("ring", "grid"),
    arch: Arch | None = None,
    budget: Budget | None = None,
    out: str | os.PathLike | None = RESULTS,
    balance: dict[str, Method] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Every method x dataset (and the ``balance`` rows, on the grid only); writes ``out``
    (JSON) and the same rows as CSV beside it. Returns the results dict."""
    arch = arch or Arch()
    budget = budget or Budget()
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown or not datasets:
        allowed = sorted(DATASETS)
        raise ValueError(f"datasets must be a non-empty subset of {allowed}, got {datasets}")
    if not methods:
        raise ValueError("methods must name at least one method")
    jobs = [(n, m, d) for d in datasets for n, m in methods.items()]
    if balance and "grid" in datasets:
        jobs += [(n, m, "grid") for n, m in balance.items()]
    start = time.perf_counter()
    rows = []
    for name, method, dataset in jobs:
        row = run_one(name, method, dataset, arch, budget)
        rows.append(row)
        log(
            f"  {dataset:4s} {method.label:24s} modes {row['modes_mean']:5.2f}  "
            f"HQ {100 * row['hq_mean']:5.1f}%  KL {row['kl_mean']:.3f}  ({row['seconds']:.0f} s)"
        )
    total = time.perf_counter() - start
    all_methods = {**methods, **(balance or {})}
    results = {
        "meta": {
            "command": "python benchmarks/mode_collapse.py" + ("" if out == RESULTS else " ..."),
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(),
            "jax": jax.__version__,
            "backend": jax.default_backend(),
            "arch": dataclasses.asdict(arch),
            "budget": dataclasses.asdict(budget),
            "methods": {n: dataclasses.asdict(m) for n, m in all_methods.items()},
            "n_samples": N_SAMPLES,
            "total_seconds": total,
        },
        "rows": rows,
        "published": PUBLISHED,
        "goal": GOAL,
        "note": NOTE,
    }
    if out is not None:
        write(results, out)
    return results


def write(results: dict[str, object], out: str | os.PathLike) -> None:
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    with open(out.with_suffix(".csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in results["rows"]:
            writer.writerow({k: row[k] for k in COLUMNS})


def load(path: str | os.PathLike = RESULTS) -> dict[str, object]:
    """The committed results (what the lesson shows)."""
    return json.loads(pathlib.Path(path).read_text())


def _pm(mean, se, scale=1.0, digits=1) -> str:
    if mean is None:
        return "-"
    s = f"{scale * mean:.{digits}f}"
    if se is not None and not (isinstance(se, float) and math.isnan(se)):
        s += f" ± {scale * se:.{digits}f}"
    return s


def format_table(results: dict[str, object]) -> str:
    """The table as Markdown: our rows, then each paper's rows, per dataset."""
    lines = []
    for dataset in ("ring", "grid"):
        rows = [r for r in results["rows"] if r["dataset"] == dataset]
        if not rows:
            continue
        k = 8 if dataset == "ring" else 25
        lines += [
            f"\n{dataset} ({k} modes), mean ± standard error over seeds, 2,500 samples each",
            "",
            f"| source | method | steps | modes (max {k}) | high quality % | KL | seconds |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in rows:
            lines.append(
                f"| ganlab, {r['seeds']} seeds | {r['label']} | {r['steps']} | "
                f"{_pm(r['modes_mean'], r['modes_se'])} | "
                f"{_pm(r['hq_mean'], r['hq_se'], 100)} | "
                f"{_pm(r['kl_mean'], r['kl_se'], digits=2)} | {r['seconds']:.0f} |"
            )
        for paper, tables in results["published"].items():
            for label, (modes, hq, kl) in tables[dataset].items():
                lines.append(
                    f"| {paper} | {label} | | {_pm(*modes)} | {_pm(*hq)} | {_pm(*kl, digits=2)} | |"
                )
    lines += ["", "Note: " + results["note"]]
    return "\n".join(lines)


def goal_report(results: dict[str, object]) -> str:
    """Which of our rows meet the issue's goal on each dataset (mean over seeds)."""
    out = []
    for dataset, (modes, hq) in results["goal"].items():
        rows = [r for r in results["rows"] if r["dataset"] == dataset]
        if not rows:
            continue
        best = max(rows, key=lambda r: (r["modes_mean"] >= modes, r["hq_mean"], r["modes_mean"]))
        met = [r["label"] for r in rows if r["modes_mean"] >= modes and r["hq_mean"] >= hq]
        out.append(
            f"goal on the {dataset} ({modes} modes, >= {100 * hq:.0f}% HQ): "
            + (f"met by {', '.join(met)}" if met else "not met")
            + f"; best row {best['label']}: {best['modes_mean']:.1f} modes, "
            f"{100 * best['hq_mean']:.1f}% HQ"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 40 steps: a smoke run")
    parser.add_argument("--out", default=None, help="results file (default: results/ or /tmp)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.quick:
        budget = Budget(steps={"ring": 40, "grid": 40}, seeds=2, batch_size=24)
        arch = Arch(g_width=16, g_depth=2, d_width=16, d_depth=2)
        out = args.out or "/tmp/ganlab_mode_collapse_quick.json"
    else:
        budget, arch, out = Budget(), Arch(), args.out or RESULTS
    print(f"mode collapse benchmark: {budget.seeds} seeds, steps {budget.steps}, arch {arch}")
    results = run_benchmark(METHODS, arch=arch, budget=budget, out=out, balance=BALANCE)
    print(format_table(results))
    print()
    print(goal_report(results))
    total = time.perf_counter() - start
    print(f"\nwrote {out} (and .csv); total run time {total:.0f} s ({total / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
