"""Tests of the lesson-4 drawing functions in ganlab.plot: mode histograms, mode timelines and
per-method bar charts."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from ganlab import plot


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_mode_histogram_draws_shares_and_the_uniform_line():
    counts = np.array([30, 10, 0, 60])
    ax = plot.mode_histogram(counts, label="seed 0")
    assert isinstance(ax, Axes)
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.3, 0.1, 0.0, 0.6])
    uniform = ax.lines[0]
    np.testing.assert_allclose(uniform.get_ydata(), [0.25, 0.25])
    empty = ax.lines[1]  # the red crosses mark the empty modes
    np.testing.assert_array_equal(empty.get_xdata(), [2])
    assert ax.get_xlabel() == "mode index" and "share" in ax.get_ylabel()
    assert ax.get_title() == "seed 0"


def test_mode_histogram_of_no_samples_draws_zero_bars():
    ax = plot.mode_histogram(np.zeros(8))
    assert [p.get_height() for p in ax.patches] == [0.0] * 8


@pytest.mark.parametrize(
    "bad, match",
    [([[1, 2]], "1-D"), ([], "non-empty"), ([1, -1], ">= 0"), ([1, np.nan], "finite"),
     ("abc", "numbers")],
)  # fmt: skip
def test_mode_histogram_rejects_bad_counts(bad, match):
    with pytest.raises(ValueError, match=match):
        plot.mode_histogram(bad)


def test_mode_timeline_draws_each_steps_shares_as_a_column():
    steps = [0, 100, 300]
    counts = np.array([[10, 0, 0], [0, 5, 5], [0, 0, 0]])
    ax, image = plot.mode_timeline(steps, counts)
    shares = np.asarray(image.get_array()).reshape(3, 3)  # (K, T)
    np.testing.assert_allclose(shares, [[1, 0, 0], [0, 0.5, 0], [0, 0.5, 0]])
    # cells are centred on the steps, with edges halfway between them
    np.testing.assert_allclose(ax.get_xlim(), [-50, 400])
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "mode index"


def test_mode_timeline_checks_its_inputs():
    with pytest.raises(ValueError, match="one entry per row"):
        plot.mode_timeline([0, 1], np.ones((3, 4)))
    with pytest.raises(ValueError, match="increasing"):
        plot.mode_timeline([0, 2, 1], np.ones((3, 4)))
    with pytest.raises(ValueError, match="2-D"):
        plot.mode_timeline([0], np.ones(4))


def test_method_bars_draws_values_errors_goal_and_published_marks():
    ax = plot.method_bars(
        ["GAN", "PacGAN2"], [17.0, 24.0], [0.5, 0.2], xlabel="modes", goal=24.8,
        reference={"PacGAN2": 23.8},
    )  # fmt: skip
    widths = [p.get_width() for p in ax.patches]
    assert widths == [17.0, 24.0]
    at = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    assert at["GAN"] > at["PacGAN2"]  # the first label is the top bar
    assert ax.get_xlabel() == "modes"
    goal = [ln for ln in ax.lines if ln.get_linestyle() == "--"][0]
    np.testing.assert_allclose(goal.get_xdata(), [24.8, 24.8])
    published = [ln for ln in ax.lines if ln.get_marker() == "D"][0]
    np.testing.assert_allclose(published.get_xdata(), [23.8])
    np.testing.assert_allclose(published.get_ydata(), [0])  # PacGAN2 is the lower bar
    assert goal.get_label() == "goal 24.8"
    ax = plot.method_bars(["GAN"], [1.0], goal=2.0, goal_label="PacGAN's best row")
    assert [ln.get_label() for ln in ax.lines] == ["PacGAN's best row 2"]


def test_method_bars_checks_its_inputs():
    with pytest.raises(ValueError, match="one value per label"):
        plot.method_bars(["a", "b"], [1.0])
    with pytest.raises(ValueError, match="errors"):
        plot.method_bars(["a"], [1.0], errors=[-1.0])
    with pytest.raises(ValueError, match="not in labels"):
        plot.method_bars(["a"], [1.0], reference={"b": 2.0})
