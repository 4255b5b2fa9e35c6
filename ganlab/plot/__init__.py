"""Plots for the course: data densities, samples, discriminator heat maps, image grids, loss
curves and training animations.

Every drawing function takes an optional ``ax`` (a new figure is made when it is ``None``),
labels its axes, and returns what it drew; nothing here calls ``plt.show()``. Arrays may be JAX
or NumPy. The objects drawn are duck-typed, so this package imports nothing else from ``ganlab``
but its argument checks:

- a 2-D *distribution* is anything with ``log_prob(x)`` mapping ``(n, 2) -> (n,)``, and
  optionally ``centers`` ``(K, 2)`` (the modes of a mixture);
- a *discriminator* is any callable mapping ``(n, 2)`` float32 to ``(n,)`` logits (or a critic's
  values), for example a Flax NNX module.

Animations are shown in a notebook with ``HTML(plot.to_html(anim))``: the JavaScript player is
self-contained, so it plays in JupyterLab and on a static Jupyter Book page with no network.
``plot.strip`` draws the same frames as a row of small panels for print.

Every name is used flat (``plot.samples``); the modules hold one kind of picture each:

- ``ganlab.plot.plane``: the data plane (densities, samples, discriminator and other heat
  maps, a generator's map of its noise, transport plans);
- ``ganlab.plot.phase``: a two-parameter plane (vector fields, trajectories);
- ``ganlab.plot.images``: image batches (grids, real next to generated, latent walks);
- ``ganlab.plot.lines``: line plots (training curves, curves with infinities, metric sweeps);
- ``ganlab.plot.bars``: bars and histograms (weights, mode shares, one bar per method);
- ``ganlab.plot.animation``: training frames, animated or as a strip;
- ``ganlab.plot.live``: :class:`LiveView`, a run's samples and losses redrawn while it trains.
"""

from ganlab.plot._common import DEFAULT_EXTENT, PALETTE
from ganlab.plot.animation import animate_training, frame_recorder, strip, to_html
from ganlab.plot.bars import method_bars, mode_histogram, mode_timeline, weight_histogram
from ganlab.plot.images import image_grid, interpolation, real_vs_generated, tile_images
from ganlab.plot.lines import curves, loss_vs_distance, loss_with_eval, losses, metric_sweeps
from ganlab.plot.live import LiveView
from ganlab.plot.phase import trajectory, vector_field
from ganlab.plot.plane import (
    density,
    density_grid,
    discriminator,
    discriminator_grid,
    generator_map,
    samples,
    scalar_field,
    transport_plan,
)

__all__ = [
    "DEFAULT_EXTENT",
    "LiveView",
    "PALETTE",
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
