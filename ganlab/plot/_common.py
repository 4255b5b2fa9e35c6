"""What every kind of picture shares: the default window, the colours, new axes, grids over the
plane, and the checks of the arguments that recur (points, extents, ranges)."""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from jax.typing import ArrayLike
from matplotlib.axes import Axes

from ganlab import _checks

#: The plotting window ``(x_min, x_max, y_min, y_max)`` that holds the ring and grid data.
DEFAULT_EXTENT = (-1.5, 1.5, -1.5, 1.5)
_KINDS = ("prob", "logit")
#: The colour cycle of every figure drawn after ``import ganlab.plot`` ("C0", "C1", ...): the
#: Okabe-Ito palette (Okabe & Ito 2008, https://jfly.uni-koeln.de/color/), which people with
#: each common colour-vision deficiency still tell apart (tests/test_plot_access.py checks it
#: with Machado et al.'s 2009 simulation). matplotlib's default cycle is not: under protanopia
#: its orange and green differ by less than 5 units of CIELAB.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))
# Real and generated samples differ by shape as well as by colour: filled dots against crosses.
_REAL_COLOR = "C0"  # blue
_FAKE_COLOR = "C1"  # orange
_REAL_MARKER = "o"
_FAKE_MARKER = "x"
_CROSS_WIDTH = 0.9  # a cross is drawn with lines, a dot is filled (no edge)


def _marker_style(marker: str) -> dict:
    """Scatter keywords for ``marker``: line markers (crosses) need a line width, filled ones
    are drawn without an edge."""
    return {"marker": marker, "linewidths": _CROSS_WIDTH if marker in ("x", "+", "1", "2") else 0}


_HEAT_CMAP = {"prob": "RdBu_r", "logit": "viridis"}
_HEAT_LABEL = {"prob": r"$D(x) = \sigma(\mathrm{logit})$", "logit": r"critic value $f(x)$"}


# ---------------------------------------------------------------------------------------------
# Argument checks that recur here; ganlab._checks has the general ones. Each message names the
# argument, the value received and what is allowed.
# ---------------------------------------------------------------------------------------------


def _refuse(name: str, value: Any, allowed: str) -> None:
    """``{name} must be {allowed}, got ...``: a short list or tuple as written, anything else
    that is not a number or a string by its type (never a dump of a sampler or a model)."""
    short = isinstance(value, list | tuple) and len(repr(value)) <= 80
    raise ValueError(
        f"{name} must be {allowed}, got {repr(value) if short else _checks.what(value)}"
    )


def _numbers(name: str, value: Any, allowed: str) -> np.ndarray:
    """``value`` as a float64 NumPy array, or a ValueError naming ``name`` and its type."""
    return np.asarray(_checks.array(name, value, allowed), dtype=np.float64)


#: The likely cause of generated values that are all NaN/inf, for the messages.
DIVERGED = "the generator has diverged; check the training run (its losses, learning rates)"


def _nonfinite(name: str, bad: int, total: int, unit: str, cause: str, action: str) -> None:
    """Raise when all ``total`` values are NaN/inf; warn (``UserWarning``) when ``bad`` are."""
    if bad and bad == total:
        raise ValueError(f"{name} is all NaN/inf ({bad} of {total} {unit}): {cause}")
    if bad:
        warnings.warn(
            f"{name}: {bad} of {total} {unit} are NaN/inf and {action}", UserWarning, stacklevel=4
        )


def _points(x: ArrayLike, arg: str, *, drop: bool = False, cause: str = DIVERGED) -> np.ndarray:
    """``x`` as a float NumPy array of shape ``(n, 2)`` with ``n >= 1``, or a ValueError naming
    ``arg``. Points holding NaN/inf: all of them raise (``cause`` says why they might); some of
    them are dropped with a warning when ``drop``, and raise otherwise."""
    allowed = "(n, 2), an array of 2-D points"
    if callable(getattr(x, "sample", None)) and not hasattr(x, "shape"):
        raise ValueError(
            f"{arg} must be an array of 2-D points (n, 2), got {_checks.what(x)}: pass samples "
            "drawn with its .sample(key, n)"
        )
    a = _numbers(arg, x, "an array of 2-D points (n, 2)")
    _checks.shape(arg, a, (None, 2), what=allowed)
    if a.shape[0] == 0:
        raise ValueError(f"{arg} must hold at least one point {allowed[:6]}, got shape (0, 2)")
    ok = np.all(np.isfinite(a), axis=1)  # (n,)
    bad = int(np.sum(~ok))
    if bad and not drop and bad < a.shape[0]:
        _checks.finite(arg, a)
    _nonfinite(arg, bad, a.shape[0], "points", cause, "are not drawn")
    return a[ok]


def _callable(name: str, value: Any, signature: str) -> Callable:
    if not callable(value):
        _refuse(name, value, f"a callable {signature}")
    return value


def _check_ax(fn: Callable) -> Callable:
    """Check a drawing function's ``ax`` argument before it computes anything."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        try:
            ax = signature.bind_partial(*args, **kwargs).arguments.get("ax")
        except TypeError:  # a wrong call: the function itself says so
            ax = None
        if ax is not None and not isinstance(ax, Axes):
            _refuse("ax", ax, "a matplotlib Axes, or None for a new figure")
        return fn(*args, **kwargs)

    return checked


def _size(name: str, value: Any) -> tuple[float, float]:
    """A figure size ``(width, height)`` in inches, two finite numbers > 0."""
    ok = isinstance(value, tuple | list) and len(value) == 2
    ok = ok and all(_checks.is_number(v) and math.isfinite(v) and v > 0 for v in value)
    if not ok:
        _refuse(name, value, "two finite numbers > 0 (width, height) in inches")
    return (float(value[0]), float(value[1]))


def _ordered(name: str, value: Any, count: int, allowed: str) -> tuple[float, ...]:
    """``count`` finite numbers in which each pair ``(v[2i], v[2i + 1])`` is increasing."""
    try:
        v = () if isinstance(value, str) else tuple(float(x) for x in value)
    except (TypeError, ValueError):
        v = ()
    ok = len(v) == count and all(math.isfinite(x) for x in v)
    if not (ok and all(v[i] < v[i + 1] for i in range(0, count, 2))):
        _refuse(name, value, allowed)
    return v


def _extent(extent: Sequence[float], arg: str = "extent") -> tuple[float, float, float, float]:
    """A plotting window ``(x_min, x_max, y_min, y_max)`` as four floats."""
    allowed = (
        "four finite numbers (x_min, x_max, y_min, y_max) with x_min < x_max and y_min < y_max"
    )
    return _ordered(arg, extent, 4, allowed)  # type: ignore[return-value]


def _interval(name: str, value: Any, low: str = "low", high: str = "high") -> tuple[float, float]:
    """A range ``(low, high)`` of two finite numbers with ``low < high``."""
    allowed = f"two finite numbers ({low}, {high}) with {low} < {high}"
    return _ordered(name, value, 2, allowed)  # type: ignore[return-value]


def _is_distribution(data: Any) -> bool:
    """Whether ``data`` is a distribution (has ``log_prob``) rather than an array of samples."""
    return callable(getattr(data, "log_prob", None))


# ---------------------------------------------------------------------------------------------
# Axes and grids
# ---------------------------------------------------------------------------------------------


def _new_ax(figsize: tuple[float, float] = (4.5, 4.5)) -> Axes:
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _label_plane(ax: Axes) -> None:
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def _frame_ax(ax: Axes, extent) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")


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
