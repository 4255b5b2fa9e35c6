"""ganlab.plot given what a new user might pass by mistake: every wrong type is refused by a
ValueError naming the argument, the type given and what is allowed, before anything is drawn;
samples or images that are all NaN/inf (a diverged generator) raise, and partly NaN ones warn
and are drawn without the bad values."""

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest

from ganlab import plot

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 2))
IMAGES = np.tanh(RNG.normal(size=(6, 8, 8, 1)))
FRAMES = [{"step": s, "samples": X} for s in (0, 100, 200)]


class _Mixture:
    """A sampler where an array is wanted; its repr must never reach a message."""

    centers = np.zeros((8, 2))

    def sample(self, key, n):
        return jnp.zeros((n, 2))

    def __repr__(self):
        return "_Mixture(" + "x" * 5000 + ")"


def radial(x):  # a discriminator: D(x) = sigmoid(|x|^2 - 1)
    return jnp.sum(x * x, axis=-1) - 1.0


@pytest.fixture(autouse=True)
def _figures_closed_after_each_test(request):
    request.addfinalizer(lambda: plt.close("all"))


_POINTS = r"must be an array of 2-D points \(n, 2\), got "
_IMAGES = r"must be grayscale images \(N, H, W, 1\) or \(N, H, W\) with N >= 1, got "
_AX = r"^ax must be a matplotlib Axes, or None for a new figure, got "


@pytest.mark.parametrize(
    "call, match",
    [
        # arrays of points
        (lambda: plot.samples(_Mixture()), "^fake " + _POINTS + "a _Mixture: pass samples drawn"),
        (lambda: plot.samples([[0.0, 1.0], [2.0]]), "^fake " + _POINTS + "a ragged nested list"),
        (lambda: plot.samples({"x": X}), "^fake " + _POINTS + "a dict$"),
        (lambda: plot.samples(None), "^fake " + _POINTS + "None$"),
        (lambda: plot.samples("samples.npy"), "^fake " + _POINTS + "'samples.npy'$"),
        (lambda: plot.samples(X.astype(complex)), "^fake " + _POINTS + "an array of shape"),
        (lambda: plot.samples(np.zeros((0, 2))), r"^fake must hold at least one point"),
        (lambda: plot.samples(X, [[1.0], [2.0, 3.0]]), "^data " + _POINTS + "a ragged nested"),
        (lambda: plot.transport_plan(X, {}, np.arange(64)), "^y " + _POINTS + "a dict$"),
        (lambda: plot.transport_plan(X, X, [[0], [1, 2]]), "^matching must be .*a ragged nes"),
        (lambda: plot.strip([{"step": 0, "samples": "x"}]), r"^frames\[0\]\['samples'\] must"),
        (lambda: plot.strip({"step": 0, "samples": X}), r"^frames must be a non-empty list .*a d"),
        (lambda: plot.strip([_Mixture()]), r"^frames\[0\] must be a dict .*got a _Mixture$"),
        # images
        (lambda: plot.image_grid([[[0.0]], [[0.0, 1.0]]]), "^images " + _IMAGES + "a ragged"),
        (lambda: plot.image_grid(_Mixture()), "^images " + _IMAGES + "a _Mixture$"),
        (lambda: plot.tile_images({}), "^images " + _IMAGES + "a dict$"),
        (lambda: plot.real_vs_generated(IMAGES, "fake"), "^fake " + _IMAGES + "'fake'$"),
        (lambda: plot.interpolation(None), r"^images must be latent walks .*got None$"),
        (lambda: plot.interpolation(IMAGES, t={}), r"^t must be \(6,\) numbers, got a dict$"),
        (lambda: plot.tile_images(IMAGES, pad_value=2), r"^pad_value must be a finite number >="),
        (lambda: plot.real_vs_generated(IMAGES, IMAGES, nrow=0), r"^nrow must be an integer >= 1"),
        # callables, distributions, windows
        (lambda: plot.density(_Mixture()), r"^dist must be a distribution .*got a _Mixture$"),
        (lambda: plot.discriminator(_Mixture()), r"^d_fn must be a callable .*got a _Mixture$"),
        (lambda: plot.discriminator(lambda x: {"logit": x}), r"^d_fn\(points\) must be .*a dict$"),
        (lambda: plot.scalar_field(None), r"^fn must be a callable .*got None$"),
        (lambda: plot.vector_field(_Mixture()), r"^field must be a callable .*got a _Mixture$"),
        (lambda: plot.generator_map(_Mixture()), r"^generator must be a callable .*a _Mixture w"),
        (lambda: plot.samples(X, extent=_Mixture()), r"^extent must be four finite .*a _Mixture$"),
        (lambda: plot.samples(X, extent=(1, 0, 0, 1)), r"^extent must be .*got \(1, 0, 0, 1\)$"),
        (lambda: plot.tile_images(IMAGES, value_range="01"), r"^value_range must be two finite"),
        # numbers and styles
        (lambda: plot.samples(X, s=-1), r"^s must be a finite number > 0, got -1$"),
        (lambda: plot.samples(X, alpha=2), r"^alpha must be a finite number >= 0 and <= 1, got 2$"),
        (lambda: plot.samples(X, alpha=None), r"^alpha must be a finite number >= 0 and <= 1, go"),
        (lambda: plot.samples(X, color=3), r"^color must be a matplotlib colour .*got 3$"),
        (lambda: plot.samples(X, label={}), r"^label must be a string .*got a dict$"),
        (lambda: plot.animate_training(FRAMES, interval="fast"), r"^interval must be a finite nu"),
        (lambda: plot.animate_training(FRAMES, figsize=4), r"^figsize must be two finite numbe"),
        (lambda: plot.strip(FRAMES, panel_size=None), r"^panel_size must be a finite number > 0"),
        (lambda: plot.to_html(_Mixture()), r"^anim must be a matplotlib FuncAnimation .*_Mixture$"),
        (lambda: plot.frame_recorder(0), r"^key must be a JAX random key, got the integer 0"),
        (lambda: plot.frame_recorder(np.int64(5)), r"make a key of it with jax.random.key\(5\)$"),
        (lambda: plot.frame_recorder("key"), r"^key must be a JAX random key"),
        # axes
        (lambda: plot.samples(X, ax={}), _AX + "a dict$"),
        (lambda: plot.image_grid(IMAGES, ax=3), _AX + "3$"),
        (lambda: plot.discriminator(radial, ax="left"), _AX + "'left'$"),
        (lambda: plot.losses({"step": [0], "d_loss": [1.0]}, ax=_Mixture()), _AX + "a _Mixture$"),
        (lambda: plot.trajectory(X, ax=plt.figure()), _AX + "a Figure$"),
        # curves and bars
        (lambda: plot.losses(_Mixture()), r"^history must be a training history, .*a _Mixture$"),
        (lambda: plot.losses([1.0, 2.0]), r"^history must be a training history, .*\[1.0, 2.0\]$"),
        (
            lambda: plot.losses({"step": [0, 1], "d_loss": "ab"}, ["d_loss"]),
            r"^history\['d_loss'\]",
        ),
        (lambda: plot.curves({}, {"a": [1.0]}), r"^x must be a non-empty 1-D array .*a dict$"),
        (lambda: plot.curves([0.0, 1.0], {"a": None}), r"^ys\['a'\] must be numbers .*None$"),
        (lambda: plot.trajectory([[0.0, 0.0], [1.0]]), r"^path must be .*a ragged nested list"),
        (lambda: plot.mode_histogram(_Mixture()), r"^counts must be a non-empty 1-D .*_Mixture$"),
        (lambda: plot.method_bars(["a", "b"], {"a": 1}), r"^means must be .*got a dict$"),
        (lambda: plot.method_bars("ab", [1.0, 2.0]), r"^labels must be a list of method names"),
        (lambda: plot.weight_histogram(True), r"^weights must be an array, .*got True$"),
        (lambda: plot.weight_histogram([np.ones(3), "w"]), r"^weights\[1\] must be an array"),
        (lambda: plot.loss_vs_distance({}, [1.0]), r"^distance must be a 1-D array .*a dict$"),
        (lambda: plot.metric_sweeps(_Mixture(), [("FID",)]), r"^sweeps must be .*a _Mixture$"),
    ],
)
def test_wrong_input_names_the_argument_and_the_type(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_no_message_dumps_an_object():
    with pytest.raises(ValueError) as info:
        plot.samples(X, extent=_Mixture())
    assert len(str(info.value)) < 200 and "xxxx" not in str(info.value)


# --- NaN and inf: all of them raise, some of them warn ---------------------------------------


def _diverged(shape, bad):
    x = RNG.normal(size=shape)
    x.reshape(-1)[:bad] = np.nan
    return x


@pytest.mark.parametrize(
    "call",
    [
        lambda a: plot.samples(a),
        lambda a: plot.samples(X, a),  # real samples
        lambda a: plot.transport_plan(a, X[:8], np.arange(8)),
        lambda a: plot.strip([{"step": 0, "samples": a}, {"step": 1, "samples": a}]),
        lambda a: plot.animate_training([{"step": 0, "samples": a}]),
    ],
)
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_points_that_are_all_nan_raise(call, value):
    with pytest.raises(
        ValueError, match=r"all NaN/inf.*(has diverged; check the training|no finite)"
    ):
        call(np.full((8, 2), value))


def test_some_nan_samples_are_dropped_with_a_warning_naming_how_many():
    fake = X.copy()
    fake[[3, 10, 11], 0] = np.nan
    fake[20, 1] = np.inf
    with pytest.warns(UserWarning, match=r"^fake: 4 of 64 points are NaN/inf and are not drawn"):
        ax = plot.samples(fake)
    assert ax.collections[-1].get_offsets().shape == (60, 2)  # the 60 finite points, drawn
    with pytest.raises(ValueError, match=r"^x must be finite, got 1 NaN/inf"):  # pairs: no drop
        plot.transport_plan(fake[:8], X[:8], np.arange(8))


def test_a_run_that_diverged_part_way_animates_with_a_warning_naming_the_steps():
    nan = np.full_like(X, np.nan)
    frames = [{"step": s, "samples": X if s < 200 else nan} for s in range(0, 500, 100)]
    with pytest.warns(UserWarning, match=r"^frames' 'samples': 3 of 5 frames \(steps 200, 300, 4"):
        fig = plot.strip(frames)
    assert fig.axes[0].collections[-1].get_offsets().shape == (64, 2)  # early frames drawn


def test_images_all_nan_raise_and_some_nan_are_drawn_blank_with_a_warning():
    with pytest.raises(ValueError, match=r"^images is all NaN/inf \(384 of 384 pixels\): the gen"):
        plot.image_grid(np.full((6, 8, 8, 1), np.nan))
    with pytest.raises(ValueError, match=r"^fake is all NaN/inf .*diverged"):
        plot.real_vs_generated(IMAGES, np.full((6, 8, 8, 1), np.nan))
    with pytest.raises(ValueError, match=r"^images is all NaN/inf .*diverged"):
        plot.interpolation(np.full((2, 3, 8, 8), np.inf))
    images = IMAGES.copy()
    images[2, 0, 0, 0] = np.nan
    with pytest.warns(UserWarning, match=r"^images: 1 of 6 images hold NaN/inf pixels \(1 of 384"):
        tiled = plot.tile_images(images, nrow=3, pad_value=1.0)
    assert np.isfinite(tiled).all()
    assert tiled[0, 2 * 9] == 1.0  # image 2's corner pixel: the pad colour, not NaN
    assert tiled[0, 0] == pytest.approx((IMAGES[0, 0, 0, 0] + 1) / 2)  # the others untouched


def test_a_discriminator_that_is_nan_everywhere_raises_and_partly_warns():
    with pytest.raises(ValueError, match=r"^d_fn's values on the grid is all NaN/inf .*discrimi"):
        plot.discriminator(lambda x: jnp.full(x.shape[0], jnp.nan), resolution=10)

    def holes(x):
        return jnp.where(x[:, 0] > 1.0, jnp.nan, radial(x))

    with pytest.warns(UserWarning, match=r"^d_fn's values on the grid: \d+ of 100 grid points"):
        plot.discriminator(holes, resolution=10)
    with pytest.raises(ValueError, match=r"^fn's values on the grid is all NaN/inf"):
        plot.scalar_field(lambda x: jnp.full(x.shape[0], jnp.inf), resolution=10)


def test_the_recorder_records_nan_without_raising_so_a_diverging_run_is_not_cut_short():
    class NaNGenerator:
        def sample(self, key, n):
            return jnp.full((n, 2), jnp.nan)

    record = plot.frame_recorder(jax.random.key(0), n=16, resolution=5)
    frame = record(NaNGenerator(), radial)
    assert np.isnan(frame["samples"]).all() and frame["d_grid"].shape == (5, 5)
