"""Tests of the lesson-3 drawing helpers in ganlab.plot (critics and transport)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ganlab import plot  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_transport_plan_draws_one_segment_per_point():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    ax = plot.transport_plan(x, y, np.array([2, 0, 1]))
    segments = ax.collections[0].get_segments()
    assert len(segments) == 3
    np.testing.assert_allclose(segments[0], [[0.0, 0.0], [2.0, 1.0]])  # x[0] -> y[2]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["$P$", "$Q$"]


def test_transport_plan_rejects_a_matching_that_is_not_a_permutation():
    x = np.zeros((3, 2))
    with pytest.raises(ValueError, match="permutation"):
        plot.transport_plan(x, x, np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="same shape"):
        plot.transport_plan(x, np.zeros((4, 2)), np.arange(3))


def test_weight_histogram_counts_every_weight_and_marks_the_clip():
    weights = [np.full((3, 4), 0.01), np.array([-0.01, 0.0])]
    ax = plot.weight_histogram(weights, clip=0.01, bins=5)
    assert sum(p.get_height() for p in ax.patches) == 14
    lines = [ln.get_xdata()[0] for ln in ax.lines if len(ln.get_xdata())]
    assert sorted(lines) == [-0.01, 0.01]
    assert ax.get_xlabel() == "weight value" and ax.get_ylabel() == "number of weights"
    with pytest.raises(ValueError, match="clip"):
        plot.weight_histogram(weights, clip=-1.0)
    with pytest.raises(ValueError, match="finite"):
        plot.weight_histogram([np.array([np.nan])])


def test_scalar_field_shows_the_values_on_the_grid():
    ax = plot.scalar_field(
        lambda p: np.asarray(p)[:, 0], extent=(0, 1, 0, 2), resolution=3, label="x1"
    )
    img = ax.images[0].get_array()
    np.testing.assert_allclose(img, [[0.0, 0.5, 1.0]] * 3)
    assert ax.figure.axes[-1].get_ylabel() == "x1"  # the colorbar
    with pytest.raises(ValueError, match="vlim"):
        plot.scalar_field(lambda p: np.asarray(p)[:, 0], vlim=(1.0, 0.0))


def test_curves_draw_infinite_values_at_the_cap():
    x = np.linspace(-1, 1, 5)
    ax = plot.curves(x, {"KL": np.where(x != 0, np.inf, 0.0), "W1": np.abs(x)}, cap=2.0)
    kl = ax.lines[0].get_ydata()
    np.testing.assert_allclose(kl, [2.0, 2.0, 0.0, 2.0, 2.0])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["KL (+inf drawn at 2)", "W1"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 2.0)  # the markers sit at the cap
    with pytest.raises(ValueError, match="cap"):
        plot.curves(x, {"KL": np.full(5, np.inf)})
    with pytest.raises(ValueError, match="shape"):
        plot.curves(x, {"W1": np.zeros(4)})


def test_loss_vs_distance_plots_one_point_per_evaluation():
    ax = plot.loss_vs_distance([3.0, 2.0, 1.0], [0.5, 0.4, 0.2], step=[100, 200, 300])
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets, [[3.0, 0.5], [2.0, 0.4], [1.0, 0.2]])
    assert ax.get_xlabel() and ax.get_ylabel() == "loss"
    with pytest.raises(ValueError, match="shapes"):
        plot.loss_vs_distance([1.0, 2.0], [1.0])


def test_loss_with_eval_draws_the_loss_and_the_evaluations():
    history = {
        "step": np.arange(1, 101),
        "d_loss": -np.linspace(1.0, 0.1, 100),
        "eval": [{"step": 0, "w1": 1.2}, {"step": 50, "w1": 0.6}, {"step": 100, "w1": 0.2}],
    }
    ax, right = plot.loss_with_eval(history, sign=-1.0, smooth=0, loss_label="estimate")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.linspace(1.0, 0.1, 100))
    np.testing.assert_allclose(right.lines[0].get_ydata(), [1.2, 0.6, 0.2])
    assert ax.get_ylabel() == "estimate" and ax.get_xlabel() == "training step"
    with pytest.raises(ValueError, match="g_loss"):
        plot.loss_with_eval(history, key="g_loss")
    with pytest.raises(ValueError, match="fid"):
        plot.loss_with_eval(history, eval_key="fid")
