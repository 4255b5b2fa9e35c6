r"""Walks through a generator's latent space: linear and spherical interpolation between noise
vectors, and the images a generator makes along the way.

A generator maps noise ``z ~ N(0, I)`` of shape ``(latent_dim,)`` to a sample. Moving ``z``
smoothly from ``z0`` to ``z1`` and looking at ``G(z)`` along the way shows whether the
generator learned a smooth map (every point on the path makes a plausible sample) or memorised
a few outputs (abrupt jumps). Two paths:

* :func:`lerp`, the straight line :math:`z(t) = (1 - t) z_0 + t z_1`;
* :func:`slerp`, the great-circle arc (Shoemake 1985; recommended for GAN latents by White
  2016, "Sampling Generative Networks", https://arxiv.org/abs/1609.04468):

  .. math::
      z(t) = \frac{\sin((1 - t)\,\Omega)}{\sin \Omega} z_0
           + \frac{\sin(t\,\Omega)}{\sin \Omega} z_1, \qquad
      \cos \Omega = \frac{z_0 \cdot z_1}{\lVert z_0 \rVert \lVert z_1 \rVert}.

Why the arc: in ``d`` dimensions a Gaussian ``z`` has norm close to :math:`\sqrt{d}`, and two
independent draws are nearly orthogonal, so the straight line's midpoint has norm close to
:math:`\sqrt{d / 2}`, a radius at which the generator saw almost no training noise. The arc
keeps the norm of two equal-norm endpoints all the way.

Shapes: a latent is ``(D,)``; ``t`` is a number or a 1-D array ``(T,)``; a path is ``(T, D)``;
:func:`walk` returns ``(T, *sample_shape)`` and :func:`interpolation_grid`
``(rows, T, *sample_shape)``. Everything is ``jax.numpy``; randomness comes from explicit keys.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.typing import ArrayLike

from ganlab import _checks

__all__ = [
    "METHODS",
    "interpolate",
    "interpolation_grid",
    "lerp",
    "path",
    "slerp",
    "truncated",
    "walk",
]

METHODS = ("slerp", "linear")
_PARALLEL = 1e-6  # below this sin(Omega), z0 and z1 are (anti)parallel: slerp falls back to lerp


# --- argument checks: each names the argument, the value and what is allowed ----------------


def _latent(z: Any, name: str) -> jax.Array:
    """``z`` as a float 1-D array ``(D,)`` with finite entries, or a ValueError naming it."""
    allowed = "a 1-D latent vector of numbers, shape (D,)"
    a = jnp.asarray(_checks.array(name, z, allowed, kinds="biufc"))
    if a.ndim != 1 or a.shape[0] < 1:
        _checks.fail(name, a, allowed)
    if not jnp.issubdtype(a.dtype, jnp.number) or jnp.issubdtype(a.dtype, jnp.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if not jnp.issubdtype(a.dtype, jnp.floating):
        a = a.astype(jnp.float32)
    _checks.finite(name, a)
    return a


def _pair(z0: Any, z1: Any) -> tuple[jax.Array, jax.Array]:
    z0, z1 = _latent(z0, "z0"), _latent(z1, "z1")
    if z0.shape != z1.shape:
        raise ValueError(
            f"z0 and z1 must have the same shape (D,), got z0 {z0.shape} and z1 {z1.shape}"
        )
    dtype = jnp.result_type(z0, z1)
    return z0.astype(dtype), z1.astype(dtype)


def _times(t: Any) -> tuple[jax.Array, bool]:
    """``t`` as a 1-D float array, and whether it was a scalar."""
    allowed = "a real number or a 1-D array of them (T,)"
    a = jnp.asarray(_checks.array("t", t, allowed))
    if a.ndim > 1:
        _checks.fail("t", a, allowed)
    _checks.finite("t", a)
    return jnp.atleast_1d(a).astype(jnp.float32), a.ndim == 0


def _steps(steps: Any, name: str = "steps") -> int:
    return _checks.integer(name, steps, minimum=2)  # both endpoints are included


def _method(method: Any) -> str:
    return _checks.choice("method", method, METHODS)


def _generator_latent_dim(generator: Any) -> int:
    latent_dim = getattr(generator, "latent_dim", None)
    if not callable(generator) or not _checks.is_integer(latent_dim):
        raise ValueError(
            "generator must be callable on z of shape (batch, latent_dim) and have an integer "
            f"attribute latent_dim (e.g. a ganlab.models generator), got {_checks.what(generator)}"
        )
    return int(latent_dim)


# --- paths between two latents -------------------------------------------------------------


def lerp(z0: ArrayLike, z1: ArrayLike, t: ArrayLike) -> jax.Array:
    r"""Linear interpolation :math:`z(t) = (1 - t) z_0 + t z_1`.

    Args:
      z0, z1: latents ``(D,)``.
      t: a number or ``(T,)``; 0 gives ``z0`` and 1 gives ``z1`` (values outside [0, 1]
        extrapolate along the line).

    Returns:
      ``(D,)`` for a number ``t``, ``(T, D)`` for an array.
    """
    z0, z1 = _pair(z0, z1)
    ts, scalar = _times(t)
    out = _lerp(z0, z1, ts.astype(z0.dtype))
    return out[0] if scalar else out


@jax.jit
def _lerp(z0: jax.Array, z1: jax.Array, t: jax.Array) -> jax.Array:
    t = t[:, None]  # (T, 1)
    return (1.0 - t) * z0[None, :] + t * z1[None, :]  # (T, D)


def slerp(z0: ArrayLike, z1: ArrayLike, t: ArrayLike) -> jax.Array:
    r"""Spherical interpolation along the great circle through ``z0`` and ``z1``.

    .. math::
        z(t) = \frac{\sin((1 - t)\,\Omega)}{\sin \Omega} z_0
             + \frac{\sin(t\,\Omega)}{\sin \Omega} z_1, \qquad
        \cos \Omega = \frac{z_0 \cdot z_1}{\lVert z_0 \rVert \lVert z_1 \rVert}

    (White 2016, https://arxiv.org/abs/1609.04468). The angle to ``z0`` grows linearly in
    ``t``; for endpoints of equal norm every point keeps that norm. When ``z0`` and ``z1`` are
    (anti)parallel the circle is not unique (:math:`\sin \Omega \approx 0`) and :func:`lerp`
    is returned, as in White's code.

    Args:
      z0, z1: non-zero latents ``(D,)``.
      t: a number or ``(T,)``; 0 gives ``z0`` and 1 gives ``z1``.

    Returns:
      ``(D,)`` for a number ``t``, ``(T, D)`` for an array.

    Raises:
      ValueError: bad shapes, non-finite values, or a zero vector (it has no direction).
    """
    z0, z1 = _pair(z0, z1)
    ts, scalar = _times(t)
    for name, z in (("z0", z0), ("z1", z1)):
        if not isinstance(z, jax.core.Tracer) and not np.any(np.asarray(z)):
            raise ValueError(f"{name} must be non-zero for slerp (a zero vector has no direction)")
    out = _slerp(z0, z1, ts.astype(z0.dtype))
    return out[0] if scalar else out


@jax.jit
def _slerp(z0: jax.Array, z1: jax.Array, t: jax.Array) -> jax.Array:
    n0, n1 = jnp.linalg.norm(z0), jnp.linalg.norm(z1)
    omega = jnp.arccos(jnp.clip(jnp.dot(z0 / n0, z1 / n1), -1.0, 1.0))  # the angle
    sin = jnp.sin(omega)
    parallel = sin < _PARALLEL
    safe = jnp.where(parallel, 1.0, sin)  # no 0/0 in the branch jnp.where discards
    t = t[:, None]  # (T, 1)
    a, b = z0[None, :], z1[None, :]  # (1, D)
    arc = (jnp.sin((1.0 - t) * omega) * a + jnp.sin(t * omega) * b) / safe  # (T, D)
    line = (1.0 - t) * a + t * b
    return jnp.where(parallel, line, arc)


def interpolate(z0: ArrayLike, z1: ArrayLike, steps: int = 8, method: str = "slerp") -> jax.Array:
    """``steps`` evenly spaced points from ``z0`` to ``z1`` (both included): ``(steps, D)``.

    ``method`` is ``"slerp"`` (:func:`slerp`, the default) or ``"linear"`` (:func:`lerp`).
    """
    steps, method = _steps(steps), _method(method)
    t = jnp.linspace(0.0, 1.0, steps)
    return slerp(z0, z1, t) if method == "slerp" else lerp(z0, z1, t)


def path(zs: ArrayLike, steps_between: int = 8, method: str = "slerp") -> jax.Array:
    """A walk through ``K`` keypoints ``zs`` ``(K, D)``, visiting them in order.

    Each leg from ``zs[k]`` to ``zs[k + 1]`` has ``steps_between`` points and shares its end
    with the next leg's start, so the result has ``(K - 1) * (steps_between - 1) + 1`` rows:
    ``(N, D)``. Pass ``zs`` with its first row repeated at the end for a loop.
    """
    steps_between, method = _steps(steps_between, "steps_between"), _method(method)
    allowed = "keypoints, an array (K, D) of real numbers with K >= 2"
    a = jnp.asarray(_checks.array("zs", zs, allowed))
    if a.ndim != 2 or a.shape[0] < 2:
        raise ValueError(f"zs must be {allowed}, got shape {a.shape}")
    _checks.finite("zs", a)
    legs = [interpolate(a[k], a[k + 1], steps_between, method) for k in range(a.shape[0] - 1)]
    return jnp.concatenate([legs[0]] + [leg[1:] for leg in legs[1:]], axis=0)


# --- what a generator makes along a path -----------------------------------------------------


@nnx.jit
def _apply_module(generator: nnx.Module, z: jax.Array) -> jax.Array:
    return generator(z)


def _apply(generator: Any, z: jax.Array) -> jax.Array:
    """``generator(z)``, compiled once per shape when the generator is an NNX module."""
    return _apply_module(generator, z) if isinstance(generator, nnx.Module) else generator(z)


def walk(
    generator: Any, z0: ArrayLike, z1: ArrayLike, steps: int = 8, method: str = "slerp"
) -> jax.Array:
    """``G(z)`` along :func:`interpolate` ``(z0, z1, steps, method)``: ``(steps, *sample)``.

    ``generator`` maps ``(B, latent_dim)`` to samples (a ``ganlab.models`` generator); ``z0``
    and ``z1`` must have ``latent_dim`` entries.
    """
    latent_dim = _generator_latent_dim(generator)
    z0, z1 = _pair(z0, z1)
    if z0.shape[0] != latent_dim:
        raise ValueError(
            f"z0 and z1 must have the generator's latent_dim = {latent_dim} entries, "
            f"got shape {z0.shape}"
        )
    return _apply(generator, interpolate(z0, z1, steps, method))


def interpolation_grid(
    generator: Any, key: jax.Array, rows: int = 4, steps: int = 8, method: str = "slerp"
) -> jax.Array:
    """``rows`` walks between independent pairs ``z0, z1 ~ N(0, I)`` drawn from ``key``.

    Returns ``(rows, steps, *sample)``: row ``r`` is :func:`walk` from the ``r``-th pair; its
    first and last entries are ``G(z0)`` and ``G(z1)``. Draw it with
    ``ganlab.plot.interpolation``.
    """
    latent_dim = _generator_latent_dim(generator)
    key = _checks.key("key", key)
    rows = _checks.integer("rows", rows, minimum=1)
    steps, method = _steps(steps), _method(method)
    z = jax.random.normal(key, (2, rows, latent_dim))  # (2, rows, D): the pairs
    zs = jax.vmap(lambda a, b: interpolate(a, b, steps, method))(z[0], z[1])  # (rows, T, D)
    images = _apply(generator, zs.reshape(rows * steps, latent_dim))  # (rows * steps, ...)
    return images.reshape(rows, steps, *images.shape[1:])


def truncated(key: jax.Array, n: int, latent_dim: int, threshold: float) -> jax.Array:
    r"""``n`` latents ``(n, latent_dim)`` from the truncated normal: each entry is
    :math:`N(0, 1)` conditioned on :math:`|z_i| \le` ``threshold`` (the truncation trick of
    BigGAN, Brock et al. 2019, https://arxiv.org/abs/1809.11096, section 3.1).

    A smaller threshold keeps the generator nearer the centre of its latent space, where it
    was trained most: samples become more typical and less varied. ``threshold = inf`` is the
    untruncated :math:`N(0, I)`."""
    key = _checks.key("key", key)
    n = _checks.integer("n", n, minimum=1)
    latent_dim = _checks.integer("latent_dim", latent_dim, minimum=1)
    if isinstance(threshold, float) and threshold == float("inf"):
        return jax.random.normal(key, (n, latent_dim), jnp.float32)
    if not (_checks.is_number(threshold) and threshold > 0):
        _checks.fail("threshold", threshold, "a number > 0 (inf for no truncation)")
    t = float(threshold)
    return jax.random.truncated_normal(key, -t, t, (n, latent_dim), jnp.float32)
