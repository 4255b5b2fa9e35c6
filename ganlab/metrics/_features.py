"""Validation shared by the feature-space metrics (:mod:`ganlab.metrics.inception`,
:mod:`ganlab.metrics.knn`): feature arrays as float64 numpy, checked in Python."""

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike


def _array(name: str, x: ArrayLike, ndim: int, shape_text: str) -> np.ndarray:
    """``x`` as a float64 numpy array of ``ndim`` dimensions, non-empty and finite."""
    arr = np.asarray(x)
    if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
        raise ValueError(
            f"{name} must be an array of real numbers {shape_text}, got dtype {arr.dtype}."
        )
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array {shape_text}, got shape {arr.shape}"
            + (": stack the samples along axis 0 and flatten the rest." if ndim == 2 else ".")
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty {shape_text}, got shape {arr.shape}.")
    arr = arr.astype(np.float64)
    n_bad = int(np.sum(~np.isfinite(arr)))
    if n_bad:
        raise ValueError(
            f"{name} must be finite, got {n_bad} NaN/inf entries in an array of shape "
            f"{arr.shape}; a diverged generator produces these: check the training run."
        )
    return arr


def _features(name: str, x: ArrayLike) -> np.ndarray:
    return _array(name, x, 2, "of features (N, D)")


def _feature_pair(real_feats: ArrayLike, fake_feats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    real, fake = _features("real_feats", real_feats), _features("fake_feats", fake_feats)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real_feats and fake_feats must have the same feature dimension D, got real_feats "
            f"{real.shape} and fake_feats {fake.shape}: use the same feature extractor for both."
        )
    return real, fake


def _int_at_least(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _at_least_rows(name: str, x: np.ndarray, low: int, why: str) -> None:
    if x.shape[0] < low:
        raise ValueError(f"{name} must hold at least {low} rows ({why}), got shape {x.shape}.")
