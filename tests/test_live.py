"""The live training view (ganlab.plot.LiveView): what it draws, when it redraws, and how it
behaves in a headless kernel and in one a Jupyter server started."""

import itertools
import json
import os
import sys

import jax
import numpy as np
import pytest

from ganlab import data, models, plot, train


def _ring_run(steps=300, **view_args):
    g, d = models.mlp_gan(seed=0)
    view = plot.LiveView(**view_args)
    run = train.train(g, d, data.ring(), steps=steps, batch_size=64, progress=False, live=view)
    return run, view


def test_headless_draws_one_final_picture_of_the_trained_state(monkeypatch):
    monkeypatch.delenv("GANLAB_LIVE", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    run, view = _ring_run(steps=300, seed=3, n=256, smooth=20)
    assert not view.redraws and view.renders == 1
    ax_s, ax_l = view._fig.axes
    # The scatter holds the trained generator's samples of the view's latents ...
    shown = view._scatter.get_offsets()
    expected = np.asarray(run.trainer.sample(jax.random.key(3), 256))
    np.testing.assert_allclose(shown, expected, rtol=1e-6)
    untrained = np.asarray(models.mlp_gan(seed=0)[0].sample(jax.random.key(3), 256))
    assert np.abs(shown - untrained).max() > 0.1  # ... not the untrained ones
    # ... and the loss curves are the history's, smoothed by a trailing moving average.
    line = {ln.get_label(): ln for ln in ax_l.lines}["d_loss"]
    x, y = line.get_data()
    h = np.asarray(run.history["d_loss"], np.float64)
    np.testing.assert_array_equal(x, run.history["step"])
    full = np.convolve(h, np.ones(20) / 20, mode="valid")  # windows that end at step 20, 21, ...
    np.testing.assert_allclose(y[19:], full, rtol=1e-9)
    np.testing.assert_allclose(y[:3], [h[0], h[:2].mean(), h[:3].mean()], rtol=1e-9)
    assert view._suptitle.get_text() == "step 300 of 300"


def test_redraws_only_while_drawing_stays_within_its_share_of_training(monkeypatch):
    # A clock that advances one second per reading: every picture then "costs" one second and
    # every stretch of training between two readings one second too.
    def counting_clock():
        return float(next(ticks))

    for budget, expected in [(1.0, 5), (0.05, 3)]:
        ticks = itertools.count()
        g, d = models.mlp_gan(seed=0)
        view = plot.LiveView(mode="live", every=100, max_overhead=budget)
        view._clock = counting_clock
        train.train(g, d, data.ring(), steps=300, batch_size=64, progress=False, live=view)
        # Budget 1: the first picture, one at each of steps 100, 200 and 300, the final one.
        # Budget 5%: the first picture and the final one, and one redraw at step 100 (which
        # measures what a redraw costs); after it a one-second picture never fits in 5% of
        # the two or three seconds of training.
        assert view.renders == expected, (budget, view.renders)


def test_images_are_shown_as_a_grid_and_updated_in_place():
    images = np.asarray(data.digits("train")[0][:256])  # (256, 8, 8, 1)
    g, d = models.conv_gan(image_size=8, channels=8, latent_dim=8, seed=0)
    view = plot.LiveView(mode="live", every=20, max_overhead=1.0, n=64)
    run = train.train(g, d, images, steps=40, batch_size=32, progress=False, live=view)
    assert view.renders >= 3
    (ax_s, _) = view._fig.axes
    assert len(ax_s.images) == 1  # one grid, its data replaced at each redraw
    expected = plot.tile_images(run.trainer.sample(jax.random.key(0), 64), nrow=8)
    np.testing.assert_allclose(ax_s.images[0].get_array(), expected, rtol=1e-6)
    # The first picture came at step 0, before any loss: the curves still fill in after it.
    lines = {ln.get_label(): ln for ln in view._fig.axes[1].lines}
    assert set(lines) == {"d_loss", "g_loss"}
    np.testing.assert_array_equal(lines["g_loss"].get_xdata(), np.arange(1, 41))


def test_live_argument_is_checked():
    g, d = models.mlp_gan(seed=0)
    with pytest.raises(ValueError, match=r"live must be True, False, None or a plot.LiveView"):
        train.train(g, d, data.ring(), steps=1, progress=False, live="yes")
    with pytest.raises(ValueError, match="every"):
        plot.LiveView(every=0)
    with pytest.raises(ValueError, match="mode"):
        plot.LiveView(mode="sometimes")


def test_a_stopped_run_still_shows_where_it_stopped():
    g, d = models.mlp_gan(seed=0)
    view = plot.LiveView(mode="final")
    config = train.Config(steps=100, g_lr=1e6, d_lr=1e6, batch_size=64, progress=False)
    with pytest.raises(train.Diverged):
        train.train(g, d, data.ring(), config, live=view)
    assert view.renders == 1


_CELL = """
import numpy as np
from ganlab import data, models, plot, train
g, d = models.mlp_gan(seed=0)
view = plot.LiveView(every=50, max_overhead=1.0)
train.train(g, d, data.ring(), steps=400, batch_size=64, progress=False, live=view)
print(view.redraws, view.renders)
"""


@pytest.mark.slow
@pytest.mark.parametrize("server", [False, True])
def test_in_a_kernel_one_output_holds_the_final_picture(tmp_path, monkeypatch, server):
    """Headless (nbclient, as nbval and the site run lessons) the view draws once. In a kernel
    a Jupyter server started (it names the notebook in JPY_SESSION_NAME) it redraws, in place:
    the notebook still holds one picture, the last."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.delenv("GANLAB_LIVE", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own: inline figures
    if server:
        monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "live.ipynb"))
    else:
        monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})  # fmt: skip
    env_python = os.path.dirname(sys.executable)
    monkeypatch.setenv("PATH", env_python + os.pathsep + os.environ["PATH"])
    client.execute()
    outputs = nb.cells[0].outputs
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    redraws, renders = text.split()[-2:]
    assert len(pictures) == 1, json.dumps([o.output_type for o in outputs])
    if server:
        assert redraws == "True" and int(renders) >= 4  # start, 50-step redraws, final
    else:
        assert redraws == "False" and int(renders) == 1
