"""The mode-collapse benchmark (benchmarks/mode_collapse.py): its core runs on a tiny protocol and
writes a table with the right columns, its trivial rows match closed forms, its settings are the
papers', and the committed results cover every default row with consistent statistics."""

import csv
import dataclasses
import importlib.util
import json
import math
import pathlib
import sys

import jax
import numpy as np
import pytest

from ganlab import course

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "mode_collapse.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("mode_collapse", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny(bench):
    arch = bench.Arch(g_width=8, g_depth=1, d_width=8, d_depth=1)
    return bench.Protocol("tiny", arch, steps={"ring": 10, "grid": 10}, packs=6, lr=1e-3, beta1=0.8)


def test_a_tiny_run_writes_a_table_with_the_right_columns(bench, tiny, tmp_path):
    out = tmp_path / "mc.json"
    results = bench.run_benchmark(
        ["pacgan3", "gan-fast-d", "spray"], ("ring", "grid"), tiny, seeds=2, seed_offset=5,
        out=out, log=lambda line: None,
    )  # fmt: skip
    got = [(r["method"], r["dataset"]) for r in results["rows"]]  # every row on every dataset
    assert got == [("pacgan3", "ring"), ("gan-fast-d", "ring"), ("spray", "ring"),
                   ("pacgan3", "grid"), ("gan-fast-d", "grid"), ("spray", "grid")]  # fmt: skip
    with open(out.with_suffix(".csv")) as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == bench.COLUMNS
        rows = list(reader)
    assert len(rows) == 6
    stored = json.loads(out.read_text())
    for row, csv_row in zip(stored["rows"], rows, strict=True):
        assert row["seeds"] == 2 and row["seed_offset"] == 5 and len(row["per_seed"]["modes"]) == 2
        assert row["modes_mean"] == pytest.approx(np.mean(row["per_seed"]["modes"]))
        assert row["modes_avg_mean"] == pytest.approx(np.mean(row["per_seed"]["modes_avg"]))
        assert float(csv_row["modes_mean"]) == pytest.approx(row["modes_mean"])
        k = 8 if row["dataset"] == "ring" else 25
        assert all(0 <= m <= k for m in row["per_seed"]["modes"])
        assert all(len(c) == k for c in row["per_seed"]["counts"])
        assert np.asarray(row["samples"]).shape == (bench.N_SHOWN, 2)
    trained = stored["rows"][0]
    assert trained["steps"] == 10 and len(trained["per_seed"]["d_gap"]) == 2
    table = bench.format_table(stored)
    assert "PacGAN (Lin et al. 2018, Table 1)" in table and "VEEGAN" in table
    assert "Compare rows of one source only" in table and "400,000 updates" in table
    assert "target on the ring" in bench.target_report(stored)


def test_seeds_and_offsets_pick_the_models(bench, tiny):
    a = bench.run_one("gan", bench.METHODS["gan"], "ring", tiny, seeds=2, offset=0)
    b = bench.run_one("gan", bench.METHODS["gan"], "ring", tiny, seeds=2, offset=0)
    c = bench.run_one("gan", bench.METHODS["gan"], "ring", tiny, seeds=2, offset=100)
    assert a["samples"] == b["samples"]  # reproducible ...
    assert a["samples"] != c["samples"]  # ... and fresh seeds give other runs


def test_evaluations_cover_the_last_fifth_and_end_at_the_final_step(bench):
    assert bench.eval_steps(6000) == [5040, 5280, 5520, 5760, 6000]  # 5 fifths of the last 20%
    assert bench.eval_steps(3) == [1, 2, 3]


@pytest.mark.parametrize("dataset", ["ring", "grid"])
def test_trivial_rows_match_their_closed_forms(bench, dataset):
    ds = bench.DATASETS[dataset]()
    n = 20_000
    uniform = np.asarray(bench.trivial_samples("uniform", ds, jax.random.PRNGKey(0), n))
    c = np.asarray(ds.centers)
    gap = np.min(np.linalg.norm(c[1:] - c[0], axis=1))
    assert uniform.min() >= c.min() - gap / 2 - 1e-6 and uniform.max() <= c.max() + gap / 2 + 1e-6
    spray = np.asarray(bench.trivial_samples("spray", ds, jax.random.PRNGKey(1), n))
    d = np.min(np.linalg.norm(spray[:, None] - c[None], axis=-1), axis=1)
    hq = np.mean(d < 3 * ds.std)
    assert abs(hq - (1 - math.exp(-9 / 32))) < 0.015  # chi_2 at 3 sigma / 4 sigma
    if dataset == "grid":
        assert uniform.min() == pytest.approx(-5, abs=0.01)  # the square of the example
    with pytest.raises(ValueError, match="kind must be one of"):
        bench.trivial_samples("ring", ds, jax.random.PRNGKey(0), 4)


def test_bad_arguments_are_refused(bench, tiny):
    with pytest.raises(ValueError, match="datasets must be"):
        bench.run_benchmark(["gan"], ("moons",), tiny, out=None)
    with pytest.raises(ValueError, match="methods must be a non-empty subset"):
        bench.run_benchmark(["gan", "vae"], ("ring",), tiny, out=None)
    with pytest.raises(ValueError, match="seeds must be an integer >= 2"):
        bench.run_benchmark(["gan"], ("ring",), tiny, seeds=1, out=None)
    with pytest.raises(ValueError, match="seed_offset"):
        bench.run_benchmark(["gan"], ("ring",), tiny, seed_offset=-1, out=None)


def test_each_method_uses_its_papers_settings(bench):
    cpu = bench.PROTOCOLS["cpu"]
    pac = bench.method_config(bench.METHODS["pacgan3"], cpu, "grid")
    gan = bench.method_config(bench.METHODS["gan"], cpu, "grid")
    assert pac.batch_size == 3 * gan.batch_size == 3 * cpu.packs  # same packs, m x samples
    assert gan.g_betas[0] == pac.d_betas[0] == 0.8  # PacGAN's beta1
    unrolled = bench.method_config(bench.METHODS["unrolled"], cpu, "ring")
    assert unrolled.unroll_steps == 5 and (unrolled.g_lr, unrolled.d_lr) == (1e-3, 1e-4)
    assert unrolled.steps == round(cpu.steps["ring"] / 8)
    gp = bench.method_config(bench.METHODS["wgan-gp"], cpu, "ring")
    assert (gp.loss, gp.gp_weight, gp.n_critic) == ("wgan-gp", 0.1, 5)  # the authors' toy code
    assert gp.g_betas == gp.d_betas == (0.5, 0.9) and gp.g_lr == 1e-4
    paper = bench.PROTOCOLS["paper"]
    assert paper.steps == {"ring": 400_000, "grid": 400_000} and paper.packs == 100
    assert dataclasses.astuple(paper.arch) == (2, 400, 4, True, 200, 3, 5)
    g, d = bench.make_models_fn(bench.METHODS["pacgan2"], paper.arch)(0)
    assert g.batch_norm and d.packing == 2 and d.inner.pieces == 5
    _, d = bench.make_models_fn(bench.METHODS["mbstd"], paper.arch)(0)
    assert d.minibatch_std and d.pieces == 5  # every row keeps its remedy in the paper protocol


def test_the_default_output_is_the_table_the_course_loads(bench):
    # One copy: the benchmark's default file is the package data ganlab.course.results reads.
    assert bench.RESULTS.is_relative_to(ROOT / "ganlab" / "_data")
    assert course.results("mode_collapse") == bench.load() == json.loads(bench.RESULTS.read_text())


def test_the_committed_results_cover_every_default_row(bench):
    results = course.results("mode_collapse")
    protocol = results["meta"]["protocol"]
    assert protocol["name"] == "cpu" and protocol["seeds"] == 10
    rows = {(r["method"], r["dataset"]): r for r in results["rows"]}
    expected = {(m, d) for m in bench.DEFAULT_METHODS for d in ("ring", "grid")}
    assert set(rows) == expected
    for (method, dataset), r in rows.items():
        per_seed = r["per_seed"]
        assert len(per_seed["modes"]) == len(per_seed["high_quality"]) == 10
        for key, name in (("modes", "modes"), ("hq", "high_quality"), ("kl", "kl")):
            values = np.asarray(per_seed[name], dtype=np.float64)
            assert r[f"{key}_mean"] == pytest.approx(values.mean())
            se = values.std(ddof=1) / math.sqrt(10)
            assert r[f"{key}_se"] == pytest.approx(se, abs=1e-9)
        if method in bench.TRIVIAL:
            assert r["steps"] == 0
        else:
            fraction = results["meta"]["methods"][method]["step_fraction"]
            assert r["steps"] == round(protocol["steps"][dataset] * fraction)
    for paper in results["published"].values():
        assert {"ring", "grid", "budget"} <= set(paper)
    with open(bench.RESULTS.with_suffix(".csv")) as f:
        assert len(list(csv.DictReader(f))) == len(rows)


def test_append_replaces_rows_of_the_same_method_and_dataset(bench, tiny):
    old = bench.run_benchmark(["gan", "uniform"], ("ring",), tiny, seeds=2, out=None)
    new = bench.run_benchmark(["uniform"], ("ring",), tiny, seeds=3, seed_offset=7, out=None)
    merged = bench.merge(old, new)
    rows = {r["method"]: r for r in merged["rows"]}
    assert set(rows) == {"gan", "uniform"} and rows["uniform"]["seeds"] == 3
    assert rows["gan"] is old["rows"][0] and len(merged["meta"]["appended"]) == 1
    other = dict(new, meta=dict(new["meta"], protocol={"name": "paper"}))
    with pytest.raises(ValueError, match="same protocol"):
        bench.merge(old, other)
