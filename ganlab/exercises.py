"""Self-checking exercises: the convention every lesson uses.

A learner writes an answer in a notebook cell (a number, an array, a function or a choice),
then calls a check::

    answer = ...  # replace ... with your answer
    check_value(answer, expected, name="optimal D at x=0", hint="D* = p_data / (p_data + p_g)")

A right answer prints ``✓ <name>: correct`` and returns ``True`` (so ``assert check_...(...)``
also reads well). A wrong one raises ``AssertionError`` whose message names the exercise, says
what is wrong without giving the expected value away, and ends with the hint. When a learner's
function raises, its error type and message are reported in the ``AssertionError``, not as a
traceback from deep inside NumPy or JAX.

Mistakes of the lesson's author (a ``correct`` choice missing from ``options``, no ``cases``)
raise ``ValueError`` instead, so they are not mistaken for the learner's.

Tolerances. A number a learner *types* is rounded: the lessons print 3 or 4 significant digits
and learners copy them. :func:`check_value` therefore accepts, by default, anything within
0.5 % of the expected value (``rtol=5e-3``): every value correctly rounded to 3 significant
digits is that close (the worst case, a leading digit 1, is 1.005 -> 1.00 or 1.01, 0.5 % off),
so ``1.386``, ``1.39`` and ``1.3863`` all pass for 2 log 2 = 1.38629..., while ``1.4`` (2
digits, 1 % off) does not. The plausible wrong answers an exercise guards against (a sign, a
factor 2, log2 for ln, the other loss, an off-by-one) are many times further off. ``atol=1e-6``
only matters where the expected value is 0 or nearly so: there a typed ``0`` or a computed
``1e-9`` passes, and anything further than 1e-6 from 0 does not. An exercise whose wrong
answers come closer than 0.5 % (a numerical estimate against the exact value, say) passes its
own, smaller ``rtol``. :func:`check_function` compares *computed* outputs, which nobody rounds
by hand, and keeps the tighter ``rtol=1e-4``: a correct implementation in float32 agrees with
the reference far more closely than a wrong one.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from ganlab import _checks

__all__ = ["check_choice", "check_function", "check_true", "check_value"]

_NOT_ANSWERED = "replace ... with your answer"


def _fail(name: str, problem: str, hint: str = "") -> AssertionError:
    """The AssertionError of a wrong answer: the exercise name, the problem, then the hint."""
    msg = f"✗ {name}: {problem}"
    if hint:
        msg += f"\nHint: {hint}"
    return AssertionError(msg)


def _ok(name: str) -> bool:
    print(f"✓ {name}: correct")
    return True


def _refuse(name: str, value: Any, allowed: str) -> None:
    """A lesson author's mistake: ``{name} must be {allowed}, got {value}``, with an object
    shown by its type name, never by its contents."""
    raise ValueError(f"{name} must be {allowed}, got {_checks.what(value)}")


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name:
        _refuse("name", name, "a non-empty string naming the exercise")


def _check_tolerances(rtol: Any, atol: Any) -> None:
    _checks.nonnegative("rtol", rtol)
    _checks.nonnegative("atol", atol)


def _check_hint(name: str, hint: Any) -> None:
    if not isinstance(hint, str):
        _refuse(f"{name}: hint", hint, "a string (the hint shown under a wrong answer)")


def _describe(x: Any) -> str:
    """A short description of a value, for messages: arrays by shape and dtype."""
    if x is None or x is Ellipsis or isinstance(x, bool | int | float | complex | str):
        return repr(x)
    if isinstance(x, np.generic):  # a numpy scalar reads as its number
        return repr(x.item())
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return f"array of shape {tuple(x.shape)} and dtype {x.dtype}"
    if isinstance(x, list | tuple) and len(x) <= 4:
        inner = ", ".join(_describe(v) for v in x)
        return f"({inner},)" if isinstance(x, tuple) and len(x) == 1 else f"({inner})"
    return type(x).__name__


def _as_numeric(x: Any, what: str) -> np.ndarray | str:
    """``x`` as a numeric NumPy array, or a string saying why it is not one."""
    if callable(x) and not hasattr(x, "__array__"):
        return f"{what} is a function, not a value; did you mean to call it?"
    try:
        a = np.asarray(x)
    except Exception:  # e.g. a ragged list
        ragged = isinstance(x, list | tuple)
        shape = "a ragged nested list (rows of different lengths)" if ragged else _describe(x)
        return f"{what} cannot be read as a number or array: it is {shape}"
    if a.dtype.kind not in "biufc":
        return f"{what} must be a number or an array of numbers; got {_describe(x)}"
    return a


def _off_by(err: float, ref: float) -> str:
    """How far off, in words: ``err`` relative to ``|ref|`` (absolute when ``ref`` is 0)."""
    if ref == 0.0:
        return f"off by {err:.2g}"
    pct = 100.0 * err / abs(ref)
    return f"off by about {pct:.0f}%" if pct >= 10 else f"off by about {pct:.2g}%"


def _compare(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, reveal: bool) -> str | None:
    """``None`` when ``a`` matches ``e``, otherwise what is wrong, in words.

    ``a`` is the learner's value, ``e`` the expected one, both NumPy arrays. The expected value
    is named only when ``reveal``; otherwise the message says how far off ``a`` is.
    """
    if a.shape != e.shape:
        what = "a scalar" if e.shape == () else f"shape {e.shape}"
        got = "a scalar" if a.shape == () else f"shape {a.shape}"
        return f"expected {what}, got {got}"
    if e.dtype.kind == "b":  # yes/no values compare exactly
        if a.dtype.kind != "b":
            return f"expected True/False values, got numbers of dtype {a.dtype}"
        wrong = int(np.sum(a != e))
        if wrong == 0:
            return None
        return f"{wrong} of {e.size} True/False values are wrong" if e.ndim else "wrong"
    a = a.astype(np.complex128 if "c" in (a.dtype.kind + e.dtype.kind) else np.float64)
    e = e.astype(a.dtype)
    # Non-finite values must sit where the expected value has the same ones (inf == inf is fine).
    a_bad, e_bad = ~np.isfinite(a), ~np.isfinite(e)
    if np.any(a_bad & ~e_bad):
        kinds = " or ".join(k for k, m in (("NaN", np.isnan(a)), ("inf", np.isinf(a))) if m.any())
        where = "" if a.ndim == 0 else f" ({int(np.sum(a_bad & ~e_bad))} of {a.size} entries)"
        return f"your answer contains {kinds}{where}; look for a log of 0 or a division by 0"
    same_bad = np.where(e_bad, (a == e) | (np.isnan(a) & np.isnan(e)), True)
    close = np.where(e_bad, same_bad, np.isclose(a, e, rtol=rtol, atol=atol))
    if np.all(close):
        return None
    fin = ~e_bad & ~a_bad
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: never reported
        err = np.abs(a - e)
    if a.ndim == 0:
        if not fin:
            msg = "not the right value"
        else:
            msg = f"not within tolerance: {_off_by(float(err), float(np.abs(e)))}"
            if np.isrealobj(a):
                msg += ", too large" if a > e else ", too small"
        return msg + (f" (expected {e.item()!r}, got {a.item()!r})" if reveal else "")
    wrong = ~close
    msg = f"{int(wrong.sum())} of {a.size} entries are not within tolerance"
    worst = np.unravel_index(np.argmax(np.where(fin & wrong, err, -1.0)), a.shape)
    if fin[worst] and wrong[worst]:
        at = tuple(int(i) for i in worst)
        msg += f"; the worst, at {at}, is {_off_by(float(err[worst]), float(abs(e[worst])))}"
    else:
        msg += f" (the first at {tuple(int(i) for i in np.argwhere(wrong)[0])})"
    if reveal:
        msg += f"\nexpected:\n{e}\ngot:\n{a}"
    return msg


def check_value(
    answer: Any,
    expected: Any,
    *,
    name: str,
    rtol: float = 5e-3,
    atol: float = 1e-6,
    hint: str = "",
    reveal: bool = False,
) -> bool:
    """Check a numeric answer (a number or an array) against the expected value.

    Rejects ``None``, the ``...`` placeholder, non-numbers, a wrong shape, NaN/inf where the
    expected value is finite, and values outside ``|answer - expected| <= atol + rtol *
    |expected|`` (NumPy's ``isclose``). The default ``rtol=5e-3`` accepts an answer typed to 3
    significant digits (see the module's docstring); pass a smaller ``rtol`` where a wrong
    answer can come closer than 0.5 %, and ``rtol=0, atol=0`` where only the exact value will
    do (an integer: 0.5 % of 300 is 1.5). The message says
    how far off the answer is; it shows the expected value only when ``reveal=True``.

    Returns:
      ``True`` (after printing ``✓ <name>: correct``).

    Raises:
      AssertionError: the answer is wrong; the message names the exercise and ends with ``hint``.
    """
    _check_name(name)
    _check_tolerances(rtol, atol)
    _check_hint(name, hint)
    _checks.boolean("reveal", reveal)
    if answer is Ellipsis:
        raise _fail(name, f"not answered yet: {_NOT_ANSWERED}", hint)
    if answer is None:
        raise _fail(name, "the answer is None; did you forget to assign or `return` it?", hint)
    e = _as_numeric(expected, "expected")
    if isinstance(e, str):
        raise ValueError(f"{name}: the lesson's expected value is not numeric: {e}")
    a = _as_numeric(answer, "your answer")
    if isinstance(a, str):
        raise _fail(name, a, hint)
    if a.dtype.kind == "b" and e.dtype.kind != "b":  # True is not the number 1
        raise _fail(name, f"expected a number, got {_describe(answer)}", hint)
    problem = _compare(a, e, rtol, atol, reveal)
    if problem is not None:
        raise _fail(name, problem, hint)
    return _ok(name)


def _where_raised(err: BaseException) -> str:
    """`` (in f, line N: code)``: the innermost frame of the learner's own code that raised.

    Library frames (NumPy, JAX, the standard library) are skipped: the line to fix is the
    learner's, even when the error surfaced deep inside a library.
    """
    try:
        frames = traceback.extract_tb(err.__traceback__)[1:]  # [0] is the call in this module

        def own(f):
            return "site-packages" not in f.filename and "/lib/python" not in f.filename

        mine = [f for f in frames if own(f)]
        if not (mine or frames):
            return ""
        f = (mine or frames)[-1]
        line = f"line {f.lineno}: {f.line.strip()}" if f.line else f"line {f.lineno}"
        return f" (in {f.name}, {line})"
    except Exception:  # a message without a location is better than no message
        return ""


def check_function(
    fn: Any,
    reference: Callable[..., Any],
    cases: Sequence[tuple],
    *,
    name: str,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    hint: str = "",
) -> bool:
    """Check a learner's function against a reference on every case.

    ``cases`` is a list of argument tuples; for each, ``fn(*case)`` must match
    ``reference(*case)``: the same pytree structure (via ``jax.tree``) and, leaf by leaf, the
    same shape and values within tolerance, with no NaN/inf where the reference is finite.

    Rejects ``None``/``...``/anything not callable; a function that raises
    ``NotImplementedError`` ("not implemented yet") or any other exception (its type and
    message are reported); and wrong outputs, naming the case that failed.

    Returns:
      ``True`` (after printing ``✓ <name>: correct``).

    Raises:
      AssertionError: the function is wrong; the message names the exercise and ends with
        ``hint``.
    """
    _check_name(name)
    _check_tolerances(rtol, atol)
    _check_hint(name, hint)
    if not callable(reference):
        _refuse(f"{name}: reference", reference, "a function computing the right output")
    if not isinstance(cases, tuple | list) or len(cases) == 0:
        _refuse(f"{name}: cases", cases, "a non-empty list of argument tuples")
    for i, case in enumerate(cases):
        if not isinstance(case, tuple):
            allowed = "a tuple of arguments (write (x,) for one argument)"
            _refuse(f"{name}: cases[{i}]", case, allowed)
    if fn is Ellipsis:
        raise _fail(name, f"not answered yet: {_NOT_ANSWERED}", hint)
    if fn is None:
        raise _fail(name, "got None instead of a function; define it first", hint)
    if not callable(fn):
        raise _fail(name, f"expected a function, got {_describe(fn)}", hint)
    n = len(cases)
    for i, case in enumerate(cases):
        where = f"case {i + 1} of {n}, arguments {_describe(case)}"
        expected = reference(*case)  # a failure here is the lesson's bug: let it propagate
        try:
            got = fn(*case)
        except NotImplementedError:
            raise _fail(
                name,
                "not implemented yet: replace `raise NotImplementedError` with your code",
                hint,
            ) from None
        except Exception as err:
            raise _fail(
                name,
                f"your function raised {type(err).__name__}: {err}{_where_raised(err)}\non {where}",
                hint,
            ) from None
        if got is None and expected is not None:
            raise _fail(name, f"your function returned None on {where}; a missing `return`?", hint)
        if got is Ellipsis:
            raise _fail(name, f"your function returned ...: {_NOT_ANSWERED}", hint)
        got_tree, exp_tree = jax.tree.structure(got), jax.tree.structure(expected)
        if got_tree != exp_tree:
            raise _fail(
                name,
                f"on {where}: expected an output structured as {exp_tree}, got {got_tree}",
                hint,
            )
        paths = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(expected)]
        leaves = zip(paths, jax.tree.leaves(got), jax.tree.leaves(expected), strict=True)
        for path, g, e in leaves:
            part = f", output{path}" if path else ""
            e_arr = _as_numeric(e, "the reference output")
            if isinstance(e_arr, str):  # a non-numeric leaf (a string, say): compare exactly
                if g != e:
                    raise _fail(name, f"on {where}{part}: {g!r} is wrong", hint)
                continue
            g_arr = _as_numeric(g, "your output")
            problem = g_arr if isinstance(g_arr, str) else _compare(g_arr, e_arr, rtol, atol, False)
            if problem is not None:
                raise _fail(name, f"on {where}{part}: {problem}", hint)
    return _ok(name)


def check_true(condition: Any, *, name: str, hint: str = "") -> bool:
    """Check a yes/no condition (a bool, or a one-element boolean array).

    Rejects ``None``, ``...``, non-boolean values (a number is not a yes/no answer) and arrays
    of more than one element (use ``.all()`` or ``.any()`` to say which is meant).

    Returns:
      ``True`` (after printing ``✓ <name>: correct``).

    Raises:
      AssertionError: the condition is false or not a yes/no value; ends with ``hint``.
    """
    _check_name(name)
    _check_hint(name, hint)
    if condition is Ellipsis:
        raise _fail(name, f"not answered yet: {_NOT_ANSWERED} (True or False)", hint)
    if condition is None:
        raise _fail(name, "got None instead of True or False", hint)
    c = _as_numeric(condition, "your answer")
    if isinstance(c, str) or c.dtype.kind != "b":
        raise _fail(name, f"expected True or False, got {_describe(condition)}", hint)
    if c.size != 1:
        raise _fail(
            name,
            f"expected a single True or False, got a boolean array of shape {c.shape}; "
            f"use .all() or .any()",
            hint,
        )
    if not bool(c.reshape(())):
        raise _fail(name, "not yet: the condition is False", hint)
    return _ok(name)


def _norm(x: Any) -> Any:
    """Choices compare as given, except strings: case and surrounding spaces do not matter."""
    return x.strip().lower() if isinstance(x, str) else x


def check_choice(
    answer: Any, correct: Any, *, name: str, options: Sequence, hint: str = ""
) -> bool:
    """Check a multiple-choice answer.

    ``options`` lists the allowed answers; ``correct`` must be one of them. String answers are
    compared without regard to case or surrounding spaces (``" B"`` is ``"b"``).

    Returns:
      ``True`` (after printing ``✓ <name>: correct``).

    Raises:
      AssertionError: not answered, not one of the options (they are listed), or wrong; ends with
        ``hint``.
    """
    _check_name(name)
    _check_hint(name, hint)
    if isinstance(options, str) or not isinstance(options, Sequence) or len(options) == 0:
        _refuse(f"{name}: options", options, "a non-empty list of answers")
    allowed = [_norm(o) for o in options]
    if _norm(correct) not in allowed:
        _checks.fail(f"{name}: correct", correct, f"one of options={list(options)!r}")
    listed = ", ".join(repr(o) for o in options)
    if answer is Ellipsis or answer is None:
        raise _fail(name, f"not answered yet: {_NOT_ANSWERED}, one of {listed}", hint)
    try:
        valid = _norm(answer) in allowed
    except Exception:  # an array compared with strings, say
        valid = False
    if not valid:
        raise _fail(name, f"{answer!r} is not one of the options: {listed}", hint)
    if _norm(answer) != _norm(correct):
        raise _fail(name, f"{answer!r} is not the right choice", hint)
    return _ok(name)
