"""The layers of ganlab.nn, checked against independent computations."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from ganlab import nn

KEY = jax.random.PRNGKey(0)


def test_depth_to_space_moves_channel_groups_into_patches():
    x = jnp.arange(8.0).reshape(1, 1, 2, 4)  # 1x2 pixels, 4 channels each
    y = nn.depth_to_space(x, 2)
    assert y.shape == (1, 2, 4, 1)
    # pixel (0,0) channels [0,1,2,3] -> 2x2 patch [[0,1],[2,3]]; pixel (0,1) -> [[4,5],[6,7]]
    np.testing.assert_array_equal(y[0, :, :, 0], [[0, 1, 4, 5], [2, 3, 6, 7]])


def test_depth_to_space_rejects_channels_that_do_not_split_into_blocks():
    with pytest.raises(ValueError, match=r"divisible by block\*\*2 = 4, got 6"):
        nn.depth_to_space(jnp.zeros((1, 2, 2, 6)), 2)
    with pytest.raises(ValueError, match="block must be an integer >= 1, got 0"):
        nn.depth_to_space(jnp.zeros((1, 2, 2, 4)), 0)


@pytest.mark.parametrize("mode", ["subpixel", "transpose"])
def test_upsample2x_doubles_the_size(mode):
    up = nn.Upsample2x(3, 5, mode, rngs=nnx.Rngs(0))
    assert up(jnp.ones((2, 4, 6, 3))).shape == (2, 8, 12, 5)


def test_upsample2x_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match=r"upsample must be one of \['subpixel', 'transpose'\]"):
        nn.Upsample2x(3, 5, "nearest", rngs=nnx.Rngs(0))


def test_conv_primitive_is_conv2d_on_cpu_and_xla_elsewhere():
    want = nn.conv2d if jax.default_backend() == "cpu" else jax.lax.conv_general_dilated
    assert nn.conv_primitive() is want


CONV_CASES = [
    ((2, 28, 28, 1), (4, 4, 1, 8), (2, 2), "SAME"),  # the DCGAN discriminator's two layers
    ((2, 14, 14, 8), (4, 4, 8, 16), (2, 2), "SAME"),
    ((2, 7, 7, 16), (3, 3, 16, 12), (1, 1), "SAME"),  # the generator's sub-pixel layers
    ((2, 14, 14, 4), (3, 3, 4, 4), (1, 1), "SAME"),
    ((3, 9, 6, 2), (3, 2, 2, 5), (2, 1), "VALID"),  # kernel not a multiple of the stride
    ((1, 5, 5, 3), (3, 3, 3, 2), (1, 1), [(2, 0), (1, 1)]),
    ((2, 11, 10, 3), (3, 3, 3, 4), (2, 2), "SAME"),  # odd size: a block left over
    ((2, 13, 12, 2), (5, 4, 2, 3), (3, 2), [(3, 1), (0, 2)]),  # strides 3 and 2
    ((1, 6, 6, 2), (2, 2, 2, 3), (1, 1), [(3, 0), (0, 2)]),  # padding wider than the kernel
    ((2, 10, 9, 2), (3, 3, 2, 4), (2, 2), "VALID"),  # a row that no window reaches
    ((2, 8, 8, 3), (4, 4, 3, 2), (3, 3), [(1, 0), (2, 1)]),  # 2 rows, 1 column left over
]


@pytest.mark.parametrize("conv", ["im2col_conv", "conv2d"])
@pytest.mark.parametrize("shape,kernel,strides,padding", CONV_CASES)
def test_conv_matches_xla_in_value_and_gradient(conv, shape, kernel, strides, padding):
    x = jax.random.normal(KEY, shape)
    w = jax.random.normal(jax.random.PRNGKey(1), kernel)
    dn = jax.lax.conv_dimension_numbers(shape, kernel, ("NHWC", "HWIO", "NHWC"))

    def xla(x, w):
        return jax.lax.conv_general_dilated(x, w, strides, padding, dimension_numbers=dn)

    def ours(x, w):
        return getattr(nn, conv)(x, w, strides, padding, dimension_numbers=dn)

    np.testing.assert_allclose(ours(x, w), xla(x, w), rtol=1e-4, atol=1e-4)
    # Gradients against JAX's own derivative of XLA's convolution, through a nonlinear loss
    # (so dy differs from pixel to pixel), under jit as in training.
    loss = lambda f: lambda x, w: jnp.sum(jnp.sin(f(x, w)))
    for got, want in zip(
        jax.jit(jax.grad(loss(ours), argnums=(0, 1)))(x, w),
        jax.grad(loss(xla), argnums=(0, 1))(x, w),
        strict=True,
    ):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)


def test_conv2d_gradient_matches_finite_differences():
    """An independent check of the hand-written VJP: directional derivatives against central
    differences of a smooth loss."""
    x = jax.random.normal(KEY, (2, 8, 8, 3))
    w = jax.random.normal(jax.random.PRNGKey(1), (4, 4, 3, 5)) / 4
    f = lambda x, w: jnp.sum(jnp.sin(nn.conv2d(x, w, (2, 2), "SAME")))  # noqa: E731
    gx, gw = jax.grad(f, argnums=(0, 1))(x, w)
    for key, (dx, dw) in enumerate([(1.0, 0.0), (0.0, 1.0), (1.0, 1.0)]):
        vx = dx * jax.random.normal(jax.random.PRNGKey(10 + key), x.shape)
        vw = dw * jax.random.normal(jax.random.PRNGKey(20 + key), w.shape)
        eps = 1e-2
        numeric = (f(x + eps * vx, w + eps * vw) - f(x - eps * vx, w - eps * vw)) / (2 * eps)
        analytic = jnp.sum(gx * vx) + jnp.sum(gw * vw)
        np.testing.assert_allclose(analytic, numeric, rtol=2e-2, atol=2e-2)


def test_compiler_options_compute_the_same_convolution():
    options = nn.compiler_options()
    if jax.default_backend() == "cpu" and jax.__version_info__ >= (0, 10):
        assert "xla_cpu_experimental_ynn_fusion_type" in options
    x = jax.random.normal(KEY, (2, 14, 14, 8))
    w = jax.random.normal(jax.random.PRNGKey(1), (4, 4, 8, 16))
    grad = jax.grad(lambda x, w: jnp.sum(jnp.sin(nn.conv2d(x, w, (2, 2), "SAME"))), (0, 1))
    got = jax.jit(grad, compiler_options=options)(x, w)
    want = jax.jit(grad)(x, w)
    for g, h in zip(got, want, strict=True):
        np.testing.assert_allclose(g, h, rtol=1e-4, atol=1e-4)


def test_im2col_conv_defers_to_xla_for_dilation():
    x = jax.random.normal(KEY, (1, 8, 8, 2))
    w = jax.random.normal(KEY, (3, 3, 2, 3))
    want = jax.lax.conv_general_dilated(
        x, w, (1, 1), "SAME", rhs_dilation=(2, 2), dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    dn = jax.lax.conv_dimension_numbers(x.shape, w.shape, ("NHWC", "HWIO", "NHWC"))
    got = nn.im2col_conv(x, w, (1, 1), "SAME", rhs_dilation=(2, 2), dimension_numbers=dn)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_append_minibatch_std_appends_the_batch_std():
    h = nn.append_minibatch_std(jnp.ones((5, 3)))
    assert h.shape == (5, 4)
    np.testing.assert_allclose(h[:, 3], np.sqrt(1e-8), rtol=1e-5)  # identical samples: std ~ 0
    h = nn.append_minibatch_std(jnp.array([[0.0], [2.0]]))
    np.testing.assert_allclose(h[:, 1], 1.0, rtol=1e-6)  # population std of {0, 2}


def test_batch_normalize_refuses_a_batch_of_one():
    with pytest.raises(ValueError, match="batch of at least 2 latents, got 1"):
        nn.batch_normalize(jnp.ones((1, 3)), jnp.ones(3), jnp.zeros(3))


# --- bad input: refused in Python, naming the argument, before anything compiles ------------

X4 = jnp.zeros((1, 4, 4, 1))
W3 = jnp.zeros((3, 3, 1, 2))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: nn.depth_to_space(None), r"x must be a float array \(B, H, W, C\), got None"),
        (lambda: nn.depth_to_space({}), r"x must be a float array \(B, H, W, C\), got {}"),
        (lambda: nn.depth_to_space(jnp.zeros((2, 2, 4))), r"x must be .*\(B, H, W, C\), not"),
        (lambda: nn.depth_to_space(np.array([["a"]])), r"x must be a float array \(B, H, W, C\)"),
        (lambda: nn.depth_to_space(X4, "2"), "block must be an integer >= 1, got '2'"),
        (lambda: nn.Upsample2x(0, 2, "subpixel", rngs=nnx.Rngs(0)), "c_in must be an integer"),
        (lambda: nn.Upsample2x(2, 2.5, "subpixel", rngs=nnx.Rngs(0)), "c_out must be an integer"),
        (lambda: nn.Upsample2x(2, True, "subpixel", rngs=nnx.Rngs(0)), "c_out must be an int"),
        (lambda: nn.Upsample2x(2, 2, None, rngs=nnx.Rngs(0)), "upsample must be one of"),
        (lambda: nn.Upsample2x(2, 2, "subpixel", rngs=None), r"rngs must be an nnx.Rngs"),
        (
            lambda: nn.Upsample2x(2, 2, "subpixel", rngs=nnx.Rngs(0))(jnp.zeros((1, 4, 4, 3))),
            r"x must be a float array \(B, H, W, 2\), got an array of shape \(1, 4, 4, 3\)",
        ),
        (
            lambda: nn.Upsample2x(2, 2, "transpose", rngs=nnx.Rngs(0))([1.0]),
            r"x must be a float array \(B, H, W, 2\)",
        ),
        (lambda: nn.batch_normalize(None, jnp.ones(2), jnp.zeros(2)), r"h must be .*\(B, F\)"),
        (lambda: nn.batch_normalize(jnp.ones(3), jnp.ones(3), jnp.zeros(3)), r"h must be .*F\)"),
        (
            lambda: nn.batch_normalize(jnp.ones((3, 2)), jnp.ones(3), jnp.zeros(2)),
            r"scale must be a float array \(2,\), one per feature of h, got an array of shape",
        ),
        (
            lambda: nn.batch_normalize(jnp.ones((3, 2)), jnp.ones(2), "0"),
            r"shift must be a float array \(2,\), one per feature of h",
        ),
        (
            lambda: nn.batch_normalize(jnp.ones((3, 2)), jnp.ones(2), jnp.zeros(2), eps=-1),
            "eps must be a finite number > 0, got -1",
        ),
        (lambda: nn.append_minibatch_std(jnp.ones(3)), r"h must be a float array \(B, F\)"),
        (lambda: nn.append_minibatch_std([[1.0]], eps=None), "eps must be a finite number > 0"),
        (lambda: nn.append_minibatch_std(True), r"h must be a float array \(B, F\)"),
    ],
)
def test_wrong_inputs_raise_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("conv", ["im2col_conv", "conv2d"])
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((None, W3, (1, 1), "SAME"), r"lhs must be a float array \(B, H"),
        ((X4, {}, (1, 1), "SAME"), r"rhs must be a float array \(kh, kw"),
        (
            (jnp.zeros((1, 4, 4, 2)), W3, (1, 1), "SAME"),
            r"rhs must be a float array \(kh, kw, 2, C_out\) for lhs with 2 channels",
        ),
        ((X4, W3, (0, 1), "SAME"), r"window_strides must be two integ"),
        ((X4, W3, 1, "SAME"), r"window_strides must be two integers >= 1"),
        ((X4, W3, (1, 1), "same"), r"padding must be \"SAME\", \"VALID\""),
        ((X4, W3, (1, 1), [(1, -1), (0, 0)]), r"padding must be \"SAME\""),
        (
            (jnp.zeros((1, 2, 2, 1)), W3, (1, 1), "VALID"),
            r"rhs must fit in the padded lhs, got a 3x3 kernel over 2x2 images",
        ),
    ],
)
def test_wrong_convolution_inputs_raise_value_error_naming_the_argument(conv, args, match):
    with pytest.raises(ValueError, match=match):
        getattr(nn, conv)(*args)


def test_the_checks_also_run_under_jit():
    with pytest.raises(ValueError, match=r"rhs must be a float array \(kh, kw, 2, C_out\)"):
        jax.jit(lambda x, w: nn.im2col_conv(x, w, (1, 1), "SAME"))(jnp.zeros((1, 4, 4, 2)), W3)
    out = jax.jit(nn.append_minibatch_std)(jnp.ones((3, 2)))  # and let good input through
    assert out.shape == (3, 3)
