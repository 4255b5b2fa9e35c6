"""JAX's persistent compilation cache, on by default for learners.

A training step takes seconds to compile cold on a laptop CPU and well under one from the
cache (``benchmarks/run.py`` prints both), and a learner re-runs the same lesson cells again
and again: so ganlab turns JAX's on-disk cache on when it is imported, in
``$GANLAB_CACHE/jax`` (default ``~/.cache/ganlab/jax``), keeping programs that took at least
0.5 s to compile.

To turn it off, set ``GANLAB_COMPILATION_CACHE=0`` before importing ganlab. A cache directory
set by the user (``JAX_COMPILATION_CACHE_DIR`` or ``jax.config``) is left alone. Deleting the
folder is always safe: JAX keys entries by program, JAX version and device.
"""

from __future__ import annotations

import os
import pathlib

import jax

MIN_COMPILE_SECONDS = 0.5


def cache_dir() -> pathlib.Path:
    root = os.environ.get("GANLAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ganlab"
    )
    return pathlib.Path(root) / "jax"


def enable_compilation_cache() -> pathlib.Path | None:
    """Turn the cache on unless the user opted out or chose a cache of their own; returns
    the directory in use, or None when ganlab left the cache off."""
    if os.environ.get("GANLAB_COMPILATION_CACHE", "1").strip().lower() in ("0", "false", "no"):
        return None
    if jax.config.jax_compilation_cache_dir:  # the user's own choice wins
        return pathlib.Path(jax.config.jax_compilation_cache_dir)
    path = cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: run without the cache rather than fail
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    return path
