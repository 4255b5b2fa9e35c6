"""Pictures of the data plane: the data density, samples over it, and functions of a 2-D point
drawn as heat maps (a discriminator, a critic's gradient norm), a generator's map of its noise
plane, and a transport plan between two samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like
from matplotlib.patches import Patch

from ganlab import _checks
from ganlab.plot._common import (
    _FAKE_COLOR,
    _FAKE_MARKER,
    _HEAT_CMAP,
    _HEAT_LABEL,
    _KINDS,
    _REAL_COLOR,
    _REAL_MARKER,
    DEFAULT_EXTENT,
    DIVERGED,
    _callable,
    _check_ax,
    _extent,
    _frame_ax,
    _grid_points,
    _interval,
    _is_distribution,
    _label_plane,
    _marker_style,
    _new_ax,
    _nonfinite,
    _numbers,
    _points,
    _refuse,
    _sigmoid,
)

_D_DIVERGED = "the discriminator has diverged; check the training run (its losses, learning rates)"


def density_grid(dist: Any, extent=DEFAULT_EXTENT, resolution: int = 200) -> np.ndarray:
    """``exp(dist.log_prob)`` on a ``(resolution, resolution)`` grid over ``extent`` (y: rows)."""
    if not _is_distribution(dist):
        _refuse("dist", dist, "a distribution with a log_prob(x) method, (n, 2) -> (n,)")
    extent = _extent(extent)
    resolution = _checks.integer("resolution", resolution, minimum=2)
    pts = _grid_points(extent, resolution)
    logp = np.asarray(dist.log_prob(jnp.asarray(pts)), dtype=np.float64)
    if logp.shape != (pts.shape[0],):
        raise ValueError(
            f"dist.log_prob must map (n, 2) to (n,); for n={pts.shape[0]} it returned shape "
            f"{logp.shape}"
        )
    return np.exp(logp).reshape(resolution, resolution)


@_check_ax
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
        c = _points(centers, "dist.centers", cause="they should be the modes' centres")
        ax.scatter(c[:, 0], c[:, 1], marker="+", s=50, c="k", linewidths=1.2, label="mode centres")
    _frame_ax(ax, extent)
    _label_plane(ax)
    return ax


@_check_ax
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
    marker: str = _FAKE_MARKER,
) -> Axes:
    """Scatter generated samples ``fake`` ``(n, 2)`` over the data.

    Args:
      fake: generated points, ``(n, 2)``.
      data: ``None``; a distribution (its density is drawn with :func:`density`); or real samples
        ``(m, 2)`` (scattered in another colour).
      ax: the Axes to draw on; a new figure when ``None``.
      extent: ``(x_min, x_max, y_min, y_max)``. ``None``: ``plot.DEFAULT_EXTENT`` under a
        distribution, otherwise fitted to the points.
      s, alpha, color, label: marker size, opacity, colour and legend label of ``fake``.
      show_centers: mark the distribution's mode centres.
      marker: the marker of ``fake``: crosses (``"x"``) by default, while real samples are dots;
        pass ``"o"`` when ``fake`` are in fact real samples.

    Returns:
      The Axes, with a legend and equal aspect.
    """
    fake = _points(fake, "fake", drop=True)
    extent = None if extent is None else _extent(extent)
    s = _checks.positive("s", s)
    alpha = _checks.number("alpha", alpha, minimum=0, maximum=1)
    if not is_color_like(color):
        _refuse("color", color, "a matplotlib colour (e.g. 'C1', 'k', '#ff8800')")
    if not isinstance(label, str):
        _refuse("label", label, "a string (the legend label)")
    ax = _new_ax() if ax is None else ax
    handles = []
    if data is not None and _is_distribution(data):
        density(data, ax=ax, extent=extent or DEFAULT_EXTENT, show_centers=show_centers)
        handles.append(Patch(facecolor="0.55", label="data density"))
    elif data is not None:
        real = _points(data, "data", drop=True, cause="the real samples hold no finite point")
        handles.append(
            ax.scatter(
                real[:, 0],
                real[:, 1],
                s=s,
                alpha=alpha,
                c=_REAL_COLOR,
                label="real",
                **_marker_style(_REAL_MARKER),
            )  # fmt: skip
        )
    handles.append(
        ax.scatter(
            fake[:, 0], fake[:, 1], s=s, alpha=alpha, c=color, label=label, **_marker_style(marker)
        )  # fmt: skip
    )
    handles += [h for h in ax.collections if h.get_label() == "mode centres"]
    if extent is not None:
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    _label_plane(ax)
    ax.legend(handles=handles, loc="upper right", fontsize="small", markerscale=3)
    return ax


def discriminator_grid(d_fn: Any, extent=DEFAULT_EXTENT, resolution: int = 100) -> np.ndarray:
    """Raw outputs (logits, or a critic's values) of ``d_fn`` on a grid over ``extent``.

    ``d_fn`` is evaluated once, on all ``resolution**2`` points in one ``(n, 2)`` float32 batch.

    Returns:
      A NumPy array ``(resolution, resolution)``: entry ``[i, j]`` is ``d_fn`` at
      ``(xs[j], ys[i])`` with ``xs, ys = linspace`` over the extent (y along rows, as
      ``imshow(origin="lower")`` wants). Store these in animation frames as ``"d_grid"``.
    """
    _callable("d_fn", d_fn, "mapping (n, 2) points to (n,) logits")
    extent = _extent(extent)
    resolution = _checks.integer("resolution", resolution, minimum=2)
    pts = _grid_points(extent, resolution)  # (res * res, 2)
    out = _numbers("d_fn(points)", d_fn(jnp.asarray(pts)), "(n,) or (n, 1) numbers")
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


@_check_ax
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
    kind = _checks.choice("kind", kind, _KINDS)
    extent = _extent(extent)
    grid = discriminator_grid(d_fn, extent, resolution)
    _nonfinite("d_fn's values on the grid", int(np.sum(~np.isfinite(grid))), grid.size,
               "grid points", _D_DIVERGED, "are left blank")  # fmt: skip
    ax = _new_ax() if ax is None else ax
    im = _heat(ax, grid, extent, kind)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label=_HEAT_LABEL[kind], shrink=0.85)
    _frame_ax(ax, extent)
    _label_plane(ax)
    return ax


@_check_ax
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
    _callable("fn", fn, "mapping (n, 2) points to (n,) values")
    grid = discriminator_grid(fn, extent, resolution)
    _nonfinite("fn's values on the grid", int(np.sum(~np.isfinite(grid))), grid.size,
               "grid points", "check fn (a diverged network?)", "are left blank")  # fmt: skip
    if vlim is not None:
        vlim = _interval("vlim", vlim, "vmin", "vmax")
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


@_check_ax
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
            "generator must be a callable with latent_dim == 2 (noise in the plane), got "
            f"{_checks.what(generator)} with latent_dim={getattr(generator, 'latent_dim', None)!r}"
        )
    latent_extent = _extent(latent_extent, "latent_extent")
    extent = _extent(extent)
    lines = _checks.integer("lines", lines, minimum=2)
    points = _checks.integer("points", points, minimum=2)
    z0, z1, w0, w1 = latent_extent
    us = np.linspace(z0, z1, points)
    vs = np.linspace(w0, w1, points)
    rows = [np.stack([us, np.full(points, c)], 1) for c in np.linspace(w0, w1, lines)]
    cols = [np.stack([np.full(points, c), vs], 1) for c in np.linspace(z0, z1, lines)]
    z = np.concatenate(rows + cols).astype(np.float32)  # (2 * lines * points, 2)
    x = _numbers("generator(z)", generator(jnp.asarray(z)), "(n, 2) numbers")
    if x.shape != z.shape:
        raise ValueError(f"generator must map (n, 2) to (n, 2); it returned shape {x.shape}")
    bad = int(np.sum(~np.all(np.isfinite(x), axis=1)))
    _nonfinite("generator(z)", bad, z.shape[0], "points", DIVERGED, "are not drawn")
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


@_check_ax
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
        raise ValueError(f"x and y must have the same shape (n, 2), got {x.shape} and {y.shape}")
    m = np.asarray(_checks.array("matching", matching, "a permutation, (n,) integers"))
    n = x.shape[0]
    if m.shape != (n,) or m.dtype.kind not in "iu" or not np.array_equal(np.sort(m), np.arange(n)):
        raise ValueError(
            f"matching must be a permutation of 0..{n - 1} (shape ({n},), integers), got shape "
            f"{m.shape} and dtype {m.dtype}"
        )
    ax = _new_ax() if ax is None else ax
    segments = np.stack([x, y[m]], axis=1)  # (n, 2 ends, 2 coordinates)
    ax.add_collection(LineCollection(segments, colors="0.45", linewidths=0.8, zorder=1))
    ax.scatter(x[:, 0], x[:, 1], s=14, c=_REAL_COLOR, label=labels[0], zorder=2,
               **_marker_style(_REAL_MARKER))  # fmt: skip
    ax.scatter(y[:, 0], y[:, 1], s=14, c=_FAKE_COLOR, label=labels[1], zorder=2,
               **_marker_style(_FAKE_MARKER))  # fmt: skip
    ax.autoscale_view()
    ax.set_aspect("equal")
    _label_plane(ax)
    ax.legend(fontsize="small", loc="upper right")
    return ax
