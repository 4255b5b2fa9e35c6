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
    arr = np.asarray(_checks.array(name, x, f"an array of real numbers {shape_text}"))
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


def same_dimension(
    name_a: str, a: ArrayLike, name_b: str, b: ArrayLike, what: str = "feature dimension D"
) -> None:
    """Two 2-D arrays (concrete or traced) must agree in their last dimension."""
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same {what}, got {name_a} {a.shape} and "
            f"{name_b} {b.shape}"
        )


def feature_pair(real_feats: ArrayLike, fake_feats: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Real and generated features, ``(N, D)`` and ``(M, D)`` float64 (the same extractor's)."""
    real, fake = features("real_feats", real_feats), features("fake_feats", fake_feats)
    same_dimension("real_feats", real, "fake_feats", fake)
    return real, fake


def at_least_rows(name: str, x: np.ndarray, low: int, why: str) -> None:
    if x.shape[0] < low:
        raise ValueError(f"{name} must hold at least {low} rows ({why}), got shape {x.shape}")
