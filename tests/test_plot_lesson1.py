"""The plots added for lesson 1: frame_recorder, generator_map, real_vs_generated and
interpolation (what they draw, their labels, and bad input)."""

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest

from ganlab import data, latent, models, plot, train


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def mlp_pair():
    return models.mlp_gan(width=16, depth=1, seed=0)


def test_frame_recorder_returns_what_animate_training_draws(mlp_pair):
    g, d = mlp_pair
    record = plot.frame_recorder(jax.random.key(0), n=32, resolution=9)
    frame = record(g, d)
    assert frame["samples"].shape == (32, 2) and frame["d_grid"].shape == (9, 9)
    np.testing.assert_allclose(frame["samples"], g.sample(jax.random.key(0), 32), atol=1e-6)
    np.testing.assert_allclose(
        frame["d_grid"], plot.discriminator_grid(d, plot.DEFAULT_EXTENT, 9), atol=1e-6
    )
    anim = plot.animate_training([{"step": 0, **frame}, {"step": 5, **frame}], data.ring())
    assert plot.to_html(anim).count("data:image/png;base64") == 2  # both frames rendered


def test_frame_recorder_as_the_trainers_eval_fn_gives_the_frames(mlp_pair):
    g, d = models.mlp_gan(width=16, depth=1, seed=1)
    record = plot.frame_recorder(jax.random.key(0), n=16, resolution=5)
    result = train.train(g, d, data.ring(), steps=20, eval_every=10, eval_fn=record, progress=False)
    frames = result.history["eval"]
    assert [f["step"] for f in frames] == [0, 10, 20]
    assert not np.allclose(frames[0]["samples"], frames[-1]["samples"])  # G moved
    fig = plot.strip(frames, data.ring())
    assert len([a for a in fig.axes if a.get_title()]) == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n": 0}, "n must"), ({"resolution": 1}, "resolution"), ({"extent": (1, 0, 0, 1)}, "extent")],
)
def test_frame_recorder_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot.frame_recorder(jax.random.key(0), **kwargs)


def test_frame_recorder_needs_a_generator_with_sample(mlp_pair):
    _, d = mlp_pair
    with pytest.raises(ValueError, match="sample"):
        plot.frame_recorder(jax.random.key(0))(lambda z: z, d)


def test_generator_map_draws_the_image_of_the_noise_grid(mlp_pair):
    g, _ = mlp_pair
    ax = plot.generator_map(g, lines=5, points=20, data=data.ring())
    assert len(ax.lines) == 10
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    # the first line is G applied to the bottom row z2 = -2.5 of the grid
    z = np.stack([np.linspace(-2.5, 2.5, 20), np.full(20, -2.5)], 1).astype(np.float32)
    np.testing.assert_allclose(ax.lines[0].get_xydata(), g(jnp.asarray(z)), atol=1e-5)


def test_generator_map_of_the_identity_is_the_grid():
    class Identity:
        latent_dim = 2

        def __call__(self, z):
            return z

    ax = plot.generator_map(Identity(), lines=3, points=4, latent_extent=(-1, 1, -1, 1))
    xy = ax.lines[1].get_xydata()  # the middle row z2 = 0
    np.testing.assert_allclose(xy[:, 1], 0.0)
    np.testing.assert_allclose(xy[:, 0], np.linspace(-1, 1, 4))


@pytest.mark.parametrize(
    "gen, kwargs, match",
    [
        ("3d", {}, "latent_dim == 2"),
        ("ok", {"lines": 1}, "lines must"),
        ("ok", {"latent_extent": (0, 0, 0, 1)}, "latent_extent"),
    ],
)
def test_generator_map_bad_input(gen, kwargs, match):
    g = models.mlp_gan(latent_dim=3, width=8, depth=1)[0] if gen == "3d" else models.mlp_gan()[0]
    with pytest.raises(ValueError, match=match):
        plot.generator_map(g, **kwargs)


def test_real_vs_generated_shows_both_grids():
    real = -np.ones((6, 5, 5, 1))
    fake = np.ones((4, 5, 5))
    fig = plot.real_vs_generated(real, fake, nrow=3)
    left, right = fig.axes
    assert left.get_title() == "real" and right.get_title() == "generated"
    assert left.images[0].get_array().shape == (2 * 6 - 1, 3 * 6 - 1)
    assert np.all(right.images[0].get_array()[:5, :5] == 1.0)  # +1 maps to white


@pytest.mark.parametrize(
    "real, fake, kwargs, match",
    [
        (np.zeros((2, 5, 5)), np.zeros((2, 6, 6)), {}, "one size"),
        (np.zeros((5, 5)), np.zeros((2, 5, 5)), {}, "real must"),
        (np.zeros((2, 5, 5)), np.zeros((2, 5, 5)), {"titles": ("a",)}, "titles"),
    ],
)
def test_real_vs_generated_bad_input(real, fake, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot.real_vs_generated(real, fake, **kwargs)


def test_interpolation_labels_columns_with_t_and_rows_with_walks():
    images = np.linspace(-1, 1, 3 * 4 * 6 * 6).reshape(3, 4, 6, 6, 1)
    ax = plot.interpolation(images, title="walks")
    assert ax.images[0].get_array().shape == (3 * 7 - 1, 4 * 7 - 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.33", "0.67", "1"]
    assert len(ax.get_yticks()) == 3
    assert ax.get_xlabel() == "interpolation $t$" and ax.get_title() == "walks"


class _TinyImageGenerator:
    """z (B, 4) -> images (B, 8, 8, 1) in [-1, 1]: a stand-in for a conv generator."""

    latent_dim = 4

    def __call__(self, z):
        w = jnp.linspace(-1.0, 1.0, 4 * 64).reshape(4, 64)
        return jnp.tanh(z @ w).reshape(z.shape[0], 8, 8, 1)


def test_interpolation_of_one_walk_from_ganlab_latent():
    w = latent.walk(_TinyImageGenerator(), jnp.ones(4), -jnp.ones(4) + 0.1, steps=5)
    ax = plot.interpolation(w, t=np.linspace(0, 1, 5))
    assert ax.images[0].get_array().shape == (8, 5 * 9 - 1)
    grid = latent.interpolation_grid(_TinyImageGenerator(), jax.random.key(0), rows=2, steps=3)
    assert plot.interpolation(grid).images[0].get_array().shape == (2 * 9 - 1, 3 * 9 - 1)


@pytest.mark.parametrize(
    "images, kwargs, match",
    [
        (np.zeros((3, 1, 5, 5)), {}, "steps >= 2"),
        (np.zeros((5, 5)), {}, "images must"),
        (np.zeros((2, 3, 5, 5)), {"t": [0, 1]}, "t must hold one value per column"),
    ],
)
def test_interpolation_bad_input(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot.interpolation(images, **kwargs)
