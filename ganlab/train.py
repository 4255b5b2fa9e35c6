"""Training: one flat config, one jit-compiled step, many steps per call, many seeds at once.

The pieces, from the inside out:

* :class:`Config` — every knob, with its default and the reason for it;
* the **step** — one compiled function that does ``n_critic`` discriminator updates and one
  generator update (Goodfellow et al. 2014, Algorithm 1), sampling real data and noise inside
  the compiled region from a key derived from ``(seed, step)``;
* a **call** runs ``steps_per_call`` steps: fused with ``lax.scan`` for models that measured
  faster that way (small MLPs), one donated jit call per step otherwise (conv nets on CPU);
* :class:`Trainer` drives calls with a progress bar, records a history of metrics, evaluates
  every ``eval_every`` steps, and saves/restores checkpoints (Orbax);
* :func:`train` and :func:`train_seeds` are the one-line entry points used by the lessons;
  ``train_seeds`` trains S independently initialised copies in one ``vmap``-ped program.

The models stay ordinary Flax NNX modules: the trainer splits them into a graph definition and
pure state, trains the state, and writes the result back into the modules.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import pathlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from tqdm.auto import tqdm

from ganlab import data as gdata
from ganlab import losses

OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine", "linear")
FUSED_STEPS = 50  # steps per lax.scan call for models with fuse_steps = True


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything a training run needs besides the models and the data.

    Override by keyword (``Config(loss="wgan-gp", n_critic=5)``) or with :meth:`replace`.
    Invalid values raise ``ValueError`` here, before anything is compiled.
    """

    loss: str = "nonsaturating"  # one of losses.PAIRS: the practical default of Goodfellow et al.
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
    clip: float = 0.01  # weight-clipping bound c, used only by loss="wgan-clip"
    gp_weight: float = 10.0  # gradient-penalty lambda, used only by loss="wgan-gp"
    r1_weight: float = 0.0  # gamma: adds gamma/2 * E||grad D(x_real)||^2 to D's loss
    r2_weight: float = 0.0  # the same on generated samples
    unroll_steps: int = 0  # unrolled GAN: G's loss looks through k differentiable D updates
    steps_per_call: int | None = None  # None: 50 fused steps for MLPs, 1 for conv nets
    eval_every: int = 0  # call eval_fn every this many steps (0: never)
    progress: bool = True  # show a progress bar

    def __post_init__(self):
        if self.loss not in losses.PAIRS:
            raise ValueError(f"loss must be one of {sorted(losses.PAIRS)}, got {self.loss!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.lr_schedule not in SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {SCHEDULES}, got {self.lr_schedule!r}")
        _check_int("steps", self.steps, minimum=0)
        _check_int("batch_size", self.batch_size, minimum=1)
        _check_int("n_critic", self.n_critic, minimum=1)
        _check_int("eval_every", self.eval_every, minimum=0)
        _check_int("seed", self.seed, minimum=0)
        _check_int("unroll_steps", self.unroll_steps, minimum=0)
        if self.steps_per_call is not None:
            _check_int("steps_per_call", self.steps_per_call, minimum=1)
        for name in ("g_lr", "d_lr", "clip"):
            _check_positive(name, getattr(self, name))
        for name in ("gp_weight", "r1_weight", "r2_weight"):
            value = getattr(self, name)
            if not _is_real(value) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        for name in ("g_betas", "d_betas"):
            betas = getattr(self, name)
            ok = isinstance(betas, tuple | list) and len(betas) == 2
            if not ok or not all(_is_real(b) and 0 <= b < 1 for b in betas):
                raise ValueError(f"{name} must be two numbers in [0, 1), got {betas!r}")

    def replace(self, **changes) -> Config:
        """A copy with ``changes`` applied (and validated)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown Config fields {sorted(unknown)}")
        return dataclasses.replace(self, **changes)


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
    "least squares": dict(loss="lsgan", g_lr=1e-4, d_lr=1e-3),
}


def _is_real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_positive(name: str, value: object) -> None:
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def _optimizer(config: Config, who: str) -> optax.GradientTransformation:
    """The optimizer of one player. A decaying schedule counts that player's own updates: the
    discriminator makes ``n_critic`` of them per step, so its horizon is ``n_critic * steps``."""
    lr = getattr(config, f"{who}_lr")
    horizon = max(1, config.steps * (config.n_critic if who == "d" else 1))
    if config.lr_schedule == "cosine":
        lr = optax.cosine_decay_schedule(lr, horizon)
    elif config.lr_schedule == "linear":
        lr = optax.linear_schedule(lr, 0.0, horizon)
    if config.optimizer == "adam":
        b1, b2 = getattr(config, f"{who}_betas")
        return optax.adam(lr, b1=b1, b2=b2)
    if config.optimizer == "rmsprop":
        return optax.rmsprop(lr, decay=0.99, eps=1e-8)  # PyTorch's defaults
    return optax.sgd(lr)


class TrainState(NamedTuple):
    """Everything that changes during training, as one pytree (what a checkpoint holds)."""

    g_params: nnx.State
    g_rest: nnx.State  # non-parameter state (e.g. batch statistics); empty for our models
    d_params: nnx.State
    d_rest: nnx.State
    g_opt: optax.OptState
    d_opt: optax.OptState
    step: jax.Array  # () int32: generator updates done
    key: jax.Array  # the run's base key; step t uses fold_in(key, t)


def _make_step(g_def, d_def, latent_dim: int, config: Config, shard=lambda x: x):
    """Build ``step(state, data) -> (state, metrics)``: n_critic D updates, then one G update.

    ``shard`` is applied to every batch sampled inside the step: the identity on one device, a
    sharding constraint over the devices' batch axis for data-parallel training."""
    d_loss_fn, g_loss_fn = losses.PAIRS[config.loss]
    g_tx, d_tx = _optimizer(config, "g"), _optimizer(config, "d")
    batch = config.batch_size

    def generate(g_params, g_rest, z):
        g = nnx.merge(g_def, g_params, g_rest)
        return g(z), nnx.state(g, nnx.Not(nnx.Param))

    def critic_update(carry, key, data):
        d_params, d_rest, d_opt, g_params, g_rest = carry
        k_real, k_z, k_pen = jax.random.split(key, 3)
        real = shard(data.sample(k_real, batch))
        z = shard(jax.random.normal(k_z, (batch, latent_dim)))
        fake, g_rest = generate(g_params, g_rest, z)
        fake = jax.lax.stop_gradient(fake)  # D's update must not reach into G

        def loss_fn(d_params):
            d = nnx.merge(d_def, d_params, d_rest)
            real_out, fake_out = d(real), d(fake)
            loss = d_loss_fn(real_out, fake_out)
            penalty = jnp.zeros(())
            if config.loss == "wgan-gp":
                penalty += config.gp_weight * losses.gradient_penalty(d, real, fake, k_pen)
            if config.r1_weight:
                penalty += 0.5 * config.r1_weight * losses.r1_penalty(d, real)
            if config.r2_weight:
                penalty += 0.5 * config.r2_weight * losses.r2_penalty(d, fake)
            aux = (loss, penalty, jnp.mean(real_out), jnp.mean(fake_out))
            return loss + penalty, (aux, nnx.state(d, nnx.Not(nnx.Param)))

        (_, (aux, d_rest)), grads = jax.value_and_grad(loss_fn, has_aux=True)(d_params)
        updates, d_opt = d_tx.update(grads, d_opt, d_params)
        d_params = optax.apply_updates(d_params, updates)
        if config.loss == "wgan-clip":
            d_params = losses.clip_weights(d_params, config.clip)
        loss, penalty, real_mean, fake_mean = aux
        metrics = {
            "d_loss": loss,
            "penalty": penalty,
            "d_real": real_mean,  # mean D output (logit / critic score) on real data
            "d_fake": fake_mean,  # ... and on generated data
            "d_grad_norm": optax.tree.norm(grads),
        }
        return (d_params, d_rest, d_opt, g_params, g_rest), metrics

    def d_loss_of(d_params, d_rest, real, fake):
        d = nnx.merge(d_def, d_params, d_rest)
        return d_loss_fn(d(real), d(fake))

    def unrolled(d_params, d_rest, d_opt, real, fake):
        """D's parameters after ``unroll_steps`` differentiable updates against ``fake``
        (Metz et al. 2017, https://arxiv.org/abs/1611.02163, eq. 5): G's gradient then sees how
        D would respond to it. Same real and fake batch at every unrolled step, as in the paper."""

        def one(carry, _):
            params, opt = carry
            grads = jax.grad(d_loss_of)(params, d_rest, real, fake)
            updates, opt = d_tx.update(grads, opt, params)
            return (optax.apply_updates(params, updates), opt), None

        (d_params, _), _ = jax.lax.scan(one, (d_params, d_opt), None, length=config.unroll_steps)
        return d_params

    def generator_update(state: TrainState, key, data):
        k_z, k_real = jax.random.split(key)
        z = shard(jax.random.normal(k_z, (batch, latent_dim)))
        real = shard(data.sample(k_real, batch)) if config.unroll_steps else None

        def loss_fn(g_params):
            fake, g_rest = generate(g_params, state.g_rest, z)
            d_params = state.d_params
            if config.unroll_steps:
                d_params = unrolled(d_params, state.d_rest, state.d_opt, real, fake)
            d = nnx.merge(d_def, d_params, state.d_rest)
            return g_loss_fn(d(fake)), g_rest

        (loss, g_rest), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.g_params)
        updates, g_opt = g_tx.update(grads, state.g_opt, state.g_params)
        g_params = optax.apply_updates(state.g_params, updates)
        metrics = {"g_loss": loss, "g_grad_norm": optax.tree.norm(grads)}
        return g_params, g_rest, g_opt, metrics

    def step(state: TrainState, data) -> tuple[TrainState, dict[str, jax.Array]]:
        # `data` is a jit *argument*, so a dataset is not baked into the program as a constant.
        key = jax.random.fold_in(state.key, state.step)
        k_d, k_g = jax.random.split(key)
        carry = (state.d_params, state.d_rest, state.d_opt, state.g_params, state.g_rest)
        carry, d_metrics = jax.lax.scan(
            lambda c, k: critic_update(c, k, data), carry, jax.random.split(k_d, config.n_critic)
        )
        d_params, d_rest, d_opt, _, g_rest = carry
        state = state._replace(d_params=d_params, d_rest=d_rest, d_opt=d_opt, g_rest=g_rest)
        g_params, g_rest, g_opt, g_metrics = generator_update(state, k_g, data)
        state = state._replace(g_params=g_params, g_rest=g_rest, g_opt=g_opt, step=state.step + 1)
        d_metrics = jax.tree.map(lambda m: m[-1], d_metrics)  # the last critic update's
        return state, {**d_metrics, **g_metrics}

    return step, g_tx, d_tx


def _as_sampler(data):
    if hasattr(data, "sample"):
        return data
    if isinstance(data, np.ndarray | jax.Array):
        return gdata.from_array(data)
    raise ValueError(
        "data must be a sampler with a sample(key, n) method (e.g. ganlab.data.ring()) or an "
        f"array of training examples (N, ...), got {type(data).__name__}"
    )


def _check_models(generator, discriminator, sampler, batch_size: int) -> None:
    # A packed discriminator (models.Packed) scores packs of m samples: B samples -> B/m logits.
    m = getattr(discriminator, "packing", 1)
    if batch_size % m:
        raise ValueError(
            f"batch_size must be a multiple of the discriminator's packing m = {m}, "
            f"got {batch_size}"
        )
    latent_dim = getattr(generator, "latent_dim", None)
    if not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(
            "generator must have a positive integer attribute latent_dim (the size of z), "
            f"got {type(generator).__name__} with latent_dim={latent_dim!r}"
        )
    real = jax.eval_shape(lambda: sampler.sample(jax.random.PRNGKey(0), 2))
    try:
        fake = jax.eval_shape(generator, jax.ShapeDtypeStruct((2, latent_dim), jnp.float32))
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
        out = jax.eval_shape(discriminator, real)
    except ValueError as e:
        raise ValueError(f"discriminator rejected data of shape {tuple(real.shape)}: {e}") from None
    if tuple(out.shape) != (2,):
        raise ValueError(
            f"discriminator must return logits of shape (batch / packing,), got "
            f"{tuple(out.shape)} for a batch of {2 * m} with packing {m}"
        )


def _data_parallel(config: Config, discriminator, seeds):
    """The device mesh for this machine's devices, or None to run unsharded.

    One device: no mesh. Several (GPUs, TPU cores, hosts under ``jax.distributed``, or CPU
    devices forced with ``XLA_FLAGS=--xla_force_host_platform_device_count=N``): a 1-D mesh
    ``("data",)`` over all of them. A single run splits each sampled batch over the mesh (when
    the batch, in packs, divides evenly) and XLA inserts the gradient all-reduce; a seeded run
    puts whole seeds on devices (when the seeds divide evenly). Otherwise it runs unsharded.
    """
    devices = jax.devices()
    n = len(devices)
    if n == 1:
        return None
    m = getattr(discriminator, "packing", 1)
    if seeds is None and config.batch_size % (n * m) != 0:
        return None
    if seeds is not None and len(seeds) % n != 0:
        return None
    return jax.sharding.Mesh(np.array(devices), ("data",))


def _program_config(config: Config) -> Config:
    """``config`` with the fields that do not enter the compiled step set to defaults, so that
    runs differing only in them share one compiled program."""
    steps = config.steps if config.lr_schedule != "constant" else 0  # the decay horizon
    return config.replace(steps=steps, seed=0, eval_every=0, progress=True, steps_per_call=None)


@functools.lru_cache(maxsize=64)
def _programs(g_def, d_def, latent_dim: int, config: Config, seeded: bool, mesh):
    """The jitted single step and fused ``n``-step call, with the players' optimizers.

    Cached by everything that determines the program, so a second ``Trainer`` of the same
    models and settings (another seed, say) reuses the compiled code instead of recompiling.
    """
    shard = lambda x: x  # noqa: E731
    if mesh is not None and not seeded:  # vmap over a sharded seed axis partitions by itself
        batch = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
        shard = lambda x: jax.lax.with_sharding_constraint(x, batch)  # noqa: E731
    step, g_tx, d_tx = _make_step(g_def, d_def, latent_dim, config, shard)
    if seeded:
        step = jax.vmap(step, in_axes=(0, None))

    def many(state, data, n):
        return jax.lax.scan(lambda s, _: step(s, data), state, None, length=n)

    one = jax.jit(step, donate_argnums=0)
    return one, jax.jit(many, static_argnums=2, donate_argnums=0), g_tx, d_tx


def _copy(tree):
    return jax.tree.map(jnp.copy, tree)


class Trainer:
    """Trains a generator/discriminator pair (or S seeded copies of it) on a data sampler.

    ``data`` is a sampler with a ``sample(key, n)`` method (``ganlab.data.ring()``, ...) or an
    array of training examples ``(N, ...)``. After :meth:`run`, ``trainer.generator`` and
    ``trainer.discriminator`` hold the trained weights and ``trainer.history`` the metrics.
    """

    def __init__(self, generator, discriminator, data, config: Config | None = None):
        self._setup([(generator, discriminator)], data, config or Config(), seeds=None)

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
        seeds = list(seeds)
        if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
            raise ValueError(f"seeds must be a non-empty list of integers >= 0, got {seeds!r}")
        self = cls.__new__(cls)
        self._setup([make_models(s) for s in seeds], data, config or Config(), seeds=seeds)
        return self

    def _setup(self, pairs, data, config: Config, seeds):
        if not isinstance(config, Config):
            raise ValueError(f"config must be a ganlab.train.Config, got {type(config).__name__}")
        self.config = config
        self.data = _as_sampler(data)
        self.seeds = seeds
        g0, d0 = pairs[0]
        _check_models(g0, d0, self.data, config.batch_size)
        self._generators = [g for g, _ in pairs]
        self._discriminators = [d for _, d in pairs]
        self._g_def = nnx.graphdef(g0)
        self._d_def = nnx.graphdef(d0)
        self.mesh = _data_parallel(config, d0, seeds)
        self._step, self._many, g_tx, d_tx = _programs(
            self._g_def, self._d_def, g0.latent_dim, _program_config(config),
            seeds is not None, self.mesh,
        )  # fmt: skip

        def init(g, d, seed):
            _, g_params, g_rest = nnx.split(g, nnx.Param, ...)
            _, d_params, d_rest = nnx.split(d, nnx.Param, ...)
            g_params, g_rest, d_params, d_rest = _copy((g_params, g_rest, d_params, d_rest))
            return TrainState(
                g_params, g_rest, d_params, d_rest,
                g_tx.init(g_params), d_tx.init(d_params),
                jnp.zeros((), jnp.int32), jax.random.PRNGKey(seed),
            )  # fmt: skip

        if seeds is None:
            self.state = init(g0, d0, config.seed)
        else:
            states = [init(g, d, s) for (g, d), s in zip(pairs, seeds, strict=True)]
            self.state = jax.tree.map(lambda *xs: jnp.stack(xs), *states)
        if self.mesh is not None:
            from jax.sharding import NamedSharding, PartitionSpec

            # Data parallel: every device holds the whole state and dataset; the batches
            # sampled inside the step are split (see _data_parallel). Seeds: each device trains
            # its share of the seeds.
            spec = PartitionSpec() if seeds is None else PartitionSpec("data")
            self.state = jax.device_put(self.state, NamedSharding(self.mesh, spec))
            self.data = jax.device_put(self.data, NamedSharding(self.mesh, PartitionSpec()))

        fuse = getattr(g0, "fuse_steps", False) and getattr(d0, "fuse_steps", False)
        self.steps_per_call = config.steps_per_call or (FUSED_STEPS if fuse else 1)
        self.history: dict[str, Any] = {"step": np.zeros((0,), np.int64), "eval": []}

    # --- running ---------------------------------------------------------------------------

    @property
    def step(self) -> int:
        """Generator updates done so far."""
        return int(np.asarray(self.state.step).reshape(-1)[0])

    def run(self, steps: int | None = None, eval_fn: Callable | None = None) -> dict[str, Any]:
        """Train ``steps`` more steps (default ``config.steps``); returns the history.

        ``eval_fn(generator, discriminator) -> dict`` is called every ``config.eval_every``
        steps (and at step 0 of a fresh run) with the current models — lists of models for a
        seeded trainer — and its results are appended to ``history["eval"]`` with the step.
        """
        steps = self.config.steps if steps is None else steps
        _check_int("steps", steps, minimum=0)
        every = self.config.eval_every
        if eval_fn is not None and every and self.step == 0:
            self._evaluate(eval_fn)
        chunks: list[dict[str, np.ndarray]] = []
        start, end = self.step, self.step + steps
        # Fused calls of k steps; evaluation points must fall on call boundaries, and a
        # remainder shorter than k runs as single steps (no recompilation for odd lengths).
        k = math.gcd(self.steps_per_call, every) if (eval_fn and every) else self.steps_per_call
        with tqdm(total=steps, disable=not self.config.progress, leave=False) as bar:
            t = start
            while t < end:
                if k > 1 and t % k == 0 and end - t >= k:
                    n = k
                    self.state, metrics = self._many(self.state, self.data, k)
                else:
                    n = 1
                    self.state, metrics = self._step(self.state, self.data)
                    metrics = jax.tree.map(lambda m: m[None], metrics)
                # Waiting for each call keeps at most one call queued (and the host in step).
                metrics = {name: np.asarray(m) for name, m in metrics.items()}
                if self.seeds is not None:  # (n, S) -> (S, n)
                    metrics = {name: m.T for name, m in metrics.items()}
                chunks.append(metrics)
                t += n
                bar.update(n)
                bar.set_postfix(
                    d_loss=f"{float(np.mean(metrics['d_loss'])):.3f}",
                    g_loss=f"{float(np.mean(metrics['g_loss'])):.3f}",
                )
                if eval_fn is not None and every and t % every == 0:
                    self._evaluate(eval_fn)
        self._append(chunks, start, end)
        self._sync()
        return self.history

    def _append(self, chunks, start: int, end: int) -> None:
        if not chunks:
            return
        axis = 0 if self.seeds is None else 1
        steps = np.arange(start + 1, end + 1)
        self.history["step"] = np.concatenate([self.history["step"], steps])
        for name in chunks[0]:
            new = np.concatenate([c[name] for c in chunks], axis=axis)
            old = self.history.get(name)
            self.history[name] = new if old is None else np.concatenate([old, new], axis=axis)

    def _evaluate(self, eval_fn: Callable) -> None:
        self._sync()
        if self.seeds is None:
            result = eval_fn(self.generator, self.discriminator)
        else:
            result = eval_fn(self._generators, self._discriminators)
        self.history["eval"].append({"step": self.step, **dict(result)})

    def _sync(self) -> None:
        """Write the trained state into the NNX modules (as copies: the state is donated)."""
        s = self.state
        for i, (g, d) in enumerate(zip(self._generators, self._discriminators, strict=True)):
            pick = (lambda x: x) if self.seeds is None else (lambda x, i=i: x[i])
            parts = jax.tree.map(pick, (s.g_params, s.g_rest, s.d_params, s.d_rest))
            g_params, g_rest, d_params, d_rest = _copy(parts)
            nnx.update(g, g_params, g_rest)
            nnx.update(d, d_params, d_rest)

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
        _check_int("n", n, minimum=1)
        if not hasattr(self, "_sample"):
            g_def = self._g_def

            def sample(g_params, g_rest, key, n):
                return nnx.merge(g_def, g_params, g_rest).sample(key, n)

            if self.seeds is not None:
                sample = jax.vmap(sample, in_axes=(0, 0, None, None))
            self._sample = jax.jit(sample, static_argnums=3)
        return self._sample(self.state.g_params, self.state.g_rest, key, n)

    # --- checkpoints -------------------------------------------------------------------------

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Save the full training state (parameters, optimizer moments, step, key) and the
        history to directory ``path`` (Orbax for the arrays). Overwrites an existing one."""
        import orbax.checkpoint as ocp

        path = pathlib.Path(path).absolute()
        leaves = jax.tree.leaves(self.state)
        tree = {f"leaf_{i:05d}": leaf for i, leaf in enumerate(leaves)}
        with ocp.StandardCheckpointer() as ckptr:
            ckptr.save(path / "state", tree, force=True)
            ckptr.wait_until_finished()
        arrays = {k: v for k, v in self.history.items() if k != "eval"}
        np.savez(path / "history.npz", **arrays)
        meta = {"config": dataclasses.asdict(self.config), "seeds": self.seeds,
                "n_leaves": len(leaves)}  # fmt: skip
        (path / "meta.json").write_text(json.dumps(meta, indent=1))
        return path

    def restore(self, path: str | pathlib.Path) -> Trainer:
        """Load a checkpoint written by :meth:`save` into this trainer (whose models and
        config must match the saved run's) and into its models."""
        import orbax.checkpoint as ocp

        path = pathlib.Path(path).absolute()
        if not (path / "meta.json").exists():
            raise ValueError(f"path must be a directory written by Trainer.save, got {path}")
        meta = json.loads((path / "meta.json").read_text())
        leaves, treedef = jax.tree.flatten(self.state)
        if meta["n_leaves"] != len(leaves) or meta["seeds"] != self.seeds:
            raise ValueError(
                f"checkpoint at {path} holds {meta['n_leaves']} arrays for seeds "
                f"{meta['seeds']}; this trainer has {len(leaves)} for seeds {self.seeds}: "
                "build the trainer with the same models and seeds as the saved run"
            )
        target = {
            f"leaf_{i:05d}": jax.ShapeDtypeStruct(leaf.shape, leaf.dtype)
            for i, leaf in enumerate(leaves)
        }
        with ocp.StandardCheckpointer() as ckptr:
            tree = ckptr.restore(path / "state", target)
        restored = [tree[f"leaf_{i:05d}"] for i in range(len(leaves))]
        self.state = jax.tree.unflatten(treedef, [jnp.asarray(x) for x in restored])
        with np.load(path / "history.npz", allow_pickle=False) as h:
            self.history = {k: h[k] for k in h.files}
        self.history["eval"] = []
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
    **overrides,
) -> TrainResult:
    """Train ``generator`` and ``discriminator`` (in place) on ``data``.

    ``config`` fields may also be given as keywords: ``train(g, d, ring(), loss="hinge")``.
    Returns the trained models, the history (``"step"`` and one array per metric: ``d_loss``,
    ``g_loss``, ``penalty``, ``d_real``, ``d_fake``, ``d_grad_norm``, ``g_grad_norm``; plus the
    list ``"eval"``) and the :class:`Trainer`, which can continue, sample and save.
    """
    config = (config or Config()).replace(**overrides)
    trainer = Trainer(generator, discriminator, data, config)
    trainer.run(eval_fn=eval_fn)
    return TrainResult(trainer.generator, trainer.discriminator, trainer.history, trainer)


def train_seeds(
    make_models: Callable[[int], tuple[Any, Any]],
    data,
    config: Config | None = None,
    seeds: Sequence[int] = tuple(range(10)),
    *,
    eval_fn: Callable | None = None,
    **overrides,
) -> SeedsResult:
    """Train one pair per seed, all in one vmapped program.

    ``make_models(seed) -> (generator, discriminator)`` builds each pair (for example
    ``lambda s: ganlab.models.mlp_gan(seed=s)``); seed ``s`` also keys that pair's training.
    """
    config = (config or Config()).replace(**overrides)
    trainer = Trainer.from_seeds(make_models, data, config, seeds)
    trainer.run(eval_fn=eval_fn)
    return SeedsResult(trainer.generators, trainer.discriminators, trainer.history, trainer)
