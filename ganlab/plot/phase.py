"""Pictures of a two-parameter plane: a vector field of the parameters' updates and the paths
that training takes through it (the Dirac-GAN of lesson 2)."""

from __future__ import annotations

from typing import Any

import numpy as np
from jax.typing import ArrayLike
from matplotlib.axes import Axes

from ganlab import _checks
from ganlab.plot._common import _callable, _check_ax, _extent, _frame_ax, _new_ax, _numbers


@_check_ax
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
    _callable("field", field, "(X, Y) -> (U, V)")
    extent = _extent(extent)
    resolution = _checks.integer("resolution", resolution, minimum=2)
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
            f"field(X, Y) must return U and V of the grid's shape {gx.shape}, got {u.shape} "
            f"and {v.shape}"
        )
    ax = _new_ax() if ax is None else ax
    ax.quiver(gx, gy, u, v, color=color, angles="xy", width=0.004, zorder=1)
    _frame_ax(ax, extent)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    return ax


@_check_ax
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
    p = _numbers("path", path, "an array of points (n, 2), n >= 2")
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 2:
        raise ValueError(f"path must have shape (n, 2) with n >= 2, got {p.shape}")
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
