"""Shape tests for every model, and the checks that bad construction arguments fail early."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from ganlab import models, nn

KEY = jax.random.PRNGKey(0)


@pytest.mark.parametrize("latent_dim,out_dim,depth", [(2, 2, 2), (8, 1, 1), (3, 5, 3)])
def test_mlp_shapes(latent_dim, out_dim, depth):
    rngs = nnx.Rngs(0)
    g = models.MLPGenerator(latent_dim, out_dim, width=16, depth=depth, rngs=rngs)
    d = models.MLPDiscriminator(out_dim, width=16, depth=depth, rngs=rngs)
    z = g.sample_latent(KEY, 7)
    assert z.shape == (7, latent_dim)
    x = g(z)
    assert x.shape == (7, out_dim) and x.dtype == jnp.float32
    assert d(x).shape == (7,)
    assert len(g.hidden) == depth


def test_foundation_spec_parameter_counts():
    g, d = models.mlp_gan()  # G 2->128->128->2, D 2->128->128->1
    count = lambda m: sum(p.size for p in jax.tree.leaves(nnx.state(m, nnx.Param)))
    assert count(g) == (2 * 128 + 128) + (128 * 128 + 128) + (128 * 2 + 2)
    assert count(d) == (2 * 128 + 128) + (128 * 128 + 128) + (128 * 1 + 1)


@pytest.mark.parametrize("image_size", [8, 28])
@pytest.mark.parametrize("upsample", ["subpixel", "transpose"])
def test_conv_shapes_and_range(image_size, upsample):
    g, d = models.conv_gan(16, image_size=image_size, channels=8, upsample=upsample)
    x = g.sample(KEY, 3)
    assert x.shape == (3, image_size, image_size, 1)
    assert float(jnp.abs(x).max()) <= 1.0  # tanh output, like data scaled to [-1, 1]
    assert d(x).shape == (3,)


def test_samples_depend_only_on_their_own_latent():
    g, _ = models.conv_gan(16, image_size=8, channels=8)
    z = g.sample_latent(KEY, 4)
    alone = g(z[:1])
    together = g(z)[:1]
    np.testing.assert_allclose(alone, together, rtol=1e-5, atol=1e-6)


def test_latents_are_keyed():
    g, _ = models.mlp_gan()
    a, b = g.sample_latent(KEY, 5), g.sample_latent(KEY, 5)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, g.sample_latent(jax.random.PRNGKey(1), 5))


def test_fuse_steps_follows_the_layers_used():
    assert models.MLPGenerator.fuse_steps and models.MLPDiscriminator.fuse_steps
    sub, d = models.conv_gan(16, image_size=8, channels=4, upsample="subpixel")
    assert sub.fuse_steps and d.fuse_steps  # conv2d layers: measured faster fused on CPU
    transpose, _ = models.conv_gan(16, image_size=8, channels=4, upsample="transpose")
    assert transpose.fuse_steps == (jax.default_backend() != "cpu")


def test_numpy_integers_are_sizes():
    g = models.MLPGenerator(np.int64(3), np.int32(2), width=np.int64(8), rngs=nnx.Rngs(0))
    assert g.latent_dim == 3 and type(g.latent_dim) is int
    assert g(g.sample_latent(KEY, 4)).shape == (4, 2)


def test_layers_are_re_exported_from_nn():
    for name in ("im2col_conv", "depth_to_space", "Upsample2x", "batch_normalize",
                 "append_minibatch_std", "UPSAMPLINGS"):  # fmt: skip
        assert getattr(models, name) is getattr(nn, name), name


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda r: models.MLPGenerator(0, 2, rngs=r), r"latent_dim must be an integer >= 1, got 0"),
        (lambda r: models.MLPGenerator(2, 2, width=-1, rngs=r), "width"),
        (lambda r: models.MLPDiscriminator(2, depth=0, rngs=r), "depth"),
        (lambda r: models.MLPDiscriminator(2, activation="sigmoidal", rngs=r), "activation"),
        (lambda r: models.ConvGenerator(16, image_size=32, rngs=r), "image_size must be one of"),
        (lambda r: models.ConvGenerator(16, upsample="nearest", rngs=r), "upsample"),
        (lambda r: models.ConvDiscriminator(channels=2.5, rngs=r), "channels"),
        (lambda r: models.MLPDiscriminator(2, minibatch_std=1, rngs=r), "minibatch_std"),
        (lambda r: models.MaxoutDiscriminator(2, init_std=0.0, rngs=r), "init_std"),
    ],
)
def test_bad_construction_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build(nnx.Rngs(0))


def test_wrong_input_shape_is_named():
    g, d = models.mlp_gan()
    with pytest.raises(ValueError, match=r"z must have shape \(batch, 2\), got \(4, 3\)"):
        g(jnp.zeros((4, 3)))
    _, cd = models.conv_gan(16, image_size=8, channels=8)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 8, 8, 1\)"):
        cd(jnp.zeros((4, 28, 28, 1)))


def test_weights_round_trip_through_npz(tmp_path):
    g, _ = models.conv_gan(16, image_size=8, channels=8, seed=0)
    other, _ = models.conv_gan(16, image_size=8, channels=8, seed=1)
    z = g.sample_latent(KEY, 4)
    assert not np.allclose(g(z), other(z))
    models.save_weights(g, tmp_path / "g.npz")
    models.load_weights(other, tmp_path / "g.npz")
    np.testing.assert_array_equal(g(z), other(z))


def test_weights_that_do_not_fit_are_rejected(tmp_path):
    g, _ = models.conv_gan(16, image_size=8, channels=8)
    models.save_weights(g, tmp_path / "g.npz")
    wider, _ = models.conv_gan(16, image_size=8, channels=4)
    with pytest.raises(ValueError, match="has shape"):
        models.load_weights(wider, tmp_path / "g.npz")
    mlp, _ = models.mlp_gan()
    with pytest.raises(ValueError, match="do not fit"):
        models.load_weights(mlp, tmp_path / "g.npz")


def test_packed_discriminator_joins_m_consecutive_samples():
    rngs = nnx.Rngs(0)
    inner = models.MLPDiscriminator(6, width=8, rngs=rngs)
    packed = models.Packed(inner, 3)
    x = jax.random.normal(KEY, (12, 2))
    np.testing.assert_allclose(packed(x), inner(x.reshape(4, 6)), rtol=1e-6)
    assert packed.packing == 3 and packed.fuse_steps
    with pytest.raises(ValueError, match="multiple of the packing m = 3, got 10"):
        packed(x[:10])
    with pytest.raises(ValueError, match=r"m must be an integer >= 1, got 0"):
        models.packed_mlp_discriminator(2, 0, rngs=rngs)


def test_packed_images_are_joined_along_channels():
    class FirstPixel(nnx.Module):
        def __call__(self, x):
            return x[:, 0, 0, :]  # (B/m, m * C): the channel vector of pixel (0, 0)

    images = jnp.arange(4 * 2 * 2 * 1, dtype=jnp.float32).reshape(4, 2, 2, 1)
    out = models.Packed(FirstPixel(), 2)(images)
    # pack 0 = samples 0 and 1: pixel (0, 0) of each, as channels 0 and 1
    np.testing.assert_array_equal(out, [[0.0, 4.0], [8.0, 12.0]])


def test_minibatch_std_feature_sees_the_whole_batch():
    d = models.MLPDiscriminator(2, width=8, minibatch_std=True, rngs=nnx.Rngs(0))
    a = jnp.array([[0.5, -0.5]])
    with_copy = d(jnp.concatenate([a, a]))
    with_other = d(jnp.concatenate([a, jnp.array([[3.0, 1.0]])]))
    assert with_copy.shape == (2,)
    assert not np.isclose(float(with_copy[0]), float(with_other[0]))  # same sample, other batch


def test_batch_norm_generator_normalises_each_hidden_unit_over_the_batch():
    rngs = nnx.Rngs(0)
    g = models.MLPGenerator(2, 2, width=16, depth=2, batch_norm=True, rngs=rngs)
    assert all(layer.bias is None for layer in g.hidden)  # the norm's shift replaces the bias
    z = g.sample_latent(KEY, 64)
    # An independent computation of the first layer: normalised pre-activations have mean 0
    # and variance 1 per unit (scale 1, shift 0 at initialisation).
    pre = z @ g.hidden[0].kernel[...]
    h = models.batch_normalize(pre, jnp.ones(16), jnp.zeros(16))
    np.testing.assert_allclose(h.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(h.var(axis=0), 1.0, rtol=1e-3)
    # A sample depends on the rest of its batch (the batch statistics), unlike without the norm.
    x = g(z)
    assert x.shape == (64, 2)
    assert not np.allclose(g(z[:32])[0], x[0])
    plain = models.MLPGenerator(2, 2, width=16, depth=2, rngs=nnx.Rngs(0))
    np.testing.assert_allclose(plain(z[:32])[0], plain(z)[0], rtol=1e-6)
    with pytest.raises(ValueError, match="batch of at least 2 latents, got 1"):
        g(z[:1])
    with pytest.raises(ValueError, match="batch_norm must be True or False"):
        models.MLPGenerator(2, 2, batch_norm="yes", rngs=rngs)


def test_maxout_discriminator_takes_the_max_of_its_pieces():
    d = models.MaxoutDiscriminator(4, width=3, depth=1, pieces=5, rngs=nnx.Rngs(0))
    x = jax.random.normal(KEY, (7, 4))
    y = np.asarray(x) @ np.asarray(d.hidden[0].kernel[...]) + np.asarray(d.hidden[0].bias[...])
    # (7, 15): each unit's 5 pieces side by side
    h = np.asarray(y).reshape(7, 3, 5).max(axis=-1)
    expected = h @ np.asarray(d.out.kernel[...]) + np.asarray(d.out.bias[...])
    np.testing.assert_allclose(d(x), expected[:, 0], rtol=1e-5, atol=1e-6)
    assert d(x).shape == (7,) and d.fuse_steps
    # PacGAN's initialisation: weights N(0, 0.02^2), zero biases.
    big = models.MaxoutDiscriminator(2, width=200, depth=1, pieces=5, rngs=nnx.Rngs(1))
    assert abs(float(jnp.std(big.hidden[0].kernel[...])) - 0.02) < 0.002
    assert float(jnp.abs(big.hidden[0].bias[...]).max()) == 0.0
    with pytest.raises(ValueError, match=r"pieces must be an integer >= 1, got 0"):
        models.MaxoutDiscriminator(2, pieces=0, rngs=nnx.Rngs(0))
    # With minibatch std, a sample's score depends on the rest of its batch.
    mb = models.MaxoutDiscriminator(2, width=8, depth=1, minibatch_std=True, rngs=nnx.Rngs(0))
    a = jnp.array([[0.5, -0.5]])
    with_copy, with_other = mb(jnp.concatenate([a, a])), mb(jnp.concatenate([a, a + 3.0]))
    assert mb.out.kernel.shape == (9, 1)
    assert not np.isclose(float(with_copy[0]), float(with_other[0]))


# --- bad input: refused in Python, naming the argument, before anything compiles ------------

MLP_G, MLP_D = models.mlp_gan(width=8)
NOT_A_KEY = "key must be a JAX random key"


@pytest.mark.parametrize("method", ["sample", "sample_latent"])
@pytest.mark.parametrize(
    ("key", "match"),
    [
        (0, r"got the integer 0 \(a seed\); make a key of it with jax\.random\.key\(0\)"),
        (np.int32(7), r"got the integer 7 \(a seed\).*jax\.random\.key\(7\)"),
        (None, f"{NOT_A_KEY} .*, got None"),
        ("0", f"{NOT_A_KEY} .*, got '0'"),
        ({}, f"{NOT_A_KEY} .*, got {{}}"),
        (True, f"{NOT_A_KEY} .*, got True"),
        (float("nan"), f"{NOT_A_KEY} .*, got nan"),
    ],
)
def test_a_generator_wants_a_key_not_a_seed(method, key, match):
    with pytest.raises(ValueError, match=match):
        getattr(MLP_G, method)(key, 4)


@pytest.mark.parametrize("method", ["sample", "sample_latent"])
@pytest.mark.parametrize("n", [0, -1, 2.5, "4", None, True, float("nan"), [4]])
def test_a_generator_wants_a_positive_integer_count(method, n):
    with pytest.raises(ValueError, match=r"n must be an integer >= 1, got "):
        getattr(MLP_G, method)(KEY, n)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: MLP_G(jnp.zeros((4,))), r"z must have shape \(batch, 2\), got \(4,\)"),
        (lambda: MLP_G({}), r"z must be a float array of shape \(batch, 2\).*, got {}"),
        (lambda: MLP_G(None), r"z must be a float array of shape \(batch, 2\).*, got None"),
        (lambda: MLP_G("z"), r"z must be a float array .*, not of dtype <U1, got 'z'"),
        (lambda: MLP_G([[0.0, 1.0], [2.0]]), r"z must be a float array of shape \(batch, 2\)"),
        (lambda: MLP_D(np.array([["a", "b"]])), r"x must be a float array .* not of dtype <U1"),
        (lambda: MLP_D(np.zeros((3, 2), bool)), r"x must be a float array .* not of dtype bool"),
        (
            lambda: models.conv_gan(16, image_size=8, channels=4)[1](jnp.zeros((2, 8, 8))),
            r"x must have shape \(batch, 8, 8, 1\), got \(2, 8, 8\)",
        ),
        (
            lambda: models.conv_gan(16, image_size=8, channels=4)[0](jnp.zeros((2, 8))),
            r"z must have shape \(batch, 16\), got \(2, 8\)",
        ),
        (
            lambda: models.packed_mlp_discriminator(2, 2, rngs=nnx.Rngs(0))(jnp.zeros(4)),
            r"x must be a batch of samples \(batch, \.\.\.\), got an array of shape \(4,\)",
        ),
        (lambda: models.Packed("mlp", 2), r"inner must be a callable .*, got 'mlp'"),
        (lambda: models.MLPGenerator(2, 2, rngs=0), r"rngs must be an nnx.Rngs.*, got 0"),
        (lambda: models.ConvDiscriminator(rngs=None), r"rngs must be an nnx.Rngs.*, got None"),
        (lambda: models.mlp_gan(seed="0"), r"seed must be an integer, got '0'"),
        (lambda: models.conv_gan(seed=None), r"seed must be an integer, got None"),
        (lambda: models.mlp_gan(seed=0.5), r"seed must be an integer, got 0.5"),
        (lambda: models.mlp_gan(width={}), r"width must be an integer >= 1, got {}"),
        (lambda: models.conv_gan(image_size=8.0), r"image_size must be an integer, got 8.0"),
        (lambda: models.conv_gan(upsample=None), r"upsample must be one of .*, got None"),
        (lambda: models.packed_mlp_discriminator(True, rngs=nnx.Rngs(0)), "data_dim must be an"),
        (lambda: models.save_weights({}, "w.npz"), r"model must be a Flax NNX module.*, got {}"),
        (lambda: models.save_weights(MLP_G, None), r"path must be a file path .*, got None"),
        (lambda: models.load_weights(None, "w.npz"), r"model must be a Flax NNX module.*None"),
        (lambda: models.load_weights(MLP_G, 3), r"path must be a file path .*, got 3"),
        (lambda: models.load_weights(nnx.Module(), "w.npz"), "model must be a module with param"),
    ],
)
def test_wrong_inputs_raise_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_integers_and_plain_lists_are_accepted():
    g = models.MLPGenerator(np.int64(2), np.int32(3), width=np.int64(4), rngs=nnx.Rngs(0))
    assert g.sample(KEY, np.int64(5)).shape == (5, 3)
    assert g([[0.0, 1.0]]).shape == (1, 3) and g(np.zeros((2, 2), int)).shape == (2, 3)
    assert models.ConvGenerator(8, image_size=np.int64(8), rngs=nnx.Rngs(0)).image_size == 8


# --- weight files: every reader error named; the model untouched on failure -----------------


def _saved(tmp_path, model=None):
    model = model or models.mlp_gan(width=8, seed=0)[0]
    models.save_weights(model, tmp_path / "g.npz")
    return tmp_path / "g.npz"


def _damage(tmp_path, how):
    path = _saved(tmp_path)
    if how == "text":
        path.write_text("these are not weights\n")
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif how == "nan":
        arrays = dict(np.load(path))
        arrays["out/bias"] = np.full_like(arrays["out/bias"], np.nan)
        np.savez(path, **arrays)
    elif how == "ints":
        np.savez(path, **{k: v.astype(np.int32) for k, v in np.load(path).items()})
    elif how == "one array":
        np.save(tmp_path / "one.npy", np.zeros(3))
        path = tmp_path / "one.npy"
    elif how == "other architecture":
        path = _saved(tmp_path, models.conv_gan(8, image_size=8, channels=4)[0])
    elif how == "a folder":
        path = tmp_path
    return path


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("text", r"g\.npz cannot be read: it is not an \.npz file of arrays \(a text file"),
        ("truncated", r"g\.npz cannot be read: it is not an \.npz file, or it is truncated"),
        ("nan", r"g\.npz: out/bias has 2 NaN/inf values of 2"),
        ("ints", r"g\.npz: hidden/0/bias must hold floats, got dtype int32"),
        ("one array", r"one\.npy cannot be read: it holds a single \.npy array"),
        ("other architecture", r"g\.npz do not fit this model \(another architecture"),
        ("a folder", r"weights for MLPGenerator: .* is a folder, not an \.npz file"),
    ],
)
def test_a_bad_weights_file_is_refused_naming_it_and_the_model_is_untouched(tmp_path, how, match):
    g = models.mlp_gan(width=8, seed=1)[0]
    before = jax.tree.map(np.asarray, nnx.state(g, nnx.Param))
    path = _damage(tmp_path, how)
    with pytest.raises(ValueError, match=match):
        models.load_weights(g, path)
    after = jax.tree.map(np.asarray, nnx.state(g, nnx.Param))
    jax.tree.map(np.testing.assert_array_equal, before, after)


def test_a_missing_weights_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"weights for MLPGenerator: .*nope\.npz does not"):
        models.load_weights(MLP_G, tmp_path / "nope.npz")


def test_save_weights_refuses_a_folder_and_never_leaves_half_a_file(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"path must be a file to write, got the folder"):
        models.save_weights(MLP_G, tmp_path)
    path = _saved(tmp_path)
    good = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np.lib.format, "write_array", disk_full)
    with pytest.raises(OSError, match="No space left"):
        models.save_weights(models.mlp_gan(width=8, seed=5)[0], path)
    assert path.read_bytes() == good  # the earlier file, bit for bit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.npz"]  # no temporary left behind


def test_save_weights_adds_the_npz_suffix_like_numpy(tmp_path):
    models.save_weights(MLP_G, tmp_path / "g")
    assert (tmp_path / "g.npz").is_file()
    models.load_weights(models.mlp_gan(width=8, seed=3)[0], tmp_path / "g.npz")
