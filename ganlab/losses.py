r"""GAN losses and penalties: small pure functions of the discriminator's outputs.

Every loss here is *minimised* by the player it belongs to. The discriminator's outputs are
**logits** ``l``; for the BCE family ``D(x) = sigmoid(l)``. Two identities keep them stable:

.. math::
    -\log \sigma(l) = \operatorname{softplus}(-l), \qquad
    -\log(1 - \sigma(l)) = \operatorname{softplus}(l),

so no loss ever takes the log of a probability that has rounded to 0 or 1.

Shapes: ``real_logits`` and ``fake_logits`` are ``(B,)``; every loss returns a scalar.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

from ganlab import _checks

Critic = Callable[[jax.Array], jax.Array]

# --- the original GAN (Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661) -------------


def d_bce(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    r"""Discriminator's binary cross-entropy (Goodfellow et al. 2014, eq. 1).

    .. math:: L_D = -\mathbb{E}_{x}[\log D(x)] - \mathbb{E}_{z}[\log(1 - D(G(z)))]

    It is :math:`-V(D, G)`: minimising it maximises the value function. At the optimum against
    a perfect generator, :math:`D = 1/2` everywhere and :math:`L_D = 2 \log 2`.
    """
    return jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(jax.nn.softplus(fake_logits))


def g_minimax(fake_logits: jax.Array) -> jax.Array:
    r"""The generator's *saturating* (minimax) loss (Goodfellow et al. 2014, eq. 1).

    .. math:: L_G = \mathbb{E}_{z}[\log(1 - D(G(z)))]

    Its gradient vanishes when D confidently rejects the fakes (:math:`D(G(z)) \to 0`), which is
    exactly the situation early in training; see :func:`g_nonsaturating`.
    """
    return -jnp.mean(jax.nn.softplus(fake_logits))  # log(1 - sigmoid(l)) = -softplus(l)


def g_nonsaturating(fake_logits: jax.Array) -> jax.Array:
    r"""The generator's non-saturating loss (Goodfellow et al. 2014, section 3).

    .. math:: L_G = -\mathbb{E}_{z}[\log D(G(z))]

    Same fixed point direction as :func:`g_minimax`, but a strong gradient when D rejects the
    fakes. It depends on generated samples only: real data never enters the generator's loss.
    """
    return jnp.mean(jax.nn.softplus(-fake_logits))  # -log sigmoid(l) = softplus(-l)


# --- Wasserstein GAN (Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875) ---------------


def d_wasserstein(real_scores: jax.Array, fake_scores: jax.Array) -> jax.Array:
    r"""The critic's loss (Arjovsky et al. 2017, Algorithm 1).

    .. math:: L_C = \mathbb{E}_{z}[f(G(z))] - \mathbb{E}_{x}[f(x)]

    Minimising it maximises :math:`\mathbb{E}_x f(x) - \mathbb{E}_z f(G(z))`, which estimates the
    Wasserstein-1 distance only when :math:`f` is kept 1-Lipschitz (:func:`clip_weights` or
    :func:`gradient_penalty`). The scores are raw outputs: no sigmoid.
    """
    return jnp.mean(fake_scores) - jnp.mean(real_scores)


def g_wasserstein(fake_scores: jax.Array) -> jax.Array:
    r"""The generator's Wasserstein loss: :math:`L_G = -\mathbb{E}_{z}[f(G(z))]`."""
    return -jnp.mean(fake_scores)


def clip_weights(params, c: float):
    r"""Clip every parameter to :math:`[-c, c]` (WGAN's crude Lipschitz constraint, c = 0.01).

    ``params`` is any pytree of arrays (e.g. an ``nnx.State`` of ``nnx.Param``); returns the
    clipped pytree.
    """
    c = _checks.positive("c", c)
    return jax.tree.map(lambda p: jnp.clip(p, -c, c), params)


def gradient_penalty(
    critic: Critic, real: jax.Array, fake: jax.Array, key: jax.Array, target: float = 1.0
) -> jax.Array:
    r"""WGAN-GP's two-sided gradient penalty (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028).

    .. math::
        \hat{x} = \epsilon x + (1 - \epsilon) \tilde{x}, \quad \epsilon \sim U[0, 1], \qquad
        P = \mathbb{E}_{\hat{x}}\big[(\lVert \nabla_{\hat{x}} f(\hat{x}) \rVert_2 - 1)^2\big]

    ``epsilon`` is drawn per sample (one number for each pair, shared by all its features).
    ``real`` and ``fake`` are ``(B, ...)``; ``critic`` maps ``(B, ...)`` to ``(B,)`` and treats
    samples independently, so the gradient of ``critic(x).sum()`` holds every per-sample
    gradient. The caller multiplies by :math:`\lambda` (10 in the paper).
    """
    return jnp.mean((grad_norms(critic, interpolates(real, fake, key)) - target) ** 2)


def interpolates(real: jax.Array, fake: jax.Array, key: jax.Array) -> jax.Array:
    r"""WGAN-GP's points :math:`\hat{x} = \epsilon x + (1 - \epsilon) \tilde{x}`, ``(B, ...)``.

    One :math:`\epsilon \sim U[0, 1]` per pair, shared by all its features, drawn from ``key``
    exactly as :func:`ganlab.losses.gradient_penalty` draws it, so that the penalty equals
    ``mean((grad_norms(critic, interpolates(real, fake, key)) - 1) ** 2)``.

    Args:
      real, fake: ``(B, ...)`` of one shape.
      key: a JAX random key.
    """
    real, fake = _checks.batch("real", real), _checks.batch("fake", fake)
    key = _checks.key("key", key)
    if real.shape != fake.shape:
        raise ValueError(
            f"real and fake must have the same shape, got {real.shape} and {fake.shape}"
        )
    eps = jax.random.uniform(key, (real.shape[0],) + (1,) * (real.ndim - 1), real.dtype)
    return eps * real + (1.0 - eps) * fake


def grad_norms(critic: Critic, x: jax.Array) -> jax.Array:
    r"""Per-sample gradient norms :math:`\lVert \nabla_x f(x_i) \rVert_2`, shape ``(B,)``.

    ``critic`` maps ``(B, ...)`` to ``(B,)`` and treats samples independently (no batch
    normalisation), so the gradient of :math:`\sum_i f(x_i)` holds every per-sample gradient.
    A 1-Lipschitz critic has norms :math:`\le 1` everywhere; the optimal WGAN critic has norm 1
    almost everywhere on the lines joining coupled points (Gulrajani et al. 2017, prop. 1).
    Pure JAX: usable inside a jitted step or a penalty.
    """
    _checks.function("critic", critic, "(B, ...) -> (B,)")
    x = _checks.batch("x", x)
    grads = jax.grad(lambda x: jnp.sum(critic(x)))(x)
    sq = jnp.sum(grads.reshape(x.shape[0], -1) ** 2, axis=1)
    # sqrt has an infinite derivative at 0; where the gradient is exactly zero its norm is 0
    # and so is the penalty's slope, so take the root of a safe value there.
    safe = jnp.where(sq > 0, sq, 1.0)
    return jnp.where(sq > 0, jnp.sqrt(safe), 0.0)


# --- zero-centred penalties (Mescheder et al. 2018, https://arxiv.org/abs/1801.04406) --------


def r1_penalty(discriminator: Critic, real: jax.Array) -> jax.Array:
    r"""R1: the squared gradient norm of D on *real* data (Mescheder et al. 2018, eq. 9).

    .. math:: R_1 = \mathbb{E}_{x \sim p_\text{data}}\big[\lVert \nabla_x D(x) \rVert^2\big]

    Added to the discriminator's loss as :math:`\frac{\gamma}{2} R_1`. ``D`` here is the logit.
    """
    return _sq_grad_norm(discriminator, real, "real")


def r2_penalty(discriminator: Critic, fake: jax.Array) -> jax.Array:
    r"""R2: the same on *generated* data (Mescheder et al. 2018, eq. 10).

    .. math:: R_2 = \mathbb{E}_{z}\big[\lVert \nabla_x D(x) \rVert^2 \big|_{x = G(z)}\big]
    """
    return _sq_grad_norm(discriminator, fake, "fake")


def _sq_grad_norm(discriminator: Critic, x: jax.Array, name: str) -> jax.Array:
    _checks.function("discriminator", discriminator, "(B, ...) -> (B,)")
    x = _checks.batch(name, x)
    grads = jax.grad(lambda x: jnp.sum(discriminator(x)))(x)
    return jnp.mean(jnp.sum(grads.reshape(x.shape[0], -1) ** 2, axis=1))


# --- hinge (Lim & Ye 2017, https://arxiv.org/abs/1705.02894; Miyato et al. 2018) ------------


def d_hinge(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    r"""Hinge loss for D.

    .. math:: L_D = \mathbb{E}_x[\max(0, 1 - D(x))] + \mathbb{E}_z[\max(0, 1 + D(G(z)))]
    """
    return jnp.mean(jax.nn.relu(1.0 - real_logits)) + jnp.mean(jax.nn.relu(1.0 + fake_logits))


def g_hinge(fake_logits: jax.Array) -> jax.Array:
    r"""Hinge loss for G: :math:`-\mathbb{E}_z[D(G(z))]`."""
    return -jnp.mean(fake_logits)


# --- least squares (Mao et al. 2017, https://arxiv.org/abs/1611.04076) -----------------------


def d_least_squares(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    r"""LSGAN's D loss with targets b = 1 (real), a = 0 (fake) (Mao et al. 2017, eq. 2).

    .. math:: L_D = \tfrac12 \mathbb{E}_x[(D(x) - 1)^2] + \tfrac12 \mathbb{E}_z[D(G(z))^2]

    The squares apply to D's raw outputs; there is no pairing of a fake with a real sample.
    """
    return 0.5 * jnp.mean((real_logits - 1.0) ** 2) + 0.5 * jnp.mean(fake_logits**2)


def g_least_squares(fake_logits: jax.Array) -> jax.Array:
    r"""LSGAN's G loss with target c = 1: :math:`\tfrac12 \mathbb{E}_z[(D(G(z)) - 1)^2]`."""
    return 0.5 * jnp.mean((fake_logits - 1.0) ** 2)


# --- a loss as one object -------------------------------------------------------------------

LOG2 = math.log(2.0)


@dataclasses.dataclass(frozen=True)
class GANLoss:
    r"""A GAN objective as one object: both players' losses and the discriminator's constraint.

    Everything that decides what the discriminator minimises lives here, so a trainer never
    compares loss names: :meth:`penalty` adds whichever penalties have a non-zero weight, and
    :meth:`constrain` clips the weights when ``clip`` is set. Build one from a preset with
    :func:`get` (``get("wgan-gp")``, ``get("hinge", gp_weight=10)``) or directly.

    Attributes:
      name: a label (the preset's name for a preset).
      d_loss: ``(real_out, fake_out) -> scalar``, minimised by D.
      g_loss: ``fake_out -> scalar``, minimised by G (``None`` for a critic trained alone).
      gp_weight: :math:`\lambda` of the two-sided gradient penalty on interpolates (WGAN-GP).
      gp: the penalty used with ``gp_weight``, ``(critic, real, fake, key) -> scalar``;
        ``None`` for :func:`gradient_penalty`.
      r1_weight, r2_weight: :math:`\gamma` of R1 (on real data) and R2 (on generated data),
        added to D's loss as :math:`\frac{\gamma}{2} R`.
      clip: if set, D's weights are clipped to ``[-clip, clip]`` after every update and before
        the first (WGAN).
      aux_weight: AC-GAN's auxiliary classifier weight (Odena et al. 2017,
        https://arxiv.org/abs/1610.09585): D also minimises ``aux_weight`` times the
        cross-entropy of its class prediction on the real and on the generated batch, and G
        minimises ``aux_weight`` times it on the generated batch (the label it asked for). Needs
        a discriminator with ``score_and_classify`` (``conditioning="acgan"``).
      estimate: ``d_loss value -> estimate`` of the distance the optimal D's loss measures, e.g.
        :math:`\log 2 - L_D / 2` (the JSD) for BCE, :math:`-L_C` (W1) for the Wasserstein
        critic; ``None`` where there is no such reading.
    """

    name: str
    d_loss: Callable[[jax.Array, jax.Array], jax.Array]
    g_loss: Callable[[jax.Array], jax.Array] | None
    gp_weight: float = 0.0
    gp: Callable | None = None
    r1_weight: float = 0.0
    r2_weight: float = 0.0
    clip: float | None = None
    estimate: Callable[[jax.Array], jax.Array] | None = None
    aux_weight: float = 0.0

    def __post_init__(self):
        _checks.function("d_loss", self.d_loss, "(real_out, fake_out) -> scalar")
        if self.g_loss is not None:
            _checks.function("g_loss", self.g_loss, "(fake_out) -> scalar")
        if self.gp is not None:
            _checks.function("gp", self.gp, "(critic, real, fake, key) -> scalar")
        for field in ("gp_weight", "r1_weight", "r2_weight", "aux_weight"):
            object.__setattr__(self, field, _checks.nonnegative(field, getattr(self, field)))
        if self.clip is not None:
            object.__setattr__(self, "clip", _checks.positive("clip", self.clip))

    def replace(self, **changes) -> GANLoss:
        """A copy with ``changes`` applied (and checked)."""
        fields = {f.name for f in dataclasses.fields(self)}
        for name in changes:
            _checks.choice("a GANLoss field", name, fields)
        return dataclasses.replace(self, **changes)

    def penalty(self, d: Critic, real: jax.Array, fake: jax.Array, key: jax.Array) -> jax.Array:
        """The weighted sum of the penalties this loss adds to D's loss (0 when none)."""
        total = jnp.zeros(())
        if self.gp_weight:
            total += self.gp_weight * (self.gp or gradient_penalty)(d, real, fake, key)
        if self.r1_weight:
            total += 0.5 * self.r1_weight * r1_penalty(d, real)
        if self.r2_weight:
            total += 0.5 * self.r2_weight * r2_penalty(d, fake)
        return total

    def classification(self, class_logits: jax.Array, labels: jax.Array) -> jax.Array:
        """``aux_weight`` times the mean cross-entropy of ``class_logits`` ``(B, K)`` against
        integer ``labels`` ``(B,)``: AC-GAN's auxiliary term."""
        ce = optax.softmax_cross_entropy_with_integer_labels(class_logits, labels)
        return self.aux_weight * jnp.mean(ce)

    def constrain(self, d_params):
        """D's parameters after the hard constraint: clipped if ``clip`` is set, else as is."""
        return d_params if self.clip is None else clip_weights(d_params, self.clip)


def _jsd_bound(loss: jax.Array) -> jax.Array:
    return LOG2 - 0.5 * loss


def _negated(loss: jax.Array) -> jax.Array:
    return -loss


#: The presets ``Config(loss=...)`` and :func:`get` accept, by name.
LOSSES: dict[str, GANLoss] = {
    loss.name: loss
    for loss in (
        GANLoss("minimax", d_bce, g_minimax, estimate=_jsd_bound),
        GANLoss("nonsaturating", d_bce, g_nonsaturating, estimate=_jsd_bound),
        GANLoss("wgan-clip", d_wasserstein, g_wasserstein, clip=0.01, estimate=_negated),
        GANLoss("wgan-gp", d_wasserstein, g_wasserstein, gp_weight=10.0, estimate=_negated),
        # the Wasserstein objective with no Lipschitz constraint at all (a mistake, lesson 3)
        GANLoss("wgan", d_wasserstein, g_wasserstein, estimate=_negated),
        GANLoss("hinge", d_hinge, g_hinge),
        GANLoss("least-squares", d_least_squares, g_least_squares),
    )
}


def get(loss: str | GANLoss, **overrides) -> GANLoss:
    """The :class:`GANLoss` named ``loss`` (a preset in :data:`LOSSES`) or ``loss`` itself,
    with ``overrides`` applied: ``get("hinge", gp_weight=10)`` is the hinge loss with
    WGAN-GP's penalty."""
    if isinstance(loss, GANLoss):
        base = loss
    else:
        base = LOSSES[_checks.choice("loss", loss, LOSSES)]
    return base.replace(**overrides) if overrides else base
