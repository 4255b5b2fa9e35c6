"""Strict JAX for the whole test suite, so that silent broadcasting shows at once.

DeprecationWarnings are turned into errors by `filterwarnings` in pyproject.toml.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402

jax.config.update("jax_numpy_rank_promotion", "raise")
