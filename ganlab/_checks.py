"""Argument checks, in one place and one style.

Every public function of ganlab checks its arguments in Python, before anything is traced or
compiled, so that a wrong argument fails with a message naming it and not deep inside XLA.
Every message has the same three parts: the argument, what was given, what is allowed::

    steps must be an integer >= 0, got -3
    loss must be one of ['hinge', 'minimax', ...], got 'hinje'

Numbers may be Python or numpy scalars (``np.float32(1e-3)`` is a number; ``True`` is not).
Each check returns the value converted to a plain Python type, so callers can hash it (a
config) or use it as a static shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import jax
import numpy as np


def fail(name: str, value: object, allowed: str) -> None:
    """Raise the one error every check raises: ``{name} must be {allowed}, got {value!r}``."""
    raise ValueError(f"{name} must be {allowed}, got {_show(value)}")


def _show(value: object) -> str:
    """A value as a message shows it: a number, a short string or a short list of such by its
    repr, an array by its shape, anything else (a sampler, a model, a long list) by its type
    name, never by a dump of its contents."""
    if isinstance(value, np.ndarray | jax.Array) and getattr(value, "ndim", 0) > 0:
        return f"an array of shape {tuple(value.shape)}"
    if isinstance(value, np.generic):
        return repr(value.item())
    plain = _plain(value)
    text = repr(value)
    if plain and len(text) <= 200:
        return text
    return what(value) if not isinstance(value, str) else text[:197] + "..."


def _plain(value: object, depth: int = 3) -> bool:
    """A scalar, or a (nested) list, tuple, set or dict of scalars: shown by its repr."""
    if value is None or isinstance(value, bool | int | float | complex | str | np.generic):
        return True
    if depth and isinstance(value, dict):
        return all(_plain(v, depth - 1) for v in [*value.keys(), *value.values()])
    if depth and isinstance(value, list | tuple | set):
        return all(_plain(v, depth - 1) for v in value)
    return False


def is_integer(value: object) -> bool:
    """A Python or numpy integer, not a bool."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def is_number(value: object) -> bool:
    """A real Python or numpy scalar, not a bool (may be inf or NaN)."""
    return (isinstance(value, int | float | np.integer | np.floating)) and not isinstance(
        value, bool | np.bool_
    )


def _bounds(minimum, maximum, above=None, below=None) -> str:
    parts = []
    if minimum is not None:
        parts.append(f">= {minimum}")
    if above is not None:
        parts.append(f"> {above}")
    if maximum is not None:
        parts.append(f"<= {maximum}")
    if below is not None:
        parts.append(f"< {below}")
    return " and ".join(parts)


def integer(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``int(value)`` for an integer within ``[minimum, maximum]``."""
    ok = is_integer(value)
    if ok and minimum is not None and value < minimum:
        ok = False
    if ok and maximum is not None and value > maximum:
        ok = False
    if not ok:
        bounds = _bounds(minimum, maximum)
        fail(name, value, "an integer" + (f" {bounds}" if bounds else ""))
    return int(value)


def number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
) -> float:
    """``float(value)`` for a finite number within the bounds (``minimum``/``maximum``
    inclusive, ``above``/``below`` exclusive)."""
    ok = is_number(value) and math.isfinite(float(value))
    if ok:
        v = float(value)
        ok = not (
            (minimum is not None and v < minimum)
            or (maximum is not None and v > maximum)
            or (above is not None and v <= above)
            or (below is not None and v >= below)
        )
    if not ok:
        bounds = _bounds(minimum, maximum, above, below)
        fail(name, value, "a finite number" + (f" {bounds}" if bounds else ""))
    return float(value)


def positive(name: str, value: object) -> float:
    """A finite number > 0."""
    return number(name, value, above=0)


def nonnegative(name: str, value: object) -> float:
    """A finite number >= 0."""
    return number(name, value, minimum=0)


def choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """``value`` if it is one of ``allowed``."""
    allowed = list(allowed)
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value in a set-like container
        ok = False
    if not ok:
        fail(name, value, f"one of {sorted(allowed, key=str)}")
    return value


def boolean(name: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        fail(name, value, "True or False")
    return bool(value)


def pair(name: str, value: object, *, minimum: float = 0.0, below: float = 1.0) -> tuple:
    """Two numbers in ``[minimum, below)``, e.g. Adam's betas; returned as a tuple of floats."""
    ok = isinstance(value, tuple | list) and len(value) == 2
    ok = ok and all(is_number(b) and minimum <= float(b) < below for b in value)
    if not ok:
        fail(name, value, f"two numbers in [{minimum:g}, {below:g})")
    return (float(value[0]), float(value[1]))


def function(name: str, value: object, signature: str) -> Callable:
    """A callable; ``signature`` says what it is called with, for the message."""
    if not callable(value):
        fail(name, value, f"a callable {signature}")
    return value  # type: ignore[return-value]


def sampler(name: str, value: object, example: str = "ganlab.data.ring()") -> Any:
    """An object with a ``sample(key, n)`` method."""
    if not callable(getattr(value, "sample", None)):
        raise ValueError(
            f"{name} must be a sampler with a sample(key, n) method (e.g. {example}) or an "
            f"array of examples (N, ...), got {type(value).__name__}"
        )
    return value


def finite(name: str, x: Any) -> None:
    """Reject NaN or inf in a concrete array (a traced one is not looked at)."""
    if isinstance(x, jax.core.Tracer):
        return
    a = np.asarray(x)
    if a.dtype.kind in "fc":
        bad = int(np.sum(~np.isfinite(a)))
        if bad:
            raise ValueError(
                f"{name} must be finite, got {bad} NaN/inf entries in an array of shape {a.shape}"
            )


def shape(name: str, x: Any, want: tuple, *, what: str | None = None) -> None:
    """``x.shape`` must match ``want``, where ``None`` in ``want`` matches any size."""
    got = tuple(np.shape(x))
    ok = len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got, strict=True))
    if not ok:
        spec = "(" + ", ".join("*" if w is None else str(w) for w in want) + ")"
        raise ValueError(f"{name} must have shape {what or spec}, got {got}")


def batch(name: str, x: Any) -> jax.Array:
    """A batch of samples ``(B, ...)`` with ``B >= 1``, as a floating-point JAX array."""
    import jax.numpy as jnp

    a = jnp.asarray(x)
    if a.ndim < 2 or a.shape[0] < 1:
        raise ValueError(f"{name} must be a batch of samples (B, ...), got shape {a.shape}")
    return a if jnp.issubdtype(a.dtype, jnp.floating) else a.astype(jnp.float32)


def key(name: str, value: Any) -> jax.Array:
    """A JAX random key: a typed key (``jax.random.key(0)``) or a raw ``uint32`` key of shape
    ``(2,)`` (``jax.random.PRNGKey(0)``). A plain integer is a seed, not a key, and is refused
    with a message saying how to make a key of it."""
    if is_integer(value):
        raise ValueError(
            f"{name} must be a JAX random key, got the integer {int(value)} (a seed); make a key "
            f"of it with jax.random.key({int(value)})"
        )
    if isinstance(value, jax.core.Tracer):
        return value
    if isinstance(value, jax.Array | np.ndarray):
        typed = jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)
        if (typed and value.shape == ()) or (
            not typed and value.dtype == np.uint32 and value.shape == (2,)
        ):
            return value
    fail(name, value, "a JAX random key (jax.random.key(seed) or jax.random.PRNGKey(seed))")


def what(value: object) -> str:
    """A value as a message shows it when it is not what was wanted: an array by its shape and
    dtype, a number or a short string by its repr, anything else (a dict, a sampler, a model)
    by its type name only, never by a dump of its contents."""
    if isinstance(value, np.ndarray | jax.Array):
        return f"an array of shape {tuple(value.shape)} and dtype {value.dtype}"
    if value is None or isinstance(value, bool | np.bool_) or is_number(value):
        return _show(value)
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {len(value)} items"
    kind = type(value).__name__
    return f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind}"


_KIND_WORDS = {
    "b": "True/False",
    "c": "complex numbers",
    "U": "strings",
    "S": "bytes",
    "O": "objects",
}


def array(name: str, value: Any, allowed: str, *, kinds: str = "iuf") -> Any:
    """``value`` as an array of real numbers: a JAX array (or a traced value) is returned as it
    is, anything else as a NumPy array. Refused, with ``{name} must be {allowed}, got ...``: a
    ragged nested list, None, a string, a dict or any other object, and an array whose dtype
    kind is not in ``kinds`` (numpy kind letters; the default: integers and floats)."""
    if isinstance(value, jax.core.Tracer | jax.Array):
        a = value
    elif isinstance(value, str | bytes | dict) or value is None:
        a = None
    else:
        try:
            a = np.asarray(value)
        except (TypeError, ValueError):  # a ragged nested list, an object numpy cannot read
            a = None
    if a is None:
        ragged = (
            isinstance(value, list | tuple)
            and value
            and all(isinstance(v, list | tuple | np.ndarray | jax.Array) for v in value)
        )
        got = "a ragged nested list (rows of different lengths)" if ragged else what(value)
        raise ValueError(f"{name} must be {allowed}, got {got}")
    try:
        kind = np.dtype(a.dtype).kind
    except TypeError:  # a JAX random key's dtype
        kind = "V"
    if kind not in kinds:
        got = what(value)
        if isinstance(value, list | tuple):
            got += f" holding {_KIND_WORDS.get(kind, np.dtype(a.dtype).name)}"
        raise ValueError(f"{name} must be {allowed}, got {got}")
    return a
