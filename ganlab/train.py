"""Training: one flat config, one jit-compiled step, many steps per call, many seeds at once.

The pieces, from the inside out:

* :class:`Config` — every knob, with its default and the reason for it;
* the **step** — one compiled function that does ``n_critic`` discriminator updates and one
  generator update (Goodfellow et al. 2014, Algorithm 1), built from
  :func:`ganlab.update.d_update` and :func:`ganlab.update.g_update`, sampling real data and
  noise inside the compiled region from a key derived from ``(seed, step)``;
* a **call** runs ``steps_per_call`` steps: fused with ``lax.scan`` for models that measured
  faster that way (small MLPs), one donated jit call per step otherwise (conv nets on CPU);
* :class:`Trainer` trains S seeded copies of a model pair in one ``vmap``-ped program (one run
  is S = 1), records a :class:`ganlab.history.History`, evaluates every ``eval_every`` steps,
  and saves and restores checkpoints (:mod:`ganlab.checkpoint`, with Orbax); a class-conditional
  pair (a generator with ``n_classes``) trains on labelled data through the same step;
* :func:`train` and :func:`train_seeds` are the one-line entry points used by the lessons.

The path of one setting, ``Config(loss="hinge", gp_weight=10)``: :attr:`Config.gan_loss`
resolves it to ``losses.get("hinge", gp_weight=10.0)``, a :class:`ganlab.losses.GANLoss`;
``_make_step`` closes over that object and passes it to ``update.d_update``, which adds
``loss.penalty(...)`` (here 10 times WGAN-GP's penalty) to D's loss inside the compiled step.
No code compares loss names.

The models stay ordinary Flax NNX modules: the trainer splits them into a graph definition and
pure state, trains the state, and writes the result back into the modules.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from tqdm.auto import tqdm

from ganlab import _checks, losses, nn, update
from ganlab import data as gdata
from ganlab.history import Diverged, History, divergence  # noqa: F401 (train.Diverged)
from ganlab.update import OPTIMIZERS, SCHEDULES, Player

FUSED_STEPS = 50  # steps per lax.scan call for models with fuse_steps = True
_LOSS_FIELDS = ("gp_weight", "clip", "r1_weight", "r2_weight", "aux_weight")


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything a training run needs besides the models and the data.

    Override by keyword (``Config(loss="wgan-gp", n_critic=5)``) or with :meth:`replace`.
    Invalid values raise ``ValueError`` here, before anything is compiled.
    """

    loss: str | losses.GANLoss = "nonsaturating"  # a name in losses.LOSSES, or a GANLoss
    steps: int = 2000  # generator updates to run
    batch_size: int = 256  # samples of real data and of noise per update
    seed: int = 0  # the training key; model initialisation has its own seed
    optimizer: str = "adam"  # "adam" | "rmsprop" (the WGAN paper) | "sgd"
    g_lr: float = 1e-4  # generator learning rate
    d_lr: float = 1e-4  # discriminator/critic learning rate
    lr_schedule: str = "constant"  # "constant" | "cosine" | "linear": decay both to 0 over steps
    g_betas: tuple[float, float] = (0.5, 0.999)  # Adam betas: beta1 = 0.5 as in DCGAN
    d_betas: tuple[float, float] = (0.5, 0.999)  # WGAN-GP uses (0.0 or 0.5, 0.9)
    n_critic: int = 1  # D updates per G update; 5 in WGAN and WGAN-GP
    clip: float | None = None  # clip D's weights to [-clip, clip]; None: the loss's (0.01 WGAN)
    gp_weight: float | None = None  # WGAN-GP's penalty lambda, any loss; None: the loss's
    r1_weight: float | None = None  # gamma: adds gamma/2 * E||grad D(x_real)||^2 to D's loss
    r2_weight: float | None = None  # the same on generated samples
    aux_weight: float | None = None  # AC-GAN's classifier weight (needs an "acgan" D); None: 0
    unroll_steps: int = 0  # unrolled GAN: G's loss looks through k differentiable D updates
    steps_per_call: int | None = None  # None: 50 fused steps for MLPs, 1 for conv nets
    eval_every: int = 0  # call eval_fn every this many steps (0: never)
    progress: bool = True  # show a progress bar
    stop_on_divergence: bool = True  # raise Diverged when a loss or gradient goes NaN or inf

    def __post_init__(self):
        set_ = functools.partial(object.__setattr__, self)
        if not isinstance(self.loss, losses.GANLoss):
            _checks.choice("loss", self.loss, losses.LOSSES)
        _checks.choice("optimizer", self.optimizer, OPTIMIZERS)
        _checks.choice("lr_schedule", self.lr_schedule, SCHEDULES)
        for name, minimum in [("steps", 0), ("batch_size", 1), ("seed", 0), ("n_critic", 1),
                              ("unroll_steps", 0), ("eval_every", 0)]:  # fmt: skip
            set_(name, _checks.integer(name, getattr(self, name), minimum=minimum))
        if self.steps_per_call is not None:
            k = _checks.integer("steps_per_call", self.steps_per_call, minimum=1)
            set_("steps_per_call", k)
        set_("g_lr", _checks.positive("g_lr", self.g_lr))
        set_("d_lr", _checks.positive("d_lr", self.d_lr))
        set_("g_betas", _checks.pair("g_betas", self.g_betas))
        set_("d_betas", _checks.pair("d_betas", self.d_betas))
        if self.clip is not None:
            set_("clip", _checks.positive("clip", self.clip))
        for name in ("gp_weight", "r1_weight", "r2_weight", "aux_weight"):
            if getattr(self, name) is not None:
                set_(name, _checks.nonnegative(name, getattr(self, name)))
        set_("progress", _checks.boolean("progress", self.progress))
        set_("stop_on_divergence", _checks.boolean("stop_on_divergence", self.stop_on_divergence))

    @property
    def gan_loss(self) -> losses.GANLoss:
        """This config's loss as one :class:`ganlab.losses.GANLoss`: the named preset, with this
        config's ``clip``, ``gp_weight``, ``r1_weight``, ``r2_weight`` and ``aux_weight`` where
        they are set."""
        overrides = {f: getattr(self, f) for f in _LOSS_FIELDS if getattr(self, f) is not None}
        return losses.get(self.loss, **overrides)

    def optimizers(self) -> tuple[optax.GradientTransformation, optax.GradientTransformation]:
        """``(generator's, discriminator's)`` optimizers. A decaying schedule counts each
        player's own updates: D's horizon is ``n_critic * steps``."""

        def tx(lr, betas, horizon):
            return update.optimizer(self.optimizer, lr, betas=betas, schedule=self.lr_schedule,
                                    horizon=max(1, horizon))  # fmt: skip

        return (
            tx(self.g_lr, self.g_betas, self.steps),
            tx(self.d_lr, self.d_betas, self.steps * self.n_critic),
        )

    def replace(self, **changes) -> Config:
        """A copy with ``changes`` applied (and validated)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(
                f"unknown Config fields {sorted(unknown)}; the fields are "
                f"{[f.name for f in dataclasses.fields(self)]}"
            )
        return dataclasses.replace(self, **changes)


class TrainState(NamedTuple):
    """Everything that changes during training, as one pytree (what a checkpoint holds).
    Every leaf has a leading seed axis of size S."""

    generator: Player
    discriminator: Player
    step: jax.Array  # (S,) int32: generator updates done
    key: jax.Array  # (S, 2): each run's base key; step t uses fold_in(key, t)


def _make_step(
    g_def, d_def, latent_dim: int, config: Config, shard=lambda x: x, conditional: bool = False
):
    """Build ``step(state, data) -> (state, metrics)`` for one run: n_critic D updates, then one
    G update. :class:`Trainer` vmaps it over the seed axis.

    ``conditional``: the data are drawn with their class labels (``data.sample_labeled``), G
    makes a sample for each real sample's label and D scores ``D(x, y)`` (Mirza & Osindero
    2014). ``shard`` is applied to every batch sampled inside the step: the identity on one
    device, a sharding constraint over the devices' batch axis for data-parallel training."""
    loss = config.gan_loss
    g_tx, d_tx = config.optimizers()
    batch = config.batch_size

    def noise(key):
        return shard(jax.random.normal(key, (batch, latent_dim)))

    def real_batch(data, key):
        """A real batch and its labels (None for unconditional data)."""
        if conditional:
            x, y = data.sample_labeled(key, batch)
            return shard(x), shard(y)
        return shard(data.sample(key, batch)), None

    def critic_update(carry, key, data):
        g, d = carry
        k_real, k_z, k_pen = jax.random.split(key, 3)
        real, labels = real_batch(data, k_real)
        fake, g = update.generate(g_def, g, noise(k_z), labels)
        d, metrics = update.d_update(d_def, d, d_tx, loss, real, fake, k_pen, labels)
        return (g, d), metrics

    def step(state: TrainState, data) -> tuple[TrainState, dict[str, jax.Array]]:
        # `data` is a jit *argument*, so a dataset is not baked into the program as a constant.
        key = jax.random.fold_in(state.key, state.step)
        k_d, k_g = jax.random.split(key)
        k_z, k_real = jax.random.split(k_g)
        (g, d), d_metrics = jax.lax.scan(
            lambda c, k: critic_update(c, k, data),
            (state.generator, state.discriminator),
            jax.random.split(k_d, config.n_critic),
        )
        real, labels = None, None
        if config.unroll_steps or conditional:
            real, labels = real_batch(data, k_real)
        g, g_metrics = update.g_update(
            g_def, g, g_tx, loss, d_def, d, noise(k_z),
            unroll=config.unroll_steps, d_tx=d_tx, real=real, labels=labels,
        )  # fmt: skip
        d_metrics = jax.tree.map(lambda m: m[-1], d_metrics)  # the last critic update's
        state = TrainState(g, d, state.step + 1, state.key)
        return state, {**d_metrics, **g_metrics}

    return step, g_tx, d_tx


def _check_models(generator, discriminator, sampler, batch_size: int) -> bool:
    """Check the pair against the data before anything compiles; returns whether the pair is
    class-conditional (the generator has ``n_classes``)."""
    for name, model in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(model, nnx.Module):
            _checks.fail(name, type(model).__name__, "a Flax NNX module (e.g. from models.mlp_gan)")
    # A packed discriminator (models.Packed) scores packs of m samples: B samples -> B/m logits.
    m = getattr(discriminator, "packing", 1)
    if batch_size % m:
        _checks.fail("batch_size", batch_size,
                     f"a multiple of the discriminator's packing m = {m}")  # fmt: skip
    latent_dim = getattr(generator, "latent_dim", None)
    if not _checks.is_integer(latent_dim) or latent_dim < 1:
        raise ValueError(
            "generator must have a positive integer attribute latent_dim (the size of z), "
            f"got {type(generator).__name__} with latent_dim={latent_dim!r}"
        )
    n_classes = getattr(generator, "n_classes", None)
    labels = () if n_classes is None else (jax.ShapeDtypeStruct((2,), jnp.int32),)
    if n_classes is not None:
        if not callable(getattr(sampler, "sample_labeled", None)) or (
            getattr(sampler, "n_classes", n_classes) is None
        ):
            _checks.fail("data", type(sampler).__name__,
                         "labelled data (a sampler with sample_labeled(key, n), e.g. "
                         "ganlab.data.ring() or data.from_array(x, labels=y)) for a "
                         "conditional generator")  # fmt: skip
        if getattr(sampler, "n_classes", n_classes) != n_classes:
            _checks.fail("data", f"{sampler.n_classes} classes",
                         f"labelled with the generator's {n_classes} classes")  # fmt: skip
        if getattr(discriminator, "n_classes", None) != n_classes:
            allowed = f"a conditional discriminator of the generator's {n_classes} classes"
            _checks.fail("discriminator", type(discriminator).__name__, allowed)
    real = jax.eval_shape(lambda: sampler.sample(jax.random.PRNGKey(0), 2))
    try:
        z = jax.ShapeDtypeStruct((2, latent_dim), jnp.float32)
        fake = jax.eval_shape(generator, z, *labels)
    except ValueError as e:
        raise ValueError(f"generator rejected z of shape (batch, {latent_dim}): {e}") from None
    if tuple(fake.shape[1:]) != tuple(real.shape[1:]):
        raise ValueError(
            f"data and generator disagree: data samples have shape (batch, "
            f"{', '.join(map(str, real.shape[1:]))}) but the generator makes "
            f"{tuple(fake.shape)} from a batch of 2"
        )
    real = jax.ShapeDtypeStruct((2 * m,) + tuple(real.shape[1:]), real.dtype)
    try:
        out = jax.eval_shape(
            discriminator, real, *(labels and (jax.ShapeDtypeStruct((2 * m,), jnp.int32),))
        )
    except ValueError as e:
        raise ValueError(f"discriminator rejected data of shape {tuple(real.shape)}: {e}") from None
    if tuple(out.shape) != (2,):
        raise ValueError(
            f"discriminator must return logits of shape (batch / packing,), got "
            f"{tuple(out.shape)} for a batch of {2 * m} with packing {m}"
        )
    return n_classes is not None


def _data_parallel(config: Config, discriminator, n_seeds: int):
    """``(mesh, split_batch)``: the device mesh for this machine's devices, or None to run
    unsharded, and whether each batch (rather than the seed axis) is split over it.

    One device: no mesh. Several (GPUs, TPU cores, hosts under ``jax.distributed``, or CPU
    devices forced with ``XLA_FLAGS=--xla_force_host_platform_device_count=N``): a 1-D mesh
    ``("data",)`` over all of them. Seeds that divide evenly are put on devices whole; a single
    run splits each sampled batch over the mesh (when the batch, in packs, divides evenly) and
    XLA inserts the gradient all-reduce. Otherwise it runs unsharded.
    """
    devices = jax.devices()
    n = len(devices)
    mesh = jax.sharding.Mesh(np.array(devices), ("data",)) if n > 1 else None
    if mesh is None:
        return None, False
    if n_seeds % n == 0:
        return mesh, False
    if n_seeds == 1 and config.batch_size % (n * getattr(discriminator, "packing", 1)) == 0:
        return mesh, True
    return None, False


def _program_config(config: Config) -> Config:
    """``config`` with the fields that do not enter the compiled step set to defaults, so that
    runs differing only in them share one compiled program."""
    steps = config.steps if config.lr_schedule != "constant" else 0  # the decay horizon
    return config.replace(
        steps=steps, seed=0, eval_every=0, progress=True, steps_per_call=None,
        stop_on_divergence=True,
    )  # fmt: skip


@functools.lru_cache(maxsize=64)
def _programs(
    g_def, d_def, latent_dim: int, config: Config, mesh, split_batch: bool, s: int,
    conditional: bool,
):  # fmt: skip
    """The jitted single step and fused ``n``-step call over the seed axis (of size ``s``), with
    the players' optimizers.

    Every seed count is one program over the seed axis; for one seed it indexes the axis away
    rather than ``vmap`` over it, which measured faster for the convolutional nets and is the
    same arithmetic.

    Cached by everything that determines the program, so a second ``Trainer`` of the same
    models and settings (another seed, say) reuses the compiled code instead of recompiling.
    """
    shard = lambda x: x  # noqa: E731
    if split_batch:
        batch = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
        shard = lambda x: jax.lax.with_sharding_constraint(x, batch)  # noqa: E731
    one_run, g_tx, d_tx = _make_step(g_def, d_def, latent_dim, config, shard, conditional)
    if s == 1:

        def step(state, data):
            state, metrics = one_run(jax.tree.map(lambda x: x[0], state), data)
            return jax.tree.map(lambda x: x[None], (state, metrics))

    else:
        step = jax.vmap(one_run, in_axes=(0, None))

    def many(state, data, n):
        return jax.lax.scan(lambda s, _: step(s, data), state, None, length=n)

    options = nn.compiler_options()  # on CPU: convolutions by Eigen, not YNNPACK (measured)
    one = jax.jit(step, donate_argnums=0, compiler_options=options)
    many = jax.jit(many, static_argnums=2, donate_argnums=0, compiler_options=options)
    return one, many, g_tx, d_tx


def _check_path(path) -> None:
    if not isinstance(path, str | os.PathLike):
        _checks.fail("path", type(path).__name__, "a folder path (a str or pathlib.Path)")


def _check_config(config) -> Config:
    if config is None:
        return Config()
    if not isinstance(config, Config):
        raise ValueError(
            f"config must be a ganlab.train.Config (e.g. Config(steps=500)), got "
            f"{type(config).__name__}; keyword settings go to train(..., steps=500)"
        )
    return config


class Trainer:
    """Trains a generator/discriminator pair (or S seeded copies of it) on a data sampler.

    ``data`` is a :class:`ganlab.update.Sampler` (``ganlab.data.ring()``, ...) or an array of
    training examples ``(N, ...)``. After :meth:`run`, ``trainer.generator`` and
    ``trainer.discriminator`` hold the trained weights and ``trainer.history`` the metrics.
    One run and many seeds are the same machinery: a single run is one seed, ``config.seed``.
    """

    def __init__(self, generator, discriminator, data, config: Config | None = None):
        config = _check_config(config)
        self._setup([(generator, discriminator)], data, config, [config.seed], seeded=False)

    @classmethod
    def from_seeds(
        cls,
        make_models: Callable[[int], tuple[Any, Any]],
        data,
        config: Config | None = None,
        seeds: Sequence[int] = tuple(range(10)),
    ) -> Trainer:
        """S copies, model ``i`` built by ``make_models(seeds[i])`` and trained with key
        ``seeds[i]``, all in one vmapped program."""
        given = seeds
        try:
            seeds = list(seeds)
        except TypeError:
            seeds = []
        if not seeds:
            _checks.fail("seeds", given, "a non-empty list of integers >= 0")
        seeds = [_checks.integer(f"seeds[{i}]", s, minimum=0) for i, s in enumerate(seeds)]
        _checks.function("make_models", make_models, "seed -> (generator, discriminator)")
        self = cls.__new__(cls)
        config = _check_config(config)
        pairs = [make_models(s) for s in seeds]
        for s, pair in zip(seeds, pairs, strict=True):
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                _checks.fail(f"make_models({s})", type(pair).__name__,
                             "a pair (generator, discriminator)")  # fmt: skip
        self._setup(pairs, data, config, seeds, seeded=True)
        return self

    def _setup(self, pairs, data, config: Config, seeds: list[int], seeded: bool):
        self.config = config
        self.data = gdata.as_sampler("data", data)
        self.seeds = seeds
        self.seeded = seeded
        g0, d0 = pairs[0]
        self.conditional = _check_models(g0, d0, self.data, config.batch_size)
        if config.gan_loss.aux_weight and not (
            self.conditional
            and callable(getattr(d0, "score_and_classify", None))
            and getattr(d0, "conditioning", "acgan") == "acgan"
        ):
            _checks.fail("discriminator", type(d0).__name__,
                         "a conditional discriminator that classifies (conditioning='acgan') "
                         "for a loss with aux_weight > 0")  # fmt: skip
        self._generators = [g for g, _ in pairs]
        self._discriminators = [d for _, d in pairs]
        self.mesh, split_batch = _data_parallel(config, d0, len(seeds))
        self._g_def, self._d_def = nnx.graphdef(g0), nnx.graphdef(d0)
        self._step, self._many, g_tx, d_tx = _programs(
            self._g_def, self._d_def, g0.latent_dim, _program_config(config),
            self.mesh, split_batch, len(seeds), self.conditional,
        )  # fmt: skip
        loss = config.gan_loss

        def init(g, d, seed):
            _, g_state = update.player(g, g_tx)
            _, d_state = update.player(d, d_tx, loss)  # a clipped critic starts in its box
            return TrainState(g_state, d_state, jnp.zeros((), jnp.int32), jax.random.PRNGKey(seed))

        states = [init(g, d, s) for (g, d), s in zip(pairs, seeds, strict=True)]
        self.state = jax.tree.map(lambda *xs: jnp.stack(xs), *states)
        if self.mesh is not None:
            from jax.sharding import NamedSharding, PartitionSpec

            # Seeds on devices, or (one run) the whole state on every device with the batches
            # sampled inside the step split (see _data_parallel).
            spec = PartitionSpec() if split_batch else PartitionSpec("data")
            self.state = jax.device_put(self.state, NamedSharding(self.mesh, spec))
            self.data = jax.device_put(self.data, NamedSharding(self.mesh, PartitionSpec()))
        fuse = getattr(g0, "fuse_steps", False) and getattr(d0, "fuse_steps", False)
        self.steps_per_call = config.steps_per_call or (FUSED_STEPS if fuse else 1)
        self.history = History(seeded)
        self._sync()

    # --- running ---------------------------------------------------------------------------

    @property
    def step(self) -> int:
        """Generator updates done so far."""
        return int(np.asarray(self.state.step)[0])

    def run(
        self, steps: int | None = None, eval_fn: Callable | None = None, *, live: Any = None
    ) -> History:
        """Train ``steps`` more steps (default ``config.steps``); returns the history.

        ``eval_fn(generator, discriminator) -> dict`` is called every ``config.eval_every``
        steps (and at step 0 of a fresh run) with the current models — lists of models for a
        seeded trainer — and its results are appended to ``history["eval"]`` with the step.

        ``live``: ``True`` or a :class:`ganlab.plot.LiveView` shows the samples and the losses
        while training, redrawn in place in JupyterLab and drawn once at the end headless.
        """
        steps = self.config.steps if steps is None else _checks.integer("steps", steps, minimum=0)
        if eval_fn is not None:
            _checks.function("eval_fn", eval_fn, "(generator, discriminator) -> dict")
        view = None
        if live is not None and live is not False:
            from ganlab.plot.live import live_view

            view = live_view(live)
        every = self.config.eval_every
        if eval_fn is not None and every and self.step == 0:
            self._evaluate(eval_fn)
        start, end = self.step, self.step + steps
        # Fused calls of k steps; evaluation points (and a live view's redraws) must fall on
        # call boundaries, and a remainder shorter than k runs as single steps (no
        # recompilation for odd lengths).
        k = math.gcd(self.steps_per_call, every) if (eval_fn and every) else self.steps_per_call
        if view is not None:
            if view.redraws:
                k = math.gcd(k, view.every)
            view.start(self, end)
        try:
            self._loop(start, end, k, eval_fn, every, view)
        except BaseException:
            if view is not None:
                with contextlib.suppress(Exception):  # the error, not the picture, is the news
                    view.finish()
            raise
        if view is not None:
            view.finish()
        return self.history

    def _loop(self, start: int, end: int, k: int, eval_fn, every: int, view) -> None:
        steps = end - start
        with tqdm(total=steps, disable=not self.config.progress, leave=False) as bar:
            t = start
            while t < end:
                if k > 1 and t % k == 0 and end - t >= k:
                    n = k
                    self.state, metrics = self._many(self.state, self.data, k)  # (n, S)
                else:
                    n = 1
                    self.state, metrics = self._step(self.state, self.data)  # (S,)
                    metrics = jax.tree.map(lambda m: m[None], metrics)
                # Waiting for each call keeps at most one call queued (and the host in step).
                metrics = {name: np.asarray(m).T for name, m in metrics.items()}  # (S, n)
                self.history.extend(np.arange(t + 1, t + n + 1), metrics)
                if self.config.stop_on_divergence:
                    error = divergence(metrics, t + 1, self.config, self.seeds)
                    if error is not None:
                        self._sync()
                        raise error
                t += n
                bar.update(n)
                bar.set_postfix(
                    d_loss=f"{float(np.mean(metrics['d_loss'])):.3f}",
                    g_loss=f"{float(np.mean(metrics['g_loss'])):.3f}",
                )
                if eval_fn is not None and every and t % every == 0:
                    self._evaluate(eval_fn)
                if view is not None and t % view.every == 0:
                    view.step(t)
        self._sync()

    def _evaluate(self, eval_fn: Callable) -> None:
        self._sync()
        if self.seeded:
            result = eval_fn(self._generators, self._discriminators)
        else:
            result = eval_fn(self.generator, self.discriminator)
        if not isinstance(result, Mapping):
            raise ValueError(
                f"eval_fn must return a dict of results (e.g. {{'w1': 0.3}}), got "
                f"{type(result).__name__} at step {self.step}"
            )
        self.history.eval.append({"step": self.step, **dict(result)})

    def _sync(self) -> None:
        """Write the trained state into the NNX modules (as copies: the state is donated)."""
        for i, (g, d) in enumerate(zip(self._generators, self._discriminators, strict=True)):
            players = (self.state.generator, self.state.discriminator)
            g_state, d_state = jax.tree.map(lambda x, i=i: x[i], players)
            update.write_back(g, g_state)
            update.write_back(d, d_state)

    # --- models and samples -----------------------------------------------------------------

    @property
    def generator(self):
        """The trained generator (the first seed's for a seeded trainer)."""
        return self._generators[0]

    @property
    def discriminator(self):
        return self._discriminators[0]

    @property
    def generators(self) -> list:
        return list(self._generators)

    @property
    def discriminators(self) -> list:
        return list(self._discriminators)

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """``n`` generated samples ``(n, ...)``, or ``(S, n, ...)`` for a seeded trainer
        (every seed gets the same latents, so seeds are compared on equal noise)."""
        key, n = _checks.key("key", key), _checks.integer("n", n, minimum=1)
        if not hasattr(self, "_sample"):
            g_def = self._g_def

            def sample(g: Player, key, n):
                return nnx.merge(g_def, g.params, g.rest).sample(key, n)

            self._sample = jax.jit(jax.vmap(sample, in_axes=(0, None, None)), static_argnums=2)
        out = self._sample(self.state.generator, key, n)
        return out if self.seeded else out[0]

    # --- checkpoints -------------------------------------------------------------------------

    def _meta(self) -> dict[str, Any]:
        config = dataclasses.asdict(self.config)
        if isinstance(self.config.loss, losses.GANLoss):
            config["loss"] = self.config.loss.name
        return {"config": {k: (list(v) if isinstance(v, tuple) else v)
                           for k, v in config.items()},
                "seeds": self.seeds, "seeded": self.seeded}  # fmt: skip

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Save the full training state (parameters by name, optimizer moments, step, keys)
        and the whole history, evaluations included, to directory ``path``.

        The new checkpoint is written completely beside ``path`` and then swapped in, so a
        failed save (a full disk, say) leaves an earlier checkpoint at ``path`` as it was."""
        from ganlab import checkpoint

        _check_path(path)
        history = {"step": self.history.step, **self.history.metrics}
        return checkpoint.save(path, self.state, history=history, evals=self.history.eval,
                               meta=self._meta())  # fmt: skip

    def restore(self, path: str | pathlib.Path) -> Trainer:
        """Load a checkpoint written by :meth:`save` into this trainer and its models.

        Everything is checked first (the seeds, every parameter's name and shape, the history):
        a checkpoint that does not fit, or is damaged, raises ``ValueError`` and leaves this
        trainer exactly as it was."""
        from ganlab import checkpoint

        _check_path(path)
        meta = checkpoint.read_meta(path)
        if meta.get("seeds") != self.seeds:
            raise ValueError(
                f"the checkpoint at {path} holds seeds {meta.get('seeds')}; this trainer has "
                f"{self.seeds}: build the trainer with the same models and seeds as the saved run"
            )
        saved = checkpoint.load(path, like=self.state)
        history = History(self.seeded)
        history.step = np.asarray(saved.history.get("step", np.zeros((0,), np.int64)))
        history.metrics = {k: np.asarray(v) for k, v in saved.history.items() if k != "step"}
        history.eval = list(saved.evals)
        done = int(np.asarray(saved.state.step)[0])
        shapes = {k: v.shape for k, v in history.metrics.items()}
        if history.step.shape != (done,) or any(
            s != (len(self.seeds), done) for s in shapes.values()
        ):
            raise ValueError(
                f"the checkpoint at {path} is inconsistent: its state is at step {done} but its "
                f"history holds steps of shape {history.step.shape} and metrics {shapes}"
            )
        state = jax.tree.map(jnp.asarray, saved.state)
        if self.mesh is not None:
            state = jax.device_put(state, jax.tree.map(lambda x: x.sharding, self.state))
        self.state, self.history = state, history
        self._sync()
        return self


class TrainResult(NamedTuple):
    generator: Any
    discriminator: Any
    history: dict[str, Any]
    trainer: Trainer


class SeedsResult(NamedTuple):
    generators: list
    discriminators: list
    history: dict[str, Any]  # each metric has shape (S, steps)
    trainer: Trainer


def train(
    generator,
    discriminator,
    data,
    config: Config | None = None,
    *,
    eval_fn: Callable | None = None,
    live: Any = None,
    **overrides,
) -> TrainResult:
    """Train ``generator`` and ``discriminator`` (in place) on ``data``.

    ``config`` fields may also be given as keywords: ``train(g, d, ring(), loss="hinge")``.
    Returns the trained models, the history (``"step"`` and one array per metric: ``d_loss``,
    ``g_loss``, ``penalty``, ``d_real``, ``d_fake``, ``d_grad_norm``, ``g_grad_norm``; plus the
    list ``"eval"``) and the :class:`Trainer`, which can continue, sample and save.
    ``live=True`` (or a :class:`ganlab.plot.LiveView`) shows the run as it trains.
    """
    config = _check_config(config).replace(**overrides)
    trainer = Trainer(generator, discriminator, data, config)
    trainer.run(eval_fn=eval_fn, live=live)
    return TrainResult(trainer.generator, trainer.discriminator, trainer.history, trainer)


def train_seeds(
    make_models: Callable[[int], tuple[Any, Any]],
    data,
    config: Config | None = None,
    seeds: Sequence[int] = tuple(range(10)),
    *,
    eval_fn: Callable | None = None,
    live: Any = None,
    **overrides,
) -> SeedsResult:
    """Train one pair per seed, all in one vmapped program.

    ``make_models(seed) -> (generator, discriminator)`` builds each pair (for example
    ``lambda s: ganlab.models.mlp_gan(seed=s)``); seed ``s`` also keys that pair's training.
    """
    config = _check_config(config).replace(**overrides)
    trainer = Trainer.from_seeds(make_models, data, config, seeds)
    trainer.run(eval_fn=eval_fn, live=live)
    return SeedsResult(trainer.generators, trainer.discriminators, trainer.history, trainer)
