"""Generators and discriminators (Flax NNX).

Two families, both small enough to train on a laptop CPU:

* :class:`MLPGenerator` / :class:`MLPDiscriminator` for 1-D and 2-D toy data;
* :class:`ConvGenerator` / :class:`ConvDiscriminator`, DCGAN-style (Radford et al. 2016,
  https://arxiv.org/abs/1511.06434) for 1-channel 8x8 and 28x28 digits.

Conventions used by :mod:`ganlab.train`:

* a generator has an attribute ``latent_dim`` and maps ``z`` of shape ``(B, latent_dim)`` to
  samples of the data's shape; ``sample_latent`` draws ``z ~ N(0, I)`` from an explicit key;
* a discriminator maps a batch of samples to **logits** of shape ``(B,)``. ``sigmoid(logit)`` is
  the probability "real" for the BCE losses; a Wasserstein *critic* is the same network whose
  output is read as a real-valued score, with no sigmoid anywhere.
* ``fuse_steps`` says whether many training steps should be fused into one ``lax.scan`` call.
  It is a measured property, not a habit (``benchmarks/run.py`` prints the figures): on XLA's CPU
  backend the small MLP GAN runs about 1.5x faster fused, and the conv GAN built from
  :func:`ganlab.nn.conv2d` layers a little faster, while XLA's native CPU convolutions with
  JAX's own gradients (still used by the transposed convolution) run several times *slower*
  inside ``lax.scan`` than as one call per step.

The layers (the convolutions, sub-pixel upsampling, batch norm, minibatch std) live in
:mod:`ganlab.nn`; ``models.im2col_conv`` and the other public layer names still work.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ganlab import _checks, _shipped
from ganlab.nn import UPSAMPLINGS as UPSAMPLINGS  # the layers, re-exported for the lessons
from ganlab.nn import Upsample2x as Upsample2x
from ganlab.nn import append_minibatch_std as append_minibatch_std
from ganlab.nn import batch_normalize as batch_normalize
from ganlab.nn import conv_primitive
from ganlab.nn import depth_to_space as depth_to_space
from ganlab.nn import im2col_conv as im2col_conv

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "leaky_relu": lambda x: jax.nn.leaky_relu(x, negative_slope=0.2),
    "tanh": jnp.tanh,
    "elu": jax.nn.elu,
    "gelu": jax.nn.gelu,
    "silu": jax.nn.silu,
}

IMAGE_SIZES = (8, 28)


def _activation(name: str) -> Callable[[jax.Array], jax.Array]:
    return ACTIVATIONS[_checks.choice("activation", name, ACTIVATIONS)]


def _hidden_layers(n_in: int, width: object, depth: object) -> tuple[int, list[tuple[int, int]]]:
    """``width`` checked, and the ``(inputs, outputs)`` of ``depth`` hidden layers of ``width``
    units after ``n_in`` inputs."""
    width = _checks.integer("width", width, minimum=1)
    sizes = [n_in] + [width] * _checks.integer("depth", depth, minimum=1)
    return width, list(zip(sizes[:-1], sizes[1:], strict=True))


def _check_input(name: str, x: object, trailing: tuple[int, ...] | None) -> jax.Array:
    """``x`` as a float array ``(batch, *trailing)`` (``None``: any shape ``(batch, ...)``);
    checked in Python (at trace time under jit), so a wrong input fails here, not inside XLA."""
    want = "(batch, ...)" if trailing is None else "(batch, " + ", ".join(map(str, trailing)) + ")"
    if not isinstance(x, jax.Array):
        given = x
        try:
            x = np.asarray(x)
        except (TypeError, ValueError):  # ragged nested lists
            _checks.fail(name, given, f"a float array of shape {want}")
        if x.dtype.kind not in "iuf":
            _checks.fail(name, given, f"a float array of shape {want}, not of dtype {x.dtype}")
    if trailing is None:
        if x.ndim < 2:
            _checks.fail(name, x, f"a batch of samples {want}")
    else:
        _checks.shape(name, x, (None, *trailing), what=want)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else jnp.asarray(x, dtype=jnp.float32)


def _check_rngs(rngs: object) -> nnx.Rngs:
    if not isinstance(rngs, nnx.Rngs):
        _checks.fail("rngs", rngs, "an nnx.Rngs, e.g. nnx.Rngs(0)")
    return rngs


def _check_image_size(image_size: object) -> int:
    size = _checks.integer("image_size", image_size)
    return _checks.choice("image_size", size, IMAGE_SIZES)


class _Generator(nnx.Module):
    latent_dim: int

    def sample_latent(self, key: jax.Array, n: int) -> jax.Array:
        """Draw ``z ~ N(0, I)`` of shape ``(n, latent_dim)`` from an explicit key."""
        key = _checks.key("key", key)
        n = _checks.integer("n", n, minimum=1)
        return jax.random.normal(key, (n, self.latent_dim), jnp.float32)

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        """``G(z)`` for ``n`` fresh latents drawn from ``key``."""
        return self(self.sample_latent(key, n))


class MLPGenerator(_Generator):
    """``z (B, latent_dim) -> x (B, out_dim)``: ``depth`` hidden layers of ``width`` units.

    The foundation spec for the 2-D ring is ``MLPGenerator(2, 2, width=128, depth=2)``:
    2 -> 128 -> 128 -> 2 with ReLU and a linear output.
    """

    fuse_steps = True

    def __init__(
        self,
        latent_dim: int = 2,
        out_dim: int = 2,
        *,
        width: int = 128,
        depth: int = 2,
        activation: str = "relu",
        batch_norm: bool = False,
        rngs: nnx.Rngs,
    ):
        rngs = _check_rngs(rngs)
        self.latent_dim = _checks.integer("latent_dim", latent_dim, minimum=1)
        self.out_dim = _checks.integer("out_dim", out_dim, minimum=1)
        width, layers = _hidden_layers(self.latent_dim, width, depth)
        self.activation = _activation(activation)
        self.batch_norm = _checks.boolean("batch_norm", batch_norm)
        # With batch norm the hidden layers have no bias (the norm's shift replaces it), as in
        # PacGAN's generator.
        self.hidden = nnx.List(
            [nnx.Linear(a, b, use_bias=not batch_norm, rngs=rngs) for a, b in layers]
        )
        if batch_norm:
            self.scales = nnx.List([nnx.Param(jnp.ones((width,))) for _ in layers])
            self.shifts = nnx.List([nnx.Param(jnp.zeros((width,))) for _ in layers])
        self.out = nnx.Linear(width, out_dim, rngs=rngs)

    def __call__(self, z: jax.Array) -> jax.Array:
        return self._mlp(_check_input("z", z, (self.latent_dim,)))

    def _mlp(self, h: jax.Array) -> jax.Array:
        for i, layer in enumerate(self.hidden):
            h = layer(h)  # (B, width)
            if self.batch_norm:
                h = batch_normalize(h, self.scales[i][...], self.shifts[i][...])
            h = self.activation(h)
        return self.out(h)  # (B, out_dim)


class MLPDiscriminator(nnx.Module):
    """``x (B, in_dim) -> logits (B,)``: ``depth`` hidden layers of ``width`` units.

    The foundation spec is ``MLPDiscriminator(2, width=128, depth=2)``: 2 -> 128 -> 128 -> 1
    with LeakyReLU(0.2) and a linear output (a logit; no sigmoid).

    ``minibatch_std=True`` appends, before the output layer, one feature shared by the whole
    batch: the standard deviation of each hidden unit over the batch, averaged over units
    (Karras et al. 2018, https://arxiv.org/abs/1710.10196, section 3). A batch of near-copies
    then looks different from a batch of real samples, which counters mode collapse; the
    outputs are no longer per-sample, so the trainer scores real and fake batches separately.
    """

    fuse_steps = True

    def __init__(
        self,
        in_dim: int = 2,
        *,
        width: int = 128,
        depth: int = 2,
        activation: str = "leaky_relu",
        minibatch_std: bool = False,
        rngs: nnx.Rngs,
    ):
        rngs = _check_rngs(rngs)
        self.in_dim = _checks.integer("in_dim", in_dim, minimum=1)
        width, layers = _hidden_layers(self.in_dim, width, depth)
        self.activation = _activation(activation)
        self.minibatch_std = _checks.boolean("minibatch_std", minibatch_std)
        self.hidden = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in layers])
        self.out = nnx.Linear(width + self.minibatch_std, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = _check_input("x", x, (self.in_dim,))
        for layer in self.hidden:
            h = self.activation(layer(h))
        if self.minibatch_std:
            h = append_minibatch_std(h)  # (B, width + 1)
        return self.out(h)[:, 0]  # (B,)


class MaxoutDiscriminator(nnx.Module):
    """``x (B, in_dim) -> logits (B,)``: ``depth`` maxout layers of ``width`` units, each the
    maximum of ``pieces`` linear functions (Goodfellow et al. 2013), then a linear output.

    PacGAN's 2-D discriminator is ``MaxoutDiscriminator(2 * m, width=200, depth=3, pieces=5)``
    with weights drawn from N(0, 0.02^2) and zero biases, as in its authors' code
    (https://github.com/fjxmlzn/PacGAN, ``synthetic_data_experiments``).
    """

    fuse_steps = True

    def __init__(
        self,
        in_dim: int = 2,
        *,
        width: int = 200,
        depth: int = 3,
        pieces: int = 5,
        init_std: float = 0.02,
        minibatch_std: bool = False,
        rngs: nnx.Rngs,
    ):
        rngs = _check_rngs(rngs)
        self.in_dim = _checks.integer("in_dim", in_dim, minimum=1)
        width, layers = _hidden_layers(self.in_dim, width, depth)
        self.pieces = _checks.integer("pieces", pieces, minimum=1)
        self.minibatch_std = _checks.boolean("minibatch_std", minibatch_std)  # as in the MLP
        init = nnx.initializers.normal(_checks.positive("init_std", init_std))
        self.hidden = nnx.List(
            [nnx.Linear(a, b * self.pieces, kernel_init=init, rngs=rngs) for a, b in layers]
        )
        self.out = nnx.Linear(width + self.minibatch_std, 1, kernel_init=init, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = _check_input("x", x, (self.in_dim,))
        for layer in self.hidden:
            y = layer(h)  # (B, width * pieces)
            h = jnp.max(y.reshape(*y.shape[:-1], -1, self.pieces), axis=-1)  # (B, width)
        if self.minibatch_std:
            h = append_minibatch_std(h)  # (B, width + 1)
        return self.out(h)[:, 0]  # (B,)


class Packed(nnx.Module):
    """PacGAN's packed discriminator (Lin et al. 2018, https://arxiv.org/abs/1712.04086).

    Judges ``m`` samples at once: a batch ``(B, *shape)`` is cut into ``B / m`` packs of ``m``
    consecutive samples (consecutive samples of an i.i.d. batch are a random packing), each pack
    is joined along the last axis (``(m * d,)`` for vectors; ``m * C`` channels for images) and
    ``inner`` scores it: logits ``(B / m,)``. A pack of fakes from a collapsed generator holds
    near-duplicates, which real packs rarely do, so D can penalise collapse. ``inner`` must take
    the joined shape, e.g. ``MLPDiscriminator(m * d)``; :func:`packed_mlp_discriminator` builds
    one.
    """

    def __init__(self, inner: nnx.Module, m: int):
        self.inner = _checks.function("inner", inner, "(B / m, m * d) -> logits (B / m,)")
        self.packing = _checks.integer("m", m, minimum=1)
        self.fuse_steps = getattr(inner, "fuse_steps", False)

    def __call__(self, x: jax.Array) -> jax.Array:
        m = self.packing
        x = _check_input("x", x, None)
        if x.shape[0] % m:
            raise ValueError(
                f"batch size must be a multiple of the packing m = {m}, got {x.shape[0]}"
            )
        packs = x.reshape(x.shape[0] // m, m, *x.shape[1:])  # (B/m, m, ..., C)
        packs = jnp.moveaxis(packs, 1, -2)  # (B/m, ..., m, C)
        return self.inner(packs.reshape(*packs.shape[:-2], m * x.shape[-1]))  # (B/m,)


def packed_mlp_discriminator(
    data_dim: int = 2, m: int = 2, *, width: int = 128, depth: int = 2, rngs: nnx.Rngs
) -> Packed:
    """An :class:`MLPDiscriminator` over packs of ``m`` samples of dimension ``data_dim``."""
    m = _checks.integer("m", m, minimum=1)
    data_dim = _checks.integer("data_dim", data_dim, minimum=1)
    return Packed(MLPDiscriminator(m * data_dim, width=width, depth=depth, rngs=rngs), m)


class ConvGenerator(_Generator):
    """DCGAN-style generator: ``z (B, latent_dim) -> images (B, S, S, 1)`` in [-1, 1].

    A linear layer to an ``S/4 x S/4 x 2*channels`` map, then two 2x upsamplings
    (``S/4 -> S/2 -> S``) with ReLU between, and ``tanh`` at the end. For 28x28:
    ``latent -> 7x7x(2c) -> 14x14x(c) -> 28x28x1``. No batch normalisation, so a sample does
    not depend on the other samples in its batch.
    """

    def __init__(
        self,
        latent_dim: int = 64,
        *,
        image_size: int = 28,
        channels: int = 32,
        upsample: str = "subpixel",
        rngs: nnx.Rngs,
    ):
        rngs = _check_rngs(rngs)
        self.latent_dim = latent_dim = _checks.integer("latent_dim", latent_dim, minimum=1)
        self.image_size = _check_image_size(image_size)
        self.channels = channels = _checks.integer("channels", channels, minimum=1)
        _checks.choice("upsample", upsample, UPSAMPLINGS)
        self.base = self.image_size // 4
        self.project = nnx.Linear(latent_dim, self.base * self.base * 2 * channels, rngs=rngs)
        self.up1 = Upsample2x(2 * channels, channels, upsample, rngs=rngs)
        self.up2 = Upsample2x(channels, 1, upsample, rngs=rngs)
        # Measured on CPU: conv2d layers run faster fused; XLA's transposed conv much slower.
        self.fuse_steps = upsample == "subpixel" or jax.default_backend() != "cpu"

    def __call__(self, z: jax.Array) -> jax.Array:
        return self._body(_check_input("z", z, (self.latent_dim,)))

    def _body(self, z: jax.Array) -> jax.Array:
        h = jax.nn.relu(self.project(z))
        h = h.reshape(z.shape[0], self.base, self.base, 2 * self.channels)  # (B, S/4, S/4, 2c)
        h = jax.nn.relu(self.up1(h))  # (B, S/2, S/2, c)
        return jnp.tanh(self.up2(h))  # (B, S, S, 1)


class ConvDiscriminator(nnx.Module):
    """DCGAN-style discriminator: ``images (B, S, S, 1) -> logits (B,)``.

    Two 4x4 stride-2 convolutions with LeakyReLU(0.2) (``S -> S/2 -> S/4``), then a linear
    layer to one logit. No batch normalisation: the gradient penalty of WGAN-GP is defined per
    sample, which batch statistics would break (Gulrajani et al. 2017, section 4).
    """

    fuse_steps = True  # its convolutions are nn.conv2d on CPU, which fuse well

    def __init__(self, *, image_size: int = 28, channels: int = 32, rngs: nnx.Rngs):
        rngs = _check_rngs(rngs)
        self.image_size = image_size = _check_image_size(image_size)
        self.channels = channels = _checks.integer("channels", channels, minimum=1)
        base = image_size // 4
        conv = conv_primitive()
        self.conv1 = nnx.Conv(1, channels, (4, 4), (2, 2), conv_general_dilated=conv, rngs=rngs)
        self.conv2 = nnx.Conv(
            channels, 2 * channels, (4, 4), (2, 2), conv_general_dilated=conv, rngs=rngs
        )
        self.out = nnx.Linear(base * base * 2 * channels, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        s = self.image_size
        x = _check_input("x", x, (s, s, 1))
        h = jax.nn.leaky_relu(self.conv1(x), 0.2)  # (B, S/2, S/2, c)
        h = jax.nn.leaky_relu(self.conv2(h), 0.2)  # (B, S/4, S/4, 2c)
        return self.out(h.reshape(x.shape[0], -1))[:, 0]  # (B,)


# --- conditional models (Mirza & Osindero 2014; Miyato & Koyama 2018; Odena et al. 2017) -----

#: The ways a conditional discriminator can see the label. ``"concat"``, the one-hot label
#: joins the input; ``"projection"``, the inner product of a class embedding with D's
#: features; ``"acgan"``, D does not see the label but classifies, and the loss's
#: ``aux_weight`` trains the classifier.
CONDITIONINGS = ("concat", "projection", "acgan")


def _check_labels(labels: object, n: int, n_classes: int) -> jax.Array:
    """Integer class labels ``(n,)`` in ``[0, n_classes)`` (values checked when concrete)."""
    y = labels if isinstance(labels, jax.Array) else np.asarray(labels)
    if y.dtype.kind not in "iu" or y.shape != (n,):
        _checks.fail("labels", labels, f"an integer array of {n} class labels, shape ({n},)")
    if (
        not isinstance(y, jax.core.Tracer)
        and y.size
        and not (0 <= int(y.min()) and int(y.max()) < n_classes)
    ):
        _checks.fail("labels", f"values {int(y.min())}..{int(y.max())}",
                     f"class labels in [0, {n_classes})")  # fmt: skip
    return jnp.asarray(y, jnp.int32)


class _ConditionalGenerator:
    """``G(z, y)`` for a generator whose first layer sees ``z`` and the one-hot label.

    A one-hot vector times a weight matrix picks one column, so the first layer's weights on
    the label *are* a learned class embedding added to the projection of ``z``. :meth:`blend`
    feeds a convex mix of one-hot vectors instead, which interpolates between embeddings.
    """

    latent_dim: int
    n_classes: int

    def __call__(self, z: jax.Array, labels: jax.Array) -> jax.Array:
        z = _check_input("z", z, (self.latent_dim,))
        y = _check_labels(labels, z.shape[0], self.n_classes)
        return self._body(jnp.concatenate([z, jax.nn.one_hot(y, self.n_classes)], axis=1))

    def blend(self, z: jax.Array, weights: jax.Array) -> jax.Array:
        """``G`` with class weights ``(B, n_classes)`` in place of one-hot labels: a row of
        ``0.5, 0.5`` at classes 3 and 8 asks for the midpoint of their embeddings."""
        z = _check_input("z", z, (self.latent_dim,))
        w = _check_input("weights", weights, (self.n_classes,))
        if w.shape[0] != z.shape[0]:
            _checks.fail("weights", f"{w.shape[0]} rows", f"{z.shape[0]} rows, one per latent")
        return self._body(jnp.concatenate([z, w.astype(z.dtype)], axis=1))

    def sample(self, key: jax.Array, n: int, labels: jax.Array | None = None) -> jax.Array:
        """``G(z, labels)`` for ``n`` fresh latents drawn from ``key`` (uniformly random
        classes when ``labels`` is None)."""
        k_z, k_y = jax.random.split(_checks.key("key", key))
        n = _checks.integer("n", n, minimum=1)
        if labels is None:
            labels = jax.random.randint(k_y, (n,), 0, self.n_classes)
        return self(self.sample_latent(k_z, n), labels)


class ConditionalMLPGenerator(_ConditionalGenerator, MLPGenerator):
    """``G(z, y)``: an :class:`MLPGenerator` whose input is ``z`` concatenated with the one-hot
    class label ``y`` (the conditional GAN of Mirza & Osindero 2014,
    https://arxiv.org/abs/1411.1784). ``sample(key, n, labels)`` draws ``n`` samples of the
    given classes (uniformly random classes when ``labels`` is None)."""

    def __init__(self, latent_dim: int = 2, n_classes: int = 8, out_dim: int = 2, **kwargs):
        self.n_classes = _checks.integer("n_classes", n_classes, minimum=1)
        latent_dim = _checks.integer("latent_dim", latent_dim, minimum=1)
        MLPGenerator.__init__(self, latent_dim + self.n_classes, out_dim, **kwargs)
        self.latent_dim = latent_dim

    def _body(self, h: jax.Array) -> jax.Array:
        return self._mlp(h)


class ConditionalConvGenerator(_ConditionalGenerator, ConvGenerator):
    """``G(z, y) -> images (B, S, S, 1)``: a :class:`ConvGenerator` whose linear projection
    sees ``z`` concatenated with the one-hot label (equivalently: a learned class embedding
    added to the projection of ``z``)."""

    def __init__(self, latent_dim: int = 64, n_classes: int = 10, **kwargs):
        self.n_classes = _checks.integer("n_classes", n_classes, minimum=1)
        latent_dim = _checks.integer("latent_dim", latent_dim, minimum=1)
        ConvGenerator.__init__(self, latent_dim + self.n_classes, **kwargs)
        self.latent_dim = latent_dim


class _ConditionalDiscriminator(nnx.Module):
    r"""The three conditionings over features :math:`\phi(x)` (``features``):

    * ``"concat"``: :math:`\psi(\phi([x, y]))`, the label joined to the input;
    * ``"projection"``: :math:`\psi(\phi(x)) + e(y)^\top \phi(x)`;
    * ``"acgan"``: :math:`\psi(\phi(x))`, label ignored, plus class logits
      :math:`W_c \phi(x)` from :meth:`classify`.
    """

    fuse_steps = True
    n_classes: int
    conditioning: str

    def _heads(self, width: int, rngs: nnx.Rngs) -> None:
        self.out = nnx.Linear(width, 1, rngs=rngs)
        if self.conditioning == "projection":
            self.embed = nnx.Embed(self.n_classes, width, rngs=rngs)
        if self.conditioning == "acgan":
            self.classifier = nnx.Linear(width, self.n_classes, rngs=rngs)

    def head(self, h: jax.Array, labels: jax.Array) -> jax.Array:
        r"""The logit from features ``h = features(x, labels)`` ``(B, F)``: :math:`\psi(h)`,
        plus :math:`e(y)^\top h` for ``"projection"``."""
        logit = self.out(h)[:, 0]  # (B,)
        if self.conditioning == "projection":
            logit = logit + jnp.sum(self.embed(jnp.asarray(labels, jnp.int32)) * h, axis=1)
        return logit

    def __call__(self, x: jax.Array, labels: jax.Array) -> jax.Array:
        return self.head(self.features(x, labels), labels)

    def score_and_classify(self, x: jax.Array, labels: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(D(x, y) (B,), class logits (B, n_classes))`` from one pass (``"acgan"`` only)."""
        if self.conditioning != "acgan":
            _checks.fail("conditioning", self.conditioning,
                         "'acgan' for a discriminator that classifies")  # fmt: skip
        h = self.features(x, labels)
        return self.head(h, labels), self.classifier(h)

    def classify(self, x: jax.Array) -> jax.Array:
        """AC-GAN's auxiliary classifier: class logits ``(B, n_classes)``."""
        n = np.shape(x)[0] if np.ndim(x) else 0  # the labels are not read; x is checked
        return self.score_and_classify(x, np.zeros(n, np.int32))[1]


class ConditionalMLPDiscriminator(_ConditionalDiscriminator):
    r"""``D(x, y) -> logits (B,)`` for class-conditional data.

    ``conditioning="concat"``: the MLP sees ``x`` concatenated with the one-hot label
    (Mirza & Osindero 2014). ``"projection"`` (Miyato & Koyama 2018,
    https://arxiv.org/abs/1802.05637): the MLP sees ``x`` alone and gives features
    :math:`\phi(x)`; the logit is :math:`\psi(\phi(x)) + e(y)^\top \phi(x)` with a learned
    embedding :math:`e(y)` per class, the form the log-density ratio of a conditional model
    takes. ``"acgan"`` (Odena et al. 2017, https://arxiv.org/abs/1610.09585): D does not see
    ``y``; a second head classifies ``x`` (``classify``).
    """

    def __init__(
        self,
        in_dim: int = 2,
        n_classes: int = 8,
        *,
        conditioning: str = "projection",
        width: int = 128,
        depth: int = 2,
        activation: str = "leaky_relu",
        rngs: nnx.Rngs,
    ):
        rngs = _check_rngs(rngs)
        self.in_dim = _checks.integer("in_dim", in_dim, minimum=1)
        self.n_classes = _checks.integer("n_classes", n_classes, minimum=1)
        self.conditioning = _checks.choice("conditioning", conditioning, CONDITIONINGS)
        n_in = self.in_dim + (self.n_classes if conditioning == "concat" else 0)
        width, layers = _hidden_layers(n_in, width, depth)
        self.activation = _activation(activation)
        self.hidden = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in layers])
        self._heads(width, rngs)

    def features(self, x: jax.Array, labels: jax.Array) -> jax.Array:
        r"""The last hidden layer, ``(B, width)``: :math:`\phi(x)` for ``"projection"``."""
        h = _check_input("x", x, (self.in_dim,))
        y = _check_labels(labels, h.shape[0], self.n_classes)
        if self.conditioning == "concat":
            h = jnp.concatenate([h, jax.nn.one_hot(y, self.n_classes)], axis=1)
        for layer in self.hidden:
            h = self.activation(layer(h))
        return h


class ConditionalConvDiscriminator(_ConditionalDiscriminator):
    r"""``D(x, y) -> logits (B,)`` for labelled images: the :class:`ConvDiscriminator`'s two
    strided convolutions give :math:`\phi(x)` (flattened, ``(B, S/4 * S/4 * 2c)``), conditioned
    as ``conditioning`` says. For ``"concat"`` the one-hot label enters as ``n_classes``
    constant input channels, the usual way to join a label to an image."""

    def __init__(
        self,
        *,
        image_size: int = 28,
        n_classes: int = 10,
        channels: int = 32,
        conditioning: str = "projection",
        rngs: nnx.Rngs,
    ):
        rngs = _check_rngs(rngs)
        self.image_size = image_size = _check_image_size(image_size)
        self.n_classes = _checks.integer("n_classes", n_classes, minimum=1)
        self.channels = channels = _checks.integer("channels", channels, minimum=1)
        self.conditioning = _checks.choice("conditioning", conditioning, CONDITIONINGS)
        c_in = 1 + (self.n_classes if conditioning == "concat" else 0)
        conv = conv_primitive()
        self.conv1 = nnx.Conv(c_in, channels, (4, 4), (2, 2), conv_general_dilated=conv,
                              rngs=rngs)  # fmt: skip
        self.conv2 = nnx.Conv(
            channels, 2 * channels, (4, 4), (2, 2), conv_general_dilated=conv, rngs=rngs
        )
        base = image_size // 4
        self._heads(base * base * 2 * channels, rngs)

    def features(self, x: jax.Array, labels: jax.Array) -> jax.Array:
        r""":math:`\phi(x)`: the flattened second convolution, ``(B, S/4 * S/4 * 2c)``."""
        s = self.image_size
        h = _check_input("x", x, (s, s, 1))
        y = _check_labels(labels, h.shape[0], self.n_classes)
        if self.conditioning == "concat":
            maps = jnp.broadcast_to(jax.nn.one_hot(y, self.n_classes)[:, None, None, :],
                                    (h.shape[0], s, s, self.n_classes))  # fmt: skip
            h = jnp.concatenate([h, maps.astype(h.dtype)], axis=-1)
        h = jax.nn.leaky_relu(self.conv1(h), 0.2)  # (B, S/2, S/2, c)
        h = jax.nn.leaky_relu(self.conv2(h), 0.2)  # (B, S/4, S/4, 2c)
        return h.reshape(h.shape[0], -1)


class LabelBlind(nnx.Module):
    """An unconditional discriminator called as ``D(x, y)``: it drops ``y``.

    Training a conditional generator against it gives the label to G only, a common mistake:
    nothing rewards G for following the label, so it learns to ignore it (lesson 6)."""

    def __init__(self, discriminator: nnx.Module, n_classes: int):
        if not isinstance(discriminator, nnx.Module):
            _checks.fail("discriminator", type(discriminator).__name__, "a Flax NNX module")
        self.discriminator = discriminator
        self.n_classes = _checks.integer("n_classes", n_classes, minimum=1)
        self.fuse_steps = getattr(discriminator, "fuse_steps", True)

    def __call__(self, x: jax.Array, labels: jax.Array) -> jax.Array:
        return self.discriminator(x)


def conditional_mlp_gan(
    n_classes: int = 8,
    latent_dim: int = 2,
    data_dim: int = 2,
    *,
    conditioning: str = "projection",
    width: int = 128,
    depth: int = 2,
    seed: int = 0,
) -> tuple[ConditionalMLPGenerator, ConditionalMLPDiscriminator]:
    """A class-conditional MLP pair for 2-D data with ``n_classes`` labels, from ``seed``."""
    rngs = nnx.Rngs(_checks.integer("seed", seed))
    g = ConditionalMLPGenerator(latent_dim, n_classes, data_dim, width=width, depth=depth,
                                rngs=rngs)  # fmt: skip
    d = ConditionalMLPDiscriminator(
        data_dim, n_classes, conditioning=conditioning, width=width, depth=depth, rngs=rngs
    )
    return g, d


def conditional_conv_gan(
    n_classes: int = 10,
    latent_dim: int = 64,
    *,
    image_size: int = 28,
    channels: int = 32,
    conditioning: str = "projection",
    upsample: str = "subpixel",
    seed: int = 0,
) -> tuple[ConditionalConvGenerator, ConditionalConvDiscriminator]:
    """A class-conditional DCGAN-style pair for labelled digits, from ``seed``."""
    rngs = nnx.Rngs(_checks.integer("seed", seed))
    g = ConditionalConvGenerator(latent_dim, n_classes, image_size=image_size,
                                 channels=channels, upsample=upsample, rngs=rngs)  # fmt: skip
    d = ConditionalConvDiscriminator(image_size=image_size, n_classes=n_classes,
                                     channels=channels, conditioning=conditioning,
                                     rngs=rngs)  # fmt: skip
    return g, d


def mlp_gan(
    latent_dim: int = 2, data_dim: int = 2, *, width: int = 128, depth: int = 2, seed: int = 0
) -> tuple[MLPGenerator, MLPDiscriminator]:
    """The foundation's 2-D MLP pair, initialised from ``seed``."""
    rngs = nnx.Rngs(_checks.integer("seed", seed))
    g = MLPGenerator(latent_dim, data_dim, width=width, depth=depth, rngs=rngs)
    d = MLPDiscriminator(data_dim, width=width, depth=depth, rngs=rngs)
    return g, d


def conv_gan(
    latent_dim: int = 64,
    *,
    image_size: int = 28,
    channels: int = 32,
    upsample: str = "subpixel",
    seed: int = 0,
) -> tuple[ConvGenerator, ConvDiscriminator]:
    """A DCGAN-style pair for ``image_size x image_size`` digits, initialised from ``seed``."""
    rngs = nnx.Rngs(_checks.integer("seed", seed))
    g = ConvGenerator(
        latent_dim, image_size=image_size, channels=channels, upsample=upsample, rngs=rngs
    )
    d = ConvDiscriminator(image_size=image_size, channels=channels, rngs=rngs)
    return g, d


def _param_state(model: object) -> list:
    """The flat ``[(path, Param), ...]`` of an ``nnx.Module`` that has parameters."""
    if not isinstance(model, nnx.Module):
        _checks.fail("model", model, "a Flax NNX module, e.g. a ganlab.models generator")
    flat = list(nnx.to_flat_state(nnx.state(model, nnx.Param)))
    if not flat:
        _checks.fail("model", model, "a module with parameters")
    return flat


def save_weights(model: nnx.Module, path: str | os.PathLike) -> None:
    """Write ``model``'s parameters to an ``.npz`` file (one array per parameter path; the
    ``.npz`` suffix is added when missing, as ``numpy.savez`` does).

    Written to a temporary file in the same folder and then moved into place, so a failed save
    never leaves a half-written file over an earlier good one. For shipping small trained
    models with the course; training checkpoints (optimizer state, step, key) are
    :meth:`ganlab.train.Trainer.save`'s job.
    """
    flat = _param_state(model)
    file = _shipped.path("path", path)
    if not file.is_dir() and file.suffix != ".npz":
        file = file.with_name(file.name + ".npz")
    _shipped.write_npz(file, {"/".join(map(str, p)): np.asarray(v[...]) for p, v in flat})


def load_weights(model: nnx.Module, path: str | os.PathLike) -> nnx.Module:
    """Load parameters written by :func:`save_weights` into ``model`` (in place; returns it).

    Loaded without pickle. Every parameter must be present, with the model's own shape, and
    finite; otherwise ``ValueError`` naming the file and the parameter, and ``model`` is left
    unchanged.
    """
    flat = _param_state(model)
    file = _shipped.path("path", path)
    what = f"weights for {type(model).__name__}"
    _assign(flat, _shipped.read_npz(file, what), f"{what} in {file}")
    return model


def _assign(flat: list, stored: dict[str, np.ndarray], where: str) -> None:
    """Check every array against its parameter, then (only then) put them all in place."""
    names = ["/".join(map(str, p)) for p, _ in flat]
    missing = [k for k in names if k not in stored]
    extra = sorted(set(stored) - set(names))
    if missing or extra:
        raise ValueError(
            f"{where} do not fit this model (another architecture or size?): missing "
            f"{missing}, not in the model {extra}"
        )
    for key, (_, v) in zip(names, flat, strict=True):
        a = stored[key]
        if a.shape != v[...].shape:
            raise ValueError(
                f"{where}: {key} has shape {a.shape}, the model's has {v[...].shape} "
                "(another architecture or size?)"
            )
        if a.dtype.kind != "f":
            raise ValueError(f"{where}: {key} must hold floats, got dtype {a.dtype}")
        bad = int(np.sum(~np.isfinite(a)))
        if bad:
            raise ValueError(f"{where}: {key} has {bad} NaN/inf values of {a.size}")
    for key, (_, v) in zip(names, flat, strict=True):
        v[...] = jnp.asarray(stored[key], dtype=v[...].dtype)


#: The configuration of the shipped MNIST generator (lesson 1; ``scripts/train_dcgan_mnist.py``).
PRETRAINED_MNIST = dict(latent_dim=32, channels=32, upsample="subpixel")


def pretrained_mnist_generator() -> ConvGenerator:
    """The DCGAN generator shipped with ganlab: ``conv_gan(**PRETRAINED_MNIST)`` trained on the
    9,000-digit MNIST train split for 10,000 steps by ``scripts/train_dcgan_mnist.py``
    (provenance in ``ganlab/_data/DCGAN_GENERATOR.md``), loaded without pickle.

    Returns a fresh generator each call: ``g.sample(key, n)`` gives ``(n, 28, 28, 1)`` in [-1, 1].
    """
    g, _ = conv_gan(**PRETRAINED_MNIST, seed=0)  # fresh weights, then replaced by the file's
    name = "dcgan_mnist_generator.npz"
    _assign(_param_state(g), _shipped.shipped_npz(name), f"the shipped file ganlab/_data/{name}")
    return g


#: The configuration of the shipped class-conditional MNIST generator (lesson 6;
#: ``scripts/train_conditional_mnist.py``).
PRETRAINED_CONDITIONAL_MNIST = dict(
    n_classes=10, latent_dim=32, channels=32, conditioning="projection", upsample="subpixel"
)


def pretrained_conditional_mnist_generator() -> ConditionalConvGenerator:
    """The class-conditional generator shipped with ganlab (lesson 6):
    ``conditional_conv_gan(**PRETRAINED_CONDITIONAL_MNIST)`` with the projection
    discriminator, trained on the 9,000 labelled digits of ``ganlab.data.mnist("train")`` for
    10,000 steps by ``scripts/train_conditional_mnist.py`` (provenance in
    ``ganlab/_data/CONDITIONAL_GENERATOR.md``). The file's SHA-256 is checked before it is
    read, and it is loaded without pickle.

    Returns a fresh generator each call: ``g(z, y)`` with ``z`` ``(n, 32)`` and ``y`` ``(n,)``
    integer labels 0..9, or ``g.sample(key, n, labels)``; images ``(n, 28, 28, 1)`` in [-1, 1].
    """
    config = dict(PRETRAINED_CONDITIONAL_MNIST, seed=0)
    g, _ = conditional_conv_gan(**config)  # fresh weights, then replaced by the file's
    name = "conditional_mnist_generator.npz"
    _assign(_param_state(g), _shipped.shipped_npz(name), f"the shipped file ganlab/_data/{name}")
    return g
