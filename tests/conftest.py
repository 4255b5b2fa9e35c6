"""Strict JAX for the whole test suite, so that silent broadcasting shows at once.

DeprecationWarnings are turned into errors by `filterwarnings` in pyproject.toml.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402

jax.config.update("jax_numpy_rank_promotion", "raise")


def pytest_terminal_summary(terminalreporter):
    """One line for the site tests when they were skipped (no built site, no browser), so a
    learner's `make test` does not pass them over in silence."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "test_site" in r.nodeid]
    if skipped:
        reason = str(skipped[0].longrepr[2]).removeprefix("Skipped: ")
        terminalreporter.write_line(f"site tests: {len(skipped)} skipped: {reason}", yellow=True)
