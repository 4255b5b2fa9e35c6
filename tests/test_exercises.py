"""Tests of ganlab.exercises: each check accepts a right answer and rejects wrong ones with an
AssertionError that names the exercise and carries the hint."""

import jax.numpy as jnp
import numpy as np
import pytest

from ganlab.exercises import check_choice, check_function, check_true, check_value

HINT = "remember D* = p_data / (p_data + p_g)"


def rejects(call, name="ex", hint=HINT, *words):
    """``call()`` raises an AssertionError naming the exercise, with the hint and ``words``."""
    with pytest.raises(AssertionError) as err:
        call()
    msg = str(err.value)
    assert name in msg and hint in msg, msg
    for w in words:
        assert w in msg, (w, msg)
    return msg


# --- check_value ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, expected",
    [
        (0.5, 0.5),
        (jnp.float32(0.5), 0.5),
        (0.5 + 1e-6, 0.5),  # within rtol
        ([1.0, 2.0], np.array([1.0, 2.0])),
        (jnp.arange(4.0).reshape(2, 2), np.arange(4.0).reshape(2, 2)),
        (np.inf, np.inf),  # an infinite answer to an infinite question
        (np.array([True, False]), np.array([True, False])),
    ],
)
def test_check_value_accepts(answer, expected, capsys):
    assert check_value(answer, expected, name="ex") is True
    assert "✓ ex: correct" in capsys.readouterr().out


def test_check_value_rejects_a_wrong_value_without_revealing_it():
    msg = rejects(lambda: check_value(0.7, 0.5, name="ex", hint=HINT), "ex", HINT, "40%", "large")
    assert "0.5" not in msg
    msg = rejects(lambda: check_value(0.7, 0.5, name="ex", hint=HINT, reveal=True))
    assert "0.5" in msg


def test_check_value_rejects_one_wrong_entry():
    rejects(
        lambda: check_value(
            np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.5]), name="ex", hint=HINT
        ),
        "ex",
        HINT,
        "1 of 3 entries",
        "(2,)",
    )


@pytest.mark.parametrize(
    "answer, words",
    [
        (np.ones(3), ["shape (2,)", "shape (3,)"]),
        (1.0, ["shape (2,)", "a scalar"]),
        (np.array([1.0, np.nan]), ["NaN"]),
        (np.array([np.inf, 1.0]), ["inf"]),
        (None, ["None"]),
        (..., ["replace ... with your answer"]),
        ("1.0", ["number"]),
        (len, ["function"]),
    ],
)
def test_check_value_rejects(answer, words):
    rejects(lambda: check_value(answer, np.ones(2), name="ex", hint=HINT), "ex", HINT, *words)


# --- check_function ---------------------------------------------------------------------------


def reference(x, y):
    return x / (x + y)


CASES = [(jnp.float32(1.0), jnp.float32(1.0)), (jnp.ones(3), jnp.arange(3.0)), (2.0, 6.0)]


def test_check_function_accepts(capsys):
    assert check_function(lambda x, y: 1 / (1 + y / x), reference, CASES, name="ex") is True
    assert "✓ ex: correct" in capsys.readouterr().out


def test_check_function_accepts_pytrees():
    def ref(x):
        return {"mean": jnp.mean(x), "parts": (x, 2 * x)}

    def mine(x):
        return {"mean": np.mean(np.asarray(x)), "parts": (np.asarray(x), x + x)}

    assert check_function(mine, ref, [(jnp.arange(3.0),)], name="ex")


def test_check_function_rejects_a_function_wrong_on_one_case_only():
    def wrong_on_arrays(x, y):
        out = x / (x + y)
        return out + 1.0 if jnp.ndim(out) else out

    rejects(
        lambda: check_function(wrong_on_arrays, reference, CASES, name="ex", hint=HINT),
        "ex",
        HINT,
        "case 2 of 3",
    )


def test_check_function_rejects_a_function_that_raises():
    def broken(x, y):
        return jnp.log(x) @ jnp.ones(7)  # a shape error raised deep inside jax

    msg = rejects(
        lambda: check_function(broken, reference, CASES, name="ex", hint=HINT),
        "ex",
        HINT,
        "raised ValueError: matmul",
        "case 1 of 3",
        "broken",
    )
    assert "Traceback" not in msg


def test_check_function_hides_the_library_traceback():
    with pytest.raises(AssertionError) as err:
        check_function(lambda x, y: 1 / 0, reference, CASES, name="ex")
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_check_function_rejects_a_not_implemented_stub():
    def stub(x, y):
        raise NotImplementedError

    rejects(
        lambda: check_function(stub, reference, CASES, name="ex", hint=HINT),
        "ex",
        HINT,
        "not implemented yet",
    )


@pytest.mark.parametrize(
    "fn, words",
    [
        (None, ["None"]),
        (..., ["replace ... with your answer"]),
        (3.0, ["expected a function", "3.0"]),
        (lambda x, y: None, ["returned None", "return"]),
        (lambda x, y: jnp.full(5, jnp.nan), ["shape"]),
        (lambda x, y: x / (x + y) * jnp.nan, ["NaN"]),
        (lambda x, y: (x / (x + y), 0.0), ["structure"]),
        (lambda x, y: x / (x + y) + 0.01, ["tolerance"]),
    ],
)
def test_check_function_rejects(fn, words):
    rejects(lambda: check_function(fn, reference, CASES, name="ex", hint=HINT), "ex", HINT, *words)


def test_check_function_lesson_mistakes_are_value_errors():
    with pytest.raises(ValueError, match="cases"):
        check_function(reference, reference, [], name="ex")
    with pytest.raises(ValueError, match=r"cases\[0\]"):
        check_function(reference, reference, [1.0], name="ex")


# --- check_true and check_choice ----------------------------------------------------------------


@pytest.mark.parametrize("condition", [True, np.bool_(True), jnp.array(True), jnp.ones(1) > 0])
def test_check_true_accepts(condition, capsys):
    assert check_true(condition, name="ex") is True
    assert "✓ ex: correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "condition, words",
    [
        (False, ["False"]),
        (jnp.array(False), ["False"]),
        (None, ["None"]),
        (..., ["replace ... with your answer"]),
        (1, ["True or False", "1"]),
        (np.array([True, False]), ["shape (2,)", ".all()"]),
    ],
)
def test_check_true_rejects(condition, words):
    rejects(lambda: check_true(condition, name="ex", hint=HINT), "ex", HINT, *words)


OPTIONS = ["a", "b", "c"]


@pytest.mark.parametrize("answer", ["b", "B", " b "])
def test_check_choice_accepts(answer):
    assert check_choice(answer, "b", name="ex", options=OPTIONS) is True


@pytest.mark.parametrize(
    "answer, words",
    [
        ("a", ["'a' is not the right choice"]),
        ("d", ["'d' is not one of the options", "'a', 'b', 'c'"]),
        (None, ["not answered", "'a', 'b', 'c'"]),
        (..., ["replace ... with your answer"]),
        (np.array([1, 2]), ["not one of the options"]),
    ],
)
def test_check_choice_rejects(answer, words):
    rejects(
        lambda: check_choice(answer, "b", name="ex", options=OPTIONS, hint=HINT), "ex", HINT, *words
    )


def test_check_choice_numeric_options():
    assert check_choice(np.int64(2), 2, name="ex", options=[1, 2, 3])
    rejects(lambda: check_choice(4, 2, name="ex", options=[1, 2, 3], hint=HINT), "ex", HINT, "4")


def test_check_choice_correct_must_be_an_option():
    with pytest.raises(ValueError, match="options"):
        check_choice("a", "z", name="ex", options=OPTIONS)
