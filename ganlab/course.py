"""The course's lesson-level constants and loaders, in one place.

* ``FAST``: GANLAB_FAST=1 asks the lessons for less training (also ``ganlab.FAST``);
* ``LOSS_SETTINGS``: Config overrides per loss; lesson 3 trains with them, lesson 5 scores them;
* :func:`results`: a committed benchmark table shipped with the package, e.g. "mode_collapse";
* :func:`mode_collapse_models` and :func:`mode_collapse_config`: that table's networks and
  optimiser, built from its meta (the benchmark trains with them; lesson 4 reruns rows with them).

The tables live in ``ganlab/_data/results/`` and are read with ``importlib.resources``, so they
load the same from a checkout, an editable install or a wheel. The benchmark scripts in
``benchmarks/`` write them there (``python benchmarks/mode_collapse.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from flax import nnx

from ganlab import _checks, models, train

__all__ = ["FAST", "LOSS_SETTINGS", "mode_collapse_config", "mode_collapse_models", "results"]

# GANLAB_FAST=1 (set by CI) asks the lessons for less training; what they show must not change.
FAST: bool = os.environ.get("GANLAB_FAST", "").strip().lower() not in ("", "0", "false", "no")

#: Config overrides by loss name, the settings lesson 3 trains each loss with and lesson 5 scores.
#: D's learning rate is 10x G's for every loss: a choice for lesson 3's short runs, not measured
#: there, and not the two time-scale update rule of Heusel et al. 2017 (a convergence result that
#: prescribes no factor). For the two Wasserstein critics it is 10x their papers' rates; they get
#: five updates per generator step and their papers' optimizers (RMSProp for clipping, Arjovsky
#: et al. 2017; Adam with betas (0.5, 0.9), Gulrajani et al. 2017).
LOSS_SETTINGS: dict[str, dict[str, Any]] = {
    "BCE": dict(loss="nonsaturating", g_lr=1e-4, d_lr=1e-3),
    "WGAN-clip": dict(
        loss="wgan-clip", optimizer="rmsprop", g_lr=5e-5, d_lr=5e-4, n_critic=5, clip=0.01
    ),
    "WGAN-GP": dict(
        loss="wgan-gp",
        g_lr=1e-4,
        d_lr=1e-3,
        g_betas=(0.5, 0.9),
        d_betas=(0.5, 0.9),
        n_critic=5,
        gp_weight=10.0,
    ),
    "hinge": dict(loss="hinge", g_lr=1e-4, d_lr=1e-3),
    "least-squares": dict(loss="least-squares", g_lr=1e-4, d_lr=1e-3),
}

_RESULTS = ("_data", "results")  # inside the package: where the committed tables are shipped


def _results_dir() -> Traversable:
    return resources.files("ganlab").joinpath(*_RESULTS)


def results(name: str) -> dict[str, Any]:
    """The committed benchmark table ``name`` (e.g. ``"mode_collapse"``, lesson 4's 10-seed
    table): a fresh dict with its ``"meta"`` (command, date, machine, protocol, ...) and
    ``"rows"``, as the benchmark script wrote it."""
    files = {p.name for p in _results_dir().iterdir()}
    names = [f.removesuffix(".json") for f in files if f.endswith(".json")]
    _checks.choice("name", name, names)
    return json.loads(_results_dir().joinpath(f"{name}.json").read_text(encoding="utf-8"))


def _keys(name: str, value: Any, needed: tuple[str, ...]) -> None:
    if not isinstance(value, Mapping) or not set(needed) <= set(value):
        shown = sorted(value) if isinstance(value, Mapping) else value
        _checks.fail(name, shown, f"a mapping with the keys {list(needed)} (from the table's meta)")


def mode_collapse_models(
    arch: Mapping[str, Any],
    *,
    packing: int = 1,
    minibatch_std: bool = False,
    g_width_factor: float = 1.0,
    d_width_factor: float = 1.0,
    data_dim: int = 2,
) -> Callable[[int], tuple[nnx.Module, nnx.Module]]:
    """``seed -> (G, D)``: the networks of a mode-collapse protocol, ``arch`` as stored in the
    table's ``meta["protocol"]["arch"]`` (``latent_dim``, ``g_width``, ``g_depth``,
    ``g_batch_norm``, ``d_width``, ``d_depth``, ``d_maxout``). D sees packs of ``packing``
    samples (PacGAN) or appends the minibatch standard deviation; the width factors scale one
    player (the table's balance rows)."""
    _keys("arch", arch, ("latent_dim", "g_width", "g_depth", "d_width", "d_depth"))
    packing = _checks.integer("packing", packing, minimum=1)
    g_width = round(arch["g_width"] * _checks.positive("g_width_factor", g_width_factor))
    d_width = round(arch["d_width"] * _checks.positive("d_width_factor", d_width_factor))

    def make(seed: int):
        rngs = nnx.Rngs(seed)
        g = models.MLPGenerator(
            arch["latent_dim"], data_dim, width=g_width, depth=arch["g_depth"],
            batch_norm=arch.get("g_batch_norm", False), rngs=rngs,
        )  # fmt: skip
        d_args = dict(width=d_width, depth=arch["d_depth"], minibatch_std=minibatch_std, rngs=rngs)
        if arch.get("d_maxout", 0):
            d = models.MaxoutDiscriminator(packing * data_dim, pieces=arch["d_maxout"], **d_args)
        else:
            d = models.MLPDiscriminator(packing * data_dim, **d_args)
        return g, (models.Packed(d, packing) if packing > 1 else d)

    return make


def mode_collapse_config(
    protocol: Mapping[str, Any], *, steps: int, packing: int = 1, d_lr_factor: float = 1.0,
    **changes: Any,
) -> train.Config:  # fmt: skip
    """The training config of a mode-collapse protocol (``meta["protocol"]``): its Adam
    (``lr``, ``beta1``) and schedule for both players, ``packs`` packs per batch (so a
    PacGANm draws ``packing`` times the samples), ``steps`` generator updates, D's rate scaled
    by ``d_lr_factor``; ``changes`` override any field (a remedy's own settings)."""
    _keys("protocol", protocol, ("beta1", "lr", "lr_schedule", "packs"))
    betas = (protocol["beta1"], 0.999)
    base = train.Config(
        steps=steps,
        lr_schedule=protocol["lr_schedule"],
        batch_size=protocol["packs"] * _checks.integer("packing", packing, minimum=1),
        g_lr=protocol["lr"],
        d_lr=protocol["lr"] * _checks.positive("d_lr_factor", d_lr_factor),
        g_betas=betas,
        d_betas=betas,
    )
    return base.replace(**changes)
