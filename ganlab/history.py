"""What a training run records, and the error that stops a diverging one.

* :class:`History`: the steps, one array per metric stored per seed ``(S, T)``, and the
  evaluations, shown as the trainer was built (``(T,)`` for one run);
* :class:`Diverged` and the check that raises it when a loss or gradient is NaN or inf.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ganlab import _checks

if TYPE_CHECKING:
    from ganlab.train import Config


class History(Mapping):
    """What a run recorded: ``"step"`` ``(T,)``, one array per metric, and ``"eval"``.

    Metrics are stored per seed, ``(S, T)``. Indexing gives them as the trainer was built:
    ``history["d_loss"]`` is ``(T,)`` for one run (:class:`ganlab.train.Trainer`), ``(S, T)``
    for seeds (:meth:`ganlab.train.Trainer.from_seeds`); :meth:`per_seed` always gives
    ``(S, T)``. ``"eval"`` is the list of what ``eval_fn`` returned, each with its ``"step"``.
    """

    def __init__(self, seeded: bool):
        self.seeded = seeded
        self.step = np.zeros((0,), np.int64)
        self.metrics: dict[str, np.ndarray] = {}
        self.eval: list[dict[str, Any]] = []

    def __getitem__(self, name: str):
        if name == "step":
            return self.step
        if name == "eval":
            return self.eval
        if name not in self.metrics:
            raise KeyError(f"{name!r}: the history holds {list(self)}")
        return self.metrics[name] if self.seeded else self.metrics[name][0]

    def __iter__(self) -> Iterator[str]:
        return iter(["step", *self.metrics, "eval"])

    def __len__(self) -> int:
        return len(self.metrics) + 2

    def __repr__(self) -> str:
        steps, evals = len(self.step), len(self.eval)
        return f"History({steps} steps, metrics {list(self.metrics)}, {evals} evals)"

    def per_seed(self, name: str) -> np.ndarray:
        """Metric ``name`` as ``(S, T)``."""
        _checks.choice("name", name, self.metrics)
        return self.metrics[name]

    def extend(self, steps: np.ndarray, metrics: Mapping[str, np.ndarray]) -> None:
        """Append ``steps`` ``(n,)`` and each metric's ``(S, n)`` values."""
        self.step = np.concatenate([self.step, steps])
        for name, new in metrics.items():
            old = self.metrics.get(name)
            self.metrics[name] = new if old is None else np.concatenate([old, new], axis=1)


class Diverged(FloatingPointError):
    """Training produced a non-finite loss or gradient (see ``Config.stop_on_divergence``)."""


def divergence(metrics: Mapping[str, np.ndarray], first_step: int, config: Config, seeds):
    """The error for the first non-finite value in ``metrics`` (each ``(S, n)``, the steps
    ``first_step .. first_step + n - 1``), or None when all are finite."""
    bad = {name: ~np.isfinite(m) for name, m in metrics.items()}
    if not any(b.any() for b in bad.values()):
        return None
    col = min(int(np.argmax(b.any(axis=0))) for b in bad.values() if b.any())
    names = [name for name, b in bad.items() if b[:, col].any()]
    seed = seeds[int(np.argmax(np.any([bad[n][:, col] for n in names], axis=0)))]
    values = ", ".join(f"{n} = {metrics[n][seeds.index(seed), col]}" for n in names)
    lrs = f"g_lr={config.g_lr:g}, d_lr={config.d_lr:g} with {config.optimizer}"
    return Diverged(
        f"training diverged at step {first_step + col} (seed {seed}): {values}. The usual cause "
        f"is a learning rate too large for the optimizer and the loss ({lrs}, "
        f"loss={config.gan_loss.name!r}): lower the learning rates. The history up to here is in "
        "trainer.history; the models hold the diverged weights (restore a checkpoint to go "
        "back). Config(stop_on_divergence=False) keeps training instead."
    )
