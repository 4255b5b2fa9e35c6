"""Lesson 4's table: mode collapse on the ring and the grid, every remedy, 10 seeds each.

    python benchmarks/mode_collapse.py                       # the CPU table (committed, below)
    python benchmarks/mode_collapse.py --methods gan,pacgan2 --datasets grid \\
        --seeds 10 --seed-offset 100 --out /tmp/fresh.json   # re-run rows on unseen seeds
    python benchmarks/mode_collapse.py --protocol paper      # PacGAN's networks and length
    python benchmarks/mode_collapse.py --quick               # a smoke run (2 seeds, few steps)

Every (method, dataset) pair trains all its seeds in ONE vmapped program
(``ganlab.train.Trainer.from_seeds``). Over the last ``EVAL_SPAN`` of training each seed is
scored ``N_EVALS`` times on 2,500 samples with the PacGAN/VEEGAN protocol
(``ganlab.metrics.mode_coverage``): modes covered (>= 1 sample within 3 std), the fraction of
high-quality samples (within 3 std of the nearest mode) and the KL divergence of the mode
histogram from the uniform one. A row gives mean +- standard error over seeds of the *final*
evaluation (``modes_mean`` ...) and of each seed's *average over the last evaluations*
(``modes_avg_mean`` ...), because these metrics oscillate while a GAN trains.

The default command writes ``ganlab/_data/results/mode_collapse.json`` and its rows as
``mode_collapse.csv`` beside it: the committed table, shipped with the package, which lesson 4
loads with ``ganlab.course.results("mode_collapse")``. Any other run writes to /tmp unless
``--out`` says where.

Two trivial generators get rows too (no training): uniform noise over a square around the
data, and a "spray" of each mode blurred to 4x its width. They cover every mode with few
high-quality samples: modes and high quality have to be read together.

Protocols:

* ``cpu`` (default): the CPU budget, 3x128 MLPs, PacGAN's Adam (beta1 0.8, 100 packs per batch)
  at 4x its learning rate with a cosine decay, 6,000 (ring) and 8,000 (grid) updates. Every
  method has the same networks and the same number of generator updates, except unrolling and
  WGAN-GP, whose updates cost about 8 and 4 plain ones: they get about the same wall-clock time
  (1/8 and 1/4 of the updates), and the plain GAN on those budgets has control rows. The
  optimiser settings are each method's own paper's where the paper gives them for these
  mixtures (``Method.source`` says where each comes from, and what was changed).
* ``paper``: PacGAN's own 2-D protocol (Lin et al. 2018 and the authors' code): G 4x400 ReLU with
  batch norm, D 3x200 maxout with 5 pieces, Adam lr 1e-4 beta1 0.8, 100 packs per batch,
  400 epochs of 100,000 samples (400,000 generator updates). Hours on a CPU: for a GPU.
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
import jax.numpy as jnp
import numpy as np

from ganlab import course, data, metrics, train

HERE = pathlib.Path(__file__).resolve().parent
# The committed table ships with the package (lesson 4 loads it: ganlab.course.results).
RESULTS = HERE.parent / "ganlab" / "_data" / "results" / "mode_collapse.json"
N_SAMPLES = 2500  # per seed and evaluation, as in both papers
SAMPLE_KEY = 20180101  # every method is scored on the same latents
N_EVALS = 5  # evaluations averaged per seed ...
EVAL_SPAN = 0.2  # ... evenly spaced over the last 20% of training, the last at the final step
N_SHOWN = 500  # samples of each row's first seed kept in the results, for the lesson's figures

DATASETS: dict[str, Callable[[], data.GaussianMixture]] = {"ring": data.ring, "grid": data.grid}
COLUMNS = (
    "method", "label", "dataset", "seeds", "seed_offset", "steps",
    "modes_mean", "modes_se", "hq_mean", "hq_se", "kl_mean", "kl_se",
    "modes_avg_mean", "modes_avg_se", "hq_avg_mean", "hq_avg_se", "kl_avg_mean", "kl_avg_se",
    "seconds",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Arch:
    """The networks every method of a protocol shares."""

    latent_dim: int = 2  # as in PacGAN's synthetic experiments
    g_width: int = 128
    g_depth: int = 3
    g_batch_norm: bool = False
    d_width: int = 128
    d_depth: int = 3
    d_maxout: int = 0  # pieces of a maxout D (PacGAN: 5); 0 = LeakyReLU MLP


@dataclasses.dataclass(frozen=True)
class Protocol:
    """How long each dataset trains, on what networks, with what baseline optimiser."""

    name: str
    arch: Arch
    steps: dict[str, int]
    packs: int  # samples per batch for m = 1; a PacGANm draws m x this many (same packs)
    lr: float  # the baseline Adam settings (PacGAN's: lr 1e-4, beta1 0.8)
    beta1: float
    lr_schedule: str = "cosine"  # "constant" in the paper protocol
    seeds: int = 10


PROTOCOLS = {
    # PacGAN's optimiser and packs per batch, with a 4x learning rate decayed to 0 (cosine) so
    # that the samples sharpen in about 1/60 of PacGAN's 400,000 updates; 3x128 MLPs.
    "cpu": Protocol(
        "cpu", Arch(), steps={"ring": 6000, "grid": 8000}, packs=100, lr=4e-4, beta1=0.8
    ),
    "paper": Protocol(
        "paper",
        Arch(g_width=400, g_depth=4, g_batch_norm=True, d_width=200, d_depth=3, d_maxout=5),
        steps={"ring": 400_000, "grid": 400_000},
        packs=100,
        lr=1e-4,
        beta1=0.8,
        lr_schedule="constant",
    ),
}


@dataclasses.dataclass(frozen=True)
class Method:
    """One row of the table: a discriminator variant and the Config overrides of a remedy."""

    label: str
    source: str  # where its settings come from, and what this table changes
    packing: int = 1  # PacGAN: D judges packs of m samples (same packs per batch: m x samples)
    minibatch_std: bool = False  # D sees the batch's feature spread
    config: tuple[tuple[str, object], ...] = ()  # Config overrides, e.g. (("unroll_steps", 5),)
    step_fraction: float = 1.0  # generator updates, as a fraction of the protocol's
    d_width_factor: float = 1.0  # "balance" rows: a wider D ...
    g_width_factor: float = 1.0  # ... or a wider G
    d_lr_factor: float = 1.0  # ... or a faster D


PACGAN_SOURCE = (
    "Lin et al. 2018 and their code: Adam with beta1 0.8, the same number of packs per batch "
    "as the GAN's batch, so D sees m times as many samples; the protocol's lr"
)
METHODS: dict[str, Method] = {
    "gan": Method(
        "GAN (non-saturating)",
        "PacGAN's GAN baseline: Adam beta1 0.8; the protocol's lr and batch",
    ),
    "pacgan2": Method("PacGAN2", PACGAN_SOURCE, packing=2),
    "pacgan3": Method("PacGAN3", PACGAN_SOURCE, packing=3),
    "pacgan4": Method("PacGAN4", PACGAN_SOURCE, packing=4),
    "mbstd": Method(
        "Minibatch std",
        "Karras et al. 2018 give no 2-D setting: the GAN baseline's, plus D's one batch feature",
        minibatch_std=True,
    ),
    "unrolled": Method(
        "Unrolled GAN, k = 5",
        "Metz et al. 2017's 2-D notebook: k = 5, Adam beta1 0.5, G lr 1e-3, D lr 1e-4 "
        "(its batch 512 and 256-d latent not used: the protocol's networks and batch); "
        "1/8 of the updates, about the GAN's wall-clock time (a step costs about 8 GAN steps)",
        step_fraction=1 / 8,
        config=(
            ("unroll_steps", 5),
            ("g_lr", 1e-3),
            ("d_lr", 1e-4),
            ("g_betas", (0.5, 0.999)),
            ("d_betas", (0.5, 0.999)),
        ),  # fmt: skip
    ),
    "wgan-gp": Method(
        "WGAN-GP, n_critic = 5",
        "Gulrajani et al. 2017's toy code: lambda 0.1, 5 critic updates, Adam lr 1e-4, "
        "betas (0.5, 0.9) (its 3x512 networks and batch 256 not used); 1/4 of the updates, "
        "about the GAN's wall-clock time (a step costs about 4 GAN steps)",
        step_fraction=1 / 4,
        config=(
            ("loss", "wgan-gp"),
            ("gp_weight", 0.1),
            ("n_critic", 5),
            ("g_lr", 1e-4),
            ("d_lr", 1e-4),
            ("g_betas", (0.5, 0.9)),
            ("d_betas", (0.5, 0.9)),
        ),  # fmt: skip
    ),
}
# The common mistake "mode collapse is an imbalance between G and D": re-balance the plain GAN.
BALANCE: dict[str, Method] = {
    "gan-wide-d": Method("GAN, D 2x wider", "the GAN baseline, D twice as wide", d_width_factor=2),
    "gan-wide-g": Method("GAN, G 2x wider", "the GAN baseline, G twice as wide", g_width_factor=2),
    "gan-fast-d": Method("GAN, D lr x 4", "the GAN baseline, D's lr 4x", d_lr_factor=4.0),
}
# Controls for the two remedies that get fewer updates: the plain GAN on their budgets. If the GAN
# is no better there, the remedy's row measures the budget, not the remedy.
CONTROLS: dict[str, Method] = {
    "gan-eighth": Method(
        "GAN, 1/8 of the updates", "the GAN baseline on unrolling's budget", step_fraction=1 / 8
    ),
    "gan-quarter": Method(
        "GAN, 1/4 of the updates", "the GAN baseline on WGAN-GP's budget", step_fraction=1 / 4
    ),
}
TRIVIAL = {
    "uniform": "Uniform noise over the square",
    "spray": "Spray: every mode, 4x its width",
}
ALL_METHODS = {**METHODS, **BALANCE, **CONTROLS}
# The committed CPU table: PacGAN3 and PacGAN4 cost 3x and 4x a GAN row and are left to
# --methods, to keep the table inside 20 minutes on 2 cores.
DEFAULT_METHODS = ["gan", "pacgan2", "mbstd", "unrolled", "wgan-gp", *BALANCE, *CONTROLS, *TRIVIAL]

# Published numbers: mean and the +- each paper prints (PacGAN: standard error over 10 trials).
# Checked against the papers' Table 1: PacGAN arXiv:1712.04086 (the authors' repository keeps the
# table as synthetic_data_experiments/results/Table1.png) and VEEGAN arXiv:1705.07761.
PUBLISHED = {
    "PacGAN (Lin et al. 2018, Table 1)": {
        "budget": "G 4x400 ReLU + batch norm, D 3x200 maxout(5), Adam lr 1e-4 beta1 0.8, "
        "100 packs per batch, 400 epochs of 100,000 samples (400,000 updates)",
        "ring": {
            "GAN": ((6.3, 0.5), (98.2, 0.2), (0.45, 0.09)),
            "ALI": ((6.6, 0.3), (97.6, 0.4), (0.36, 0.04)),
            "PacGAN2": ((7.9, 0.1), (95.6, 2.0), (0.07, 0.03)),
            "PacGAN3": ((7.8, 0.1), (97.7, 0.3), (0.10, 0.02)),
            "PacGAN4": ((7.8, 0.1), (95.9, 1.4), (0.07, 0.02)),
        },
        "grid": {
            "GAN": ((17.3, 0.8), (94.8, 0.7), (0.70, 0.07)),
            "ALI": ((24.1, 0.4), (95.7, 0.6), (0.14, 0.03)),
            "PacGAN2": ((23.8, 0.7), (91.3, 0.8), (0.13, 0.04)),
            "PacGAN3": ((24.6, 0.4), (94.2, 0.4), (0.06, 0.02)),
            "PacGAN4": ((24.8, 0.2), (93.6, 0.6), (0.04, 0.01)),
        },
    },
    "VEEGAN (Srivastava et al. 2017, Table 1)": {
        "budget": "VEEGAN's own networks and training, not PacGAN's; no error bars printed",
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
# PacGAN's best published rows: the bar a remedy here is measured against (modes, HQ fraction).
TARGET = {"ring": (7.9, 0.95), "grid": (24.5, 0.90)}
NOTE = (
    "Compare rows of one source only. The papers' GAN baselines disagree with each other "
    "(6.3 vs 1 ring modes) because their networks and training differ, and ours train far less "
    "than either (see each row's steps and the protocol). Read modes with high quality: a "
    "diffuse generator covers modes by spraying (the trivial rows)."
)


def make_models_fn(method: Method, arch: Arch, data_dim: int = 2):
    """``seed -> (G, D)`` for ``method``: the protocol's networks, D packed or with mb std."""
    return course.mode_collapse_models(
        dataclasses.asdict(arch),
        packing=method.packing,
        minibatch_std=method.minibatch_std,
        g_width_factor=method.g_width_factor,
        d_width_factor=method.d_width_factor,
        data_dim=data_dim,
    )


def method_config(method: Method, protocol: Protocol, dataset: str) -> train.Config:
    return course.mode_collapse_config(
        dataclasses.asdict(protocol),
        steps=max(1, round(protocol.steps[dataset] * method.step_fraction)),
        packing=method.packing,
        d_lr_factor=method.d_lr_factor,
        progress=False,
        **dict(method.config),
    )


def _mean_se(x: Sequence[float]) -> tuple[float, float]:
    x = np.asarray(x, dtype=np.float64)
    se = float(np.std(x, ddof=1) / math.sqrt(len(x))) if len(x) > 1 else float("nan")
    return float(np.mean(x)), se


def eval_steps(steps: int) -> list[int]:
    """The steps at which a run is scored: ``N_EVALS`` of them, evenly spaced over the last
    ``EVAL_SPAN`` of training, the last one at ``steps``."""
    gap = max(1, round(steps * EVAL_SPAN / N_EVALS))
    return sorted({max(1, steps - gap * i) for i in range(N_EVALS)})


def _score(samples: jax.Array, ds) -> dict[str, np.ndarray]:
    """(S, n, 2) samples -> per-seed modes, high-quality fraction, KL, counts."""
    scores = jax.vmap(lambda x: metrics.mode_coverage(x, ds.centers, ds.std))(samples)
    return {k: np.asarray(v) for k, v in scores.items()}


def _row(name, label, dataset, seeds, offset, steps, evals, seconds) -> dict[str, object]:
    """A table row from ``evals``: a list (over evaluations) of per-seed score dicts."""
    row: dict[str, object] = {
        "method": name, "label": label, "dataset": dataset, "seeds": seeds,
        "seed_offset": offset, "steps": steps,
    }  # fmt: skip
    final = evals[-1]
    for key, src in (("modes", "modes"), ("hq", "high_quality"), ("kl", "kl")):
        per_eval = np.stack([e[src].astype(np.float64) for e in evals])  # (E, S)
        row[f"{key}_mean"], row[f"{key}_se"] = _mean_se(final[src].astype(np.float64))
        row[f"{key}_avg_mean"], row[f"{key}_avg_se"] = _mean_se(per_eval.mean(axis=0))
    row["seconds"] = seconds
    row["per_seed"] = {
        "modes": final["modes"].astype(int).tolist(),
        "high_quality": final["high_quality"].astype(float).tolist(),
        "kl": final["kl"].astype(float).tolist(),
        "counts": final["counts"].astype(int).tolist(),
        "modes_avg": np.mean([e["modes"] for e in evals], axis=0).tolist(),
        "hq_avg": np.mean([e["high_quality"] for e in evals], axis=0).tolist(),
    }
    return row


def run_one(
    name: str, method: Method, dataset: str, protocol: Protocol, seeds: int, offset: int = 0
) -> dict[str, object]:
    """Train ``seeds`` seeds (``offset``, ``offset + 1``, ...) of ``method`` on ``dataset`` in
    one vmapped program, scoring each ``N_EVALS`` times near the end. Returns one table row."""
    ds = DATASETS[dataset]()
    config = method_config(method, protocol, dataset)
    start = time.perf_counter()
    trainer = train.Trainer.from_seeds(
        make_models_fn(method, protocol.arch), ds, config, seeds=range(offset, offset + seeds)
    )
    evals = []
    for at in eval_steps(config.steps):
        trainer.run(steps=at - trainer.step)
        samples = trainer.sample(jax.random.PRNGKey(SAMPLE_KEY), N_SAMPLES)  # (S, n, 2)
        evals.append(_score(samples, ds))
    seconds = time.perf_counter() - start
    row = _row(name, method.label, dataset, seeds, offset, config.steps, evals, seconds)
    row["samples"] = _shown(samples[0])
    # How well D tells the players apart at the end: its mean output on real minus generated
    # data (logits; critic scores for WGAN-GP), per seed, over the last EVAL_SPAN of training.
    last = max(1, round(config.steps * EVAL_SPAN))
    gap = (
        np.asarray(trainer.history["d_real"])[:, -last:]
        - np.asarray(trainer.history["d_fake"])[:, -last:]
    )
    row["per_seed"]["d_gap"] = gap.mean(axis=1).astype(float).tolist()
    return row


def _shown(samples: jax.Array) -> list[list[float]]:
    """The first ``N_SHOWN`` final samples of the first seed, for the lesson's figures."""
    return np.round(np.asarray(samples[:N_SHOWN], np.float64), 4).tolist()


def trivial_samples(kind: str, ds, key: jax.Array, n: int) -> jax.Array:
    """``n`` samples of a trivial generator: ``"uniform"`` over the square around the data
    (the data's extent plus half the nearest-mode spacing each side: [-5, 5]^2 for the grid),
    ``"spray"`` a random mode plus Gaussian noise of 4x the data's standard deviation."""
    k_pick, k_noise = jax.random.split(key)
    centers = ds.centers
    if kind == "uniform":
        gap = float(jnp.min(jnp.linalg.norm(centers[1:] - centers[:1], axis=1)))
        lo, hi = float(jnp.min(centers)) - gap / 2, float(jnp.max(centers)) + gap / 2
        return jax.random.uniform(k_noise, (n, centers.shape[1]), minval=lo, maxval=hi)
    if kind == "spray":
        pick = jax.random.randint(k_pick, (n,), 0, centers.shape[0])
        return centers[pick] + 4 * ds.std * jax.random.normal(k_noise, (n, centers.shape[1]))
    raise ValueError(f"kind must be one of {sorted(TRIVIAL)}, got {kind!r}")


def run_trivial(kind: str, dataset: str, seeds: int, offset: int = 0) -> dict[str, object]:
    ds = DATASETS[dataset]()
    start = time.perf_counter()
    keys = [jax.random.PRNGKey(offset + s) for s in range(seeds)]
    samples = jnp.stack([trivial_samples(kind, ds, k, N_SAMPLES) for k in keys])
    scores = _score(samples, ds)
    seconds = time.perf_counter() - start
    row = _row(kind, TRIVIAL[kind], dataset, seeds, offset, 0, [scores], seconds)
    row["samples"] = _shown(samples[0])
    return row


def run_benchmark(
    methods: Sequence[str],
    datasets: Sequence[str] = ("ring", "grid"),
    protocol: Protocol = PROTOCOLS["cpu"],
    seeds: int | None = None,
    seed_offset: int = 0,
    out: str | os.PathLike | None = RESULTS,
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Every method x dataset; writes ``out`` (JSON) and the rows as CSV beside it."""
    unknown = [d for d in datasets if d not in DATASETS]
    if unknown or not datasets:
        raise ValueError(
            f"datasets must be a non-empty subset of {sorted(DATASETS)}, got {list(datasets)}"
        )
    allowed = [*ALL_METHODS, *TRIVIAL]
    bad = [m for m in methods if m not in allowed]
    if bad or not methods:
        raise ValueError(f"methods must be a non-empty subset of {allowed}, got {list(methods)}")
    if not isinstance(seed_offset, int) or seed_offset < 0:
        raise ValueError(f"seed_offset must be an integer >= 0, got {seed_offset!r}")
    seeds = protocol.seeds if seeds is None else seeds
    if not isinstance(seeds, int) or seeds < 2:
        raise ValueError(f"seeds must be an integer >= 2 (for a standard error), got {seeds!r}")
    start = time.perf_counter()
    rows = []
    for dataset in datasets:
        for name in methods:
            if name in TRIVIAL:
                row = run_trivial(name, dataset, seeds, seed_offset)
            else:
                row = run_one(name, ALL_METHODS[name], dataset, protocol, seeds, seed_offset)
            rows.append(row)
            log(
                f"  {dataset:4s} {row['label']:32s} modes {row['modes_mean']:5.2f} "
                f"(avg {row['modes_avg_mean']:5.2f})  HQ {100 * row['hq_mean']:5.1f}% "
                f"(avg {100 * row['hq_avg_mean']:5.1f}%)  KL {row['kl_mean']:.3f}  "
                f"({row['seconds']:.0f} s)"
            )
    total = time.perf_counter() - start
    results = {
        "meta": {
            "command": "python " + " ".join(sys.argv) if sys.argv else None,
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(),
            "jax": jax.__version__,
            "backend": jax.default_backend(),
            "protocol": dataclasses.asdict(protocol),
            "methods": {n: dataclasses.asdict(ALL_METHODS[n]) for n in methods if n in ALL_METHODS},
            "n_samples": N_SAMPLES,
            "n_evals": N_EVALS,
            "eval_span": EVAL_SPAN,
            "total_seconds": total,
        },
        "rows": rows,
        "published": PUBLISHED,
        "target": TARGET,
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


def merge(old: dict[str, object], new: dict[str, object]) -> dict[str, object]:
    """``old`` with ``new``'s rows in place of its rows of the same (method, dataset), and the
    new run's command, time and methods recorded beside the old run's."""
    if old["meta"]["protocol"] != new["meta"]["protocol"]:
        raise ValueError("--append needs the same protocol as the file's rows")
    key = lambda r: (r["method"], r["dataset"])  # noqa: E731
    replaced = {key(r) for r in new["rows"]}
    merged = dict(old)
    merged["rows"] = [r for r in old["rows"] if key(r) not in replaced] + new["rows"]
    meta = dict(old["meta"])
    meta["methods"] = {**old["meta"]["methods"], **new["meta"]["methods"]}
    run = {k: new["meta"][k] for k in ("command", "date", "load_average", "total_seconds")}
    meta["appended"] = [*old["meta"].get("appended", []), run]
    meta["total_seconds"] = old["meta"]["total_seconds"] + new["meta"]["total_seconds"]
    merged["meta"] = meta
    return merged


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
    """The table as Markdown: our rows (final step, and averaged over the last evaluations),
    then each paper's rows, per dataset."""
    lines = []
    for dataset in ("ring", "grid"):
        rows = [r for r in results["rows"] if r["dataset"] == dataset]
        if not rows:
            continue
        k = DATASETS[dataset]().n_modes
        lines += [
            f"\n{dataset} ({k} modes): mean ± standard error over seeds, 2,500 samples each; "
            f"'final' is the last step, 'avg' each seed's mean over its last {N_EVALS} "
            "evaluations",
            "",
            "| source | method | steps | modes final | modes avg | HQ % final | HQ % avg "
            "| KL final | seconds |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in rows:
            lines.append(
                f"| ganlab, {r['seeds']} seeds | {r['label']} | {r['steps']} | "
                f"{_pm(r['modes_mean'], r['modes_se'])} | "
                f"{_pm(r['modes_avg_mean'], r['modes_avg_se'])} | "
                f"{_pm(r['hq_mean'], r['hq_se'], 100)} | "
                f"{_pm(r['hq_avg_mean'], r['hq_avg_se'], 100)} | "
                f"{_pm(r['kl_mean'], r['kl_se'], digits=2)} | {r['seconds']:.0f} |"
            )
        for paper, tables in results["published"].items():
            for label, (modes, hq, kl) in tables[dataset].items():
                lines.append(
                    f"| {paper} | {label} | | {_pm(*modes)} | | {_pm(*hq)} | | "
                    f"{_pm(*kl, digits=2)} | |"
                )
    lines += ["", "Budgets of the published rows:"]
    lines += [f"- {paper}: {t['budget']}" for paper, t in results["published"].items()]
    lines += ["", "Note: " + results["note"]]
    return "\n".join(lines)


def target_report(results: dict[str, object]) -> str:
    """Which trained rows reach PacGAN's best published row on each dataset (final step)."""
    out = []
    for dataset, (modes, hq) in results["target"].items():
        rows = [r for r in results["rows"] if r["dataset"] == dataset and r["steps"] > 0]
        if not rows:
            continue
        best = max(rows, key=lambda r: (r["modes_mean"] >= modes, r["hq_mean"], r["modes_mean"]))
        met = [r["label"] for r in rows if r["modes_mean"] >= modes and r["hq_mean"] >= hq]
        out.append(
            f"target on the {dataset} (>= {modes} modes with >= {100 * hq:.0f}% HQ): "
            + (f"met by {', '.join(met)}" if met else "not met")
            + f"; best row {best['label']}: {best['modes_mean']:.1f} modes, "
            f"{100 * best['hq_mean']:.1f}% HQ"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--methods",
        default=",".join(DEFAULT_METHODS),
        help="comma-separated rows to run (default: all): " + ", ".join(
            [*ALL_METHODS, *TRIVIAL]),
    )  # fmt: skip
    parser.add_argument("--datasets", default="ring,grid", help="comma-separated: ring, grid")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per row (default 10)")
    parser.add_argument("--seed-offset", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), default="cpu")
    parser.add_argument("--quick", action="store_true", help="2 seeds, 40 steps: a smoke run")
    parser.add_argument(
        "--out", default=None, help="results file (default: ganlab/_data/results/ or /tmp)"
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="merge the rows into the existing --out file (replacing rows of the same method "
        "and dataset) instead of writing a new one",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    protocol = PROTOCOLS[args.protocol]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    seeds = args.seeds
    if args.quick:
        protocol = dataclasses.replace(
            protocol,
            arch=dataclasses.replace(protocol.arch, g_width=16, d_width=16),
            steps={"ring": 40, "grid": 40},
            packs=24,
        )
        seeds = seeds or 2
    default_out = protocol.name == "cpu" and not args.quick and args.seed_offset == 0
    default_out = default_out and args.methods == parser.get_default("methods")
    scratch = f"/tmp/ganlab_mode_collapse_{protocol.name}.json"
    out = args.out or (RESULTS if default_out else scratch)
    print(
        f"mode collapse benchmark, protocol {protocol.name}: {seeds or protocol.seeds} seeds "
        f"from {args.seed_offset}, steps {protocol.steps}, {protocol.packs} packs per batch, "
        f"arch {protocol.arch}"
    )
    if args.append:
        new = run_benchmark(methods, datasets, protocol, seeds, args.seed_offset, out=None)
        results = merge(load(out), new)
        write(results, out)
    else:
        results = run_benchmark(methods, datasets, protocol, seeds, args.seed_offset, out)
    print(format_table(results))
    print()
    print(target_report(results))
    total = time.perf_counter() - start
    print(f"\nwrote {out} (and .csv); total run time {total:.0f} s ({total / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
