"""Plots for the course: data densities, samples, discriminator heat maps, image grids, loss
curves and training animations.

Every drawing function takes an optional ``ax`` (a new figure is made when it is ``None``),
labels its axes, and returns what it drew; nothing here calls ``plt.show()``. Arrays may be JAX
or NumPy. The objects drawn are duck-typed, so this module imports nothing else from ``ganlab``:

- a 2-D *distribution* is anything with ``log_prob(x)`` mapping ``(n, 2) -> (n,)``, and
  optionally ``centers`` ``(K, 2)`` (the modes of a mixture);
- a *discriminator* is any callable mapping ``(n, 2)`` float32 to ``(n,)`` logits (or a critic's
  values), for example a Flax NNX module.

Animations are shown in a notebook with ``HTML(plot.to_html(anim))``: the JavaScript player is
self-contained, so it plays in JupyterLab and on a static Jupyter Book page with no network.
``plot.strip`` draws the same frames as a row of small panels for print.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from jax.typing import ArrayLike
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

__all__ = [
    "DEFAULT_EXTENT",
    "animate_training",
    "curves",
    "density",
    "density_grid",
    "discriminator",
    "discriminator_grid",
    "frame_recorder",
    "generator_map",
    "image_grid",
    "interpolation",
    "loss_vs_distance",
    "loss_with_eval",
    "losses",
    "method_bars",
    "metric_sweeps",
    "mode_histogram",
    "mode_timeline",
    "real_vs_generated",
    "samples",
    "scalar_field",
    "strip",
    "tile_images",
    "to_html",
    "trajectory",
    "transport_plan",
    "vector_field",
    "weight_histogram",
]

#: The plotting window ``(x_min, x_max, y_min, y_max)`` that holds the ring and grid data.
DEFAULT_EXTENT = (-1.5, 1.5, -1.5, 1.5)
_KINDS = ("prob", "logit")
_FAKE_COLOR = "C1"  # generated samples: orange
_REAL_COLOR = "C0"  # real samples: blue
_HEAT_CMAP = {"prob": "RdBu_r", "logit": "viridis"}
_HEAT_LABEL = {"prob": r"$D(x) = \sigma(\mathrm{logit})$", "logit": r"critic value $f(x)$"}


# ---------------------------------------------------------------------------------------------
# Input checks: each names the argument, the value received and what is allowed.
# ---------------------------------------------------------------------------------------------


def _points(x: ArrayLike, arg: str) -> np.ndarray:
    """``x`` as a float NumPy array of shape ``(n, 2)``, or a ValueError naming ``arg``."""
    a = np.asarray(x)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"{arg} must be an array of 2-D points, shape (n, 2); got shape {a.shape}")
    return a.astype(np.float64)


def _extent(extent: Sequence[float], arg: str = "extent") -> tuple[float, float, float, float]:
    try:
        x0, x1, y0, y1 = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ValueError(
            f"{arg} must be four numbers (x_min, x_max, y_min, y_max); got {extent!r}"
        ) from None
    if not (x0 < x1 and y0 < y1):
        raise ValueError(
            f"{arg} must satisfy x_min < x_max and y_min < y_max; got {(x0, x1, y0, y1)}"
        )
    return x0, x1, y0, y1


def _resolution(resolution: int) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise ValueError(f"resolution must be an int >= 2; got {resolution!r}")
    if resolution < 2:
        raise ValueError(f"resolution must be an int >= 2; got {resolution}")
    return int(resolution)


def _kind(kind: str) -> str:
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}; got {kind!r}")
    return kind


def _is_distribution(data: Any) -> bool:
    return callable(getattr(data, "log_prob", None))


def _new_ax(figsize: tuple[float, float] = (4.5, 4.5)) -> Axes:
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _label_plane(ax: Axes) -> None:
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def _grid_points(extent, resolution: int) -> np.ndarray:
    """The ``(resolution**2, 2)`` float32 points of a grid over ``extent``.

    Row ``i * resolution + j`` is the point ``(xs[j], ys[i])``, so reshaping a per-point value to
    ``(resolution, resolution)`` gives an image with y along rows (``imshow(origin="lower")``).
    """
    x0, x1, y0, y1 = extent
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)  # each (res, res), gx[i, j] = xs[j], gy[i, j] = ys[i]
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: no overflow in exp for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ---------------------------------------------------------------------------------------------
# The data density and samples
# ---------------------------------------------------------------------------------------------


def density_grid(dist: Any, extent=DEFAULT_EXTENT, resolution: int = 200) -> np.ndarray:
    """``exp(dist.log_prob)`` on a ``(resolution, resolution)`` grid over ``extent`` (y: rows)."""
    if not _is_distribution(dist):
        raise ValueError(
            f"dist must have a log_prob(x) method mapping (n, 2) -> (n,); got {type(dist).__name__}"
        )
    extent = _extent(extent)
    resolution = _resolution(resolution)
    pts = _grid_points(extent, resolution)
    logp = np.asarray(dist.log_prob(jnp.asarray(pts)), dtype=np.float64)
    if logp.shape != (pts.shape[0],):
        raise ValueError(
            f"dist.log_prob must map (n, 2) to (n,); for n={pts.shape[0]} it returned shape "
            f"{logp.shape}"
        )
    return np.exp(logp).reshape(resolution, resolution)


def density(
    dist: Any,
    ax: Axes | None = None,
    extent=DEFAULT_EXTENT,
    resolution: int = 200,
    cmap: str = "Greys",
    filled: bool = True,
    show_centers: bool = False,
) -> Axes:
    """Draw the data density ``p(x) = exp(dist.log_prob(x))`` over the plane.

    Args:
      dist: a 2-D distribution: ``log_prob`` maps ``(n, 2) -> (n,)``.
      ax: the Axes to draw on; a new figure when ``None``.
      extent: ``(x_min, x_max, y_min, y_max)``.
      resolution: grid points per side.
      cmap: colormap of the filled image.
      filled: an image (``True``) or contour lines (``False``, to lay over a heat map).
      show_centers: mark ``dist.centers`` ``(K, 2)`` with crosses, when the distribution has them.

    Returns:
      The Axes.
    """
    extent = _extent(extent)
    p = density_grid(dist, extent, resolution)  # (res, res)
    ax = _new_ax() if ax is None else ax
    if filled:
        ax.imshow(p, origin="lower", extent=extent, cmap=cmap, interpolation="bilinear")
    else:
        res = p.shape[0]
        xs = np.linspace(extent[0], extent[1], res)
        ys = np.linspace(extent[2], extent[3], res)
        if p.max() > p.min():  # a flat density has no contour lines to draw
            # Levels as fractions of the peak, all above 0: a level at ~0 would trace where
            # float32 density underflows, drawing circles that are not in the data.
            levels = p.max() * np.array([1e-4, 1e-2, 0.5])
            ax.contour(xs, ys, p, levels=levels, colors="0.25", linewidths=0.7)
    centers = getattr(dist, "centers", None)
    if show_centers and centers is not None:
        c = _points(centers, "dist.centers")
        ax.scatter(c[:, 0], c[:, 1], marker="x", s=30, c="C3", linewidths=1.2, label="mode centres")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    _label_plane(ax)
    return ax


def samples(
    fake: ArrayLike,
    data: Any = None,
    ax: Axes | None = None,
    extent=None,
    *,
    s: float = 4.0,
    alpha: float = 0.6,
    color: str = _FAKE_COLOR,
    label: str = "generated",
    show_centers: bool = False,
) -> Axes:
    """Scatter generated samples ``fake`` ``(n, 2)`` over the data.

    Args:
      fake: generated points, ``(n, 2)``.
      data: ``None``; a distribution (its density is drawn with :func:`density`); or real samples
        ``(m, 2)`` (scattered in another colour).
      ax: the Axes to draw on; a new figure when ``None``.
      extent: ``(x_min, x_max, y_min, y_max)``. ``None``: :data:`DEFAULT_EXTENT` under a
        distribution, otherwise fitted to the points.
      s, alpha, color, label: marker size, opacity, colour and legend label of ``fake``.
      show_centers: mark the distribution's mode centres.

    Returns:
      The Axes, with a legend and equal aspect.
    """
    fake = _points(fake, "fake")
    extent = None if extent is None else _extent(extent)
    ax = _new_ax() if ax is None else ax
    handles = []
    if data is not None and _is_distribution(data):
        density(data, ax=ax, extent=extent or DEFAULT_EXTENT, show_centers=show_centers)
        handles.append(Patch(facecolor="0.55", label="data density"))
    elif data is not None:
        real = _points(data, "data")
        handles.append(
            ax.scatter(
                real[:, 0], real[:, 1], s=s, alpha=alpha, c=_REAL_COLOR, label="real", linewidths=0
            )
        )
    handles.append(
        ax.scatter(fake[:, 0], fake[:, 1], s=s, alpha=alpha, c=color, label=label, linewidths=0)
    )
    handles += [h for h in ax.collections if h.get_label() == "mode centres"]
    if extent is not None:
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    _label_plane(ax)
    ax.legend(handles=handles, loc="upper right", fontsize="small", markerscale=3)
    return ax


# ---------------------------------------------------------------------------------------------
# The discriminator over the plane
# ---------------------------------------------------------------------------------------------


def discriminator_grid(d_fn: Any, extent=DEFAULT_EXTENT, resolution: int = 100) -> np.ndarray:
    """Raw outputs (logits, or a critic's values) of ``d_fn`` on a grid over ``extent``.

    ``d_fn`` is evaluated once, on all ``resolution**2`` points in one ``(n, 2)`` float32 batch.

    Returns:
      A NumPy array ``(resolution, resolution)``: entry ``[i, j]`` is ``d_fn`` at
      ``(xs[j], ys[i])`` with ``xs, ys = linspace`` over the extent (y along rows, as
      ``imshow(origin="lower")`` wants). Store these in animation frames as ``"d_grid"``.
    """
    if not callable(d_fn):
        raise ValueError(
            f"d_fn must be a callable mapping (n, 2) points to (n,) logits; got "
            f"{type(d_fn).__name__}"
        )
    extent = _extent(extent)
    resolution = _resolution(resolution)
    pts = _grid_points(extent, resolution)  # (res * res, 2)
    out = np.asarray(d_fn(jnp.asarray(pts)), dtype=np.float64)
    n = pts.shape[0]
    if out.shape == (n, 1):  # a model with a trailing unit axis
        out = out[:, 0]
    if out.shape != (n,):
        raise ValueError(
            f"d_fn must map (n, 2) to (n,) or (n, 1); for n={n} it returned shape {out.shape}"
        )
    return out.reshape(resolution, resolution)


def _heat(ax: Axes, grid: np.ndarray, extent, kind: str, vlim=None, alpha: float = 1.0):
    """Draw a ``discriminator_grid`` as an image; returns the AxesImage."""
    if kind == "prob":
        values, vmin, vmax = _sigmoid(grid), 0.0, 1.0  # the colormap's centre is D = 0.5
    else:
        values = grid
        vmin, vmax = (np.nanmin(grid), np.nanmax(grid)) if vlim is None else vlim
    return ax.imshow(
        values,
        origin="lower",
        extent=extent,
        cmap=_HEAT_CMAP[kind],
        vmin=vmin,
        vmax=vmax,
        alpha=alpha,
        interpolation="bilinear",
        zorder=0,
    )


def discriminator(
    d_fn: Any,
    ax: Axes | None = None,
    extent=DEFAULT_EXTENT,
    resolution: int = 100,
    kind: str = "prob",
    colorbar: bool = True,
) -> Axes:
    """Heat map of a discriminator (or critic) over the plane.

    Args:
      d_fn: a callable mapping ``(n, 2)`` float32 to ``(n,)`` logits.
      ax: the Axes to draw on; a new figure when ``None``.
      extent: ``(x_min, x_max, y_min, y_max)``.
      resolution: grid points per side.
      kind: ``"prob"`` draws ``D(x) = sigmoid(logit)`` in [0, 1] on a diverging colormap centred
        at 0.5 (red: "real", blue: "fake"); ``"logit"`` draws the raw values on a sequential
        colormap, for a WGAN critic, whose level is arbitrary (only differences matter).
      colorbar: add a labelled colorbar.

    Returns:
      The Axes.
    """
    kind = _kind(kind)
    extent = _extent(extent)
    grid = discriminator_grid(d_fn, extent, resolution)
    ax = _new_ax() if ax is None else ax
    im = _heat(ax, grid, extent, kind)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label=_HEAT_LABEL[kind], shrink=0.85)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    _label_plane(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# Images and loss curves
# ---------------------------------------------------------------------------------------------


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
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(
            f"images must have shape (N, H, W, 1) or (N, H, W) with N >= 1 (grayscale); got "
            f"shape {np.shape(images)}"
        )
    lo, hi = (float(v) for v in value_range)
    if not lo < hi:
        raise ValueError(f"value_range must be (low, high) with low < high; got {value_range!r}")
    n, h, w = x.shape
    if nrow is None:
        nrow = math.ceil(math.sqrt(n))
    if isinstance(nrow, bool) or not isinstance(nrow, int | np.integer) or nrow < 1:
        raise ValueError(f"nrow must be a positive int (images per row) or None; got {nrow!r}")
    nrow = min(int(nrow), n)
    rows = math.ceil(n / nrow)
    x = np.clip((x - lo) / (hi - lo), 0.0, 1.0)  # [lo, hi] -> [0, 1]
    out = np.full((rows * (h + 1) - 1, nrow * (w + 1) - 1), pad_value, dtype=np.float64)
    for k in range(n):
        r, c = divmod(k, nrow)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = x[k]
    return out


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
    tiled = tile_images(images, nrow=nrow, value_range=value_range)
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


def _moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` values: entry ``t`` averages ``y[t - window + 1 : t + 1]``."""
    c = np.cumsum(np.insert(y, 0, 0.0))
    return (c[window:] - c[:-window]) / window


def losses(
    history: Mapping[str, ArrayLike],
    keys: Sequence[str] = ("d_loss", "g_loss"),
    ax: Axes | None = None,
    smooth: int = 0,
    ylabel: str | None = None,
) -> Axes:
    """Plot metric curves from a training history against the training step.

    Args:
      history: a mapping with a ``"step"`` 1-D array and one 1-D array per metric, all of one
        length (without ``"step"``, the index is used).
      keys: the metrics to plot.
      ax: the Axes to draw on; a new figure when ``None``.
      smooth: window of a trailing moving average, in entries; 0 or 1 plots the raw curve only.
        With smoothing, the raw curve is drawn faintly behind the smoothed one.
      ylabel: the y label; ``"loss"`` when every key names a loss, otherwise ``"value"``.

    Returns:
      The Axes, x axis "training step", with a legend.
    """
    if isinstance(keys, str):
        keys = (keys,)
    missing = [k for k in keys if k not in history]
    if missing:
        allowed = sorted(k for k in history if k != "step")
        raise ValueError(f"keys {missing} are not in history; allowed: {allowed}")
    if isinstance(smooth, bool) or not isinstance(smooth, int | np.integer) or smooth < 0:
        raise ValueError(f"smooth must be an int >= 0 (a window length); got {smooth!r}")
    length = None
    for k in keys:
        y = np.asarray(history[k])
        if y.ndim != 1:
            raise ValueError(
                f"history[{k!r}] must be 1-D (one value per logged step); got shape {y.shape}. "
                f"For a history of several seeds, plot one seed's curves."
            )
        length = y.shape[0] if length is None else length
    step = np.asarray(history["step"]) if "step" in history else np.arange(length)
    ax = _new_ax((6.0, 3.5)) if ax is None else ax
    for i, k in enumerate(keys):
        y = np.asarray(history[k], dtype=np.float64)
        if y.shape != step.shape:
            raise ValueError(
                f"history[{k!r}] has shape {y.shape} but history['step'] has shape {step.shape}; "
                f"they must match"
            )
        color = f"C{i}"
        if smooth > 1 and y.shape[0] >= smooth:
            ax.plot(step, y, color=color, alpha=0.25, linewidth=0.8)
            ax.plot(step[smooth - 1 :], _moving_average(y, smooth), color=color, label=k)
        else:
            ax.plot(step, y, color=color, label=k)
    ax.set_xlabel("training step")
    if ylabel is None:
        ylabel = "loss" if all("loss" in k for k in keys) else "value"
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


# ---------------------------------------------------------------------------------------------
# Training as it happens: animations and strips of frames
# ---------------------------------------------------------------------------------------------


def _frames(frames: Sequence[Mapping[str, Any]]) -> tuple[list[dict], bool]:
    """Check the frames; returns them (as NumPy) and whether they carry ``d_grid``."""
    allowed = "a non-empty list of dicts {'step', 'samples', optional 'd_grid'}"
    if isinstance(frames, Mapping) or not isinstance(frames, Sequence):
        raise ValueError(f"frames must be {allowed}; got a {type(frames).__name__}")
    if len(frames) == 0:
        raise ValueError(f"frames must be {allowed}; got an empty list")
    out = []
    for i, f in enumerate(frames):
        if not isinstance(f, Mapping) or "step" not in f or "samples" not in f:
            got = sorted(f) if isinstance(f, Mapping) else type(f).__name__
            raise ValueError(
                f"frames[{i}] must be a dict with keys 'step' and 'samples' (and optionally "
                f"'d_grid'); got {got}"
            )
        g = {"step": f["step"], "samples": _points(f["samples"], f"frames[{i}]['samples']")}
        if f.get("d_grid") is not None:
            g["d_grid"] = np.asarray(f["d_grid"], dtype=np.float64)
            if g["d_grid"].ndim != 2:
                raise ValueError(
                    f"frames[{i}]['d_grid'] must be a 2-D (res, res) array from "
                    f"discriminator_grid; got shape {g['d_grid'].shape}"
                )
        out.append(g)
    with_grid = ["d_grid" in f for f in out]
    if any(with_grid) and not all(with_grid):
        raise ValueError(
            f"frames must all have a 'd_grid' or none; frame {with_grid.index(False)} has none "
            f"but frame {with_grid.index(True)} has one"
        )
    return out, all(with_grid)


def _logit_range(frames: list[dict]) -> tuple[float, float]:
    """One colour range for every frame, so colours mean the same value throughout."""
    return (
        float(min(np.nanmin(f["d_grid"]) for f in frames)),
        float(max(np.nanmax(f["d_grid"]) for f in frames)),
    )


def _background(ax: Axes, data: Any, extent, over_heat: bool) -> list:
    """The static data layer: density (lines over a heat map, else an image) or real samples."""
    handles = []
    if data is None:
        return handles
    if _is_distribution(data):
        density(data, ax=ax, extent=extent, filled=not over_heat)
        handles.append(
            Patch(facecolor="none" if over_heat else "0.55", edgecolor="0.25", label="data density")
        )
    else:
        real = _points(data, "data")
        handles.append(
            ax.scatter(
                real[:, 0], real[:, 1], s=3, alpha=0.4, c=_REAL_COLOR, linewidths=0, label="real"
            )
        )
    return handles


def _frame_ax(ax: Axes, extent) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")


def animate_training(
    frames: Sequence[Mapping[str, Any]],
    data: Any = None,
    extent=DEFAULT_EXTENT,
    interval: int = 200,
    kind: str = "prob",
    figsize: tuple[float, float] = (4.5, 4.5),
) -> FuncAnimation:
    """Animate training: the generated samples of each frame over the data.

    Args:
      frames: a list of dicts ``{"step": int, "samples": (n, 2)}``, each optionally with
        ``"d_grid"``: ``discriminator_grid(d, extent, res)`` at that step (same ``extent``),
        drawn as a heat map behind the samples.
      data: ``None``, a distribution (its density: an image, or contour lines over a heat map),
        or real samples ``(m, 2)``.
      extent: ``(x_min, x_max, y_min, y_max)``; the extent the ``d_grid`` were computed on.
      interval: milliseconds between frames.
      kind: ``"prob"`` or ``"logit"``, as in :func:`discriminator`; one colour scale for all
        frames.

    Returns:
      A ``FuncAnimation`` with ``len(frames)`` frames. Its figure is already closed (so a
      notebook does not also show a still image); show it with ``HTML(to_html(anim))``.
    """
    kind = _kind(kind)
    extent = _extent(extent)
    frames, with_grid = _frames(frames)
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    plt.close(fig)  # drawn only through the animation's writer, never as a still
    heat = None
    if with_grid:
        vlim = _logit_range(frames) if kind == "logit" else None
        heat = _heat(ax, frames[0]["d_grid"], extent, kind, vlim=vlim, alpha=0.85)
        fig.colorbar(heat, ax=ax, label=_HEAT_LABEL[kind], shrink=0.85)
    handles = _background(ax, data, extent, over_heat=with_grid)
    first = frames[0]["samples"]
    color = "k" if with_grid else _FAKE_COLOR  # black reads on both ends of the heat map
    scat = ax.scatter(
        first[:, 0], first[:, 1], s=5, alpha=0.7, c=color, linewidths=0, label="generated", zorder=3
    )
    ax.legend(handles=[*handles, scat], loc="upper right", fontsize="small", markerscale=2.5)
    title = ax.set_title("")
    _frame_ax(ax, extent)
    _label_plane(ax)

    def update(i: int):
        f = frames[i]
        scat.set_offsets(f["samples"])
        title.set_text(f"step {f['step']}")
        changed = [scat, title]
        if heat is not None:
            heat.set_data(_sigmoid(f["d_grid"]) if kind == "prob" else f["d_grid"])
            changed.append(heat)
        return changed

    update(0)
    return FuncAnimation(fig, update, frames=range(len(frames)), interval=interval, blit=False)


def to_html(anim: FuncAnimation, default_mode: str = "once", embed_limit_mb: float = 50.0) -> str:
    """The animation as a self-contained HTML/JavaScript player (frames embedded as images).

    Plays in JupyterLab (``IPython.display.HTML(to_html(anim))``) and on a static Jupyter Book
    page, with no network. ``default_mode`` is ``"once"``, ``"loop"`` or ``"reflect"``. Each
    frame is a PNG of about 0.1 MB at the default size; matplotlib drops the frames past
    ``embed_limit_mb`` (with a warning), so keep animations to a few dozen frames.
    """
    if not isinstance(anim, FuncAnimation):
        raise ValueError(f"anim must be a matplotlib FuncAnimation; got {type(anim).__name__}")
    modes = ("once", "loop", "reflect")
    if default_mode not in modes:
        raise ValueError(f"default_mode must be one of {modes}; got {default_mode!r}")
    with plt.rc_context({"animation.embed_limit": embed_limit_mb}):
        return anim.to_jshtml(default_mode=default_mode)


def strip(
    frames: Sequence[Mapping[str, Any]],
    data: Any = None,
    ncols: int | None = None,
    extent=DEFAULT_EXTENT,
    kind: str = "prob",
    panel_size: float = 2.2,
) -> Figure:
    """The frames of :func:`animate_training` as static small panels, for print and readers.

    Args:
      frames, data, extent, kind: as in :func:`animate_training`.
      ncols: panels per row; ``min(len(frames), 5)`` when ``None``. Pass ``frames[::k]`` to show
        fewer.
      panel_size: inches per panel side.

    Returns:
      The Figure (one panel per frame, titled with its step).
    """
    kind = _kind(kind)
    extent = _extent(extent)
    frames, with_grid = _frames(frames)
    n = len(frames)
    if ncols is None:
        ncols = min(n, 5)
    if isinstance(ncols, bool) or not isinstance(ncols, int | np.integer) or ncols < 1:
        raise ValueError(f"ncols must be a positive int or None; got {ncols!r}")
    ncols = min(int(ncols), n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_size * ncols + (0.8 if with_grid else 0.0), panel_size * nrows),
        squeeze=False,
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    vlim = _logit_range(frames) if with_grid and kind == "logit" else None
    color = "k" if with_grid else _FAKE_COLOR
    heat = None
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.set_axis_off()
            continue
        f = frames[k]
        if with_grid:
            heat = _heat(ax, f["d_grid"], extent, kind, vlim=vlim, alpha=0.85)
        _background(ax, data, extent, over_heat=with_grid)
        ax.scatter(
            f["samples"][:, 0], f["samples"][:, 1], s=2, alpha=0.7, c=color, linewidths=0, zorder=3
        )
        ax.set_title(f"step {f['step']}", fontsize="small")
        _frame_ax(ax, extent)
        c = k % ncols
        ax.set_xlabel("$x_1$" if k + ncols >= n else "")  # the lowest panel of its column
        ax.set_ylabel("$x_2$" if c == 0 else "")
    if heat is not None:
        fig.colorbar(heat, ax=axes, label=_HEAT_LABEL[kind], shrink=0.85)
    return fig


# --- lesson 2: vector fields ---


def vector_field(
    field: Any,
    ax: Axes | None = None,
    extent=(-2.0, 2.0, -2.0, 2.0),
    resolution: int = 15,
    *,
    labels: tuple[str, str] = (r"$\theta$", r"$\psi$"),
    color: str = "0.55",
) -> Axes:
    r"""Arrows of a 2-D vector field, such as the Dirac-GAN's :math:`v(\theta, \psi)`.

    Args:
      field: a callable ``field(X, Y) -> (U, V)`` taking two arrays of one shape (a grid) and
        returning the two components at each point, with that shape (e.g.
        ``ganlab.theory.DiracGAN(...).field``).
      ax: the Axes to draw on; a new figure when ``None``.
      extent: ``(x_min, x_max, y_min, y_max)``.
      resolution: arrows per side.
      labels: the axis labels (the two players' parameters).
      color: the arrows' colour.

    Returns:
      The Axes, equal aspect; the arrows are ``ax.collections[-1]`` (a ``Quiver``). Arrows show
      direction and relative speed (one scale for the whole panel).
    """
    if not callable(field):
        raise ValueError(f"field must be a callable (X, Y) -> (U, V); got {type(field).__name__}")
    extent = _extent(extent)
    resolution = _resolution(resolution)
    xs = np.linspace(extent[0], extent[1], resolution)
    ys = np.linspace(extent[2], extent[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    try:
        u, v = (np.asarray(c, dtype=np.float64) for c in field(gx, gy))
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"field(X, Y) must return two arrays (U, V); calling it failed: {err}"
        ) from None
    if u.shape != gx.shape or v.shape != gx.shape:
        raise ValueError(
            f"field(X, Y) must return U and V of the grid's shape {gx.shape}; got {u.shape} "
            f"and {v.shape}"
        )
    ax = _new_ax() if ax is None else ax
    ax.quiver(gx, gy, u, v, color=color, angles="xy", width=0.004, zorder=1)
    _frame_ax(ax, extent)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    return ax


def trajectory(
    path: ArrayLike,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    color: str | None = None,
    linewidth: float = 1.2,
) -> Axes:
    """A path through a plane, ``(steps + 1, 2)``: a line, a dot at the start, an arrow head at
    the end (drawn only while the path stays finite).

    Args:
      path: the points in order, e.g. ``ganlab.theory.DiracGAN().trajectory(...)``.
      ax: the Axes to draw on; a new figure when ``None`` (axes labelled as the Dirac-GAN's).
      label: legend label of the line (a legend is added when given).
      color: line colour; the next in the cycle when ``None``.
      linewidth: line width.

    Returns:
      The Axes; the path's line is ``ax.lines[-2]`` and the start marker ``ax.lines[-1]``.
    """
    p = np.asarray(path, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 2:
        raise ValueError(f"path must have shape (n, 2) with n >= 2; got shape {p.shape}")
    finite = np.all(np.isfinite(p), axis=1)
    n = int(np.argmin(finite)) if not finite.all() else p.shape[0]
    if n < 2:
        raise ValueError("path must start with at least two finite points")
    p = p[:n]
    new = ax is None
    ax = _new_ax() if new else ax
    (line,) = ax.plot(p[:, 0], p[:, 1], color=color, linewidth=linewidth, label=label, zorder=3)
    c = line.get_color()
    ax.plot(p[0, 0], p[0, 1], "o", color=c, markersize=5, zorder=4)
    ax.annotate(
        "",
        xy=p[-1],
        xytext=p[-2],
        arrowprops={"arrowstyle": "-|>", "color": c, "lw": linewidth},
        zorder=4,
    )
    if new:
        ax.set_xlabel(r"$\theta$")
        ax.set_ylabel(r"$\psi$")
        ax.set_aspect("equal")
    if label is not None:
        ax.legend(fontsize="small", loc="upper right")
    return ax


# --- lesson 1 ---


def frame_recorder(key: Any, n: int = 512, extent=DEFAULT_EXTENT, resolution: int = 60) -> Any:
    """An ``eval_fn`` for ``ganlab.train.train`` that records frames for :func:`animate_training`.

    Pass it as ``train(g, d, data, eval_every=k, eval_fn=frame_recorder(key))``: every ``k``
    steps the trainer calls it with the current generator and discriminator, and it returns
    ``{"samples": (n, 2), "d_grid": (resolution, resolution)}``, which the trainer stores with
    the step in ``history["eval"]``, so ``history["eval"]`` *is* the list of frames. The same
    ``key`` is used every time, so the frames show the same latents moving.

    Args:
      key: a ``jax.random`` key for the generator's ``sample(key, n)``.
      n: samples per frame.
      extent: the extent of the discriminator's grid (pass the same to the animation).
      resolution: grid points per side of ``d_grid``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive int (samples per frame); got {n!r}")
    extent = _extent(extent)
    resolution = _resolution(resolution)

    def record(generator: Any, discriminator: Any) -> dict[str, np.ndarray]:
        if not callable(getattr(generator, "sample", None)):
            raise ValueError(
                f"generator must have a sample(key, n) method; got {type(generator).__name__}"
            )
        samples = np.asarray(generator.sample(key, int(n)), dtype=np.float64)  # (n, 2)
        return {
            "samples": _points(samples, "generator.sample(key, n)"),
            "d_grid": discriminator_grid(discriminator, extent, resolution),
        }

    return record


def generator_map(
    generator: Any,
    ax: Axes | None = None,
    latent_extent: Sequence[float] = (-2.5, 2.5, -2.5, 2.5),
    lines: int = 11,
    points: int = 200,
    data: Any = None,
    extent=DEFAULT_EXTENT,
) -> Axes:
    """Where a generator with 2-D noise sends a grid of noise: the image of the grid's lines.

    A generator is a function ``x = G(z)``; for ``z`` in the plane, drawing ``G`` applied to the
    lines ``z_1 = const`` and ``z_2 = const`` shows how it bends, stretches and folds the noise
    onto the data (a "push-forward" of the noise distribution).

    Args:
      generator: a callable ``(n, 2) -> (n, 2)`` with ``latent_dim == 2`` (e.g. an
        ``MLPGenerator(2, 2)``).
      ax: the Axes to draw on; a new figure when ``None``.
      latent_extent: ``(z1_min, z1_max, z2_min, z2_max)`` of the noise grid (±2.5 holds about
        97.5% of a standard normal's mass along each axis).
      lines: grid lines per direction.
      points: points along each line.
      data: a distribution drawn underneath (its density), or ``None``.
      extent: the data-space limits of the plot.

    Returns:
      The Axes; one line per grid line (``2 * lines`` in ``ax.lines``).
    """
    if not callable(generator) or getattr(generator, "latent_dim", None) != 2:
        raise ValueError(
            "generator must be a callable with latent_dim == 2 (noise in the plane); got "
            f"{type(generator).__name__} with latent_dim={getattr(generator, 'latent_dim', None)!r}"
        )
    latent_extent = _extent(latent_extent, "latent_extent")
    extent = _extent(extent)
    for name, v, low in (("lines", lines, 2), ("points", points, 2)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
            raise ValueError(f"{name} must be an int >= {low}; got {v!r}")
    z0, z1, w0, w1 = latent_extent
    us = np.linspace(z0, z1, points)
    vs = np.linspace(w0, w1, points)
    rows = [np.stack([us, np.full(points, c)], 1) for c in np.linspace(w0, w1, lines)]
    cols = [np.stack([np.full(points, c), vs], 1) for c in np.linspace(z0, z1, lines)]
    z = np.concatenate(rows + cols).astype(np.float32)  # (2 * lines * points, 2)
    x = np.asarray(generator(jnp.asarray(z)), dtype=np.float64)
    if x.shape != z.shape:
        raise ValueError(f"generator must map (n, 2) to (n, 2); it returned shape {x.shape}")
    x = x.reshape(2 * lines, points, 2)
    ax = _new_ax() if ax is None else ax
    if data is not None:
        density(data, ax=ax, extent=extent, cmap="Greys")
    for k in range(2 * lines):
        horizontal = k < lines
        ax.plot(
            x[k, :, 0],
            x[k, :, 1],
            color="C0" if horizontal else "C1",
            linewidth=0.7,
            alpha=0.8,
            label=(r"$G(z_1, c)$" if k == 0 else r"$G(c, z_2)$" if k == lines else None),
        )
    _frame_ax(ax, extent)
    _label_plane(ax)
    ax.legend(fontsize="small", loc="upper right")
    return ax


def _image_batch(images: Any, arg: str) -> np.ndarray:
    """``images`` as ``(N, H, W)`` floats, or a ValueError naming ``arg``."""
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(
            f"{arg} must have shape (N, H, W, 1) or (N, H, W) with N >= 1 (grayscale); got "
            f"shape {np.shape(images)}"
        )
    return x


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
            f"real and fake must hold images of one size; got {r.shape[1:]} and {f.shape[1:]}"
        )
    if not (isinstance(titles, tuple | list) and len(titles) == 2):
        raise ValueError(f"titles must be two strings; got {titles!r}")
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.8), layout="constrained")
    for ax, x, title in zip(axes, (r, f), titles, strict=True):
        image_grid(x, nrow=nrow, ax=ax, title=title, value_range=value_range)
    return fig


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
    x = np.asarray(images, dtype=np.float64)
    if x.ndim >= 1 and x.shape[-1] == 1 and x.ndim in (4, 5):
        x = x[..., 0]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] == 0 or x.shape[1] < 2:
        raise ValueError(
            "images must have shape (rows, steps, H, W[, 1]) or (steps, H, W[, 1]) with "
            f"steps >= 2; got shape {np.shape(images)}"
        )
    rows, steps, h, w = x.shape
    ts = np.linspace(0.0, 1.0, steps) if t is None else np.asarray(t, dtype=np.float64)
    if ts.shape != (steps,):
        raise ValueError(f"t must hold one value per column, shape ({steps},); got {ts.shape}")
    tiled = tile_images(x.reshape(rows * steps, h, w), nrow=steps, value_range=value_range)
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


# --- lesson 3: critics ---


def transport_plan(
    x: ArrayLike,
    y: ArrayLike,
    matching: ArrayLike,
    ax: Axes | None = None,
    *,
    labels: tuple[str, str] = ("$P$", "$Q$"),
) -> Axes:
    """The earth mover's picture: two 2-D samples and the segments of a transport plan.

    Args:
      x, y: ``(n, 2)`` samples of equal size.
      matching: ``(n,)`` integers, a permutation: ``x[i]`` moves to ``y[matching[i]]`` (the
        plan of ``ganlab.wasserstein.w1_exact(x, y, return_matching=True)``).
      ax: the Axes to draw on; a new figure when ``None``.
      labels: legend labels of ``x`` and ``y``.

    Returns:
      The Axes; the segments are ``ax.collections[0]`` (a ``LineCollection``, one per point).
    """
    from matplotlib.collections import LineCollection

    x, y = _points(x, "x"), _points(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape (n, 2); got {x.shape} and {y.shape}")
    m = np.asarray(matching)
    n = x.shape[0]
    if m.shape != (n,) or m.dtype.kind not in "iu" or not np.array_equal(np.sort(m), np.arange(n)):
        raise ValueError(
            f"matching must be a permutation of 0..{n - 1} (shape ({n},), integers); got shape "
            f"{m.shape} and dtype {m.dtype}"
        )
    ax = _new_ax() if ax is None else ax
    segments = np.stack([x, y[m]], axis=1)  # (n, 2 ends, 2 coordinates)
    ax.add_collection(LineCollection(segments, colors="0.45", linewidths=0.8, zorder=1))
    ax.scatter(x[:, 0], x[:, 1], s=14, c=_REAL_COLOR, label=labels[0], zorder=2, linewidths=0)
    ax.scatter(y[:, 0], y[:, 1], s=14, c=_FAKE_COLOR, label=labels[1], zorder=2, linewidths=0)
    ax.autoscale_view()
    ax.set_aspect("equal")
    _label_plane(ax)
    ax.legend(fontsize="small", loc="upper right")
    return ax


def weight_histogram(
    weights: Any,
    ax: Axes | None = None,
    *,
    clip: float | None = None,
    bins: int = 60,
    label: str | None = None,
    color: str | None = None,
) -> Axes:
    """Histogram of a network's weights, with the clipping bounds ``±clip`` marked.

    Args:
      weights: an array, or a list of arrays (e.g. ``jax.tree.leaves(nnx.state(critic,
        nnx.Param))``), flattened together.
      ax: the Axes to draw on; a new figure when ``None``.
      clip: draw dashed lines at ``-clip`` and ``+clip`` (WGAN's weight clipping ``c``).
      bins: histogram bins.
      label, color: legend label and colour of the bars.

    Returns:
      The Axes: x "weight value", y "number of weights".
    """
    parts = weights if isinstance(weights, list | tuple) else [weights]
    try:
        w = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts])
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"weights must be an array or a list of arrays of numbers: {err}"
        ) from None
    if w.size == 0 or not np.all(np.isfinite(w)):
        raise ValueError(f"weights must hold at least one finite number; got {w.size} values")
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ValueError(f"bins must be a positive int; got {bins!r}")
    if clip is not None and not (np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip must be None or a positive number; got {clip!r}")
    ax = _new_ax((5.0, 3.2)) if ax is None else ax
    ax.hist(w, bins=int(bins), color=color, alpha=0.8, label=label)
    if clip is not None:
        for v in (-clip, clip):
            ax.axvline(v, color="C3", linestyle="--", linewidth=1.0)
        ax.plot([], [], color="C3", linestyle="--", label=f"$\\pm c = \\pm{clip:g}$")
    ax.set_xlabel("weight value")
    ax.set_ylabel("number of weights")
    if label is not None or clip is not None:
        ax.legend(fontsize="small")
    return ax


def scalar_field(
    fn: Any,
    ax: Axes | None = None,
    extent=DEFAULT_EXTENT,
    resolution: int = 100,
    *,
    label: str = "value",
    cmap: str = "magma",
    vlim: tuple[float, float] | None = None,
    colorbar: bool = True,
) -> Axes:
    """Heat map of any scalar function of 2-D points, e.g. a critic's gradient norm.

    Args:
      fn: a callable mapping ``(n, 2)`` float32 points to ``(n,)`` values (evaluated once on
        the whole grid, as :func:`discriminator_grid`).
      ax: the Axes to draw on; a new figure when ``None``.
      extent: ``(x_min, x_max, y_min, y_max)``.
      resolution: grid points per side.
      label: the colorbar's label (what the value is).
      cmap: the colormap.
      vlim: ``(vmin, vmax)`` of the colour scale; the data's range when ``None``.
      colorbar: add a labelled colorbar.

    Returns:
      The Axes; ``ax.images[0].get_array()`` holds the values (y along rows).
    """
    extent = _extent(extent)
    grid = discriminator_grid(fn, extent, resolution)
    if vlim is not None:
        try:
            lo, hi = (float(v) for v in vlim)
        except (TypeError, ValueError):
            raise ValueError(f"vlim must be None or (vmin, vmax); got {vlim!r}") from None
        if not lo < hi:
            raise ValueError(f"vlim must satisfy vmin < vmax; got {vlim!r}")
        vlim = (lo, hi)
    else:
        vlim = (float(np.nanmin(grid)), float(np.nanmax(grid)))
    ax = _new_ax() if ax is None else ax
    im = ax.imshow(
        grid, origin="lower", extent=extent, cmap=cmap, vmin=vlim[0], vmax=vlim[1],
        interpolation="bilinear", zorder=0,
    )  # fmt: skip
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label=label, shrink=0.85)
    _frame_ax(ax, extent)
    _label_plane(ax)
    return ax


def curves(
    x: ArrayLike,
    ys: Mapping[str, ArrayLike],
    ax: Axes | None = None,
    *,
    xlabel: str = "x",
    ylabel: str = "value",
    cap: float | None = None,
    styles: Mapping[str, str] | None = None,
) -> Axes:
    """Several named curves over one x axis; infinite values drawn at ``cap`` and marked.

    Meant for divergences that jump to :math:`+\\infty` (the KL of the parallel lines): the
    points where a curve is infinite are drawn at height ``cap`` with markers, and its legend
    entry says "(+inf drawn at cap)".

    Args:
      x: ``(n,)`` the x values.
      ys: ``{name: (n,) values}``.
      ax: the Axes to draw on; a new figure when ``None``.
      xlabel, ylabel: axis labels.
      cap: the height at which to draw ``+inf``; required when some value is infinite.
      styles: optional ``{name: matplotlib format string}`` (e.g. ``"--"``).

    Returns:
      The Axes, with a legend.
    """
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array; got shape {xs.shape}")
    if not isinstance(ys, Mapping) or not ys:
        raise ValueError(f"ys must be a non-empty dict {{name: values}}; got {type(ys).__name__}")
    ax = _new_ax((6.0, 3.8)) if ax is None else ax
    styles = styles or {}
    for name, values in ys.items():
        v = np.asarray(values, dtype=np.float64)
        if v.shape != xs.shape:
            raise ValueError(f"ys[{name!r}] must have the shape of x {xs.shape}; got {v.shape}")
        if np.any(np.isnan(v)) or np.any(v == -np.inf):
            raise ValueError(f"ys[{name!r}] holds NaN or -inf; only +inf can be drawn (at cap)")
        inf = np.isinf(v)
        label = name
        if inf.any():
            if cap is None or not np.isfinite(cap):
                raise ValueError(f"ys[{name!r}] holds +inf: pass a finite cap to draw it at")
            v = np.where(inf, cap, v)
            label = f"{name} (+inf drawn at {cap:g})"
        (line,) = ax.plot(xs, v, styles.get(name, "-"), label=label)
        if inf.any():  # a dozen markers along the capped part say "this is +inf"
            idx = np.flatnonzero(inf)
            marks = idx[:: max(1, idx.size // 12)]
            ax.plot(xs[marks], v[marks], "^", color=line.get_color(), markersize=5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def loss_vs_distance(
    distance: ArrayLike,
    loss: ArrayLike,
    step: ArrayLike | None = None,
    ax: Axes | None = None,
    *,
    xlabel: str = "exact $W_1$ to the data",
    ylabel: str = "loss",
    title: str | None = None,
    colorbar: bool = True,
) -> Axes:
    """A loss against a measured distance to the data, one point per evaluation, coloured by
    training step and joined in time order. A loss that tracks the distance lies on a
    monotone curve; one that does not is a scatter.

    Args:
      distance, loss: ``(E,)`` values at ``E`` evaluations (e.g. from
        ``ganlab.wasserstein.history_at_evals``).
      step: ``(E,)`` the training steps (colours); ``0..E-1`` when ``None``.
      ax: the Axes to draw on; a new figure when ``None``.
      xlabel, ylabel, title: labels.
      colorbar: add a colorbar labelled "training step".

    Returns:
      The Axes.
    """
    d = np.asarray(distance, dtype=np.float64)
    v = np.asarray(loss, dtype=np.float64)
    if d.ndim != 1 or d.shape != v.shape or d.size == 0:
        raise ValueError(
            f"distance and loss must be 1-D arrays of one non-zero length; got shapes {d.shape} "
            f"and {v.shape}"
        )
    s = np.arange(d.size) if step is None else np.asarray(step, dtype=np.float64)
    if s.shape != d.shape:
        raise ValueError(f"step must have the shape of distance {d.shape}; got {s.shape}")
    ax = _new_ax((4.2, 3.5)) if ax is None else ax
    ax.plot(d, v, color="0.7", linewidth=0.8, zorder=1)
    sc = ax.scatter(d, v, c=s, cmap="viridis", s=18, zorder=2)
    if colorbar:
        ax.figure.colorbar(sc, ax=ax, label="training step", shrink=0.85)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def loss_with_eval(
    history: Mapping[str, Any],
    key: str = "d_loss",
    eval_key: str = "w1",
    ax: Axes | None = None,
    *,
    sign: float = 1.0,
    smooth: int = 50,
    loss_label: str | None = None,
    eval_label: str = "exact $W_1$ to the data",
) -> tuple[Axes, Axes]:
    """A training loss (left axis) and an evaluation measured along the way (right axis).

    Args:
      history: a ``ganlab.train`` history: ``"step"``, ``key`` (one value per step) and
        ``"eval"`` (a list of dicts with ``"step"`` and ``eval_key``).
      key: the per-step metric to draw, smoothed by a trailing mean over ``smooth`` steps.
      eval_key: the evaluation to draw on the right axis (black dots).
      ax: the Axes to draw on; a new figure when ``None``.
      sign: multiply the metric by this (``-1`` turns a critic's loss into its W1 estimate).
      smooth: the moving-average window, in steps (0 or 1: none).
      loss_label, eval_label: the two y labels (``key`` when ``loss_label`` is ``None``).

    Returns:
      ``(ax, ax_right)``.
    """
    if key not in history or "step" not in history:
        allowed = sorted(k for k in history if k not in ("step", "eval"))
        raise ValueError(f"key {key!r} is not in history; allowed: {allowed}")
    evals = [e for e in history.get("eval", []) if eval_key in e]
    if not evals:
        raise ValueError(f"history['eval'] holds no evaluation with {eval_key!r}")
    if isinstance(smooth, bool) or not isinstance(smooth, int | np.integer) or smooth < 0:
        raise ValueError(f"smooth must be an int >= 0 (a window length); got {smooth!r}")
    step = np.asarray(history["step"])
    y = sign * np.asarray(history[key], dtype=np.float64)
    if y.ndim != 1 or y.shape != step.shape:
        raise ValueError(f"history[{key!r}] must be 1-D like history['step']; got {y.shape}")
    ax = _new_ax((5.0, 3.2)) if ax is None else ax
    if smooth > 1 and y.size >= smooth:
        ax.plot(step, y, color="C0", alpha=0.2, linewidth=0.6)
        ax.plot(step[smooth - 1 :], _moving_average(y, smooth), color="C0")
    else:
        ax.plot(step, y, color="C0")
    ax.set_xlabel("training step")
    ax.set_ylabel(loss_label or key, color="C0")
    right = ax.twinx()
    right.plot([e["step"] for e in evals], [e[eval_key] for e in evals], "k.-", markersize=4)
    right.set_ylabel(eval_label)
    return ax, right


# --- lesson 4 ---


def _counts(counts: ArrayLike, arg: str, ndim: int) -> np.ndarray:
    """Non-negative finite counts (or fractions) with ``ndim`` dimensions."""
    try:
        c = np.asarray(counts, dtype=np.float64)
    except (TypeError, ValueError):
        got = type(counts).__name__
        raise ValueError(f"{arg} must be an array of numbers; got {got}") from None
    shape = "(K,)" if ndim == 1 else "(T, K)"
    if c.ndim != ndim or c.size == 0:
        raise ValueError(f"{arg} must be a non-empty {ndim}-D array {shape}; got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"{arg} must hold finite numbers >= 0; got {c.ravel()[:8].tolist()} ...")
    return c


def mode_histogram(
    counts: ArrayLike,
    ax: Axes | None = None,
    label: str | None = None,
    color: str = _FAKE_COLOR,
) -> Axes:
    """The share of high-quality samples on each mode, with the uniform share ``1/K`` dashed.

    Args:
      counts: ``(K,)`` samples per mode, e.g. ``metrics.mode_coverage(...)["counts"]``.
      ax: where to draw (a new figure when ``None``).
      label: a title (e.g. the method and the seed).
      color: the bars' colour; empty modes are marked with a red ``x`` on the axis.

    Returns:
      The Axes. Its bars' heights are the shares, summing to 1 (all 0 if no sample counted).
    """
    c = _counts(counts, "counts", 1)
    k = c.size
    share = c / c.sum() if c.sum() > 0 else c
    ax = _new_ax((5.0, 2.8)) if ax is None else ax
    ax.bar(np.arange(k), share, color=color, width=0.8)
    ax.axhline(1.0 / k, color="k", linestyle="--", linewidth=1, label=f"uniform, 1/{k}")
    empty = np.flatnonzero(c == 0)
    if empty.size:
        ax.plot(empty, np.zeros(empty.size), "x", color="red", markersize=7, clip_on=False,
                label=f"empty modes ({empty.size})")  # fmt: skip
    ax.set_xlabel("mode index")
    ax.set_ylabel("share of high-quality samples")
    ax.set_xticks(np.arange(k) if k <= 10 else np.arange(0, k, 5))
    ax.legend(fontsize="small", loc="upper right")
    if label:
        ax.set_title(label, fontsize="medium")
    return ax


def mode_timeline(
    steps: ArrayLike,
    counts: ArrayLike,
    ax: Axes | None = None,
    cmap: str = "magma_r",
):
    """Where the generator's samples sit over training: mode index against step.

    Each column is one evaluation: the share of that step's high-quality samples on each
    mode (rows). A generator hopping between modes draws a bright path jumping from row to row;
    a healthy one an even band. Steps need not be evenly spaced.

    Args:
      steps: ``(T,)`` training steps of the evaluations, increasing.
      counts: ``(T, K)`` samples per mode at each step (``mode_coverage(...)["counts"]``).
      ax: where to draw (a new figure when ``None``).
      cmap: the colour map of the shares (0 to 1).

    Returns:
      ``(ax, image)``; ``image.get_array()`` is the ``(K, T)`` array of shares drawn.
    """
    s = np.asarray(steps, dtype=np.float64)
    c = _counts(counts, "counts", 2)
    if s.ndim != 1 or s.size != c.shape[0]:
        raise ValueError(
            f"steps must be 1-D with one entry per row of counts ({c.shape[0]}); got shape "
            f"{s.shape}"
        )
    if s.size > 1 and np.any(np.diff(s) <= 0):
        raise ValueError(f"steps must be strictly increasing; got {s[:8].tolist()} ...")
    total = c.sum(axis=1, keepdims=True)
    share = np.divide(c, total, out=np.zeros_like(c), where=total > 0).T  # (K, T)
    # cell edges halfway between evaluation steps, so uneven spacing is drawn honestly
    if s.size > 1:
        mid = (s[1:] + s[:-1]) / 2
        edges = np.concatenate([[s[0] - (mid[0] - s[0])], mid, [s[-1] + (s[-1] - mid[-1])]])
    else:
        edges = np.array([s[0] - 0.5, s[0] + 0.5])
    k = c.shape[1]
    ax = _new_ax((6.0, 3.0)) if ax is None else ax
    image = ax.pcolormesh(edges, np.arange(k + 1) - 0.5, share, cmap=cmap, vmin=0, vmax=1)
    ax.figure.colorbar(image, ax=ax, label="share of samples")
    ax.set_xlabel("training step")
    ax.set_ylabel("mode index")
    ax.set_yticks(np.arange(k) if k <= 10 else np.arange(0, k, 5))
    return ax, image


def method_bars(
    labels: Sequence[str],
    means: ArrayLike,
    errors: ArrayLike | None = None,
    ax: Axes | None = None,
    xlabel: str = "value",
    goal: float | None = None,
    reference: Mapping[str, float] | None = None,
    goal_label: str = "goal",
) -> Axes:
    """One horizontal bar per method, with error bars, an optional goal line (named
    ``goal_label`` in the legend) and published values marked as black diamonds
    (``reference`` maps a label in ``labels`` to its value).

    Returns:
      The Axes; bar ``i`` (from the top) is ``labels[i]``.
    """
    labels = [str(x) for x in labels]
    m = np.asarray(means, dtype=np.float64)
    if m.ndim != 1 or m.size != len(labels) or m.size == 0:
        raise ValueError(
            f"means must be 1-D with one value per label ({len(labels)}); got shape {m.shape}"
        )
    e = None
    if errors is not None:
        e = np.asarray(errors, dtype=np.float64)
        if e.shape != m.shape or np.any(e[np.isfinite(e)] < 0):
            raise ValueError(
                f"errors must be None or >= 0 with the shape of means {m.shape}; got "
                f"{np.shape(errors)}"
            )
        e = np.nan_to_num(e)
    unknown = sorted(set(reference or {}) - set(labels))
    if unknown:
        raise ValueError(f"reference labels {unknown} are not in labels {labels}")
    y = np.arange(len(labels))[::-1]
    ax = _new_ax((5.5, 0.45 * len(labels) + 1.0)) if ax is None else ax
    ax.barh(y, m, xerr=e, color="C2", capsize=3, height=0.7)
    ax.set_yticks(y, labels)
    ax.set_xlabel(xlabel)
    if goal is not None:
        ax.axvline(goal, color="red", linestyle="--", linewidth=1, label=f"{goal_label} {goal:g}")
    if reference:
        ys = [y[labels.index(k)] for k in reference]
        ax.plot(list(reference.values()), ys, "kD", markersize=5, label="published")
    if goal is not None or reference:
        ax.legend(fontsize="small", loc="lower right")
    return ax


# ---------------------------------------------------------------------------------------------
# Lesson 5: how metrics respond to controlled corruptions
# ---------------------------------------------------------------------------------------------


def metric_sweeps(
    sweeps: Mapping[str, tuple[Sequence[float], Sequence[Mapping[str, float]]]],
    rows: Sequence[Sequence[str]],
    floor: Mapping[str, float] | None = None,
    *,
    panel_size: tuple[float, float] = (3.2, 1.9),
) -> Figure:
    """A grid of small line plots: one column per sweep, one row per group of metrics.

    A *sweep* is a corruption applied at increasing strength (blur, noise, ...) and the scores
    measured at each strength. Metrics of one group share a row (draw only metrics of similar
    scale together); ``floor`` (the real-versus-real scores) is drawn as a dotted line of the
    metric's colour in every panel.

    Args:
      sweeps: ``{sweep label: (strengths (n,), [scores at each strength] (n,))}``, each scores
        entry a ``{metric: value}`` dict. The label becomes the column's x-axis label.
      rows: groups of metric names, e.g. ``[("FID",), ("precision", "recall")]``.
      floor: optional ``{metric: value}`` drawn as horizontal dotted lines.
      panel_size: (width, height) of one panel in inches.

    Returns:
      The Figure; ``fig.axes[r * len(sweeps) + c]`` is row ``r``, column ``c``.
    """
    if not isinstance(sweeps, Mapping) or not sweeps:
        raise ValueError(
            f"sweeps must be a non-empty dict {{label: (strengths, scores)}}; got {sweeps!r:.80}"
        )
    groups = [tuple(g) for g in rows] if isinstance(rows, Sequence) else []
    if not groups or not all(groups) or not all(isinstance(m, str) for g in groups for m in g):
        raise ValueError(
            f"rows must be a non-empty list of non-empty groups of metric names; got {rows!r}"
        )
    columns = []
    for label, entry in sweeps.items():
        if not isinstance(entry, tuple | list) or len(entry) != 2 or np.isscalar(entry[1]):
            raise ValueError(f"sweeps[{label!r}] must be (strengths, scores); got {entry!r:.80}")
        strengths = np.asarray(entry[0], dtype=np.float64)
        scores = list(entry[1])
        if strengths.ndim != 1 or strengths.size == 0 or strengths.size != len(scores):
            raise ValueError(
                f"sweeps[{label!r}] needs one scores dict per strength; got {strengths.size} "
                f"strengths and {len(scores)} scores"
            )
        for g in groups:
            for m in g:
                if not all(isinstance(s, Mapping) and m in s for s in scores):
                    raise ValueError(f"metric {m!r} (from rows) is missing in sweeps[{label!r}]")
        columns.append((label, strengths, scores))
    unknown = [m for g in groups for m in g if floor is not None and m not in floor]
    if unknown:
        raise ValueError(f"floor has no value for metrics {unknown}")
    w, h = panel_size
    fig, axes = plt.subplots(
        len(groups),
        len(columns),
        figsize=(w * len(columns), h * len(groups)),
        layout="constrained",
        squeeze=False,
    )
    for r, group in enumerate(groups):
        for c, (label, strengths, scores) in enumerate(columns):
            ax = axes[r, c]
            for i, m in enumerate(group):
                color = f"C{i}"
                ax.plot(strengths, [float(s[m]) for s in scores], "o-", color=color, ms=3, label=m)
                if floor is not None:
                    ax.axhline(float(floor[m]), color=color, linestyle=":", linewidth=1)
            if r == len(groups) - 1:
                ax.set_xlabel(label)
            if c == 0:
                ax.set_ylabel(", ".join(group))
                if len(group) > 1:
                    ax.legend(fontsize="x-small")
    return fig
