r"""k-nearest-neighbour metrics on features: improved precision and recall, density and
coverage, and the radii and distances beneath them, in jit-compiled blocks of rows; see
:mod:`ganlab.metrics`, which re-exports every name here.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from ganlab import _checks
from ganlab.metrics._features import feature_pair, features, same_dimension

__all__ = ["density_coverage", "knn_radii", "nearest_distances", "precision_recall"]

# Rows of queries per compiled block of the k-NN metrics: one (block_size, M) float32 matrix of
# squared distances is alive at a time, 100 MB for M = 50 000 (the usual size of an FID set).
_BLOCK_SIZE = 512


# --------------------------------------------------------------------------------------------
# k-nearest-neighbour metrics, in jit-compiled blocks of rows
# --------------------------------------------------------------------------------------------


def _check_k(k: object, n: int, feats_name: str) -> int:
    """``k`` nearest neighbours other than the point itself need ``1 <= k < N``."""
    if not (_checks.is_integer(k) and 1 <= k < n):
        _checks.fail(
            "k",
            k,
            f"an integer with 1 <= k < N = {n} (N the rows of {feats_name}: a point's k-th "
            "nearest neighbour other than itself)",
        )
    return int(k)


def _check_block_size(block_size: object) -> int:
    return _checks.integer("block_size", block_size, minimum=1)


def _row_blocks(x: np.ndarray, block_size: int) -> jax.Array:
    """``(N, D)`` -> ``(n_blocks, B, D)`` with ``B = min(block_size, N)``, zero-padded rows."""
    n, d = x.shape
    b = min(block_size, n)
    n_blocks = -(-n // b)
    x = np.pad(x, ((0, n_blocks * b - n), (0, 0)))
    return jnp.asarray(x.reshape(n_blocks, b, d))  # JAX's default float: float32 unless x64


def _sq_dists(q: jax.Array, ref: jax.Array) -> jax.Array:
    """Squared distances ``(B, M)`` of ``(B, D)`` queries to ``(M, D)`` references."""
    # Summed from the differences, not by the matmul expansion |q|^2 - 2 q.r + |r|^2: in
    # float32 the expansion's cancellation error, ~1e-7 (|q|^2 + |r|^2), is a few percent of
    # a squared k-NN radius on the 2-D ring (|x| = 1, std 0.01, 2000 samples), enough to give
    # a set against itself a density of 0.996 instead of 1. XLA fuses subtract-square-sum,
    # so the (B, M, D) array is never formed.
    diff = q[:, None, :] - ref[None, :, :]  # (B, M, D), fused away
    return jnp.sum(diff * diff, axis=-1)


@functools.partial(jax.jit, static_argnames=("k", "exclude_self"))
def _kth_sq_dist(q_blocks: jax.Array, ref: jax.Array, k: int, exclude_self: bool) -> jax.Array:
    """Squared distance ``(n_blocks * B,)`` of each query to its k-th nearest reference."""
    n_blocks, b, _ = q_blocks.shape
    m = ref.shape[0]

    def block(args: tuple[jax.Array, jax.Array]) -> jax.Array:
        q, start = args  # (B, D), ()
        d2 = _sq_dists(q, ref)  # (B, M)
        if exclude_self:  # queries are ref itself: drop column == row *index*, not distance 0
            rows = start + jnp.arange(b)  # (B,)
            d2 = jnp.where(rows[:, None] == jnp.arange(m)[None, :], jnp.inf, d2)
        if k == 1:
            return jnp.min(d2, axis=1)  # (B,)
        return -jax.lax.top_k(-d2, k)[0][:, k - 1]  # (B,): the k-th smallest

    out = jax.lax.map(block, (q_blocks, jnp.arange(n_blocks) * b))  # (n_blocks, B)
    return out.reshape(n_blocks * b)


# Measured: at most ~1.3 ulps between block shapes (D = 2 and 4), none for D >= 16.
_TIE_ULPS = 4.0


@functools.partial(jax.jit, static_argnames=("strict",))
def _count_within(
    q_blocks: jax.Array, ref: jax.Array, r2_blocks: jax.Array, ref_r2: jax.Array, strict: bool
) -> jax.Array:
    """For each query ``j``, the number of references ``i`` with ``d(q_j, x_i)`` within a
    radius: ``r_ij^2 = r2_blocks[j] + ref_r2[i]`` (pass zeros for the one not used)."""
    n_blocks, b, _ = q_blocks.shape
    # Within _TIE_ULPS ulps a distance equals the radius: the same squared differences summed
    # in another order (another block shape) may differ by an ulp or so.
    tie = _TIE_ULPS * jnp.finfo(ref.dtype).eps

    def block(args: tuple[jax.Array, jax.Array]) -> jax.Array:
        q, q_r2 = args  # (B, D), (B,)
        d2 = _sq_dists(q, ref)  # (B, M)
        r2 = q_r2[:, None] + ref_r2[None, :]  # (B, M)
        inside = d2 < r2 * (1.0 - tie) if strict else d2 <= r2 * (1.0 + tie)  # (B, M)
        return jnp.sum(inside, axis=1, dtype=jnp.int32)  # (B,)

    return jax.lax.map(block, (q_blocks, r2_blocks)).reshape(n_blocks * b)


def _knn_sq_radii(x: np.ndarray, k: int, block_size: int, centre: np.ndarray) -> jax.Array:
    """Squared k-NN radii ``(N,)`` of a float64 ``(N, D)`` set, self excluded by index."""
    # Centred in float64 before the cast to float32, so a large common offset costs no digits.
    xc = x - centre
    return _kth_sq_dist(_row_blocks(xc, block_size), jnp.asarray(xc), k, True)[: x.shape[0]]


def _count(
    queries: np.ndarray,
    reference: np.ndarray,
    centre: np.ndarray,
    block_size: int,
    *,
    strict: bool,
    query_r2: jax.Array | None = None,
    ref_r2: jax.Array | None = None,
) -> np.ndarray:
    """``(N,)`` counts of :func:`_count_within`, radii given for the queries or the refs."""
    q_blocks = _row_blocks(queries - centre, block_size)  # (n_blocks, B, D)
    n_blocks, b, _ = q_blocks.shape
    q_r2 = jnp.zeros((n_blocks * b,), q_blocks.dtype)
    if query_r2 is not None:
        q_r2 = q_r2.at[: queries.shape[0]].set(query_r2)
    if ref_r2 is None:
        ref_r2 = jnp.zeros((reference.shape[0],), q_blocks.dtype)
    ref = jnp.asarray(reference - centre)
    counts = _count_within(q_blocks, ref, q_r2.reshape(n_blocks, b), ref_r2, strict)
    return np.asarray(counts[: queries.shape[0]])


def knn_radii(feats: ArrayLike, k: int, *, block_size: int = _BLOCK_SIZE) -> jax.Array:
    r"""Distance from each point to its k-th nearest neighbour in the same set, itself excluded.

    .. math::

        r_i = \lVert x_i - x_{(k)}^{(i)} \rVert_2, \quad x_{(k)}^{(i)} \text{ the k-th
        nearest of } \{x_j : j \ne i\}

    The radii of the k-NN manifold estimate of :func:`precision_recall` and
    :func:`density_coverage`. "Itself" means the same *index*, not distance 0: a duplicate
    of :math:`x_i` at another index is a genuine neighbour at distance 0. The reference codes
    (kynkaat/improved-precision-and-recall-metric, clovaai/generative-evaluation-prdc) take
    the (k+1)-th smallest distance with the point included, which is the same value whenever
    the self-distance is the minimum 0, i.e. always in exact arithmetic; excluding by index
    does not rely on the computed self-distance being exactly 0.

    Distances are computed in jit-compiled blocks of ``block_size`` query rows against the
    whole other set: one ``(block_size, M)`` matrix at a time, never ``(N, M)``. Each squared
    distance is summed from the differences, :math:`\sum_d (a_d - b_d)^2` (XLA fuses it, so
    no ``(block_size, M, D)`` array is formed), on features centred in float64 and cast to
    JAX's default float (float32 unless ``jax_enable_x64``). On CPU this runs 5-10 times
    slower than the matmul expansion :math:`\lVert a \rVert^2 - 2 a^\top b + \lVert b
    \rVert^2`, but that expansion's float32 cancellation error, :math:`\sim 10^{-7}
    (\lVert a \rVert^2 + \lVert b \rVert^2)`, grows with the features' norm over the radii:
    a few percent of a squared radius on the ring of ``ganlab.data`` (radius 1, std 0.01),
    enough to give a set compared with itself a density of 0.996 instead of 1. Summed
    from differences, :math:`d(a, b)` and :math:`d(b, a)` are the same float up to the
    order of the sum, and a gap of at most 4 ulps between a squared distance and a squared
    radius counts as a tie, so exact ties (a set compared with itself, duplicate points, a
    duplicate at radius 0) follow the reference code's ``<`` or ``<=`` as exact arithmetic
    would. The metrics do not depend on ``block_size``; radii and distances may change in
    the last bit with it.

    Args:
      feats: ``(N, D)`` features.
      k: neighbour rank, an integer in ``[1, N - 1]``.
      block_size: query rows per compiled block (memory ``block_size * N`` floats).

    Returns:
      ``(N,)`` float radii, a ``jax.Array``.

    Raises:
      ValueError: if ``feats`` is not 2-D or holds NaN/inf, or ``k``/``block_size`` is out of
        range.
    """
    x = features("feats", feats)
    k = _check_k(k, x.shape[0], "feats")
    block_size = _check_block_size(block_size)
    return jnp.sqrt(_knn_sq_radii(x, k, block_size, x.mean(axis=0)))


def nearest_distances(
    queries: ArrayLike, reference: ArrayLike, *, block_size: int = _BLOCK_SIZE
) -> jax.Array:
    r"""Distance from each query to its nearest reference point, :math:`\min_i \lVert q_j -
    r_i \rVert_2`.

    Finds memorised training data: a generated sample much closer to a training image than
    held-out real images are is a copy (a duplicate gives exactly 0).

    Computed in blocks, from differences, as described in :func:`knn_radii` (memory:
    ``block_size`` times the larger set; float32 unless ``jax_enable_x64``).

    Args:
      queries: ``(N, D)`` points, e.g. features of generated samples.
      reference: ``(M, D)`` points, e.g. features of the training set.
      block_size: query rows per compiled block (memory ``block_size * M`` floats).

    Returns:
      ``(N,)`` float distances, a ``jax.Array``.

    Raises:
      ValueError: if an array is not 2-D or holds NaN/inf, the feature dimensions differ, or
        ``block_size`` is not a positive integer.
    """
    q, ref = features("queries", queries), features("reference", reference)
    same_dimension("queries", q, "reference", ref)
    block_size = _check_block_size(block_size)
    c = ref.mean(axis=0)
    d2 = _kth_sq_dist(_row_blocks(q - c, block_size), jnp.asarray(ref - c), 1, False)
    return jnp.sqrt(d2[: q.shape[0]])


def _real_balls(
    real_feats: ArrayLike,
    fake_feats: ArrayLike,
    k: object,
    block_size: object,
    *,
    fake_radii: bool = False,
) -> tuple[np.ndarray, np.ndarray, int, int, np.ndarray, jax.Array]:
    """What precision/recall and density/coverage start from: the checked features, ``k`` and
    ``block_size``, the one centre of every distance of the call, and the real squared k-NN
    radii ``(N,)``. ``fake_radii``: ``k`` must also fit the generated set."""
    real, fake = feature_pair(real_feats, fake_feats)
    k = _check_k(k, real.shape[0], "real_feats")
    if fake_radii:
        _check_k(k, fake.shape[0], "fake_feats")
    block_size = _check_block_size(block_size)
    c = real.mean(axis=0)
    return real, fake, k, block_size, c, _knn_sq_radii(real, k, block_size, c)  # r2: (N,)


def precision_recall(
    real_feats: ArrayLike, fake_feats: ArrayLike, k: int = 3, *, block_size: int = _BLOCK_SIZE
) -> dict[str, float]:
    r"""Improved precision and recall (Kynkaanniemi et al. 2019, k-NN manifolds).

    "Improved Precision and Recall Metric for Assessing Generative Models",
    https://arxiv.org/abs/1904.06991, reference code kynkaat/improved-precision-and-recall-
    metric. Each set :math:`\Phi` estimates its manifold as a union of balls, each point's ball
    reaching its k-th nearest neighbour in the set (itself excluded, :func:`knn_radii`):

    .. math::

        f(\phi, \Phi) = \mathbb{1}\big[\exists\, \phi' \in \Phi :
        \lVert \phi - \phi' \rVert_2 \le r_k(\phi', \Phi)\big]

        \text{precision} = \frac{1}{M} \sum_{j} f(\phi_{g,j}, \Phi_r), \qquad
        \text{recall} = \frac{1}{N} \sum_{i} f(\phi_{r,i}, \Phi_g)

    Precision is the fraction of generated samples inside the real manifold (quality),
    recall the fraction of real samples inside the generated manifold (diversity). As in the
    reference code the comparison is ``<=`` (so identical sets give 1 and 1) and ``k = 3``.

    Computed in blocks, from differences, as described in :func:`knn_radii` (memory:
    ``block_size`` times the larger set; float32 unless ``jax_enable_x64``).

    Args:
      real_feats: ``(N, D)`` features of real samples.
      fake_feats: ``(M, D)`` features of generated samples.
      k: neighbour rank of the radii, an integer with ``1 <= k < min(N, M)``.
      block_size: query rows per compiled block.

    Returns:
      ``{"precision": float, "recall": float}``, each in ``[0, 1]``.

    Raises:
      ValueError: on bad features (2-D, finite, same ``D``), or ``k``/``block_size`` out of
        range.
    """
    real, fake, k, block_size, c, r2_real = _real_balls(
        real_feats, fake_feats, k, block_size, fake_radii=True
    )
    r2_fake = _knn_sq_radii(fake, k, block_size, c)  # (M,)
    fake_in_real = _count(fake, real, c, block_size, strict=False, ref_r2=r2_real) > 0  # (M,)
    real_in_fake = _count(real, fake, c, block_size, strict=False, ref_r2=r2_fake) > 0  # (N,)
    return {"precision": float(fake_in_real.mean()), "recall": float(real_in_fake.mean())}


def density_coverage(
    real_feats: ArrayLike, fake_feats: ArrayLike, k: int = 5, *, block_size: int = _BLOCK_SIZE
) -> dict[str, float]:
    r"""Density and coverage (Naeem et al. 2020), k-NN balls around the real samples only.

    "Reliable Fidelity and Diversity Metrics for Generative Models",
    https://arxiv.org/abs/2002.09797, reference code clovaai/generative-evaluation-prdc. With
    real points :math:`x_{1..N}`, their k-NN radii :math:`r_i` (itself excluded,
    :func:`knn_radii`) and generated points :math:`y_{1..M}`:

    .. math::

        \text{density} = \frac{1}{kM} \sum_{j=1}^{M} \sum_{i=1}^{N}
        \mathbb{1}\big[\lVert y_j - x_i \rVert_2 < r_i\big], \qquad
        \text{coverage} = \frac{1}{N} \sum_{i=1}^{N}
        \mathbb{1}\big[\min_j \lVert x_i - y_j \rVert_2 < r_i\big]

    Density counts how many real balls each generated sample falls in (about 1 when the
    two distributions match, above 1 when samples crowd dense real regions); coverage is the
    fraction of real balls holding at least one generated sample. Unlike precision and recall
    no ball is built around a generated sample, so generated outliers cannot inflate them.
    The comparisons are strict (``<``), as in the reference code; ``k = 5`` is its default.

    Computed in blocks, from differences, as described in :func:`knn_radii` (memory:
    ``block_size`` times the larger set; float32 unless ``jax_enable_x64``).

    Args:
      real_feats: ``(N, D)`` features of real samples.
      fake_feats: ``(M, D)`` features of generated samples.
      k: neighbour rank of the real radii, an integer with ``1 <= k < N``.
      block_size: query rows per compiled block.

    Returns:
      ``{"density": float, "coverage": float}``; density >= 0 (can exceed 1), coverage in
      ``[0, 1]``.

    Raises:
      ValueError: on bad features (2-D, finite, same ``D``), or ``k``/``block_size`` out of
        range.
    """
    real, fake, k, block_size, c, r2_real = _real_balls(real_feats, fake_feats, k, block_size)
    balls = _count(fake, real, c, block_size, strict=True, ref_r2=r2_real)  # (M,)
    # min_j d(x_i, y_j) < r_i  <=>  some y_j lies strictly inside the ball of x_i.
    covered = _count(real, fake, c, block_size, strict=True, query_r2=r2_real) > 0  # (N,)
    return {
        "density": float(balls.sum() / (k * fake.shape[0])),
        "coverage": float(covered.mean()),
    }
