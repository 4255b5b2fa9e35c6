"""Tests of ganlab.exercises: each check accepts a right answer and rejects wrong ones with an
AssertionError that names the exercise and carries the hint."""

import math

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


# --- check_value's default tolerance: typed answers ---------------------------------------------
# A learner types what the lesson prints (3 or 4 significant digits); the default rtol=5e-3
# accepts every correctly rounded 3-digit value and rejects the plausible wrong answers, which
# are many times further off. Known answers, computed independently of the tolerance.

LN2 = math.log(2)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (1.386, 2 * LN2),  # lesson 1: L_D at equilibrium, printed to 4 decimals as 1.3863
        (1.3863, 2 * LN2),
        (1.39, 2 * LN2),  # 3 significant digits, correctly rounded
        (0.693, LN2),
        ([0.693, 0.3], np.array([LN2, 0.3])),  # lesson 3: [JSD, W1] on the parallel lines
        (0.667, 2 / 3),
        (1.0, 1.004999),  # the worst case of 3-digit rounding: leading digit 1
        (1.01, 1.005001),
        (999.0, 999.4999),
        (-1.39, -2 * LN2),
        (0.0, 1e-7),  # (near) zero: atol
        (1e-9, 0.0),
    ],
)
def test_check_value_accepts_an_answer_typed_to_three_significant_digits(answer, expected):
    assert check_value(answer, expected, name="ex") is True


def test_every_three_digit_rounding_is_accepted_by_default():
    """Over twelve decades, with both signs: ``f"{x:.3g}"`` always passes for x."""
    rng = np.random.default_rng(0)
    xs = rng.choice([-1.0, 1.0], 2000) * 10.0 ** rng.uniform(-6, 6, 2000)
    xs = np.concatenate([xs, [1.005, 1.00499999, 1.0049999, 9.995, 0.1005]])
    for x in xs:
        check_value(float(f"{x:.3g}"), x, name="ex")


@pytest.mark.parametrize(
    "answer, expected, words",
    [
        (-1.386, 2 * LN2, ["200%", "too small"]),  # sign error
        (0.693, 2 * LN2, ["50%", "too small"]),  # one term of the two: a factor 2 forgotten
        (2.0, 2 * LN2, ["44%", "too large"]),  # log2 instead of ln: 2 log2(2) = 2
        (1.4, 2 * LN2, ["0.99%", "too large"]),  # 2 significant digits are not enough
        (1.37, 2 * LN2, ["1.2%", "too small"]),  # a wrong third digit
        (0.25, 0.5, ["50%"]),
        (1e-3, 0.0, ["off by 0.001"]),  # far from a zero answer
        ([0.693, -0.3], np.array([LN2, 0.3]), ["1 of 2 entries", "(1,)"]),  # W1 is not negative
        ([1.0, 0.3], np.array([LN2, 0.3]), ["1 of 2 entries", "(0,)"]),  # JSD in bits, not nats
        ([0.3, 0.693], np.array([LN2, 0.3]), ["2 of 2 entries"]),  # swapped
    ],
)
def test_check_value_rejects_plausible_wrong_answers_without_revealing(answer, expected, words):
    msg = rejects(lambda: check_value(answer, expected, name="ex", hint="h"), "ex", "h", *words)
    digits = [f"{v:.{n}g}" for v in np.ravel(expected) if v != 0 for n in (2, 3, 4, 5)]
    digits += [f"{v:.{n}f}" for v in np.ravel(expected) if v != 0 for n in (1, 2, 3, 4)]
    for shown in digits:
        assert shown not in msg.replace(f"{answer}", ""), (shown, msg)


def test_an_exact_integer_needs_rtol_0():
    assert check_value(3, 3, name="ex", atol=0)
    rejects(lambda: check_value(4, 3, name="ex", atol=0, hint="h"), "ex", "h")
    assert check_value(299, 300, name="ex")  # 0.3 % off: the default accepts it
    rejects(lambda: check_value(299, 300, name="ex", rtol=0, atol=0, hint="h"), "ex", "h")


def test_check_value_honours_a_tighter_rtol():
    assert check_value(1.386, 2 * LN2, name="ex", rtol=1e-3)
    rejects(lambda: check_value(1.39, 2 * LN2, name="ex", rtol=1e-3, hint="h"), "ex", "h")


def test_check_function_keeps_its_tight_default():
    """Computed outputs are not rounded by hand: 0.1 % off is a wrong function."""
    rejects(
        lambda: check_function(
            lambda x, y: 1.001 * reference(x, y), reference, CASES, name="ex", hint=HINT
        ),
        "ex",
        HINT,
        "tolerance",
    )


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


def test_numpy_scalars_count_as_numbers(capsys):
    two_log_2 = 2 * math.log(2)
    assert check_value(np.float32(1.386), np.float64(two_log_2), name="np", rtol=np.float64(5e-3))
    assert check_value(np.int64(3), 3, name="int", rtol=np.int64(0), atol=np.float32(0))
    with pytest.raises(AssertionError, match="off by about 0.99%"):  # 1.4 is 1 % off: too far
        check_value(np.float32(1.4), two_log_2, name="np", rtol=np.float64(5e-3))
    fn = lambda x: 2 * x  # noqa: E731
    assert check_function(fn, fn, [(1.0,)], name="f", rtol=np.float32(1e-4), atol=np.float64(0))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: check_value(1.0, 1.0, name="x", rtol=True), "rtol must be a finite number >= 0"),
        (lambda: check_value(1.0, 1.0, name="x", atol=-1e-6), "atol must be .* >= 0, got -1e-06"),
        (lambda: check_value(1.0, 1.0, name="x", rtol=float("nan")), "rtol must be a finite"),
        (lambda: check_function(abs, abs, [(1,)], name="f", atol=False), "atol must be"),
        (lambda: check_value(1.0, 1.0, name=True), "name must be a non-empty string"),
    ],
)
def test_bad_tolerances_are_the_lessons_mistake(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_bool_is_not_a_numeric_answer():
    with pytest.raises(AssertionError, match="expected a number, got True"):
        check_value(True, 1.0, name="D at x = 1")
    with pytest.raises(AssertionError, match="expected a number, got array of shape"):
        check_value(np.array([True, False]), np.array([1.0, 0.0]), name="mask")
    assert check_value(np.array([True, False]), np.array([True, False]), name="mask")


# --- wrong types: a learner's gets an AssertionError, a lesson author's a ValueError -----------


class _Mixture:
    def __repr__(self):
        return "_Mixture(" + "x" * 5000 + ")"  # a dump of this must never reach a message


def _f(x):
    return 2 * x


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: check_value([[1.0], [2.0, 3.0]], 1.0, name="ex"), "ragged nested list"),
        (lambda: check_value({"a": 1}, 1.0, name="ex"), "number or an array of numbers; got dict"),
        (lambda: check_value(_Mixture(), 1.0, name="ex"), "numbers; got _Mixture$"),
        (lambda: check_value("1.39", 1.386, name="ex"), "numbers; got '1.39'$"),
        (lambda: check_true([[True], [False, True]], name="ex"), "expected True or False, got"),
        (lambda: check_true(_Mixture(), name="ex"), "expected True or False, got _Mixture$"),
        (lambda: check_function(_Mixture(), _f, [(1.0,)], name="ex"), "function, got _Mixture$"),
        (lambda: check_choice({"b": 1}, "b", name="ex", options=OPTIONS), "not one of the opt"),
    ],
)
def test_a_learners_wrong_type_is_a_wrong_answer_by_its_type(call, match):
    with pytest.raises(AssertionError, match="^✗ ex: .*" + match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: check_value(1.0, [[1.0], [2.0, 3]], name="ex"), "not numeric.*ragged nested list"),
        (lambda: check_value(1.0, _Mixture(), name="ex"), "not numeric.*numbers; got _Mixture$"),
        (lambda: check_value(1.0, 1.0, name=_Mixture()), "^name must be a non-empty string .*a _M"),
        (lambda: check_value(1.0, 1.0, name=""), "^name must be a non-empty string .*got ''$"),
        (lambda: check_value(1.0, 1.0, name="ex", rtol="1%"), "^rtol must be a finite number >="),
        (lambda: check_value(1.0, 1.0, name="ex", atol=None), "^atol must be a finite number >="),
        (lambda: check_value(1.0, 1.0, name="ex", hint=3), "^ex: hint must be a string .*got 3$"),
        (lambda: check_value(1.0, 1.0, name="ex", reveal="yes"), "^reveal must be True or False"),
        (lambda: check_true(True, name="ex", hint=None), "^ex: hint must be a string .*got None$"),
        (lambda: check_function(_f, 3, [(1.0,)], name="ex"), "^ex: reference must be a function"),
        (lambda: check_function(_f, _f, (c for c in [(1.0,)]), name="ex"), "got a generator$"),
        (lambda: check_function(_f, _f, [np.ones(9)], name="ex"), r"cases\[0\] .*shape \(9,\)"),
        (lambda: check_choice("a", "a", name="ex", options=_Mixture()), "options .*a _Mixture$"),
        (lambda: check_choice("a", "a", name="ex", options={"a": 1}), "options .*got a dict$"),
    ],
)
def test_a_lesson_authors_wrong_type_is_a_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
