"""Validation shared by the metrics: feature arrays as float64 numpy, checked in Python."""

import numpy as np
from jax.typing import ArrayLike

from ganlab import _checks


def finite(name: str, x: ArrayLike) -> None:
    """:func:`ganlab._checks.finite`, with the usual cause of NaN in generated samples."""
    try:
        _checks.finite(name, x)
    except ValueError as err:
        raise ValueError(
            f"{err}; a diverged generator produces these: check the training run"
        ) from None


def array(name: str, x: ArrayLike, ndim: int, shape_text: str) -> np.ndarray:
    """``x`` as a float64 numpy array of ``ndim`` dimensions, non-empty and finite."""
    arr = np.asarray(x)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(
            f"{name} must be an array of real numbers {shape_text}, got dtype {arr.dtype}"
        )
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array {shape_text}, got shape {arr.shape}"
            + (": stack the samples along axis 0 and flatten the rest" if ndim == 2 else "")
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty {shape_text}, got shape {arr.shape}")
    arr = arr.astype(np.float64)
    finite(name, arr)
    return arr


def features(name: str, x: ArrayLike) -> np.ndarray:
    return array(name, x, 2, "of features (N, D)")


def feature_pair(real_feats: ArrayLike, fake_feats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    real, fake = features("real_feats", real_feats), features("fake_feats", fake_feats)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real_feats and fake_feats must have the same feature dimension D, got real_feats "
            f"{real.shape} and fake_feats {fake.shape}: use the same feature extractor for both"
        )
    return real, fake


def at_least_rows(name: str, x: np.ndarray, low: int, why: str) -> None:
    if x.shape[0] < low:
        raise ValueError(f"{name} must hold at least {low} rows ({why}), got shape {x.shape}")
