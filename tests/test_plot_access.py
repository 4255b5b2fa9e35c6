"""Figures a reader with a colour-vision deficiency can read: the palette stays distinguishable
under simulated protanopia, deuteranopia and tritanopia, and real and generated samples differ
by marker shape as well as by colour."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.markers import MarkerStyle  # noqa: E402

from ganlab import data, plot  # noqa: E402

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", severity 1.0: 3x3 matrices on linear RGB.
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])  # fmt: skip
WHITE = np.array([0.95047, 1.0, 1.08883])  # D65
MIN_DELTA_E = 12.0  # CIELAB units: clearly different at a glance, side by side


def _lab(colour, vision=None) -> np.ndarray:
    c = np.asarray(to_rgb(colour))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if vision is not None:
        linear = np.clip(np.asarray(MACHADO[vision]) @ linear, 0.0, 1.0)
    t = SRGB_TO_XYZ @ linear / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def smallest_difference(colours) -> float:
    """The smallest CIELAB distance between two of ``colours``, seen with normal vision or any
    of the three simulated deficiencies."""
    return min(
        float(np.linalg.norm(_lab(a, v) - _lab(b, v)))
        for v in (None, *MACHADO)
        for i, a in enumerate(colours)
        for b in colours[i + 1 :]
    )


def test_the_simulation_reproduces_a_known_confusion():
    # Red and green of the same lightness are the classic deuteranope confusion.
    assert smallest_difference(["#d62728", "#2ca02c"]) < 10
    assert float(np.linalg.norm(_lab("#d62728") - _lab("#2ca02c"))) > 50  # normal vision: far


def test_the_palette_stays_distinguishable_where_matplotlibs_default_does_not():
    assert smallest_difference(plot.PALETTE[:4]) > MIN_DELTA_E
    tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]  # matplotlib's default C0-C3
    assert smallest_difference(tab10) < MIN_DELTA_E  # orange/green under protanopia: 4.6
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i])[0] for i in range(4)]  # the cycle "C0".."C3" after import
    assert [matplotlib.colors.to_hex(ln.get_color()).upper() for ln in lines] == list(
        plot.PALETTE[:4]
    )
    plt.close(fig)


def _marker_of(collection) -> np.ndarray:
    return collection.get_paths()[0].vertices


def _path(marker: str) -> np.ndarray:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).vertices


@pytest.mark.parametrize("where", ["samples", "animation", "transport"])
def test_real_and_generated_samples_differ_by_marker_shape(where):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) + 3
    if where == "samples":
        ax = plot.samples(fake, real)
    elif where == "animation":
        anim = plot.animate_training([{"step": 0, "samples": fake}], real)
        plot.to_html(anim)  # render it (one frame), as a lesson does
        ax = anim._fig.axes[0]
    else:
        ax = plot.transport_plan(real, fake, np.arange(50))
    by_label = {c.get_label(): c for c in ax.collections if c.get_label() in ("real", "generated")}
    if where == "transport":
        by_label = dict(zip(("real", "generated"), ax.collections[1:3], strict=True))
    np.testing.assert_allclose(_marker_of(by_label["real"]), _path("o"))
    np.testing.assert_allclose(_marker_of(by_label["generated"]), _path("x"))
    assert by_label["generated"].get_linewidths()[0] > 0  # a cross is drawn with lines
    plt.close("all")


def test_mode_centres_are_not_drawn_like_generated_samples():
    ax = plot.samples(np.zeros((5, 2)), data.ring(), show_centers=True)
    centres = _marker_of(next(c for c in ax.collections if c.get_label() == "mode centres"))
    cross = _path("x")
    assert centres.shape != cross.shape or not np.allclose(centres, cross)
    plt.close("all")
