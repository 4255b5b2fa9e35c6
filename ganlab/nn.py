"""Layers the models are built from (Flax NNX), separate from the models themselves.

* :func:`conv2d`, a 2-D convolution whose gradients are convolutions in the layout XLA's CPU
  backend runs fastest, :func:`im2col_conv`, a 2-D convolution as one matrix product, and
  :func:`conv_primitive`, the backend's choice;
* :func:`compiler_options`, the XLA options the training step is compiled with;
* :func:`depth_to_space` and :class:`Upsample2x`, the 2x upsampling of the DCGAN generator;
* :func:`batch_normalize` and :func:`append_minibatch_std`, the two layers whose output for one
  sample depends on the rest of its batch.

:mod:`ganlab.models` re-exports the public names, so ``models.im2col_conv`` and the like keep
working.
"""

from __future__ import annotations

import functools
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
    "compiler_options",
    "conv2d",
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


def _drop_in(plain: Callable) -> Callable:
    """A drop-in for ``lax.conv_general_dilated`` (same arguments) from
    ``plain(x, w, strides, pads, (H_out, W_out), precision)``, which computes a plain 2-D
    convolution (NHWC/HWIO, no dilation, one feature group) from the checked arguments of
    :func:`_plain_args`; anything else goes to XLA's convolution."""

    def conv(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
             dimension_numbers=None, feature_group_count=1, precision=None, **kwargs):  # fmt: skip
        args = _plain_args(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                           dimension_numbers, feature_group_count)  # fmt: skip
        if args is None:
            return jax.lax.conv_general_dilated(
                lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                dimension_numbers, feature_group_count, precision=precision, **kwargs,
            )  # fmt: skip
        return plain(*args, precision)

    functools.update_wrapper(conv, plain)
    del conv.__wrapped__  # show the drop-in's signature, not plain's
    return conv


@_drop_in
def im2col_conv(x: jax.Array, w: jax.Array, strides, pads, out_size, precision) -> jax.Array:
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
    (sh, sw), (oh, ow) = strides, out_size
    kh, kw, c_in, c_out = w.shape
    x = jnp.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    views = [
        x[:, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw, :]
        for i in range(kh)
        for j in range(kw)
    ]  # kh*kw views (B, H_out, W_out, C_in), in the kernel's (i, j) order
    patches = jnp.concatenate(views, axis=-1)  # (B, H_out, W_out, kh * kw * C_in)
    return jnp.dot(patches, w.reshape(kh * kw * c_in, c_out), precision=precision)


def _plain_args(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                dimension_numbers, feature_group_count):  # fmt: skip
    """For a plain 2-D convolution (NHWC/HWIO, no dilation, one feature group): the checked
    ``(lhs, rhs, strides, pads, (H_out, W_out))`` with ``pads`` two ``(before, after)`` pairs;
    ``None`` for anything else (the caller defers to XLA)."""
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
        return None
    _, h, w, c = lhs.shape
    rhs = _array("rhs", rhs, 4, f"(kh, kw, {c}, C_out) for lhs with {c} channels")
    kh, kw, c_in, _ = rhs.shape
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
    return lhs, rhs, (sh, sw), (tuple(pads[0]), tuple(pads[1])), (oh, ow)


@_drop_in
def conv2d(x: jax.Array, w: jax.Array, strides, pads, out_size, precision) -> jax.Array:
    """A 2-D convolution whose gradients are convolutions in XLA's canonical layout too; a
    drop-in for ``lax.conv_general_dilated`` in ``nnx.Conv(..., conv_general_dilated=conv2d)``.

    Same numbers as XLA's convolution (to float32 rounding), same parameters. Why: XLA's CPU
    backend calls a fast convolution library only for a convolution in its canonical form,
    batch first and features last (NHWC input, HWIO kernel). The gradients JAX derives for a
    convolution are convolutions in other forms (a kernel with its in/out axes swapped, batch
    and features exchanged for the weight gradient); inside the DCGAN training step XLA
    emitted those as plain loops, the slowest about 100 ms a step. Here they are written out
    in the canonical form (``_conv_vjp``); on a 2-core CPU the DCGAN step ran 1.2-1.3x
    faster than with :func:`im2col_conv` (benchmarks/RESULTS.md). Handles what ganlab's
    models use (NHWC/HWIO, no dilation, one feature group) and defers to XLA for anything
    else.
    """
    return _conv_vjp(x, w, strides, pads, precision)


def _canonical_conv(x, w, strides, pads, precision, lhs_dilation=(1, 1), rhs_dilation=(1, 1)):
    """``x (B, H, W, C_in)`` convolved with ``w (kh, kw, C_in, C_out)``: XLA's canonical form."""
    return jax.lax.conv_general_dilated(
        x, w, strides, pads, lhs_dilation, rhs_dilation, ("NHWC", "HWIO", "NHWC"),
        precision=precision,
    )  # fmt: skip


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def _conv_vjp(x: jax.Array, w: jax.Array, strides, pads, precision) -> jax.Array:
    """The convolution ``y[n, p, q, o] = sum_{a, b, i} x_pad[n, s p + a, t q + b, i]
    w[a, b, i, o]`` (strides ``(s, t)``, ``pads`` two ``(before, after)`` pairs), with its two
    gradients as canonical convolutions:

    * input: ``dy`` spread out by the strides (``lhs_dilation``) and convolved with the kernel
      flipped in space, in/out axes swapped, padded ``k - 1 - before`` and
      ``k - 1 - after`` plus the rows no window reached (the adjoint of the strided sum);
    * weights: ``dw[a, b, i, o] = sum_{n, p, q} x_pad[n, s p + a, t q + b, i] dy[n, p, q, o]``,
      a convolution of ``x_pad`` by ``dy`` dilated by the strides (``rhs_dilation``), with the
      input channels in the place of the batch and the batch in the place of the features
      (both transposed explicitly).
    """
    return _canonical_conv(x, w, strides, pads, precision)


def _conv_vjp_fwd(x, w, strides, pads, precision):
    return _canonical_conv(x, w, strides, pads, precision), (x, w)


def _conv_vjp_bwd(strides, pads, precision, residuals, dy):
    x, w = residuals
    kh, kw = w.shape[:2]
    (sh, sw), ((top, bottom), (left, right)) = strides, pads
    h, wd, oh, ow = *x.shape[1:3], *dy.shape[1:3]
    rows_left = h + top + bottom - kh - (oh - 1) * sh  # rows past the last window (< sh)
    cols_left = wd + left + right - kw - (ow - 1) * sw
    flipped = jnp.flip(w, (0, 1)).transpose(0, 1, 3, 2)  # (kh, kw, C_out, C_in)
    adjoint_pads = (
        (kh - 1 - top, kh - 1 - bottom + rows_left),
        (kw - 1 - left, kw - 1 - right + cols_left),
    )
    dx = _canonical_conv(dy, flipped, (1, 1), adjoint_pads, precision, lhs_dilation=strides)
    x_pad = jnp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    dw = _canonical_conv(
        x_pad.transpose(3, 1, 2, 0),
        dy.transpose(1, 2, 0, 3),
        (1, 1),
        "VALID",
        precision,
        rhs_dilation=strides,
    )  # (C_in, kh + rows_left, kw + cols_left, C_out)
    return dx, dw[:, :kh, :kw].transpose(1, 2, 0, 3)


_conv_vjp.defvjp(_conv_vjp_fwd, _conv_vjp_bwd)


@functools.cache
def compiler_options() -> dict[str, str]:
    """XLA options for the compiled training step (``jax.jit(..., compiler_options=...)``).

    On CPU, convolutions go to XLA's Eigen kernels rather than YNNPACK (XLA's default for
    them in jaxlib 0.10; matrix products and reductions stay with YNNPACK): on a 2-core CPU
    the DCGAN step built from :func:`conv2d` ran about 1.4x faster so (benchmarks/RESULTS.md).
    Empty elsewhere, and on a jaxlib that does not know the option.
    """
    if jax.default_backend() != "cpu":
        return {}
    options = {
        "xla_cpu_experimental_ynn_fusion_type": (
            "LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT,LIBRARY_FUSION_TYPE_REDUCE"
        )
    }
    try:
        jax.jit(jnp.negative, compiler_options=options).lower(1.0).compile()
    except Exception:  # an older jaxlib: unknown option or enum value
        return {}
    return options


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
    :func:`conv2d` on CPU (its gradients measured much cheaper there than XLA's own, and the
    DCGAN step faster than with :func:`im2col_conv`), XLA's ``lax.conv_general_dilated``
    elsewhere."""
    return conv2d if jax.default_backend() == "cpu" else jax.lax.conv_general_dilated


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
