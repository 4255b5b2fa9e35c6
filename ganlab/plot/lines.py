"""Line plots: training curves (smoothed, with evaluations on a second axis), named curves
with infinite values, a loss against a distance, and grids of metric sweeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from jax.typing import ArrayLike
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganlab import _checks
from ganlab.plot._common import _check_ax, _new_ax, _numbers, _refuse, _size

_HISTORY = "a training history, a dict {'step': ..., 'd_loss': ..., ...}"


def _moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` values: entry ``t`` averages ``y[t - window + 1 : t + 1]``."""
    c = np.cumsum(np.insert(y, 0, 0.0))
    return (c[window:] - c[:-window]) / window


def _trace(ax: Axes, step: np.ndarray, y: np.ndarray, smooth: int, color: str, label=None):
    """``y`` against ``step``; with ``smooth > 1``, its trailing mean over ``smooth`` entries
    drawn over the raw curve, which is drawn faintly (the raw line first, then the mean)."""
    if smooth > 1 and y.size >= smooth:
        ax.plot(step, y, color=color, alpha=0.25, linewidth=0.8)
        ax.plot(step[smooth - 1 :], _moving_average(y, smooth), color=color, label=label)
    else:
        ax.plot(step, y, color=color, label=label)


@_check_ax
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
    if not isinstance(history, Mapping):
        _refuse("history", history, _HISTORY)
    if isinstance(keys, str):
        keys = (keys,)
    for k in keys:
        _checks.choice("keys", k, [name for name in history if name != "step"])
    smooth = _checks.integer("smooth", smooth, minimum=0)
    length = None
    for k in keys:
        y = _numbers(f"history[{k!r}]", history[k], "one number per logged step")
        if y.ndim != 1:
            raise ValueError(
                f"history[{k!r}] must be 1-D (one value per logged step), got shape {y.shape}. "
                f"For a history of several seeds, plot one seed's curves."
            )
        length = y.shape[0] if length is None else length
    step = np.arange(length)
    if "step" in history:
        step = _numbers("history['step']", history["step"], "the logged steps")
    ax = _new_ax((6.0, 3.5)) if ax is None else ax
    for i, k in enumerate(keys):
        y = _numbers(f"history[{k!r}]", history[k], "one number per logged step")
        if y.shape != step.shape:
            raise ValueError(
                f"history[{k!r}] has shape {y.shape} but history['step'] has shape {step.shape}; "
                f"they must match"
            )
        _trace(ax, step, y, smooth, f"C{i}", label=k)
    ax.set_xlabel("training step")
    if ylabel is None:
        ylabel = "loss" if all("loss" in k for k in keys) else "value"
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


@_check_ax
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
    if not isinstance(history, Mapping):
        _refuse("history", history, _HISTORY)
    _checks.choice("key", key, [k for k in history if k not in ("step", "eval")])
    if "step" not in history:
        _checks.fail("history", sorted(history), "a training history with a 'step' entry")
    evals = [e for e in history.get("eval", []) if isinstance(e, Mapping) and eval_key in e]
    if not evals:
        raise ValueError(f"history['eval'] holds no evaluation with {eval_key!r}")
    smooth = _checks.integer("smooth", smooth, minimum=0)
    sign = _checks.number("sign", sign)
    step = _numbers("history['step']", history["step"], "the logged steps")
    y = sign * _numbers(f"history[{key!r}]", history[key], "one number per logged step")
    if y.ndim != 1 or y.shape != step.shape:
        raise ValueError(f"history[{key!r}] must be 1-D like history['step'], got {y.shape}")
    ax = _new_ax((5.0, 3.2)) if ax is None else ax
    _trace(ax, step, y, smooth, "C0")
    ax.set_xlabel("training step")
    ax.set_ylabel(loss_label or key, color="C0")
    right = ax.twinx()
    right.plot([e["step"] for e in evals], [e[eval_key] for e in evals], "k.-", markersize=4)
    right.set_ylabel(eval_label)
    return ax, right


@_check_ax
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
    xs = _numbers("x", x, "a non-empty 1-D array of numbers")
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array, got shape {xs.shape}")
    if not isinstance(ys, Mapping) or not ys:
        _refuse("ys", ys, "a non-empty dict {name: values}")
    ax = _new_ax((6.0, 3.8)) if ax is None else ax
    styles = styles or {}
    for name, values in ys.items():
        v = _numbers(f"ys[{name!r}]", values, f"numbers of the shape of x {xs.shape}")
        if v.shape != xs.shape:
            raise ValueError(f"ys[{name!r}] must have the shape of x {xs.shape}, got {v.shape}")
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


@_check_ax
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
    d = _numbers("distance", distance, "a 1-D array of numbers (E,)")
    v = _numbers("loss", loss, "a 1-D array of numbers (E,)")
    if d.ndim != 1 or d.shape != v.shape or d.size == 0:
        raise ValueError(
            f"distance and loss must be 1-D arrays of one non-zero length, got shapes {d.shape} "
            f"and {v.shape}"
        )
    s = np.arange(d.size) if step is None else _numbers("step", step, "(E,) training steps")
    if s.shape != d.shape:
        raise ValueError(f"step must have the shape of distance {d.shape}, got {s.shape}")
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
        _refuse("sweeps", sweeps, "a non-empty dict {label: (strengths, scores)}")
    groups = [tuple(g) for g in rows] if isinstance(rows, Sequence) else []
    if not groups or not all(groups) or not all(isinstance(m, str) for g in groups for m in g):
        raise ValueError(
            f"rows must be a non-empty list of non-empty groups of metric names, got {rows!r}"
        )
    columns = []
    for label, entry in sweeps.items():
        if not isinstance(entry, tuple | list) or len(entry) != 2 or np.isscalar(entry[1]):
            raise ValueError(f"sweeps[{label!r}] must be (strengths, scores), got {entry!r:.80}")
        strengths = _numbers(f"sweeps[{label!r}][0]", entry[0], "the strengths (n,)")
        scores = list(entry[1])
        if strengths.ndim != 1 or strengths.size == 0 or strengths.size != len(scores):
            raise ValueError(
                f"sweeps[{label!r}] needs one scores dict per strength, got {strengths.size} "
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
    w, h = _size("panel_size", panel_size)
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
