"""Tests of the lesson-2 drawing functions in ganlab.plot: vector fields and trajectories."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.quiver import Quiver

from ganlab import plot


def rotation(x, y):
    """A known field: rotation about the origin, (u, v) = (y, -x)."""
    return y, -x


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_vector_field_draws_the_field_on_a_labelled_grid():
    ax = plot.vector_field(rotation, extent=(-1, 1, -2, 2), resolution=5)
    assert isinstance(ax, Axes)
    arrows = ax.collections[-1]
    assert isinstance(arrows, Quiver)
    assert arrows.N == 25
    # the arrows are the field at the grid points: u = y, v = -x
    np.testing.assert_allclose(arrows.U, np.ravel(arrows.Y))
    np.testing.assert_allclose(arrows.V, -np.ravel(arrows.X))
    np.testing.assert_allclose(np.unique(arrows.X), np.linspace(-1, 1, 5))
    assert ax.get_xlabel() == r"$\theta$" and ax.get_ylabel() == r"$\psi$"
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_ylim() == (-2.0, 2.0)


def test_vector_field_draws_on_a_given_axes_with_given_labels():
    _, ax = plt.subplots()
    out = plot.vector_field(rotation, ax=ax, labels=("a", "b"))
    assert out is ax and ax.get_xlabel() == "a" and ax.get_ylabel() == "b"


def test_trajectory_draws_the_finite_part_of_a_path():
    path = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [np.inf, np.nan]])
    ax = plot.trajectory(path, label="test")
    line, start = ax.lines[-2], ax.lines[-1]
    np.testing.assert_allclose(np.asarray(line.get_xydata()), path[:3])
    np.testing.assert_allclose(np.asarray(start.get_xydata()), path[:1])
    assert start.get_color() == line.get_color()
    assert ax.get_legend() is not None
    assert ax.get_xlabel() == r"$\theta$"


def test_trajectories_share_an_axes_with_a_field():
    ax = plot.vector_field(rotation)
    plot.trajectory(np.array([[1.0, 1.0], [1.1, 0.9]]), ax=ax, color="C3")
    assert ax.lines[-2].get_color() == "C3"


@pytest.mark.parametrize(
    "call",
    [
        lambda: plot.vector_field("not a function"),
        lambda: plot.vector_field(rotation, extent=(1, -1, 0, 1)),
        lambda: plot.vector_field(rotation, resolution=1),
        lambda: plot.vector_field(lambda x, y: x),
        lambda: plot.vector_field(lambda x, y: (x[0], y[0])),
        lambda: plot.trajectory(np.zeros((5, 3))),
        lambda: plot.trajectory(np.zeros((1, 2))),
        lambda: plot.trajectory(np.array([[0.0, 0.0], [np.nan, 0.0]])),
    ],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()
