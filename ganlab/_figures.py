"""Keep each figure a lesson shows, so that the course's Chinese edition can redraw it.

With ``GANLAB_KEEP_FIGURES=1`` in a Jupyter kernel (the English site build sets it), every
matplotlib figure the notebook displays gets a second representation next to its PNG: the
figure itself, pickled and base64-encoded, under :data:`MIME`. The site ignores that MIME type;
``scripts/zh_edition.py`` unpickles the figure, replaces its text with the Chinese
translation, and draws it again, so the Chinese pages show the English run's figures with
Chinese titles and labels, without training again. Nothing happens without the variable, or
outside IPython.
"""

from __future__ import annotations

import base64
import os
import pickle
import zlib

MIME = "application/vnd.ganlab.figure+pickle"  # base64(zlib(pickle(figure)))
ENV = "GANLAB_KEEP_FIGURES"


def _pickled(fig) -> str | None:
    try:
        return base64.b64encode(zlib.compress(pickle.dumps(fig), 6)).decode("ascii")
    except Exception:  # a figure holding something unpicklable stays English only
        return None


def keeping() -> bool:
    """Whether figures are kept (``GANLAB_KEEP_FIGURES`` is set and not 0)."""
    return os.environ.get(ENV, "").strip() not in ("", "0")


class KeptHTML(str):
    """An animation's HTML (what :func:`ganlab.plot.to_html` returns) that also carries what
    drew it: ``kept``, the arguments of :func:`ganlab.plot.animate_training` and of
    ``to_html``. Shown through ``IPython.display.HTML``, it is kept under :data:`MIME`."""

    def __new__(cls, html: str, kept: dict):
        self = super().__new__(cls, html)
        self.kept = kept
        return self


def _pickled_html(obj) -> str | None:
    kept = getattr(getattr(obj, "data", None), "kept", None)
    return None if kept is None else _pickled(kept)


def keep_figures() -> bool:
    """Register the formatter in the running IPython kernel; returns whether it did."""
    if not keeping():
        return False
    try:
        from IPython import get_ipython
        from IPython.core.formatters import BaseFormatter
    except ImportError:
        return False
    ip = get_ipython()
    if ip is None:
        return False

    class FigureFormatter(BaseFormatter):
        format_type = MIME
        print_method = "_ganlab_no_such_method"

    # Registered for FigureBase, not Figure: matplotlib's inline backend clears every
    # formatter's entry for Figure when it activates, which may happen after this import.
    from matplotlib.figure import FigureBase

    display = ip.display_formatter
    if MIME not in display.formatters:
        display.formatters[MIME] = FigureFormatter(parent=display)
    display.formatters[MIME].for_type(FigureBase, _pickled)
    from IPython.display import HTML

    display.formatters[MIME].for_type(HTML, _pickled_html)  # an animation: what drew it
    if MIME not in display.active_types:
        display.active_types = [*display.active_types, MIME]
    return True


def unpickle(data: str):
    """The figure kept under :data:`MIME`, or for an animation the dict of what drew it (read
    by the course's own build, from its own output)."""
    return pickle.loads(zlib.decompress(base64.b64decode(data)))
