"""Training you can watch: a figure that redraws itself in place while :meth:`Trainer.run
<ganlab.train.Trainer.run>` trains, with the generated samples (over the data, or as an image
grid) beside the two players' losses.

``train.train(g, d, data, config, live=True)`` (or ``trainer.run(live=plot.LiveView(...))``)
shows it. Where it is shown decides how often it is drawn:

* in JupyterLab or Jupyter Notebook, it is redrawn every ``every`` steps, in place (one output
  updated through its display id), as long as drawing costs at most ``max_overhead`` of the
  training time (5% by default): a fast run on the plane is redrawn less often than every
  ``every`` steps, a slow convolutional run exactly that often;
* run headless (nbval, nbconvert, the site's build), it is drawn once, when training ends, so the
  executed notebook and the static site hold the final figure and no widget state;
* outside a notebook it draws nothing unless asked (``mode="live"`` renders to PNG and drops the
  picture, which is how ``benchmarks/live_view.py`` measures its cost).

The environment variable ``GANLAB_LIVE`` overrides the guess: ``1`` redraws during training,
``0`` draws only the final figure.
"""

from __future__ import annotations

import io
import math
import os
import time
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ganlab import _checks
from ganlab.plot._common import DEFAULT_EXTENT, _is_distribution, _refuse
from ganlab.plot.images import image_grid, tile_images
from ganlab.plot.lines import _moving_average
from ganlab.plot.plane import samples as draw_samples

MODES = ("auto", "live", "final")
ENV = "GANLAB_LIVE"


def _kernel():
    """The running IPython kernel's shell, or None outside one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    ip = get_ipython()
    return ip if ip is not None and getattr(ip, "kernel", None) is not None else None


def attached() -> bool:
    """Whether a person is watching: an IPython kernel started by a Jupyter server (JupyterLab,
    Notebook 7), which names the notebook in ``JPY_SESSION_NAME``; nbclient, nbval and the
    site's build start kernels without it. ``GANLAB_LIVE=1``/``0`` overrides the guess."""
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return _kernel() is not None and bool(os.environ.get("JPY_SESSION_NAME"))


class LiveView:
    """A figure of a training run that updates in place: samples and losses.

    Args:
      data: what the samples are drawn over: ``None`` (the trainer's data: its density when it
        has one, otherwise real samples), a distribution, or real samples ``(m, 2)``. Image data
        are shown as a grid of generated images.
      every: redraw every this many steps (at most; see ``max_overhead``).
      n: generated samples per picture (images: ``min(n, 64)``).
      keys: the history's metrics to plot.
      smooth: moving-average window of the loss curves, in steps.
      title: the figure's title, before ``step t of T``.
      mode: ``"auto"`` (redraw in JupyterLab, one final figure headless), ``"live"`` or
        ``"final"``.
      max_overhead: the largest share of training time drawing may take.
      extent: the plane's window for 2-D samples (default ``plot.DEFAULT_EXTENT`` over a
        density, fitted to the points otherwise).
      seed: the key of the latents shown (the same latents at every redraw).

    After a run, ``renders`` counts the pictures drawn and ``overhead`` is the drawing time as a
    share of the training time.
    """

    def __init__(
        self,
        data: Any = None,
        *,
        every: int = 100,
        n: int = 512,
        keys: tuple[str, ...] = ("d_loss", "g_loss"),
        smooth: int = 50,
        title: str = "",
        mode: str = "auto",
        max_overhead: float = 0.05,
        extent=None,
        seed: int = 0,
    ):
        self.data = data
        self.every = _checks.integer("every", every, minimum=1)
        self.n = _checks.integer("n", n, minimum=1)
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            _refuse("keys", keys, "a tuple of metric names, e.g. ('d_loss', 'g_loss')")
        self.keys = tuple(keys)
        self.smooth = _checks.integer("smooth", smooth, minimum=0)
        if not isinstance(title, str):
            _refuse("title", title, "a string")
        self.title = title
        self.mode = _checks.choice("mode", mode, MODES)
        self.max_overhead = _checks.number("max_overhead", max_overhead, minimum=0, maximum=1)
        self.extent = extent
        self.seed = _checks.integer("seed", seed, minimum=0)
        self.renders = 0
        self.render_seconds = 0.0
        self.train_seconds = 0.0
        self._handle = None
        self._fig = None
        self._clock = time.perf_counter

    # --- what Trainer.run calls -------------------------------------------------------------

    @property
    def redraws(self) -> bool:
        """Whether this view redraws during training (otherwise it draws the final figure)."""
        return self.mode == "live" or (self.mode == "auto" and attached())

    def start(self, trainer, end: int) -> None:
        """A run of ``trainer`` up to step ``end`` begins."""
        import jax

        self._trainer, self._end = trainer, end
        self._key = jax.random.key(self.seed)
        self._fig = None  # a new run draws a new picture (in the same output)
        self._last_step = trainer.step
        self._mark = self._clock()
        self._began = self._mark
        self._spent = 0.0  # seconds of redraws in this run, the first picture aside
        self._cost = 0.0  # seconds the last redraw took
        self._first = 0.0
        if self.redraws:
            self._render(final=False)
            self._first, self._cost = self._cost, 0.0  # the first picture compiles the sampler

    def step(self, t: int) -> None:
        """Training has reached step ``t`` (a multiple of ``every``): redraw when it is time and
        when this run's redraws, the next one included, stay within ``max_overhead`` of its
        training time so far."""
        if not self.redraws or t - self._last_step < self.every:
            return
        trained = self._clock() - self._began - self._spent - self._first
        if self._spent + self._cost > self.max_overhead * trained:
            return
        self._render(final=False)
        self._spent += self._cost

    def finish(self) -> None:
        """The run ended (or stopped): draw the final picture."""
        self._render(final=True)

    @property
    def overhead(self) -> float:
        """Drawing time as a share of training time, over every run shown so far."""
        return self.render_seconds / self.train_seconds if self.train_seconds else 0.0

    # --- drawing ------------------------------------------------------------------------------

    def _render(self, final: bool) -> None:
        began = self._clock()
        self.train_seconds += began - self._mark
        trainer = self._trainer
        fake = np.asarray(trainer.sample(self._key, self.n))
        if trainer.seeded:
            fake = fake[0]
        if self._fig is None:
            self._draw(trainer, fake)
        else:
            self._refresh(trainer, fake)
        self._publish(final)
        self._last_step = trainer.step
        self._mark = self._clock()
        self._cost = self._mark - began
        self.render_seconds += self._cost
        self.renders += 1

    def _history(self, trainer) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        h = trainer.history
        curves = {}
        for k in self.keys:
            if k in h:
                y = np.asarray(h[k], np.float64)
                curves[k] = y[0] if y.ndim == 2 else y  # a seeded run: the first seed
        step = np.asarray(h["step"]) if "step" in h else np.arange(0)
        return step, curves

    def _smoothed(self, y: np.ndarray) -> np.ndarray:
        w = min(self.smooth, len(y))
        if w <= 1:
            return y
        head = np.cumsum(y[: w - 1]) / np.arange(1, w)  # the first steps: the mean so far
        return np.concatenate([head, _moving_average(y, w)])

    def _draw(self, trainer, fake: np.ndarray) -> None:
        # Made through pyplot (which sets up the notebook's figure display) and closed at once:
        # the view shows it itself, in place, so the cell's end must not show it again.
        fig = plt.figure(figsize=(10.0, 4.0), layout="constrained")
        plt.close(fig)
        ax_s, ax_l = fig.subplots(1, 2, width_ratios=[1.0, 1.35])
        self._kind = _picture_kind(fake)
        if self._kind == "plane":
            data = self.data if self.data is not None else trainer.data
            if not _is_distribution(data) and callable(getattr(data, "sample", None)):
                import jax

                data = np.asarray(data.sample(jax.random.key(self.seed + 1), self.n))
            extent = self.extent
            if extent is None and _is_distribution(data):
                extent = DEFAULT_EXTENT
            draw_samples(fake, data, ax=ax_s, extent=extent, show_centers=True)
            self._scatter = [c for c in ax_s.collections if c.get_label() == "generated"][-1]
        elif self._kind == "images":
            image_grid(_as_images(fake)[:64], nrow=8, ax=ax_s)
        else:
            ax_s.set_axis_off()
            ax_s.text(0.5, 0.5, f"samples of shape {fake.shape[1:]}", ha="center")
        # One line per metric from the start, empty before the first step (a live run draws
        # its first picture at step 0), filled in by each redraw.
        self._lines = {}
        for i, k in enumerate(self.keys):
            (self._lines[k],) = ax_l.plot([], [], color=f"C{i}", label=k)
        ax_l.set_xlim(0, max(self._end, 1))
        ax_l.set_xlabel("training step")
        ax_l.set_ylabel("loss" if all("loss" in k for k in self.keys) else "value")
        ax_l.legend(fontsize="small", loc="upper right")
        ax_l.set_title(f"moving average of {self.smooth} steps" if self.smooth > 1 else "")
        self._axes = (ax_s, ax_l)
        self._suptitle = fig.suptitle("")
        self._fig = fig
        self._refresh(trainer, fake)

    def _refresh(self, trainer, fake: np.ndarray) -> None:
        ax_s, ax_l = self._axes
        if self._kind == "plane":
            self._scatter.set_offsets(fake[np.all(np.isfinite(fake), axis=1)])
        elif self._kind == "images":
            ax_s.images[0].set_data(tile_images(_as_images(fake)[:64], nrow=8))
        step, curves = self._history(trainer)
        smoothed = {k: self._smoothed(y) for k, y in curves.items()}
        for k, y in smoothed.items():
            self._lines[k].set_data(step, y)
        finite = np.concatenate([np.zeros(0), *smoothed.values()])
        finite = finite[np.isfinite(finite)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.05 * (hi - lo) or 0.1
            ax_l.set_ylim(lo - pad, hi + pad)
        self._set_title(trainer)

    def _set_title(self, trainer) -> None:
        head = f"{self.title}: " if self.title else ""
        self._suptitle.set_text(f"{head}step {trainer.step:,} of {self._end:,}")

    def _publish(self, final: bool) -> None:
        """Show the picture in place of the previous one. Redraws during training are PNGs
        drawn without a layout pass (the layout of the first picture is kept); the final
        picture is the figure itself, laid out again, so a notebook keeps it as it keeps any
        figure. Outside a kernel the PNG is drawn (the same work, for the benchmark) and
        dropped."""
        fig = self._fig
        if final:
            fig.set_layout_engine("constrained")
        kernel = _kernel() is not None
        if final and kernel:
            shown = fig
        else:
            png = io.BytesIO()
            fig.savefig(png, format="png")
            fig.set_layout_engine("none")  # keep this layout for the next redraws
            if not kernel:
                return
            from IPython.display import Image

            shown = Image(data=png.getvalue(), format="png")
        from IPython.display import display

        if self._handle is None:
            self._handle = display(shown, display_id=True)
        else:
            self._handle.update(shown)


def _picture_kind(fake: np.ndarray) -> str:
    """How samples are pictured: points on the ``"plane"``, ``"images"`` (image batches, and
    flat vectors of a square number of pixels), or ``"none"``."""
    if fake.ndim == 2 and fake.shape[1] == 2:
        return "plane"
    if fake.ndim == 4 and fake.shape[-1] == 1 or fake.ndim == 3:
        return "images"
    if fake.ndim == 2 and math.isqrt(fake.shape[1]) ** 2 == fake.shape[1] > 1:
        return "images"
    return "none"


def _as_images(fake: np.ndarray) -> np.ndarray:
    if fake.ndim == 2:
        side = math.isqrt(fake.shape[1])
        return fake.reshape(-1, side, side)
    return fake


def live_view(live: Any) -> LiveView | None:
    """``Trainer.run``'s ``live`` argument as a view: None/False (none), True (the default
    :class:`LiveView`), or a :class:`LiveView`."""
    if live is None or live is False:
        return None
    if live is True:
        return LiveView()
    if isinstance(live, LiveView):
        return live
    _refuse("live", live, "True, False, None or a plot.LiveView")
