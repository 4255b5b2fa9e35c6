"""Training as it happens: frames recorded during training, animated (a self-contained
HTML/JavaScript player) or laid out as a strip of small panels for print."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ganlab import _checks, _figures
from ganlab.plot._common import (
    _FAKE_COLOR,
    _FAKE_MARKER,
    _HEAT_LABEL,
    _KINDS,
    _REAL_COLOR,
    _REAL_MARKER,
    DEFAULT_EXTENT,
    DIVERGED,
    _extent,
    _frame_ax,
    _is_distribution,
    _label_plane,
    _marker_style,
    _numbers,
    _points,
    _refuse,
    _sigmoid,
    _size,
)
from ganlab.plot.plane import _heat, density, discriminator_grid


def _frames(frames: Sequence[Mapping[str, Any]]) -> tuple[list[dict], bool]:
    """Check the frames; returns them (as NumPy) and whether they carry ``d_grid``."""
    allowed = "a non-empty list of dicts {'step', 'samples', optional 'd_grid'}"
    if isinstance(frames, Mapping) or not isinstance(frames, Sequence):
        _refuse("frames", frames, allowed)
    if len(frames) == 0:
        raise ValueError(f"frames must be {allowed}, got an empty list")
    out = []
    for i, f in enumerate(frames):
        if not isinstance(f, Mapping) or "step" not in f or "samples" not in f:
            got = sorted(f) if isinstance(f, Mapping) else _checks.what(f)
            raise ValueError(
                f"frames[{i}] must be a dict with keys 'step' and 'samples' (and optionally "
                f"'d_grid'), got {got}"
            )
        name = f"frames[{i}]['samples']"
        g = {"step": f["step"], "samples": _numbers(name, f["samples"], "(n, 2) points")}
        _checks.shape(name, g["samples"], (None, 2), what="(n, 2), an array of 2-D points")
        if g["samples"].shape[0] == 0:
            raise ValueError(f"{name} must hold at least one point (n, 2), got shape (0, 2)")
        if f.get("d_grid") is not None:
            name = f"frames[{i}]['d_grid']"
            g["d_grid"] = _numbers(name, f["d_grid"], "a (res, res) discriminator_grid")
            if g["d_grid"].ndim != 2:
                raise ValueError(
                    f"frames[{i}]['d_grid'] must be a 2-D (res, res) array from "
                    f"discriminator_grid, got shape {g['d_grid'].shape}"
                )
        out.append(g)
    with_grid = ["d_grid" in f for f in out]
    if any(with_grid) and not all(with_grid):
        raise ValueError(
            f"frames must all have a 'd_grid' or none; frame {with_grid.index(False)} has none "
            f"but frame {with_grid.index(True)} has one"
        )
    _survey(out, "samples", DIVERGED, "points are not drawn")
    if all(with_grid):
        _survey(out, "d_grid", "the discriminator has diverged; check the training run",
                "grid cells are left blank")  # fmt: skip
    return out, all(with_grid)


def _survey(frames: list[dict], key: str, cause: str, action: str) -> None:
    """NaN/inf in the frames' ``key``: in every value of every frame raises; elsewhere warns
    once, naming the frames' steps (a run that diverged part way still animates its start)."""
    bad = [int(np.sum(~np.isfinite(f[key]))) for f in frames]
    sizes = [f[key].size for f in frames]
    if sum(bad) == sum(sizes):
        raise ValueError(
            f"frames' {key!r} are all NaN/inf, in every frame ({len(frames)}): {cause}"
        )
    steps = [f["step"] for f, b in zip(frames, bad, strict=True) if b]
    if steps:
        shown = ", ".join(str(s) for s in steps[:6]) + (", ..." if len(steps) > 6 else "")
        warnings.warn(
            f"frames' {key!r}: {len(steps)} of {len(frames)} frames (steps {shown}) hold NaN/inf "
            f"values ({sum(bad)} of {sum(sizes)}); those {action}",
            UserWarning,
            stacklevel=4,
        )


def _logit_range(frames: list[dict]) -> tuple[float, float]:
    """One colour range for every frame, so colours mean the same value throughout."""
    return (
        float(
            min(np.min(f["d_grid"], where=np.isfinite(f["d_grid"]), initial=np.inf) for f in frames)
        ),
        float(
            max(
                np.max(f["d_grid"], where=np.isfinite(f["d_grid"]), initial=-np.inf) for f in frames
            )
        ),
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
        real = _points(data, "data", drop=True, cause="the real samples hold no finite point")
        handles.append(
            ax.scatter(
                real[:, 0],
                real[:, 1],
                s=3,
                alpha=0.4,
                c=_REAL_COLOR,
                label="real",
                **_marker_style(_REAL_MARKER),
            )  # fmt: skip
        )
    return handles


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
    kind = _checks.choice("kind", kind, _KINDS)
    extent = _extent(extent)
    interval = _checks.positive("interval", interval)
    figsize = _size("figsize", figsize)
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
    scat = ax.scatter(first[:, 0], first[:, 1], s=5, alpha=0.7, c=color, label="generated",
                      zorder=3, **_marker_style(_FAKE_MARKER))  # fmt: skip
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
    anim = FuncAnimation(fig, update, frames=range(len(frames)), interval=interval, blit=False)
    # What drew it, so that the course's Chinese edition can draw it again (ganlab._figures).
    anim._ganlab_args = dict(frames=frames, data=data, extent=extent, interval=interval,
                             kind=kind, figsize=figsize)  # fmt: skip
    return anim


def to_html(anim: FuncAnimation, default_mode: str = "once", embed_limit_mb: float = 50.0) -> str:
    """The animation as a self-contained HTML/JavaScript player (frames embedded as images).

    Plays in JupyterLab (``IPython.display.HTML(to_html(anim))``) and on a static Jupyter Book
    page, with no network. ``default_mode`` is ``"once"``, ``"loop"`` or ``"reflect"``. Each
    frame is a PNG of about 0.1 MB at the default size; matplotlib drops the frames past
    ``embed_limit_mb`` (with a warning), so keep animations to a few dozen frames.
    """
    if not isinstance(anim, FuncAnimation):
        _refuse("anim", anim, "a matplotlib FuncAnimation (from animate_training)")
    _checks.choice("default_mode", default_mode, ("once", "loop", "reflect"))
    embed_limit_mb = _checks.positive("embed_limit_mb", embed_limit_mb)
    with plt.rc_context({"animation.embed_limit": embed_limit_mb}):
        html = anim.to_jshtml(default_mode=default_mode)
    args = getattr(anim, "_ganlab_args", None)
    if args is not None and _figures.keeping():
        return _figures.KeptHTML(html, {"animation": args, "default_mode": default_mode,
                                        "embed_limit_mb": embed_limit_mb})  # fmt: skip
    return html


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
    kind = _checks.choice("kind", kind, _KINDS)
    extent = _extent(extent)
    panel_size = _checks.positive("panel_size", panel_size)
    frames, with_grid = _frames(frames)
    n = len(frames)
    ncols = min(n, 5 if ncols is None else _checks.integer("ncols", ncols, minimum=1))
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
        ax.scatter(f["samples"][:, 0], f["samples"][:, 1], s=2, alpha=0.7, c=color, zorder=3,
                   **_marker_style(_FAKE_MARKER))  # fmt: skip
        ax.set_title(f"step {f['step']}", fontsize="small")
        _frame_ax(ax, extent)
        c = k % ncols
        ax.set_xlabel("$x_1$" if k + ncols >= n else "")  # the lowest panel of its column
        ax.set_ylabel("$x_2$" if c == 0 else "")
    if heat is not None:
        fig.colorbar(heat, ax=axes, label=_HEAT_LABEL[kind], shrink=0.85)
    return fig


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
    key = _checks.key("key", key)
    n = _checks.integer("n", n, minimum=1)
    extent = _extent(extent)
    resolution = _checks.integer("resolution", resolution, minimum=2)

    def record(generator: Any, discriminator: Any) -> dict[str, np.ndarray]:
        if not callable(getattr(generator, "sample", None)):
            raise ValueError(
                f"generator must have a sample(key, n) method, got {_checks.what(generator)}"
            )
        # NaN is recorded as it is: the trainer stops a diverging run, the drawing warns
        samples = _numbers("generator.sample(key, n)", generator.sample(key, n), "(n, 2) points")
        _checks.shape("generator.sample(key, n)", samples, (n, 2))
        return {
            "samples": samples,
            "d_grid": discriminator_grid(discriminator, extent, resolution),
        }

    return record
