"""The update rule, once: one discriminator update, one generator update, their optimizers.

Every trainer in ganlab is built from these pure functions: :class:`ganlab.train.Trainer`
(the full game), :class:`ganlab.wasserstein.CriticTrainer` (a critic between two fixed
samplers), :func:`ganlab.theory.fit_discriminator` and :func:`ganlab.theory.fit_generator`
(one player against a frozen other). They take a model's graph definition and its pure state,
so they compose with ``jax.jit``, ``lax.scan`` and ``vmap``; what D minimises, its penalties
and its clipping all come from one :class:`ganlab.losses.GANLoss`.

A player's state is a :class:`Player`: parameters, the rest of the module's state (e.g. batch
statistics), and the optimizer's state. :func:`player` splits an NNX module into its graph
definition and a fresh ``Player``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol, runtime_checkable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from ganlab import _checks
from ganlab.losses import GANLoss

OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine", "linear")


# --- the contracts ---------------------------------------------------------------------------


@runtime_checkable
class Sampler(Protocol):
    """Anything that draws ``n`` samples ``(n, ...)`` from a key: the distributions of
    :mod:`ganlab.data`, a generator module. To be passed into a compiled step it must also be
    a JAX pytree (ganlab's samplers and NNX modules are)."""

    def sample(self, key: jax.Array, n: int) -> jax.Array: ...


@runtime_checkable
class Generator(Protocol):
    """A generator: ``G(z)`` maps ``(B, latent_dim)`` to samples ``(B, ...)``."""

    latent_dim: int

    def __call__(self, z: jax.Array) -> jax.Array: ...

    def sample(self, key: jax.Array, n: int) -> jax.Array: ...


@runtime_checkable
class Discriminator(Protocol):
    """A discriminator or critic: ``D(x)`` maps ``(B, ...)`` to scores ``(B / packing,)``
    (logits for the BCE losses). ``packing`` (default 1) is how many samples one score sees;
    samples must be treated independently otherwise (no batch normalisation) so that the
    gradient penalties' per-sample gradients are right."""

    def __call__(self, x: jax.Array) -> jax.Array: ...


# --- optimizers --------------------------------------------------------------------------------


def optimizer(
    name: str = "adam",
    lr: float = 1e-4,
    *,
    betas: tuple[float, float] = (0.9, 0.999),
    schedule: str = "constant",
    horizon: int = 1,
) -> optax.GradientTransformation:
    """One player's optimizer.

    Args:
      name: ``"adam"`` (with ``betas``), ``"rmsprop"`` (PyTorch's defaults: decay 0.99,
        eps 1e-8, as the WGAN reference code) or ``"sgd"``.
      lr: the learning rate (a number, or a traced scalar inside a compiled function).
      schedule: ``"constant"``, or ``"cosine"``/``"linear"`` decay to 0 over ``horizon``
        updates of this player (a discriminator with ``n_critic`` updates per generator step
        has ``n_critic`` times the generator's horizon).
    """
    _checks.choice("optimizer", name, OPTIMIZERS)
    _checks.choice("lr_schedule", schedule, SCHEDULES)
    if not isinstance(lr, jax.Array):  # a traced or array rate is the caller's to check
        lr = _checks.positive("lr", lr)
    horizon = _checks.integer("horizon", horizon, minimum=1)
    if schedule == "cosine":
        lr = optax.cosine_decay_schedule(lr, horizon)
    elif schedule == "linear":
        lr = optax.linear_schedule(lr, 0.0, horizon)
    if name == "adam":
        b1, b2 = _checks.pair("betas", betas)
        return optax.adam(lr, b1=b1, b2=b2)
    if name == "rmsprop":
        return optax.rmsprop(lr, decay=0.99, eps=1e-8)
    return optax.sgd(lr)


# --- players -----------------------------------------------------------------------------------


class Player(NamedTuple):
    """The trained state of one player, a pytree."""

    params: nnx.State
    rest: nnx.State  # non-parameter state (e.g. batch statistics); empty for ganlab's models
    opt: optax.OptState


def player(
    model: nnx.Module, tx: optax.GradientTransformation, loss: GANLoss | None = None
) -> tuple[Any, Player]:
    """``(graphdef, Player)`` for ``model``: copies of its state and a fresh optimizer state.

    With a ``loss``, the parameters start inside its constraint (a WGAN critic's weights are
    clipped before the first update, as in the reference code)."""
    if not isinstance(model, nnx.Module):
        _checks.fail("model", type(model).__name__, "a Flax NNX module")
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    params, rest = jax.tree.map(jnp.copy, (params, rest))
    if loss is not None:
        params = loss.constrain(params)
    return graphdef, Player(params, rest, tx.init(params))


def write_back(model: nnx.Module, state: Player) -> None:
    """Write a player's parameters and state into ``model`` (as copies, so a donated training
    state can be reused)."""
    params, rest = jax.tree.map(jnp.copy, (state.params, state.rest))
    nnx.update(model, params, rest)


def generate(g_def, g: Player, z: jax.Array, labels=None) -> tuple[jax.Array, Player]:
    """``G(z)`` (``G(z, labels)`` for a conditional generator) and the generator's state after
    the call (its ``rest`` may change)."""
    model = nnx.merge(g_def, g.params, g.rest)
    x = model(z) if labels is None else model(z, labels)
    return x, g._replace(rest=nnx.state(model, nnx.Not(nnx.Param)))


def _scorer(model, labels):
    """``x -> D(x)``, or ``x -> D(x, labels)`` for a conditional discriminator: what the
    losses and the penalties (gradients with respect to ``x``) see."""
    return model if labels is None else (lambda x: model(x, labels))


# --- the two updates ---------------------------------------------------------------------------


def d_update(
    d_def,
    d: Player,
    tx: optax.GradientTransformation,
    loss: GANLoss,
    real: jax.Array,
    fake: jax.Array,
    key: jax.Array,
    labels: jax.Array | None = None,
) -> tuple[Player, dict[str, jax.Array]]:
    """One discriminator (or critic) update on ``loss.d_loss`` plus its penalties, then its
    constraint. With ``labels``, D is conditional: it scores ``D(x, labels)`` for the real and
    the generated batch alike (both made for the same labels).

    ``fake`` is a batch of generated samples; no gradient reaches whatever made them. ``key``
    draws the penalty's random points. Returns the new state and the metrics ``d_loss``
    (without the penalty), ``penalty``, ``d_real`` and ``d_fake`` (D's mean output on each
    batch) and ``d_grad_norm``; with ``loss.aux_weight`` (AC-GAN) D also minimises its
    weighted classification loss on both batches, reported as ``d_class``.
    """
    fake = jax.lax.stop_gradient(fake)

    def objective(params):
        model = nnx.merge(d_def, params, d.rest)
        score = _scorer(model, labels)
        classes = jnp.zeros(())
        if loss.aux_weight:  # AC-GAN: D also classifies both batches as the labels say
            real_out, real_cls = model.score_and_classify(real, labels)
            fake_out, fake_cls = model.score_and_classify(fake, labels)
            classes = loss.classification(real_cls, labels) + loss.classification(fake_cls, labels)
        else:
            real_out, fake_out = score(real), score(fake)
        value = loss.d_loss(real_out, fake_out)
        penalty = loss.penalty(score, real, fake, key)
        aux = (value, penalty, classes, jnp.mean(real_out), jnp.mean(fake_out))
        return value + penalty + classes, (aux, nnx.state(model, nnx.Not(nnx.Param)))

    (_, (aux, rest)), grads = jax.value_and_grad(objective, has_aux=True)(d.params)
    updates, opt = tx.update(grads, d.opt, d.params)
    params = loss.constrain(optax.apply_updates(d.params, updates))
    value, penalty, classes, real_mean, fake_mean = aux
    metrics = {
        "d_loss": value,
        "penalty": penalty,
        "d_real": real_mean,  # mean D output (logit / critic score) on real data
        "d_fake": fake_mean,  # ... and on generated data
        "d_grad_norm": optax.tree.norm(grads),
    }
    if loss.aux_weight:
        metrics["d_class"] = classes  # the weighted classification loss, both batches
    return Player(params, rest, opt), metrics


def unrolled(
    d_def,
    d: Player,
    tx: optax.GradientTransformation,
    loss: GANLoss,
    real: jax.Array,
    fake: jax.Array,
    steps: int,
    labels: jax.Array | None = None,
) -> nnx.State:
    """D's parameters after ``steps`` differentiable updates on ``loss.d_loss`` against
    ``fake`` (Metz et al. 2017, https://arxiv.org/abs/1611.02163, eq. 5): a generator loss
    taken through them sees how D would respond. The same real and fake batch at every
    unrolled step, as in the paper; penalties and clipping are not unrolled."""

    def d_loss_of(params):
        score = _scorer(nnx.merge(d_def, params, d.rest), labels)
        return loss.d_loss(score(real), score(fake))

    def one(carry, _):
        params, opt = carry
        updates, opt = tx.update(jax.grad(d_loss_of)(params), opt, params)
        return (optax.apply_updates(params, updates), opt), None

    (params, _), _ = jax.lax.scan(one, (d.params, d.opt), None, length=steps)
    return params


def g_update(
    g_def,
    g: Player,
    tx: optax.GradientTransformation,
    loss: GANLoss,
    d_def,
    d: Player,
    z: jax.Array,
    *,
    unroll: int = 0,
    d_tx: optax.GradientTransformation | None = None,
    real: jax.Array | None = None,
    labels: jax.Array | None = None,
) -> tuple[Player, dict[str, jax.Array]]:
    """One generator update on ``loss.g_loss(D(G(z)))``, D held fixed (with ``labels``:
    ``D(G(z, labels), labels)``).

    With ``unroll = k > 0`` the loss is taken through D after ``k`` unrolled updates of
    ``d_tx`` against ``real`` and the generated batch (see :func:`unrolled`). With
    ``loss.aux_weight`` (AC-GAN) ``g_loss`` includes the weighted classification loss of the
    generated batch against ``labels``. Returns the new state and the metrics ``g_loss`` and
    ``g_grad_norm``.
    """

    def objective(params):
        fake, after = generate(g_def, g._replace(params=params), z, labels)
        d_params = d.params
        if unroll:
            d_params = unrolled(d_def, d, d_tx, loss, real, fake, unroll, labels)
        model = nnx.merge(d_def, d_params, d.rest)
        if loss.aux_weight:  # AC-GAN: G also wants its sample classified as the label it asked
            fake_out, fake_cls = model.score_and_classify(fake, labels)
            return loss.g_loss(fake_out) + loss.classification(fake_cls, labels), after.rest
        return loss.g_loss(_scorer(model, labels)(fake)), after.rest

    (value, rest), grads = jax.value_and_grad(objective, has_aux=True)(g.params)
    updates, opt = tx.update(grads, g.opt, g.params)
    params = optax.apply_updates(g.params, updates)
    return Player(params, rest, opt), {"g_loss": value, "g_grad_norm": optax.tree.norm(grads)}
