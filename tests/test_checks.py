"""ganlab._checks: what each check accepts, what it refuses, and the one message style."""

import jax
import numpy as np
import pytest

from ganlab import _checks as C


@pytest.mark.parametrize(
    "call,expected",
    [
        (lambda: C.integer("n", 3, minimum=1), 3),
        (lambda: C.integer("n", np.int64(3), minimum=1), 3),
        (lambda: C.number("lr", np.float32(0.5), above=0), 0.5),
        (lambda: C.number("lr", 2, above=0), 2.0),
        (lambda: C.positive("lr", np.float64(1e-3)), 1e-3),
        (lambda: C.nonnegative("w", 0), 0.0),
        (lambda: C.pair("betas", [0.5, np.float32(0.25)]), (0.5, 0.25)),
        (lambda: C.choice("loss", "a", ["a", "b"]), "a"),
        (lambda: C.boolean("progress", np.bool_(True)), True),
    ],
)
def test_checks_accept_and_convert(call, expected):
    got = call()
    assert got == pytest.approx(expected) if isinstance(expected, float) else got == expected
    assert type(got) is type(expected)  # plain Python types: hashable, static under jit


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: C.integer("steps", -3, minimum=0), r"^steps must be an integer >= 0, got -3$"),
        (lambda: C.integer("steps", 2.0), r"^steps must be an integer, got 2.0$"),
        (lambda: C.integer("steps", True), r"^steps must be an integer, got True$"),
        (lambda: C.integer("k", 9, minimum=1, maximum=5), r"k must be an integer >= 1 and <= 5"),
        (lambda: C.number("lr", True, above=0), r"^lr must be a finite number > 0, got True$"),
        (lambda: C.number("lr", "1e-3"), r"^lr must be a finite number, got '1e-3'$"),
        (lambda: C.number("lr", float("inf")), r"^lr must be a finite number, got inf$"),
        (lambda: C.number("p", np.float32(1.5), maximum=1), r"p must be a finite number <= 1"),
        (lambda: C.positive("lr", 0.0), r"^lr must be a finite number > 0, got 0.0$"),
        (lambda: C.pair("betas", (0.5, 1.0)), r"betas must be two numbers in \[0, 1\)"),
        (lambda: C.pair("betas", 0.5), r"betas must be two numbers in \[0, 1\), got 0.5"),
        (lambda: C.choice("loss", "hinje", ["hinge"]), r"loss must be one of \['hinge'\]"),
        (lambda: C.choice("loss", ["x"], ["hinge"]), r"loss must be one of"),  # unhashable
        (lambda: C.boolean("progress", 1), r"^progress must be True or False, got 1$"),
        (lambda: C.function("f", 3, "(x) -> y"), r"^f must be a callable \(x\) -> y, got 3$"),
        (lambda: C.sampler("data", [1, 2]), r"data must be a sampler with a sample\(key, n\)"),
        (lambda: C.finite("x", np.array([1.0, np.nan])), r"x must be finite, got 1 NaN/inf"),
        (lambda: C.shape("x", np.zeros((2, 3)), (None, 2)), r"x must have shape \(\*, 2\)"),
        (lambda: C.batch("x", np.zeros(3)), r"x must be a batch of samples \(B, ...\)"),
        (lambda: C.key("key", 0), r"got the integer 0 \(a seed\).*jax.random.key\(0\)"),
        (lambda: C.key("key", np.zeros(3)), r"key must be a JAX random key"),
    ],
)
def test_checks_refuse_with_one_message_style(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_long_value_is_shortened_and_an_array_shown_by_its_shape():
    with pytest.raises(ValueError, match=r"got an array of shape \(100, 2\)$"):
        C.integer("n", np.zeros((100, 2)))
    with pytest.raises(ValueError) as info:
        C.integer("n", "x" * 1000)
    assert len(str(info.value)) < 260


def test_keys_pass_both_kinds_and_traced_keys():
    assert C.key("key", jax.random.key(0)).shape == ()
    assert C.key("key", jax.random.PRNGKey(0)).shape == (2,)
    assert jax.jit(lambda k: C.key("key", k))(jax.random.PRNGKey(1)).shape == (2,)
    with pytest.raises(ValueError, match="key must be a JAX random key"):
        C.key("key", jax.random.split(jax.random.key(0), 3))  # several keys, not one
    C.finite("x", jax.numpy.zeros(3))  # finite arrays pass silently


class _Sampler:
    centers = np.zeros((8, 2))


@pytest.mark.parametrize(
    "value,match",
    [
        ([[1.0, 2.0], [3.0]], r"^x must be numbers, got a ragged nested list \(rows of different"),
        (None, r"^x must be numbers, got None$"),
        ("abc", r"^x must be numbers, got 'abc'$"),
        ({"a": np.zeros(1000)}, r"^x must be numbers, got a dict$"),
        (_Sampler(), r"^x must be numbers, got a _Sampler$"),  # the type, never the contents
        ([1, "a"], r"^x must be numbers, got a list of 2 items holding strings$"),
        ([True, False], r"^x must be numbers, got a list of 2 items holding True/False$"),
        (np.zeros((2, 2), complex), r"^x must be numbers, got an array of shape \(2, 2\) and dt"),
        (jax.random.key(0), r"^x must be numbers, got an array of shape \(\) and dtype key"),
    ],
)
def test_array_refuses_what_is_not_an_array_of_numbers(value, match):
    with pytest.raises(ValueError, match=match):
        C.array("x", value, "numbers")


def test_array_passes_jax_arrays_through_and_reads_lists():
    x = jax.numpy.ones(3)
    assert C.array("x", x, "numbers") is x
    assert C.array("x", [[1, 2], [3, 4]], "numbers").shape == (2, 2)
    assert C.array("x", np.bool_(True), "flags", kinds="b").dtype == np.bool_
    assert jax.jit(lambda t: C.array("x", t, "numbers") * 2)(x).shape == (3,)


def test_a_message_shows_an_object_by_its_type_name_not_its_contents():
    from ganlab import data

    with pytest.raises(ValueError, match=r"^n must be an integer, got a GaussianMixture$"):
        C.integer("n", data.ring())
    with pytest.raises(ValueError, match=r"got \[\[10, 20\], \[30\]\]$"):  # plain values: repr
        C.integer("n", [[10, 20], [30]])
    with pytest.raises(ValueError, match=r"got a list of 1 items$"):
        C.integer("n", [data.ring()])
