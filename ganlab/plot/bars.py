"""Bars and histograms: a network's weights, the share of samples on each mode (at one step,
and over training), and one bar per method."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from jax.typing import ArrayLike
from matplotlib.axes import Axes

from ganlab import _checks
from ganlab.plot._common import _FAKE_COLOR, _check_ax, _new_ax, _numbers, _refuse


@_check_ax
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
    allowed = "an array, or a list of arrays, holding some numbers"
    parts = weights if isinstance(weights, list | tuple) else [weights]
    for i, part in enumerate(parts):
        name = f"weights[{i}]" if parts is weights else "weights"
        if isinstance(part, bool | np.bool_):
            _refuse(name, part, allowed)
        _checks.array(name, part, allowed)
    w = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts] or [np.zeros(0)])
    if w.size == 0:
        _refuse("weights", weights, allowed)
    _checks.finite("weights", w)
    bins = _checks.integer("bins", bins, minimum=1)
    if clip is not None:
        clip = _checks.positive("clip", clip)
    ax = _new_ax((5.0, 3.2)) if ax is None else ax
    ax.hist(w, bins=bins, color=color, alpha=0.8, label=label)
    if clip is not None:
        for v in (-clip, clip):
            ax.axvline(v, color="C3", linestyle="--", linewidth=1.0)
        ax.plot([], [], color="C3", linestyle="--", label=f"$\\pm c = \\pm{clip:g}$")
    ax.set_xlabel("weight value")
    ax.set_ylabel("number of weights")
    if label is not None or clip is not None:
        ax.legend(fontsize="small")
    return ax


def _counts(counts: ArrayLike, arg: str, ndim: int) -> np.ndarray:
    """Non-negative finite counts (or fractions) with ``ndim`` dimensions."""
    shape = "(K,)" if ndim == 1 else "(T, K)"
    c = _numbers(arg, counts, f"a non-empty {ndim}-D array of counts {shape}, numbers >= 0")
    if c.ndim != ndim or c.size == 0:
        raise ValueError(f"{arg} must be a non-empty {ndim}-D array {shape}, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"{arg} must hold finite numbers >= 0, got {c.ravel()[:8].tolist()} ...")
    return c


@_check_ax
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


@_check_ax
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
    s = _numbers("steps", steps, "the evaluation steps (T,)")
    c = _counts(counts, "counts", 2)
    if s.ndim != 1 or s.size != c.shape[0]:
        raise ValueError(
            f"steps must be 1-D with one entry per row of counts ({c.shape[0]}), got shape "
            f"{s.shape}"
        )
    if s.size > 1 and np.any(np.diff(s) <= 0):
        raise ValueError(f"steps must be strictly increasing, got {s[:8].tolist()} ...")
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


@_check_ax
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
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        _refuse("labels", labels, "a list of method names")
    labels = [str(x) for x in labels]
    m = _numbers("means", means, "one number per label (K,)")
    if m.ndim != 1 or m.size != len(labels) or m.size == 0:
        raise ValueError(
            f"means must be 1-D with one value per label ({len(labels)}), got shape {m.shape}"
        )
    e = None
    if errors is not None:
        e = _numbers("errors", errors, "None or one number >= 0 per label (K,)")
        if e.shape != m.shape or np.any(e[np.isfinite(e)] < 0):
            raise ValueError(
                f"errors must be None or >= 0 with the shape of means {m.shape}, got "
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
