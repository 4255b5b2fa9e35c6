"""Pictures of image batches: tiled grids, real next to generated, and latent walks."""

from __future__ import annotations

import math
import warnings
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from jax.typing import ArrayLike
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganlab import _checks
from ganlab.plot._common import DIVERGED, _check_ax, _interval, _new_ax, _nonfinite, _numbers

_BATCH = "grayscale images (N, H, W, 1) or (N, H, W) with N >= 1"


def _finite_images(x: np.ndarray, arg: str) -> None:
    """Raise when every pixel of ``x`` ``(N, ...)`` is NaN/inf; warn when some images hold
    NaN/inf pixels (they are drawn blank, in the separators' colour)."""
    bad = ~np.isfinite(x.reshape(x.shape[0], -1))  # (N, pixels)
    _nonfinite(arg, int(bad.sum()) if bad.all() else 0, x.size, "pixels", DIVERGED, "")
    if bad.any():
        k = int(bad.any(axis=1).sum())
        warnings.warn(
            f"{arg}: {k} of {x.shape[0]} images hold NaN/inf pixels ({int(bad.sum())} of "
            f"{x.size}), drawn blank: {DIVERGED}",
            UserWarning,
            stacklevel=4,
        )


def _image_batch(images: Any, arg: str) -> np.ndarray:
    """``images`` as ``(N, H, W)`` floats, or a ValueError naming ``arg``; NaN/inf as in
    :func:`_finite_images`."""
    x = _numbers(arg, images, _BATCH)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(f"{arg} must be {_BATCH}, got shape {np.shape(images)}")
    _finite_images(x, arg)
    return x


def tile_images(
    images: ArrayLike,
    nrow: int | None = None,
    value_range: tuple[float, float] = (-1.0, 1.0),
    pad_value: float = 1.0,
) -> np.ndarray:
    """Tile ``images`` into one grayscale array in [0, 1] with 1-pixel separators.

    Args:
      images: ``(N, H, W, 1)`` or ``(N, H, W)``, with values in ``value_range``.
      nrow: images per row (as in torchvision's ``make_grid``); ``ceil(sqrt(N))`` when ``None``.
      value_range: the range mapped linearly onto [0, 1] (then clipped).
      pad_value: the value of separators and of empty cells, in [0, 1] (1 is white).

    Returns:
      ``(rows * (H + 1) - 1, nrow * (W + 1) - 1)`` with ``rows = ceil(N / nrow)``.
    """
    return _tile(_image_batch(images, "images"), nrow, value_range, pad_value)


def _tile(x: np.ndarray, nrow: Any, value_range: Any, pad_value: Any) -> np.ndarray:
    """:func:`tile_images` of a checked batch ``(N, H, W)``; NaN/inf pixels get ``pad_value``."""
    lo, hi = _interval("value_range", value_range)
    pad_value = _checks.number("pad_value", pad_value, minimum=0, maximum=1)
    n, h, w = x.shape
    if nrow is None:
        nrow = math.ceil(math.sqrt(n))
    nrow = min(_checks.integer("nrow", nrow, minimum=1), n)
    rows = math.ceil(n / nrow)
    with np.errstate(invalid="ignore"):
        x = np.clip((x - lo) / (hi - lo), 0.0, 1.0)  # [lo, hi] -> [0, 1]
    x = np.where(np.isfinite(x), x, pad_value)
    out = np.full((rows * (h + 1) - 1, nrow * (w + 1) - 1), pad_value, dtype=np.float64)
    for k in range(n):
        r, c = divmod(k, nrow)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = x[k]
    return out


@_check_ax
def image_grid(
    images: ArrayLike,
    nrow: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    value_range: tuple[float, float] = (-1.0, 1.0),
) -> Axes:
    """Show a batch of grayscale images as one tiled image (see :func:`tile_images`), no ticks.

    Args:
      images: ``(N, H, W, 1)`` or ``(N, H, W)`` in ``value_range`` (default [-1, 1], the range of
        a generator with a ``tanh`` output).
      nrow: images per row; ``ceil(sqrt(N))`` when ``None``.
      ax: the Axes to draw on; a new figure when ``None``.
      title: the Axes title.

    Returns:
      The Axes; ``ax.images[0].get_array()`` is the tiled array.
    """
    return _grid(_image_batch(images, "images"), nrow, ax, title, value_range)


def _grid(x: np.ndarray, nrow: Any, ax: Axes | None, title: Any, value_range: Any) -> Axes:
    """:func:`image_grid` of a checked batch ``(N, H, W)``."""
    tiled = _tile(x, nrow, value_range, 1.0)
    if ax is None:
        rows, cols = tiled.shape
        scale = 4.5 / max(rows, cols)
        ax = _new_ax((max(cols * scale, 1.5), max(rows * scale, 1.5)))
    ax.imshow(tiled, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax


def real_vs_generated(
    real: ArrayLike,
    fake: ArrayLike,
    nrow: int = 8,
    titles: tuple[str, str] = ("real", "generated"),
    value_range: tuple[float, float] = (-1.0, 1.0),
) -> Figure:
    """Two image grids side by side: real images and generated ones, with titles.

    Args:
      real, fake: ``(N, H, W, 1)`` or ``(N, H, W)`` grayscale batches in ``value_range`` (each
        may have its own ``N``; the images must have one size).
      nrow: images per row in each grid.
      titles: the two panels' titles.

    Returns:
      The Figure, with the two Axes in ``fig.axes`` (no ticks; each titled).
    """
    r, f = _image_batch(real, "real"), _image_batch(fake, "fake")
    if r.shape[1:] != f.shape[1:]:
        raise ValueError(
            f"real and fake must hold images of one size, got {r.shape[1:]} and {f.shape[1:]}"
        )
    if not (isinstance(titles, tuple | list) and len(titles) == 2):
        _checks.fail("titles", titles, "two strings")
    nrow = _checks.integer("nrow", nrow, minimum=1)
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.8), layout="constrained")
    for ax, x, title in zip(axes, (r, f), titles, strict=True):
        _grid(x, nrow, ax, title, value_range)
    return fig


@_check_ax
def interpolation(
    images: ArrayLike,
    ax: Axes | None = None,
    t: ArrayLike | None = None,
    title: str | None = None,
    value_range: tuple[float, float] = (-1.0, 1.0),
) -> Axes:
    """Latent walks as rows of images, the interpolation parameter ``t`` along the x axis.

    Args:
      images: ``(rows, steps, H, W, 1)`` (``ganlab.latent.interpolation_grid``) or one walk
        ``(steps, H, W, 1)`` (``ganlab.latent.walk``); the channel axis may be left out.
      ax: the Axes to draw on; a new figure when ``None``.
      t: the ``steps`` values of ``t`` labelling the columns; ``linspace(0, 1, steps)`` when
        ``None``.
      title: the Axes title.

    Returns:
      The Axes: x axis "interpolation $t$" (ticks at the columns), y axis "walk" (one tick per
      row); ``ax.images[0].get_array()`` is the tiled array.
    """
    x = _numbers("images", images, "latent walks (rows, steps, H, W[, 1]) or (steps, H, W[, 1])")
    if x.ndim >= 1 and x.shape[-1] == 1 and x.ndim in (4, 5):
        x = x[..., 0]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] == 0 or x.shape[1] < 2:
        raise ValueError(
            "images must have shape (rows, steps, H, W[, 1]) or (steps, H, W[, 1]) with "
            f"steps >= 2, got shape {np.shape(images)}"
        )
    rows, steps, h, w = x.shape
    _finite_images(x.reshape(rows * steps, h, w), "images")
    ts = np.linspace(0.0, 1.0, steps) if t is None else _numbers("t", t, f"({steps},) numbers")
    if ts.shape != (steps,):
        raise ValueError(f"t must hold one value per column, shape ({steps},), got {ts.shape}")
    tiled = _tile(x.reshape(rows * steps, h, w), steps, value_range, 1.0)
    if ax is None:
        ax = _new_ax((min(1.0 + 0.9 * steps, 14.0), 0.6 + 0.9 * rows))
    ax.imshow(tiled, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([c * (w + 1) + (w - 1) / 2 for c in range(steps)])
    ax.set_xticklabels([f"{v:.2g}" for v in ts], fontsize="small")
    ax.set_yticks([r * (h + 1) + (h - 1) / 2 for r in range(rows)])
    ax.set_yticklabels([str(r + 1) for r in range(rows)], fontsize="small")
    ax.set_xlabel("interpolation $t$")
    ax.set_ylabel("walk")
    if title is not None:
        ax.set_title(title)
    return ax
