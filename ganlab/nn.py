"""Layers the models are built from (Flax NNX), separate from the models themselves.

* :func:`im2col_conv`, a 2-D convolution as one matrix product, and :func:`conv_primitive`, the
  backend's choice between it and XLA's convolution;
* :func:`depth_to_space` and :class:`Upsample2x`, the 2x upsampling of the DCGAN generator;
* :func:`batch_normalize` and :func:`append_minibatch_std`, the two layers whose output for one
  sample depends on the rest of its batch.

:mod:`ganlab.models` re-exports the public names, so ``models.im2col_conv`` and the like keep
working.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import nnx

from ganlab import _checks

__all__ = [
    "UPSAMPLINGS",
    "Upsample2x",
    "append_minibatch_std",
    "batch_normalize",
    "conv_primitive",
    "depth_to_space",
    "im2col_conv",
]

UPSAMPLINGS = ("subpixel", "transpose")


def _array(name: str, x: object, ndim: int, what: str) -> jax.Array:
    """``x`` as a numeric JAX array of ``ndim`` dimensions (``what`` names them); checked in
    Python, also at trace time, so a wrong input fails here and not inside XLA."""
    if not isinstance(x, jax.Array):
        try:
            x = jnp.asarray(x)
        except (TypeError, ValueError):
            _checks.fail(name, x, f"a float array {what}")
    if not jnp.issubdtype(x.dtype, jnp.number) or x.ndim != ndim:
        _checks.fail(name, x, f"a float array {what}" + (f", not {x.dtype}" if x.ndim else ""))
    return x


def depth_to_space(x: jax.Array, block: int = 2) -> jax.Array:
    """Rearrange ``(B, H, W, C * block**2)`` into ``(B, H * block, W * block, C)``.

    The "pixel shuffle" of Shi et al. (2016, https://arxiv.org/abs/1609.05158): each group of
    ``block**2`` channels becomes a ``block x block`` patch of one output channel.
    """
    block = _checks.integer("block", block, minimum=1)
    x = _array("x", x, 4, "(B, H, W, C)")
    b, h, w, c = x.shape
    if c % (block * block):
        raise ValueError(
            f"x must have a number of channels divisible by block**2 = {block * block}, got {c}"
        )
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
        self.mode = _checks.choice("upsample", mode, UPSAMPLINGS)
        self.c_in = c_in = _checks.integer("c_in", c_in, minimum=1)
        c_out = _checks.integer("c_out", c_out, minimum=1)
        if not isinstance(rngs, nnx.Rngs):
            _checks.fail("rngs", rngs, "an nnx.Rngs, e.g. nnx.Rngs(0)")
        if mode == "transpose":
            self.conv = nnx.ConvTranspose(c_in, c_out, (4, 4), strides=(2, 2), rngs=rngs)
        else:
            self.conv = nnx.Conv(
                c_in, 4 * c_out, (3, 3), conv_general_dilated=conv_primitive(), rngs=rngs
            )

    def __call__(self, x: jax.Array) -> jax.Array:
        x = _array("x", x, 4, f"(B, H, W, {self.c_in})")
        if x.shape[-1] != self.c_in:
            _checks.fail("x", x, f"a float array (B, H, W, {self.c_in})")
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
    lhs = _array("lhs", lhs, getattr(lhs, "ndim", 4), "(B, H, W, C)")
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
    _, h, w, c = lhs.shape
    rhs = _array("rhs", rhs, 4, f"(kh, kw, {c}, C_out) for lhs with {c} channels")
    kh, kw, c_in, c_out = rhs.shape
    if c_in != c:
        _checks.fail("rhs", rhs, f"a float array (kh, kw, {c}, C_out) for lhs with {c} channels")
    sh, sw = _pair_of("window_strides", window_strides, 1)
    if padding == "SAME":
        pads = [_same_padding(h, kh, sh), _same_padding(w, kw, sw)]
    elif padding == "VALID":
        pads = [(0, 0), (0, 0)]
    else:
        allowed = '"SAME", "VALID" or two (before, after) pairs of integers >= 0'
        if not isinstance(padding, list | tuple) or len(padding) != 2:
            _checks.fail("padding", padding, allowed)
        pads = [_pair_of("padding", p, 0, allowed) for p in padding]
    oh = (h + sum(pads[0]) - kh) // sh + 1
    ow = (w + sum(pads[1]) - kw) // sw + 1
    if oh < 1 or ow < 1:
        raise ValueError(
            f"rhs must fit in the padded lhs, got a {kh}x{kw} kernel over {h}x{w} images with "
            f"padding {pads}"
        )
    x = jnp.pad(lhs, ((0, 0), pads[0], pads[1], (0, 0)))
    views = [
        x[:, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw, :]
        for i in range(kh)
        for j in range(kw)
    ]  # kh*kw views (B, H_out, W_out, C_in), in the kernel's (i, j) order
    patches = jnp.concatenate(views, axis=-1)  # (B, H_out, W_out, kh * kw * C_in)
    return jnp.dot(patches, rhs.reshape(kh * kw * c_in, c_out), precision=precision)


def _pair_of(name: str, value: object, minimum: int, allowed: str | None = None) -> tuple:
    """Two integers >= ``minimum`` (strides, a padding pair)."""
    ok = isinstance(value, list | tuple) and len(value) == 2
    if not ok or not all(_checks.is_integer(v) and v >= minimum for v in value):
        _checks.fail(name, value, allowed or f"two integers >= {minimum}")
    return int(value[0]), int(value[1])


def _same_padding(size: int, k: int, stride: int) -> tuple[int, int]:
    """XLA's "SAME" padding ``(before, after)`` of one spatial axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def conv_primitive() -> Callable:
    """The convolution for ``nnx.Conv(..., conv_general_dilated=...)`` on this backend:
    :func:`im2col_conv` on CPU (its gradients measured much cheaper there), XLA's
    ``lax.conv_general_dilated`` elsewhere."""
    return im2col_conv if jax.default_backend() == "cpu" else jax.lax.conv_general_dilated


def batch_normalize(h: jax.Array, scale: jax.Array, shift: jax.Array, eps: float = 1e-5):
    """Batch normalisation with the batch's own statistics (Ioffe & Szegedy 2015):
    ``scale * (h - mean_B h) / sqrt(var_B h + eps) + shift``, per feature of ``h (B, F)``.

    Always the batch's statistics, in training and when sampling, so the layer keeps no running
    averages (and no state to thread through the compiled step). Sampling therefore needs
    batches of many latents (hundreds, as the lessons draw); a batch of one is refused.
    """
    h = _array("h", h, 2, "(B, F)")
    f = h.shape[1]
    scale = _array("scale", scale, 1, f"({f},), one per feature of h")
    shift = _array("shift", shift, 1, f"({f},), one per feature of h")
    if scale.shape != (f,) or shift.shape != (f,):
        bad = ("scale", scale) if scale.shape != (f,) else ("shift", shift)
        _checks.fail(*bad, f"a float array ({f},), one per feature of h")
    eps = _checks.positive("eps", eps)
    if h.shape[0] < 2:
        raise ValueError(
            f"a batch-normalised generator needs a batch of at least 2 latents, got {h.shape[0]}"
        )
    mean = jnp.mean(h, axis=0, keepdims=True)  # (1, F)
    var = jnp.var(h, axis=0, keepdims=True)
    return scale[None, :] * (h - mean) * jax.lax.rsqrt(var + eps) + shift[None, :]


def append_minibatch_std(h: jax.Array, eps: float = 1e-8) -> jax.Array:
    """``(B, F) -> (B, F + 1)``: append the batch's mean per-feature standard deviation
    (Karras et al. 2018, https://arxiv.org/abs/1710.10196, section 3)."""
    h = _array("h", h, 2, "(B, F)")
    eps = _checks.positive("eps", eps)
    std = jnp.sqrt(jnp.var(h, axis=0) + eps)  # (F,)
    feature = jnp.broadcast_to(jnp.mean(std), (h.shape[0], 1))
    return jnp.concatenate([h, feature], axis=1)
