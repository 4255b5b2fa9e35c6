"""Tests of the lesson-5 drawing function in ganlab.plot: metric responses to corruptions."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from ganlab import plot


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _scores(n, offset=0.0):
    return [{"FID": offset + i, "precision": 1 - 0.1 * i, "recall": 0.9} for i in range(n)]


def test_metric_sweeps_draws_a_panel_per_row_and_sweep_with_the_floor():
    sweeps = {"blur": ([0, 1, 2], _scores(3)), "noise": ([0.0, 0.5], _scores(2, offset=5))}
    floor = {"FID": 0.5, "precision": 0.95, "recall": 0.97}
    fig = plot.metric_sweeps(sweeps, rows=[("FID",), ("precision", "recall")], floor=floor)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    fid_noise = fig.axes[1]  # row 0 (FID), column 1 (noise)
    np.testing.assert_allclose(fid_noise.lines[0].get_xdata(), [0.0, 0.5])
    np.testing.assert_allclose(fid_noise.lines[0].get_ydata(), [5.0, 6.0])
    np.testing.assert_allclose(fid_noise.lines[1].get_ydata(), [0.5, 0.5])  # the floor
    pr_blur = fig.axes[2]
    assert len(pr_blur.lines) == 4  # two metrics, each with its floor
    np.testing.assert_allclose(pr_blur.lines[0].get_ydata(), [1.0, 0.9, 0.8])
    assert pr_blur.get_xlabel() == "blur" and pr_blur.get_ylabel() == "precision, recall"
    assert fig.axes[0].get_xlabel() == ""  # only the bottom row is labelled


def test_metric_sweeps_without_a_floor_draws_only_the_curves():
    fig = plot.metric_sweeps({"blur": ([0, 1], _scores(2))}, rows=[("FID", "recall")])
    assert len(fig.axes[0].lines) == 2


@pytest.mark.parametrize(
    "sweeps, rows, floor, match",
    [
        ({}, [("FID",)], None, "sweeps must be a non-empty dict"),
        ({"blur": ([0, 1], _scores(3))}, [("FID",)], None, "one scores dict per strength"),
        ({"blur": [0, 1]}, [("FID",)], None, "must be \\(strengths, scores\\)"),
        ({"blur": ([0, 1], _scores(2))}, [("IS",)], None, "'IS'.*missing"),
        ({"blur": ([0, 1], _scores(2))}, [], None, "rows must be"),
        ({"blur": ([0, 1], _scores(2))}, [("FID",)], {"recall": 1.0}, "floor has no value"),
    ],
)
def test_metric_sweeps_rejects_bad_input_naming_the_argument(sweeps, rows, floor, match):
    with pytest.raises(ValueError, match=match):
        plot.metric_sweeps(sweeps, rows=rows, floor=floor)
