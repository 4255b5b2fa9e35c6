"""Tests of ganlab.plot: each function draws small inputs, returns the right type, labels its
axes, and rejects bad input with a ValueError that names the argument."""

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganlab import plot

EXTENT = (-1.5, 1.5, -1.5, 1.5)


class Ring:
    """A stand-in 2-D distribution: four Gaussians on the unit circle."""

    centers = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], np.float32)
    sigma = 0.1

    def log_prob(self, x):
        d2 = jnp.sum((x[:, None, :] - self.centers[None]) ** 2, axis=-1)  # (n, K)
        norm = jnp.log(len(self.centers) * 2 * jnp.pi * self.sigma**2)
        return jax.scipy.special.logsumexp(-d2 / (2 * self.sigma**2), axis=1) - norm


def radial(x):
    """A known discriminator: logit 4 (|x|^2 - 1), positive outside the unit circle."""
    return 4.0 * (jnp.sum(x**2, axis=1) - 1.0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def fake():
    return jax.random.normal(jax.random.key(0), (64, 2)) * 0.5


def _frames(n=3, with_grid=True, res=12):
    out = []
    for i in range(n):
        f = {"step": 100 * i, "samples": np.full((16, 2), 0.1 * i, np.float32)}
        if with_grid:
            f["d_grid"] = plot.discriminator_grid(lambda x, i=i: radial(x) * i, EXTENT, res)
        out.append(f)
    return out


def _labelled(ax):
    return ax.get_xlabel() != "" and ax.get_ylabel() != ""


def test_density_draws_an_image_over_the_extent():
    ax = plot.density(Ring(), resolution=20, show_centers=True)
    assert isinstance(ax, Axes) and _labelled(ax)
    img = ax.images[0].get_array()
    assert img.shape == (20, 20)
    assert ax.get_xlim() == (-1.5, 1.5)


def test_density_grid_peaks_at_a_center():
    p = plot.density_grid(Ring(), extent=(-1, 1, -1, 1), resolution=3)  # points -1, 0, 1
    # (x, y) = (1, 0) is a mode centre: column j=2 (x=1), row i=1 (y=0).
    assert np.unravel_index(np.argmax(p), p.shape) in {(1, 2), (1, 0), (0, 1), (2, 1)}
    assert p[1, 1] < 1e-6  # the origin is far from every mode


def test_density_contour_lines():
    ax = plot.density(Ring(), resolution=20, filled=False)
    assert len(ax.images) == 0 and len(ax.collections) > 0


@pytest.mark.parametrize("data", ["dist", "array", None])
def test_samples(fake, data):
    real = np.random.default_rng(0).normal(size=(32, 2))
    arg = {"dist": Ring(), "array": real, None: None}[data]
    ax = plot.samples(fake, arg)
    assert isinstance(ax, Axes) and _labelled(ax)
    assert ax.get_legend() is not None
    assert ax.get_aspect() == 1.0
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), np.asarray(fake), rtol=1e-6)


def test_samples_draws_on_a_given_ax(fake):
    _, ax = plt.subplots()
    assert plot.samples(fake, ax=ax) is ax


def test_discriminator_grid_matches_direct_evaluation():
    res = 7
    grid = plot.discriminator_grid(lambda x: x[:, 0], EXTENT, res)
    assert isinstance(grid, np.ndarray) and grid.shape == (res, res)
    xs = np.linspace(-1.5, 1.5, res)
    np.testing.assert_allclose(grid, np.broadcast_to(xs[None, :], (res, res)), atol=1e-6)
    grid_y = plot.discriminator_grid(lambda x: x[:, 1], EXTENT, res)  # y along rows
    np.testing.assert_allclose(grid_y, np.broadcast_to(xs[:, None], (res, res)), atol=1e-6)


def test_numpy_integers_count_as_sizes():
    grid = plot.discriminator_grid(radial, EXTENT, np.int64(4))
    assert grid.shape == (4, 4)
    assert plot.tile_images(np.zeros((6, 3, 3)), nrow=np.int32(2)).shape == (11, 7)


def test_discriminator_grid_calls_once_and_accepts_trailing_axis():
    calls = []

    def d(x):
        calls.append(x.shape)
        return x[:, :1]  # (n, 1), as a model with a unit output axis returns

    plot.discriminator_grid(d, EXTENT, 5)
    assert calls == [(25, 2)]


def test_discriminator_prob_and_logit():
    ax = plot.discriminator(radial, resolution=10, kind="prob")
    assert isinstance(ax, Axes) and _labelled(ax)
    im = ax.images[0]
    assert im.get_clim() == (0.0, 1.0)  # centred at 0.5
    assert np.all((im.get_array() >= 0) & (im.get_array() <= 1))
    assert len(ax.figure.axes) == 2  # the colorbar
    ax = plot.discriminator(radial, resolution=10, kind="logit")
    np.testing.assert_allclose(
        ax.images[0].get_array(), plot.discriminator_grid(radial, EXTENT, 10)
    )


def test_tile_images_shape_and_values():
    images = np.stack([np.full((4, 3, 1), v) for v in (-1.0, 0.0, 1.0, 0.5, -0.5)])  # (5, 4, 3, 1)
    tiled = plot.tile_images(images, nrow=3)  # 2 rows of 3
    assert tiled.shape == (2 * 4 + 1, 3 * 3 + 2)
    np.testing.assert_allclose(tiled[0:4, 0:3], 0.0)  # -1 -> 0
    np.testing.assert_allclose(tiled[0:4, 4:7], 0.5)  # 0 -> 0.5
    np.testing.assert_allclose(tiled[0:4, 8:11], 1.0)  # 1 -> 1
    np.testing.assert_allclose(tiled[5:9, 0:3], 0.75)  # 0.5 -> 0.75
    np.testing.assert_allclose(tiled[5:9, 4:7], 0.25)  # -0.5 -> 0.25
    np.testing.assert_allclose(tiled[4, :], 1.0)  # a separator row
    np.testing.assert_allclose(tiled[:, 3], 1.0)  # a separator column


def test_image_grid(fake):
    images = np.random.default_rng(1).uniform(-1, 1, (10, 8, 8))
    ax = plot.image_grid(images, title="samples")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "samples"
    assert len(ax.get_xticks()) == 0 and len(ax.get_yticks()) == 0
    assert ax.images[0].get_array().shape == (3 * 9 - 1, 4 * 9 - 1)  # 4 per row, 3 rows


def test_losses_with_smoothing():
    steps = np.arange(0, 200, 10)
    history = {"step": steps, "d_loss": np.linspace(1, 0, 20), "g_loss": jnp.ones(20)}
    ax = plot.losses(history, smooth=5)
    assert isinstance(ax, Axes)
    assert ax.get_xlabel() == "training step" and ax.get_ylabel() == "loss"
    assert len(ax.lines) == 4  # raw and smoothed, per key
    x, y = ax.lines[1].get_data()
    np.testing.assert_allclose(x, steps[4:])
    np.testing.assert_allclose(y, np.convolve(np.linspace(1, 0, 20), np.ones(5) / 5, "valid"))


def test_animate_training_and_html():
    frames = _frames(3)
    anim = plot.animate_training(frames, Ring())
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) == len(frames)
    ax = anim._fig.axes[0]
    assert _labelled(ax)
    html = plot.to_html(anim)
    assert isinstance(html, str) and "<script" in html and "animation" in html.lower()


def test_animate_training_without_grid_over_real_samples():
    frames = _frames(2, with_grid=False)
    anim = plot.animate_training(frames, data=np.zeros((8, 2)), kind="logit", figsize=(2, 2))
    assert len(list(anim.new_frame_seq())) == 2
    assert "<script" in plot.to_html(anim, default_mode="loop")


@pytest.mark.parametrize("with_grid", [True, False])
def test_strip(with_grid):
    fig = plot.strip(_frames(4, with_grid), Ring(), ncols=3)
    assert isinstance(fig, Figure)
    panels = [a for a in fig.axes if a.get_title().startswith("step")]
    assert [a.get_title() for a in panels] == ["step 0", "step 100", "step 200", "step 300"]
    assert panels[0].get_ylabel() and panels[-1].get_xlabel()


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: plot.samples(np.zeros((5, 3))), ["fake", "(5, 3)", "(n, 2)"]),
        (lambda: plot.samples(np.zeros((5, 2)), np.zeros(4)), ["data", "(4,)", "(n, 2)"]),
        (lambda: plot.discriminator(radial, kind="softmax"), ["kind", "'softmax'", "'prob'"]),
        (lambda: plot.discriminator(radial, resolution=1), ["resolution", "1", ">= 2"]),
        (lambda: plot.discriminator(radial, extent=(1, 0, 0, 1)), ["extent", "x_min < x_max"]),
        (lambda: plot.discriminator_grid(lambda x: x, EXTENT, 4), ["d_fn", "(16, 2)", "(n,)"]),
        (lambda: plot.discriminator_grid(3.0), ["d_fn", "3.0", "callable"]),
        (lambda: plot.density(object()), ["dist", "object", "log_prob"]),
        (lambda: plot.image_grid(np.zeros((2, 4, 4, 3))), ["images", "(2, 4, 4, 3)", "(N, H, W"]),
        (lambda: plot.image_grid(np.zeros((2, 4, 4)), nrow=0), ["nrow", "0", ">= 1"]),
        (
            lambda: plot.image_grid(np.zeros((2, 4, 4)), value_range=(1, 1)),
            ["value_range", "(1, 1)", "low < high"],
        ),
        (lambda: plot.discriminator(radial, extent=(0, np.nan, 0, 1)), ["extent", "finite"]),
        (lambda: plot.discriminator(radial, resolution=2.0), ["resolution", "2.0", "integer"]),
        (lambda: plot.losses({"step": np.arange(3)}), ["keys", "d_loss", "one of []"]),
        (lambda: plot.losses({"step": [0], "d_loss": [1], "g_loss": [1]}, smooth=-1), ["smooth"]),
        (lambda: plot.animate_training([]), ["frames", "empty", "non-empty list"]),
        (lambda: plot.animate_training([{"step": 0}]), ["frames[0]", "'samples'", "['step']"]),
        (
            lambda: plot.strip([{"step": 0, "samples": np.zeros((4, 3))}]),
            ["frames[0]['samples']", "(4, 3)", "(n, 2)"],
        ),
        (
            lambda: plot.animate_training(_frames(1) + _frames(1, with_grid=False)),
            ["d_grid", "all", "none"],
        ),
        (lambda: plot.to_html(_frames(1)), ["anim", "list", "FuncAnimation"]),
    ],
)
def test_bad_input_raises_a_helpful_value_error(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for w in words:
        assert w in str(err.value), (w, str(err.value))
