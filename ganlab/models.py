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
  backend the small MLP GAN runs about 1.5x faster fused, and so does the conv GAN built from
  :func:`im2col_conv` layers, while XLA's native CPU convolutions (still used by the transposed
  convolution) run several times *slower* inside ``lax.scan`` than as one call per step.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "leaky_relu": lambda x: jax.nn.leaky_relu(x, negative_slope=0.2),
    "tanh": jnp.tanh,
    "elu": jax.nn.elu,
    "gelu": jax.nn.gelu,
    "silu": jax.nn.silu,
}

IMAGE_SIZES = (8, 28)
UPSAMPLINGS = ("subpixel", "transpose")


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def _activation(name: str) -> Callable[[jax.Array], jax.Array]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def _check_input(name: str, x: jax.Array, trailing: tuple[int, ...]) -> None:
    """Shape check at trace time, so a wrong input fails here and not deep inside XLA."""
    if x.ndim != 1 + len(trailing) or tuple(x.shape[1:]) != trailing:
        want = "(batch, " + ", ".join(map(str, trailing)) + ")"
        raise ValueError(f"{name} must have shape {want}, got {tuple(x.shape)}")


class _Generator(nnx.Module):
    latent_dim: int

    def sample_latent(self, key: jax.Array, n: int) -> jax.Array:
        """Draw ``z ~ N(0, I)`` of shape ``(n, latent_dim)`` from an explicit key."""
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
        self.latent_dim = _positive_int("latent_dim", latent_dim)
        self.out_dim = _positive_int("out_dim", out_dim)
        _positive_int("width", width)
        _positive_int("depth", depth)
        if not isinstance(batch_norm, bool):
            raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
        self.activation = _activation(activation)
        self.batch_norm = batch_norm
        sizes = [latent_dim] + [width] * depth
        # With batch norm the hidden layers have no bias (the norm's shift replaces it), as in
        # PacGAN's generator.
        self.hidden = nnx.List(
            [
                nnx.Linear(a, b, use_bias=not batch_norm, rngs=rngs)
                for a, b in zip(sizes[:-1], sizes[1:], strict=True)
            ]
        )
        if batch_norm:
            self.scales = nnx.List([nnx.Param(jnp.ones((width,))) for _ in range(depth)])
            self.shifts = nnx.List([nnx.Param(jnp.zeros((width,))) for _ in range(depth)])
        self.out = nnx.Linear(width, out_dim, rngs=rngs)

    def __call__(self, z: jax.Array) -> jax.Array:
        _check_input("z", z, (self.latent_dim,))
        h = z
        for i, layer in enumerate(self.hidden):
            h = layer(h)  # (B, width)
            if self.batch_norm:
                h = batch_normalize(h, self.scales[i][...], self.shifts[i][...])
            h = self.activation(h)
        return self.out(h)  # (B, out_dim)


def batch_normalize(h: jax.Array, scale: jax.Array, shift: jax.Array, eps: float = 1e-5):
    """Batch normalisation with the batch's own statistics (Ioffe & Szegedy 2015):
    ``scale * (h - mean_B h) / sqrt(var_B h + eps) + shift``, per feature of ``h (B, F)``.

    Always the batch's statistics, in training and when sampling, so the layer keeps no running
    averages (and no state to thread through the compiled step). Sampling therefore needs
    batches of many latents (hundreds, as the lessons draw); a batch of one is refused.
    """
    if h.shape[0] < 2:
        raise ValueError(
            f"a batch-normalised generator needs a batch of at least 2 latents, got {h.shape[0]}"
        )
    mean = jnp.mean(h, axis=0, keepdims=True)  # (1, F)
    var = jnp.var(h, axis=0, keepdims=True)
    return scale[None, :] * (h - mean) * jax.lax.rsqrt(var + eps) + shift[None, :]


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
        self.in_dim = _positive_int("in_dim", in_dim)
        _positive_int("width", width)
        _positive_int("depth", depth)
        self.activation = _activation(activation)
        self.minibatch_std = bool(minibatch_std)
        sizes = [in_dim] + [width] * depth
        self.hidden = nnx.List(
            [nnx.Linear(a, b, rngs=rngs) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        )
        self.out = nnx.Linear(width + self.minibatch_std, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input("x", x, (self.in_dim,))
        h = x
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
        self.in_dim = _positive_int("in_dim", in_dim)
        _positive_int("width", width)
        _positive_int("depth", depth)
        self.pieces = _positive_int("pieces", pieces)
        self.minibatch_std = bool(minibatch_std)  # as in MLPDiscriminator
        init = nnx.initializers.normal(init_std)
        sizes = [in_dim] + [width] * depth
        self.hidden = nnx.List(
            [
                nnx.Linear(a, b * pieces, kernel_init=init, rngs=rngs)
                for a, b in zip(sizes[:-1], sizes[1:], strict=True)
            ]
        )
        self.out = nnx.Linear(width + self.minibatch_std, 1, kernel_init=init, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        _check_input("x", x, (self.in_dim,))
        h = x
        for layer in self.hidden:
            y = layer(h)  # (B, width * pieces)
            h = jnp.max(y.reshape(*y.shape[:-1], -1, self.pieces), axis=-1)  # (B, width)
        if self.minibatch_std:
            h = append_minibatch_std(h)  # (B, width + 1)
        return self.out(h)[:, 0]  # (B,)


def append_minibatch_std(h: jax.Array, eps: float = 1e-8) -> jax.Array:
    """``(B, F) -> (B, F + 1)``: append the batch's mean per-feature standard deviation."""
    std = jnp.sqrt(jnp.var(h, axis=0) + eps)  # (F,)
    feature = jnp.broadcast_to(jnp.mean(std), (h.shape[0], 1))
    return jnp.concatenate([h, feature], axis=1)


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
        self.inner = inner
        self.packing = _positive_int("m", m)
        self.fuse_steps = getattr(inner, "fuse_steps", False)

    def __call__(self, x: jax.Array) -> jax.Array:
        m = self.packing
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
    _positive_int("m", m)
    return Packed(MLPDiscriminator(m * data_dim, width=width, depth=depth, rngs=rngs), m)


def depth_to_space(x: jax.Array, block: int = 2) -> jax.Array:
    """Rearrange ``(B, H, W, C * block**2)`` into ``(B, H * block, W * block, C)``.

    The "pixel shuffle" of Shi et al. (2016, https://arxiv.org/abs/1609.05158): each group of
    ``block**2`` channels becomes a ``block x block`` patch of one output channel.
    """
    b, h, w, c = x.shape
    if c % (block * block):
        raise ValueError(f"channels ({c}) must be divisible by block**2 = {block * block}")
    c_out = c // (block * block)
    x = x.reshape(b, h, w, block, block, c_out)
    x = x.transpose(0, 1, 3, 2, 4, 5)  # (B, H, block, W, block, C)
    return x.reshape(b, h * block, w * block, c_out)


class Upsample2x(nnx.Module):
    """Double the spatial size: ``(B, H, W, C_in) -> (B, 2H, 2W, C_out)``.

    * ``"transpose"``: a 4x4 transposed convolution with stride 2 (the DCGAN layer);
    * ``"subpixel"``: a 3x3 stride-1 convolution to ``4 * C_out`` channels followed by
      :func:`depth_to_space`. It can represent the same maps as a transposed convolution of a
      similar size, and on XLA's CPU backend its weight gradient is much cheaper (the
      transposed convolution's weight gradient was the slowest op of a DCGAN step here).
    """

    def __init__(self, c_in: int, c_out: int, mode: str, *, rngs: nnx.Rngs):
        if mode not in UPSAMPLINGS:
            raise ValueError(f"upsample must be one of {UPSAMPLINGS}, got {mode!r}")
        self.mode = mode
        if mode == "transpose":
            self.conv = nnx.ConvTranspose(c_in, c_out, (4, 4), strides=(2, 2), rngs=rngs)
        else:
            self.conv = nnx.Conv(
                c_in, 4 * c_out, (3, 3), conv_general_dilated=_conv_primitive(), rngs=rngs
            )

    def __call__(self, x: jax.Array) -> jax.Array:
        y = self.conv(x)
        return y if self.mode == "transpose" else depth_to_space(y, 2)


def im2col_conv(
    lhs: jax.Array,
    rhs: jax.Array,
    window_strides,
    padding,
    lhs_dilation=None,
    rhs_dilation=None,
    dimension_numbers=None,
    feature_group_count: int = 1,
    precision=None,
    **kwargs,
) -> jax.Array:
    """A 2-D convolution as one matrix product ("im2col"), a drop-in for
    ``lax.conv_general_dilated`` in ``nnx.Conv(..., conv_general_dilated=im2col_conv)``.

    ``lhs (B, H, W, C_in)`` is padded, the ``kh * kw`` shifted strided views of it are stacked
    along channels into patches ``(B, H_out, W_out, kh * kw * C_in)``, and the patches are
    multiplied by the kernel reshaped to ``(kh * kw * C_in, C_out)``. Same numbers as XLA's
    convolution, same parameters. Why: on XLA's CPU backend the native convolution's weight
    gradient was the slowest op of a DCGAN step; here every gradient is a matmul or a slice,
    and the DCGAN step ran about 3x faster. Handles what ganlab's models use (NHWC/HWIO, no
    dilation, one feature group) and defers to XLA for anything else.
    """
    plain = (
        feature_group_count == 1
        and all(d in (None, 1) for d in (lhs_dilation or (1,)) + (rhs_dilation or (1,)))
        and lhs.ndim == 4
    )
    if plain and dimension_numbers is not None:
        nhwc = jax.lax.conv_dimension_numbers(lhs.shape, rhs.shape, ("NHWC", "HWIO", "NHWC"))
        plain = dimension_numbers == nhwc
    if not plain:
        return jax.lax.conv_general_dilated(
            lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
            dimension_numbers, feature_group_count, precision=precision, **kwargs,
        )  # fmt: skip
    kh, kw, c_in, c_out = rhs.shape
    _, h, w, _ = lhs.shape
    sh, sw = window_strides
    if padding == "SAME":
        pads = [_same_padding(h, kh, sh), _same_padding(w, kw, sw)]
    elif padding == "VALID":
        pads = [(0, 0), (0, 0)]
    else:
        pads = [tuple(p) for p in padding]
    x = jnp.pad(lhs, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = (h + sum(pads[0]) - kh) // sh + 1
    ow = (w + sum(pads[1]) - kw) // sw + 1
    views = [
        x[:, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw, :]
        for i in range(kh)
        for j in range(kw)
    ]  # kh*kw views (B, H_out, W_out, C_in), in the kernel's (i, j) order
    patches = jnp.concatenate(views, axis=-1)  # (B, H_out, W_out, kh * kw * C_in)
    return jnp.dot(patches, rhs.reshape(kh * kw * c_in, c_out), precision=precision)


def _same_padding(size: int, k: int, stride: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def _conv_primitive():
    """im2col on the CPU backend (measured faster there); XLA's convolution elsewhere."""
    return im2col_conv if jax.default_backend() == "cpu" else jax.lax.conv_general_dilated


def _check_image_size(image_size: int) -> int:
    if image_size not in IMAGE_SIZES:
        raise ValueError(f"image_size must be one of {IMAGE_SIZES}, got {image_size!r}")
    return image_size


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
        self.latent_dim = _positive_int("latent_dim", latent_dim)
        self.image_size = _check_image_size(image_size)
        self.channels = _positive_int("channels", channels)
        self.base = image_size // 4
        self.project = nnx.Linear(latent_dim, self.base * self.base * 2 * channels, rngs=rngs)
        self.up1 = Upsample2x(2 * channels, channels, upsample, rngs=rngs)
        self.up2 = Upsample2x(channels, 1, upsample, rngs=rngs)
        # Measured on CPU: im2col layers run faster fused; XLA's transposed conv much slower.
        self.fuse_steps = upsample == "subpixel" or jax.default_backend() != "cpu"

    def __call__(self, z: jax.Array) -> jax.Array:
        _check_input("z", z, (self.latent_dim,))
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

    fuse_steps = True  # its convolutions are im2col_conv on CPU, which fuse well

    def __init__(self, *, image_size: int = 28, channels: int = 32, rngs: nnx.Rngs):
        self.image_size = _check_image_size(image_size)
        self.channels = _positive_int("channels", channels)
        base = image_size // 4
        conv = _conv_primitive()
        self.conv1 = nnx.Conv(1, channels, (4, 4), (2, 2), conv_general_dilated=conv, rngs=rngs)
        self.conv2 = nnx.Conv(
            channels, 2 * channels, (4, 4), (2, 2), conv_general_dilated=conv, rngs=rngs
        )
        self.out = nnx.Linear(base * base * 2 * channels, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        s = self.image_size
        _check_input("x", x, (s, s, 1))
        h = jax.nn.leaky_relu(self.conv1(x), 0.2)  # (B, S/2, S/2, c)
        h = jax.nn.leaky_relu(self.conv2(h), 0.2)  # (B, S/4, S/4, 2c)
        return self.out(h.reshape(x.shape[0], -1))[:, 0]  # (B,)


def mlp_gan(
    latent_dim: int = 2, data_dim: int = 2, *, width: int = 128, depth: int = 2, seed: int = 0
) -> tuple[MLPGenerator, MLPDiscriminator]:
    """The foundation's 2-D MLP pair, initialised from ``seed``."""
    rngs = nnx.Rngs(seed)
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
    rngs = nnx.Rngs(seed)
    g = ConvGenerator(
        latent_dim, image_size=image_size, channels=channels, upsample=upsample, rngs=rngs
    )
    d = ConvDiscriminator(image_size=image_size, channels=channels, rngs=rngs)
    return g, d


def save_weights(model: nnx.Module, path) -> None:
    """Write ``model``'s parameters to an ``.npz`` file (one array per parameter path).

    For shipping small trained models with the course; training checkpoints (optimizer state,
    step, key) are :meth:`ganlab.train.Trainer.save`'s job.
    """
    flat = nnx.to_flat_state(nnx.state(model, nnx.Param))
    arrays = {"/".join(map(str, p)): np.asarray(v[...]) for p, v in flat}
    np.savez_compressed(path, **arrays)


def load_weights(model: nnx.Module, path) -> nnx.Module:
    """Load parameters written by :func:`save_weights` into ``model`` (in place; returns it).

    Loaded without pickle; every parameter must be present with the model's own shape.
    """
    params = nnx.state(model, nnx.Param)
    flat = nnx.to_flat_state(params)
    with np.load(path, allow_pickle=False) as stored:
        missing = [k for k in ("/".join(map(str, p)) for p, _ in flat) if k not in stored.files]
        if missing or len(stored.files) != len(flat):
            raise ValueError(
                f"weights in {path} do not fit {type(model).__name__}: missing {missing}, "
                f"{len(stored.files)} arrays stored for {len(flat)} parameters"
            )
        for p, v in flat:
            key = "/".join(map(str, p))
            if stored[key].shape != v[...].shape:
                raise ValueError(
                    f"weights in {path}: {key} has shape {stored[key].shape}, "
                    f"the model's has {v[...].shape}"
                )
            v[...] = jnp.asarray(stored[key])
    return model


#: The configuration of the shipped MNIST generator (lesson 1; ``scripts/train_dcgan_mnist.py``).
PRETRAINED_MNIST = dict(latent_dim=32, channels=32, upsample="subpixel")


def pretrained_mnist_generator() -> ConvGenerator:
    """The DCGAN generator shipped with ganlab: ``conv_gan(**PRETRAINED_MNIST)`` trained on the
    9,000-digit MNIST train split for 10,000 steps by ``scripts/train_dcgan_mnist.py``
    (provenance in ``ganlab/_data/DCGAN_GENERATOR.md``), loaded without pickle.

    Returns a fresh generator each call: ``g.sample(key, n)`` gives ``(n, 28, 28, 1)`` in [-1, 1].
    """
    g, _ = conv_gan(**PRETRAINED_MNIST, seed=0)  # fresh weights, then replaced by the file's
    shipped = importlib.resources.files("ganlab") / "_data" / "dcgan_mnist_generator.npz"
    with importlib.resources.as_file(shipped) as path:
        return load_weights(g, path)
