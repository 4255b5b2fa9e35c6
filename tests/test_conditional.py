"""Class-conditional GANs through the one training core: labelled data, G(z, y), D(x, y)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from ganlab import data, metrics, models, train

RING = data.ring()
FAST = dict(batch_size=128, g_lr=2e-3, d_lr=2e-3, lr_schedule="cosine", progress=False)


def label_accuracy(g) -> float:
    """The share of samples asked for mode k that land nearest to mode k."""
    labels = np.repeat(np.arange(8), 250)
    x = np.asarray(g.sample(jax.random.key(9), labels.size, labels=labels))
    nearest, _ = metrics.nearest_mode(x, RING.centers)
    return float(np.mean(np.asarray(nearest) == labels))


def test_labelled_samples_are_the_samples_with_their_mode_as_label():
    key = jax.random.key(3)
    x, y = RING.sample_labeled(key, 2000)
    np.testing.assert_array_equal(x, RING.sample(key, 2000))  # the same draws
    assert y.dtype == jnp.int32 and RING.n_classes == 8
    nearest, _ = metrics.nearest_mode(np.asarray(x), RING.centers)
    assert np.mean(np.asarray(nearest) == np.asarray(y)) > 0.99  # std 0.01 on a radius-1 ring
    assert np.bincount(np.asarray(y), minlength=8).min() > 150  # every mode drawn


def test_the_projection_discriminator_is_psi_of_phi_plus_the_class_embedding_dot_phi():
    _, d = models.conditional_mlp_gan(8, conditioning="projection", seed=1)
    x = jax.random.normal(jax.random.key(0), (5, 2))
    y = np.array([0, 3, 3, 7, 1])
    phi = np.asarray(d.features(x, y))  # (5, width)
    w, b = np.asarray(d.out.kernel[...])[:, 0], float(np.asarray(d.out.bias[...])[0])
    embed = np.asarray(d.embed.embedding[...])  # (8, width)
    by_hand = phi @ w + b + np.sum(embed[y] * phi, axis=1)
    np.testing.assert_allclose(np.asarray(d(x, y)), by_hand, rtol=1e-5, atol=1e-5)
    other = np.asarray(d(x, (y + 1) % 8))
    assert not np.allclose(other, by_hand)  # the label changes the score


@pytest.mark.parametrize("conditioning", ["concat", "projection"])
def test_a_trained_conditional_gan_puts_each_label_on_its_own_mode(conditioning):
    g, d = models.conditional_mlp_gan(8, conditioning=conditioning, seed=0)
    before = label_accuracy(g)
    result = train.train(g, d, RING, steps=1500, **FAST)
    after = label_accuracy(result.generator)
    assert before < 0.3  # untrained: about chance, 1/8
    assert after > 0.9, (conditioning, before, after)
    assert result.trainer.conditional


def test_conditional_penalties_see_the_labels():
    g, d = models.conditional_mlp_gan(8, seed=0)
    h = train.train(g, d, RING, steps=5, loss="wgan-gp", n_critic=2, **FAST).history
    assert np.all(h["penalty"] > 0) and np.all(np.isfinite(h["d_loss"]))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: train.Trainer(*models.conditional_mlp_gan(8), np.zeros((10, 2), np.float32)),
         r"data must be labelled data \(a sampler with sample_labeled"),
        (lambda: train.Trainer(models.conditional_mlp_gan(8)[0], models.mlp_gan()[1], RING),
         r"discriminator must be a conditional discriminator of the generator's 8 classes"),
        (lambda: train.Trainer(*models.conditional_mlp_gan(5), RING),
         r"data must be labelled with the generator's 5 classes, got '8 classes'"),
        (lambda: models.conditional_mlp_gan(8)[0].sample(jax.random.key(0), 2, labels=[0, 8]),
         r"labels must be class labels in \[0, 8\), got 'values 0..8'"),
        (lambda: models.conditional_mlp_gan(8)[0].sample(jax.random.key(0), 2, labels=[0.5, 1]),
         r"labels must be an integer array of 2 class labels"),
        (lambda: models.conditional_mlp_gan(8, conditioning="film"),
         r"conditioning must be one of \['concat', 'projection'\], got 'film'"),
    ],
)  # fmt: skip
def test_conditional_bad_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ring_with_other_mode_count_needs_as_many_classes():
    g, d = models.conditional_mlp_gan(4, seed=0)
    trainer = train.Trainer(g, d, data.ring(n_modes=4), train.Config(steps=1, **FAST))
    trainer.run(1)
    assert isinstance(trainer.generator, nnx.Module) and trainer.step == 1
