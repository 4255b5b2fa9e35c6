"""ganlab.latent: known answers for lerp/slerp, shapes of walks and grids, bad input; and the
generator shipped for lesson 1 (scripts/train_dcgan_mnist.py) loads and makes images."""

import importlib.resources
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ganlab import latent, models

E1 = jnp.array([1.0, 0.0, 0.0])
E2 = jnp.array([0.0, 1.0, 0.0])


def test_lerp_known_answers():
    z0, z1 = jnp.array([0.0, 2.0]), jnp.array([4.0, -2.0])
    np.testing.assert_allclose(latent.lerp(z0, z1, 0.0), z0)
    np.testing.assert_allclose(latent.lerp(z0, z1, 1.0), z1)
    np.testing.assert_allclose(latent.lerp(z0, z1, 0.25), [1.0, 1.0])
    path = latent.lerp(z0, z1, jnp.array([0.0, 0.5, 1.0]))
    assert path.shape == (3, 2)
    np.testing.assert_allclose(path[1], [2.0, 0.0])


def test_slerp_of_orthogonal_unit_vectors_is_the_quarter_circle():
    t = jnp.linspace(0.0, 1.0, 7)
    path = latent.slerp(E1, E2, t)  # (7, 3)
    angle = t * math.pi / 2
    expected = jnp.stack([jnp.cos(angle), jnp.sin(angle), jnp.zeros_like(angle)], axis=1)
    np.testing.assert_allclose(path, expected, atol=1e-6)
    np.testing.assert_allclose(latent.slerp(E1, E2, 0.5), np.array([1, 1, 0]) / math.sqrt(2))


def test_slerp_keeps_the_norm_and_moves_at_constant_angular_speed():
    k0, k1 = jax.random.split(jax.random.key(0))
    z0 = jax.random.normal(k0, (64,))
    z1 = jax.random.normal(k1, (64,))
    z1 = z1 * jnp.linalg.norm(z0) / jnp.linalg.norm(z1)  # equal norms
    t = jnp.linspace(0.0, 1.0, 11)
    path = latent.slerp(z0, z1, t)
    np.testing.assert_allclose(jnp.linalg.norm(path, axis=1), jnp.linalg.norm(z0), rtol=1e-5)
    cos = path @ z0 / (jnp.linalg.norm(path, axis=1) * jnp.linalg.norm(z0))
    omega = jnp.arccos(jnp.dot(z0, z1) / jnp.dot(z0, z0))
    np.testing.assert_allclose(jnp.arccos(jnp.clip(cos, -1, 1)), t * omega, atol=2e-3)
    np.testing.assert_allclose(path[0], z0, atol=1e-5)
    np.testing.assert_allclose(path[-1], z1, atol=1e-5)


def test_the_straight_line_midpoint_of_two_gaussian_latents_is_short():
    """The reason for slerp: |lerp midpoint| ~ sqrt(d/2), not sqrt(d)."""
    d = 512
    k0, k1 = jax.random.split(jax.random.key(1))
    z0, z1 = jax.random.normal(k0, (d,)), jax.random.normal(k1, (d,))
    ratio = jnp.linalg.norm(latent.lerp(z0, z1, 0.5)) / jnp.sqrt(d)
    assert abs(float(ratio) - 1 / math.sqrt(2)) < 0.05
    ratio_s = jnp.linalg.norm(latent.slerp(z0, z1, 0.5)) / jnp.sqrt(d)
    assert abs(float(ratio_s) - 1.0) < 0.08


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_slerp_falls_back_to_lerp_for_parallel_vectors(sign):
    z0, z1 = E1, sign * 2.0 * E1
    t = jnp.array([0.0, 0.3, 1.0])
    out = latent.slerp(z0, z1, t)
    assert bool(jnp.all(jnp.isfinite(out)))
    np.testing.assert_allclose(out, latent.lerp(z0, z1, t), atol=1e-6)


def test_slerp_is_jittable_and_differentiable():
    f = jax.jit(lambda a, b: latent.slerp(a, b, jnp.array([0.5])))
    np.testing.assert_allclose(f(E1, E2)[0], np.array([1, 1, 0]) / math.sqrt(2), atol=1e-6)
    g = jax.grad(lambda a: jnp.sum(latent.slerp(a, E2, 0.5)))(E1 + 0.1 * E2)
    assert bool(jnp.all(jnp.isfinite(g)))


@pytest.mark.parametrize("method", latent.METHODS)
def test_interpolate_includes_both_endpoints(method):
    z0, z1 = jnp.array([1.0, 2.0, 3.0]), jnp.array([-1.0, 0.5, 2.0])
    out = latent.interpolate(z0, z1, steps=5, method=method)
    assert out.shape == (5, 3)
    np.testing.assert_allclose(out[0], z0, atol=1e-6)
    np.testing.assert_allclose(out[-1], z1, atol=1e-6)


def test_path_visits_every_keypoint_in_order():
    zs = jnp.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    out = latent.path(zs, steps_between=4)
    assert out.shape == (2 * 3 + 1, 2)
    for k, row in zip(range(3), (0, 3, 6), strict=True):
        np.testing.assert_allclose(out[row], zs[k], atol=1e-6)
    # no point repeated where two legs meet
    assert float(jnp.min(jnp.linalg.norm(jnp.diff(out, axis=0), axis=1))) > 0.1


def test_walk_and_grid_on_an_mlp_generator():
    g, _ = models.mlp_gan(latent_dim=3, data_dim=2, width=16, depth=1, seed=0)
    z0, z1 = jnp.ones(3), -jnp.ones(3) + jnp.array([0.0, 0.0, 0.5])
    w = latent.walk(g, z0, z1, steps=6)
    assert w.shape == (6, 2)
    np.testing.assert_allclose(w[0], g(z0[None])[0], atol=1e-5)
    np.testing.assert_allclose(w[-1], g(z1[None])[0], atol=1e-5)
    key = jax.random.key(3)
    grid = latent.interpolation_grid(g, key, rows=3, steps=5, method="linear")
    assert grid.shape == (3, 5, 2)
    pairs = jax.random.normal(key, (2, 3, 3))
    np.testing.assert_allclose(grid[:, 0], g(pairs[0]), atol=1e-5)
    np.testing.assert_allclose(grid[:, -1], g(pairs[1]), atol=1e-5)


def test_walk_on_a_conv_generator_gives_images():
    g, _ = models.conv_gan(8, image_size=8, channels=4, seed=0)
    key0, key1 = jax.random.split(jax.random.key(0))
    w = latent.walk(g, g.sample_latent(key0, 1)[0], g.sample_latent(key1, 1)[0], steps=4)
    assert w.shape == (4, 8, 8, 1)
    grid = latent.interpolation_grid(g, jax.random.key(1), rows=2, steps=3)
    assert grid.shape == (2, 3, 8, 8, 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: latent.lerp(jnp.ones(3), jnp.ones(4), 0.5), "same shape"),
        (lambda: latent.lerp(jnp.ones((2, 3)), jnp.ones(3), 0.5), "z0 must be a 1-D"),
        (lambda: latent.lerp(jnp.ones(3), jnp.ones(3), jnp.ones((2, 2))), "t must be"),
        (lambda: latent.lerp(jnp.ones(3), jnp.ones(3), float("nan")), "t must be finite"),
        (lambda: latent.lerp(jnp.array([1.0, jnp.inf]), jnp.ones(2), 0.5), "z0 must be finite"),
        (lambda: latent.lerp("abc", jnp.ones(3), 0.5), "z0 must"),
        (lambda: latent.slerp(jnp.zeros(3), jnp.ones(3), 0.5), "z0 must be non-zero"),
        (lambda: latent.interpolate(jnp.ones(3), -jnp.ones(3), steps=1), "steps must be"),
        (lambda: latent.interpolate(jnp.ones(3), -jnp.ones(3), method="cubic"), "method must"),
        (lambda: latent.path(jnp.ones(3)), r"zs must be keypoints.*got shape \(3,\)"),
        (lambda: latent.walk(object(), jnp.ones(2), jnp.ones(2)), "generator must"),
        (
            lambda: latent.walk(models.mlp_gan(seed=0)[0], jnp.ones(3), jnp.ones(3)),
            "latent_dim = 2",
        ),
        (
            lambda: latent.interpolation_grid(models.mlp_gan(seed=0)[0], jax.random.key(0), 0),
            "rows must",
        ),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- the generator shipped for lesson 1 ------------------------------------------------------

SHIPPED = importlib.resources.files("ganlab") / "_data" / "dcgan_mnist_generator.npz"
SHIPPED_MODEL = models.PRETRAINED_MNIST  # the script's MODEL, less the seed


def test_the_shipped_generator_is_small():
    assert SHIPPED.is_file(), "run scripts/train_dcgan_mnist.py to make it"
    with importlib.resources.as_file(SHIPPED) as p:
        assert p.stat().st_size < 1.5e6


def test_the_shipped_generator_fits_the_lesson_model_and_makes_images_in_range():
    g, _ = models.conv_gan(**SHIPPED_MODEL, seed=123)  # a different init: loading must win
    before = g(jnp.zeros((1, 32)))
    with importlib.resources.as_file(SHIPPED) as p:
        models.load_weights(g, p)
    images = g.sample(jax.random.key(0), 64)
    assert images.shape == (64, 28, 28, 1)
    assert bool(jnp.all(jnp.isfinite(images)))
    assert float(images.min()) >= -1.0 and float(images.max()) <= 1.0
    assert not np.allclose(g(jnp.zeros((1, 32))), before)  # the weights were replaced
    # A trained digit generator draws dark backgrounds with bright strokes, like MNIST:
    # most pixels near -1, a minority bright, and different latents make different images.
    x = np.asarray(images)
    assert np.mean(x < -0.5) > 0.6 and 0.05 < np.mean(x > 0.0) < 0.35
    assert float(np.std(x, axis=0).mean()) > 0.1


def test_pretrained_mnist_generator_is_the_shipped_file_in_the_lesson_model():
    g = models.pretrained_mnist_generator()
    reference, _ = models.conv_gan(**SHIPPED_MODEL, seed=7)
    with importlib.resources.as_file(SHIPPED) as p:
        models.load_weights(reference, p)
    z = jax.random.normal(jax.random.key(3), (4, 32))
    np.testing.assert_array_equal(np.asarray(g(z)), np.asarray(reference(z)))
    assert models.pretrained_mnist_generator() is not g  # a fresh module each call


def test_the_shipped_weights_do_not_fit_a_different_model():
    g, _ = models.conv_gan(latent_dim=64, channels=32, seed=0)
    with importlib.resources.as_file(SHIPPED) as p, pytest.raises(ValueError, match="shape"):
        models.load_weights(g, p)


def test_numpy_scalars_count_as_numbers():
    z0, z1 = jnp.array([1.0, 0.0]), jnp.array([0.0, 2.0])
    np.testing.assert_array_equal(
        latent.interpolate(z0, z1, np.int64(5), "linear"), latent.interpolate(z0, z1, 5, "linear")
    )
    np.testing.assert_allclose(latent.lerp(z0, z1, np.float32(0.25)), [0.75, 0.5])
    g, _ = models.mlp_gan(latent_dim=3, data_dim=2, width=16, depth=1, seed=0)
    key = jax.random.key(3)
    grid = latent.interpolation_grid(g, key, rows=np.int32(2), steps=np.int64(3))
    np.testing.assert_array_equal(grid, latent.interpolation_grid(g, key, rows=2, steps=3))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: latent.interpolate(jnp.ones(2), -jnp.ones(2), steps=True), "steps .* got True"),
        (lambda: latent.lerp(jnp.ones(2), jnp.zeros(2), True), "t must be a real number"),
        (lambda: latent.lerp(jnp.ones(2) > 0, jnp.zeros(2), 0.5), "z0 must hold real numbers"),
        (
            lambda: latent.interpolation_grid(models.mlp_gan(seed=0)[0], jax.random.key(0), True),
            "rows must be an integer >= 1, got True",
        ),
    ],
)
def test_bools_are_not_numbers(call, match):
    with pytest.raises(ValueError, match=match):
        call()


class _Mixture:
    def __repr__(self):
        return "_Mixture(" + "x" * 5000 + ")"  # a dump of this must never reach a message


_LATENT = r"must be a 1-D latent vector of numbers, shape \(D,\), got "
_T = r"^t must be a real number or a 1-D array of them \(T,\), got "
_ZS = r"^zs must be keypoints, an array \(K, D\) of real numbers with K >= 2, got "
_G = models.mlp_gan(seed=0)[0]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: latent.lerp([[1.0, 2.0], [3.0]], jnp.ones(2), 0.5), "^z0 " + _LATENT + "a ragged"),
        (lambda: latent.slerp(jnp.ones(2), {"z": 1}, 0.5), "^z1 " + _LATENT + "a dict$"),
        (lambda: latent.slerp(jnp.ones(2), None, 0.5), "^z1 " + _LATENT + "None$"),
        (lambda: latent.lerp(_Mixture(), jnp.ones(2), 0.5), "^z0 " + _LATENT + "a _Mixture$"),
        (lambda: latent.walk(_G, "z", jnp.ones(2)), "^z0 " + _LATENT + "'z'$"),
        (lambda: latent.lerp(jnp.ones(2), jnp.ones(2), "half"), _T + "'half'$"),
        (lambda: latent.lerp(jnp.ones(2), jnp.ones(2), _Mixture()), _T + "a _Mixture$"),
        (lambda: latent.lerp(jnp.ones(2), jnp.ones(2), [0.1, 1j]), _T + "a list of 2 items hold"),
        (lambda: latent.path({"a": 1}), _ZS + "a dict$"),
        (lambda: latent.path([[1.0, 2.0], [3.0]]), _ZS + "a ragged nested list"),
        (lambda: latent.path(np.zeros((3, 2), complex)), _ZS + r"an array of shape \(3, 2\)"),
        (lambda: latent.path(np.full((3, 2), np.nan)), r"^zs must be finite, got 6 NaN/inf"),
        (lambda: latent.path(np.ones((3, 2)), 1), "^steps_between must be an integer >= 2, got 1$"),
        (lambda: latent.path(np.ones((3, 2)), None), "^steps_between must be an integer >= 2, g"),
        (lambda: latent.interpolate(jnp.ones(2), jnp.ones(2), 2.5), "^steps must be an integer"),
        (lambda: latent.walk(_Mixture(), jnp.ones(2), jnp.ones(2)), "^generator must .*_Mixture$"),
        (lambda: latent.interpolation_grid(_G, 0), r"^key must be a JAX random key, got the int"),
        (lambda: latent.interpolation_grid(_G, np.int64(3)), r"jax.random.key\(3\)$"),
        (lambda: latent.interpolation_grid(_G, np.ones(3)), r"^key must be a JAX random key .*sha"),
        (lambda: latent.interpolation_grid(_G, jax.random.key(0), rows={}), "^rows must be an int"),
        (lambda: latent.interpolate(jnp.ones(2), jnp.ones(2), method=None), "^method must be one"),
    ],
)
def test_wrong_types_name_the_argument_and_the_type(call, match):
    with pytest.raises(ValueError, match=match):
        call()
