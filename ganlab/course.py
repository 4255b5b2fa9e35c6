"""The course's lesson-level constants and loaders, in one place.

    FAST            GANLAB_FAST=1 asks the lessons for less training (also ``ganlab.FAST``)
    LOSS_SETTINGS   Config overrides per loss: lesson 3 trains with them, lesson 5 scores them
    results(name)   a committed benchmark table shipped with the package, e.g. "mode_collapse"

The tables live in ``ganlab/_data/results/`` and are read with :mod:`importlib.resources`, so they
load the same from a checkout, an editable install or a wheel. The benchmark scripts in
``benchmarks/`` write them there (``python benchmarks/mode_collapse.py``).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ganlab import _checks

__all__ = ["FAST", "LOSS_SETTINGS", "results"]

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
