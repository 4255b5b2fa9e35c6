"""The mode-collapse benchmark (benchmarks/mode_collapse.py): its core runs on a tiny config and
writes a table with the right columns, and the committed results cover every method x dataset."""

import csv
import importlib.util
import json
import math
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "mode_collapse.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("mode_collapse", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_a_tiny_run_writes_a_table_with_the_right_columns(bench, tmp_path):
    out = tmp_path / "mc.json"
    methods = {"pacgan3": bench.METHODS["pacgan3"]}  # packing: the batch must fit m = 3
    balance = {"gan-fast-d": bench.BALANCE["gan-fast-d"]}
    results = bench.run_benchmark(
        methods,
        datasets=("ring", "grid"),
        arch=bench.Arch(g_width=8, g_depth=1, d_width=8, d_depth=1),
        budget=bench.Budget(steps={"ring": 6, "grid": 6}, seeds=2, batch_size=24),
        out=out,
        balance=balance,
        log=lambda line: None,
    )
    # every method on every dataset, the balance rows on the grid only
    got = [(r["method"], r["dataset"]) for r in results["rows"]]
    assert got == [("pacgan3", "ring"), ("pacgan3", "grid"), ("gan-fast-d", "grid")]
    with open(out.with_suffix(".csv")) as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == bench.COLUMNS
        rows = list(reader)
    assert len(rows) == 3
    stored = json.loads(out.read_text())
    for row, csv_row in zip(stored["rows"], rows, strict=True):
        assert row["seeds"] == 2 and len(row["per_seed"]["modes"]) == 2
        assert row["modes_mean"] == pytest.approx(np.mean(row["per_seed"]["modes"]))
        assert float(csv_row["modes_mean"]) == pytest.approx(row["modes_mean"])
        k = 8 if row["dataset"] == "ring" else 25
        assert all(0 <= m <= k for m in row["per_seed"]["modes"])
        assert all(len(c) == k for c in row["per_seed"]["counts"])
    assert stored["meta"]["budget"]["seeds"] == 2
    table = bench.format_table(stored)
    assert "PacGAN (Lin et al. 2018, Table 1)" in table and "VEEGAN" in table
    assert "protocol, not of identical" in table
    assert "goal on the grid" in bench.goal_report(stored)


def test_bad_datasets_are_refused(bench):
    with pytest.raises(ValueError, match="datasets"):
        bench.run_benchmark(bench.METHODS, datasets=("moons",), out=None)


def test_the_packed_batch_is_a_multiple_of_m(bench):
    budget = bench.Budget(batch_size=128)
    config = bench.method_config(bench.METHODS["pacgan3"], budget, "grid")
    assert config.batch_size % 3 == 0 and config.batch_size == 126
    unrolled = bench.method_config(bench.METHODS["unrolled"], budget, "grid")
    assert unrolled.unroll_steps == 5 and unrolled.steps == budget.steps["grid"] // 4


def test_the_committed_results_cover_every_method_and_dataset(bench):
    results = json.loads(bench.RESULTS.read_text())
    seeds = results["meta"]["budget"]["seeds"]
    assert seeds == 10
    rows = {(r["method"], r["dataset"]): r for r in results["rows"]}
    expected = {(m, d) for m in bench.METHODS for d in ("ring", "grid")}
    expected |= {(m, "grid") for m in bench.BALANCE}
    assert set(rows) == expected
    for (_, dataset), r in rows.items():
        per_seed = r["per_seed"]
        assert len(per_seed["modes"]) == len(per_seed["high_quality"]) == seeds
        for key, name in (("modes", "modes"), ("hq", "high_quality"), ("kl", "kl")):
            values = np.asarray(per_seed[name], dtype=np.float64)
            assert r[f"{key}_mean"] == pytest.approx(values.mean())
            se = values.std(ddof=1) / math.sqrt(seeds)
            assert r[f"{key}_se"] == pytest.approx(se, abs=1e-9)
        assert r["steps"] == round(
            results["meta"]["budget"]["steps"][dataset]
            * results["meta"]["methods"][r["method"]]["step_fraction"]
        )
    for paper in results["published"].values():
        assert set(paper) == {"ring", "grid"}
    with open(bench.RESULTS.with_suffix(".csv")) as f:
        assert len(list(csv.DictReader(f))) == len(rows)
