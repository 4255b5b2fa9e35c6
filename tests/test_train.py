"""The trainer: config validation, smoke runs per loss, determinism, fusion, seeds, checkpoints."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ganlab import data, history, losses, models, train

KEY = jax.random.PRNGKey(123)
SMALL = dict(batch_size=32, progress=False, g_lr=1e-3, d_lr=1e-3)


def small_pair(seed=0):
    return models.mlp_gan(width=16, seed=seed)


def params_of(model):
    from flax import nnx

    return jax.tree.leaves(nnx.state(model, nnx.Param))


def assert_trees_equal(a, b):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


# --- config --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value,match",
    [
        ("loss", "wasserstein", "loss must be one of"),
        ("optimizer", "lbfgs", "optimizer must be one of"),
        ("n_critic", 0, "n_critic must be an integer >= 1, got 0"),
        ("batch_size", 0, "batch_size must be an integer >= 1"),
        ("batch_size", 2.5, "batch_size must be an integer"),
        ("steps", -1, "steps must be an integer >= 0"),
        ("g_lr", 0.0, "g_lr must be a finite number > 0, got 0.0"),
        ("d_lr", -1e-4, "d_lr must be a finite number > 0"),
        ("d_lr", float("nan"), "d_lr must be a finite number > 0"),
        ("g_betas", (0.5, 1.0), r"g_betas must be two numbers in \[0, 1\)"),
        ("clip", 0, "clip must be a finite number > 0"),
        ("gp_weight", -1.0, "gp_weight must be a finite number >= 0"),
        ("steps_per_call", 0, "steps_per_call must be an integer >= 1"),
        ("seed", -3, "seed must be an integer >= 0"),
        ("unroll_steps", -1, "unroll_steps must be an integer >= 0"),
        ("lr_schedule", "step", "lr_schedule must be one of"),
    ],
)
def test_config_rejects_bad_values(field, value, match):
    with pytest.raises(ValueError, match=match):
        train.Config(**{field: value})


def test_config_replace_validates_and_rejects_unknown_fields():
    config = train.Config()
    assert config.replace(n_critic=5).n_critic == 5
    with pytest.raises(ValueError, match="n_critic"):
        config.replace(n_critic=0)
    with pytest.raises(ValueError, match=r"unknown Config fields \['ncritic'\]"):
        config.replace(ncritic=5)


def test_every_config_field_has_a_comment():
    import inspect

    source = inspect.getsource(train.Config)
    for field in dataclasses.fields(train.Config):
        line = next(ln for ln in source.splitlines() if ln.strip().startswith(field.name + ":"))
        assert "#" in line, f"Config.{field.name} has no comment"


# --- bad data and models fail before compiling ------------------------------------------------


def test_data_of_the_wrong_dimension_is_rejected():
    g, d = small_pair()
    three_d = np.zeros((100, 3), np.float32)
    with pytest.raises(ValueError, match="data and generator disagree"):
        train.Trainer(g, d, three_d, train.Config(**SMALL))


def test_non_finite_data_is_rejected():
    g, d = small_pair()
    bad = np.zeros((100, 2), np.float32)
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        train.Trainer(g, d, bad, train.Config(**SMALL))


def test_data_of_the_wrong_type_is_rejected():
    g, d = small_pair()
    with pytest.raises(ValueError, match="data must be a sampler"):
        train.Trainer(g, d, [[0.0, 1.0]], train.Config(**SMALL))


def test_a_generator_without_latent_dim_is_rejected():
    _, d = small_pair()
    with pytest.raises(ValueError, match="generator must have a positive integer .*latent_dim"):
        train.Trainer(d, d, data.ring(), train.Config(**SMALL))  # a module, but no latent_dim
    with pytest.raises(ValueError, match="generator must be a Flax NNX module"):
        train.Trainer(lambda z: z, d, data.ring(), train.Config(**SMALL))


def test_a_discriminator_for_other_data_is_rejected():
    g, _ = small_pair()
    _, conv_d = models.conv_gan(8, image_size=8, channels=4)
    with pytest.raises(ValueError, match="discriminator rejected data of shape"):
        train.Trainer(g, conv_d, data.ring(), train.Config(**SMALL))


def test_wrong_config_type_is_rejected():
    g, d = small_pair()
    with pytest.raises(ValueError, match="config must be a ganlab.train.Config"):
        train.Trainer(g, d, data.ring(), {"steps": 3})


# --- smoke runs: every loss moves the samples toward the data --------------------------------

SHIFTED = data.mixture(jnp.array([[2.0, 2.0]]), 0.5)  # one Gaussian away from G's start
# The WGAN variants with the settings of their papers (n_critic 5; RMSProp for clipping,
# Adam betas (0.5, 0.9) for the gradient penalty): with n_critic 1 WGAN-GP oscillates here.
PAPER_SETTINGS = {
    "wgan-clip": dict(n_critic=5, optimizer="rmsprop"),
    "wgan-gp": dict(n_critic=5, d_betas=(0.5, 0.9), g_betas=(0.5, 0.9)),
}


@pytest.mark.parametrize(
    "loss", ["minimax", "nonsaturating", "wgan-clip", "wgan-gp", "hinge", "least-squares"]
)
def test_each_loss_moves_samples_toward_the_data(loss):
    g, d = models.mlp_gan(width=32, seed=0)
    target = np.array([2.0, 2.0])
    before = np.linalg.norm(np.asarray(g.sample(KEY, 1000)).mean(0) - target)
    config = {**SMALL, "batch_size": 64, **PAPER_SETTINGS.get(loss, {})}
    result = train.train(g, d, SHIFTED, loss=loss, steps=300, **config)
    x = np.asarray(result.generator.sample(KEY, 1000))
    after = np.linalg.norm(x.mean(0) - target)
    assert np.all(np.isfinite(x))
    assert after < 0.6 * before, f"{loss}: mean distance {before:.2f} -> {after:.2f}"
    for name in ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "d_real", "d_fake"):
        assert result.history[name].shape == (300,)
        assert np.all(np.isfinite(result.history[name]))


def test_wgan_clip_keeps_weights_in_the_box():
    g, d = small_pair()
    result = train.train(g, d, data.ring(), loss="wgan-clip", steps=5, clip=0.01, **SMALL)
    assert max(float(jnp.abs(p).max()) for p in params_of(result.discriminator)) <= 0.01


@pytest.mark.parametrize("loss", ["wgan-clip", "nonsaturating"])
def test_clipping_starts_before_the_first_update_for_any_loss(loss):
    g, d = small_pair()
    assert max(float(jnp.abs(p).max()) for p in params_of(d)) > 0.05  # initialised outside
    trainer = train.Trainer(g, d, data.ring(), train.Config(loss=loss, clip=0.02, **SMALL))
    assert trainer.step == 0
    assert max(float(jnp.abs(p).max()) for p in params_of(trainer.discriminator)) <= 0.02


def test_a_penalty_weight_applies_to_any_loss():
    def first_step(**kw):
        g, d = small_pair()
        trainer = train.Trainer(g, d, data.ring(), train.Config(loss="hinge", **SMALL, **kw))
        trainer.run(1)
        return trainer

    plain, penalised = first_step(), first_step(gp_weight=10.0)
    assert plain.history["penalty"][0] == 0 and penalised.history["penalty"][0] > 0
    assert plain.config.gan_loss.gp_weight == 0 and penalised.config.gan_loss.gp_weight == 10
    pairs = zip(params_of(plain.discriminator), params_of(penalised.discriminator), strict=True)
    changed = [not np.array_equal(a, b) for a, b in pairs]
    assert any(changed)  # the penalty reached D's update, not just the report
    # the preset's own weight, and an override of it
    assert train.Config(loss="wgan-gp").gan_loss.gp_weight == 10
    assert train.Config(loss="wgan-gp", gp_weight=0.1).gan_loss.gp_weight == 0.1


def test_config_takes_a_loss_object_and_numpy_numbers():
    mine = losses.GANLoss("mine", losses.d_hinge, losses.g_hinge, r1_weight=1.0)
    config = train.Config(loss=mine, g_lr=np.float32(1e-3), steps=np.int64(7), **{
        k: v for k, v in SMALL.items() if k != "g_lr"})  # fmt: skip
    assert config.gan_loss is mine and config.steps == 7 and isinstance(config.steps, int)
    assert config.g_lr == pytest.approx(1e-3)
    g, d = small_pair()
    h = train.train(g, d, data.ring(), config).history
    assert np.all(h["penalty"] > 0)  # the object's R1 weight was used
    with pytest.raises(ValueError, match="g_lr must be a finite number > 0, got True"):
        train.Config(g_lr=True)


def test_penalties_are_reported():
    g, d = small_pair()
    h = train.train(g, d, data.ring(), loss="wgan-gp", steps=3, **SMALL).history
    assert np.all(h["penalty"] > 0)
    g, d = small_pair()
    h = train.train(g, d, data.ring(), steps=3, r1_weight=1.0, **SMALL).history
    assert np.all(h["penalty"] > 0)
    g, d = small_pair()
    h = train.train(g, d, data.ring(), steps=3, **SMALL).history
    assert np.all(h["penalty"] == 0)


# --- determinism, fusion, resumption ----------------------------------------------------------


def run(steps=20, steps_config=20, **kw):
    g, d = small_pair()
    config = train.Config(**{**SMALL, "steps": steps_config or steps, **kw})
    trainer = train.Trainer(g, d, data.ring(), config)
    trainer.run(steps)
    return trainer


def test_same_config_and_seed_give_bitwise_identical_runs():
    a, b = run(), run()
    assert_trees_equal(params_of(a.generator), params_of(b.generator))
    assert_trees_equal(params_of(a.discriminator), params_of(b.discriminator))
    for name in ("d_loss", "g_loss", "g_grad_norm"):
        np.testing.assert_array_equal(a.history[name], b.history[name])
    c = run(seed=1)
    assert not np.array_equal(a.history["g_loss"], c.history["g_loss"])


def test_fused_and_per_step_calls_compute_the_same_thing():
    fused = run(steps_per_call=10)
    single = run(steps_per_call=1)
    assert fused.steps_per_call == 10 and single.steps_per_call == 1
    for x, y in zip(params_of(fused.generator), params_of(single.generator), strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-6)


def test_fusion_is_chosen_per_model_family():
    g, d = small_pair()
    assert train.Trainer(g, d, data.ring(), train.Config(**SMALL)).steps_per_call > 1
    images = np.zeros((10, 8, 8, 1), np.float32)
    cg, cd = models.conv_gan(8, image_size=8, channels=4, upsample="subpixel")
    assert train.Trainer(cg, cd, images, train.Config(**SMALL)).steps_per_call > 1
    cg, cd = models.conv_gan(8, image_size=8, channels=4, upsample="transpose")
    per_step = train.Trainer(cg, cd, images, train.Config(**SMALL)).steps_per_call == 1
    assert per_step == (jax.default_backend() == "cpu")


def test_n_critic_runs_several_discriminator_updates():
    one, five = run(steps=2, n_critic=1), run(steps=2, n_critic=5)
    assert not np.array_equal(one.history["d_loss"], five.history["d_loss"])


def test_checkpoint_round_trips_exactly_and_a_resumed_run_matches(tmp_path):
    straight = run(steps=40, steps_per_call=10)

    first = run(steps=20, steps_per_call=10)
    first.save(tmp_path / "ckpt")
    g, d = small_pair(seed=7)  # different initial weights: all must come from the checkpoint
    resumed = train.Trainer(g, d, data.ring(), train.Config(**{**SMALL, "steps_per_call": 10}))
    resumed.restore(tmp_path / "ckpt")
    assert resumed.step == 20
    assert_trees_equal(jax.tree.leaves(first.state), jax.tree.leaves(resumed.state))
    assert_trees_equal(params_of(first.generator), params_of(resumed.generator))
    resumed.run(20)
    assert_trees_equal(params_of(straight.generator), params_of(resumed.generator))
    assert_trees_equal(params_of(straight.discriminator), params_of(resumed.discriminator))
    np.testing.assert_array_equal(straight.history["g_loss"], resumed.history["g_loss"])
    np.testing.assert_array_equal(straight.history["step"], np.arange(1, 41))


def test_restore_rejects_a_mismatched_checkpoint_and_leaves_the_trainer_as_it_was(tmp_path):
    run(steps=2).save(tmp_path / "ckpt")
    deeper = train.Trainer(*models.mlp_gan(width=16, depth=3), data.ring(), train.Config(**SMALL))
    wider = train.Trainer(*models.mlp_gan(width=32), data.ring(), train.Config(**SMALL))
    wider.run(3)
    before = [np.asarray(x).copy() for x in jax.tree.leaves(wider.state)]
    history_before = wider.history["d_loss"].copy()
    with pytest.raises(ValueError, match=r"missing .*generator\.params\.hidden\.2\.kernel"):
        deeper.restore(tmp_path / "ckpt")
    with pytest.raises(ValueError, match=r"generator\.params\.hidden\.0\.kernel: the checkpoint "
                       r"has shape \(1, 2, 16\), expected \(1, 2, 32\)"):  # fmt: skip
        wider.restore(tmp_path / "ckpt")
    assert_trees_equal(before, jax.tree.leaves(wider.state))  # nothing was changed
    np.testing.assert_array_equal(history_before, wider.history["d_loss"])
    assert wider.step == 3
    seeded = train.Trainer.from_seeds(small_pair, data.ring(), train.Config(**SMALL), seeds=[0, 1])
    with pytest.raises(ValueError, match="same models and seeds"):
        seeded.restore(tmp_path / "ckpt")
    with pytest.raises(ValueError, match="nothing-here"):
        deeper.restore(tmp_path / "nothing-here")


def test_the_whole_history_and_its_evaluations_round_trip(tmp_path):
    g, d = small_pair()
    eval_fn = lambda g, d: {"samples": np.asarray(g.sample(KEY, 8)), "w1": 0.5, "tag": "x"}  # noqa: E731
    result = train.train(g, d, data.ring(), steps=20, eval_every=10, eval_fn=eval_fn, **SMALL)
    result.trainer.save(tmp_path / "ckpt")
    other = train.Trainer(*small_pair(seed=3), data.ring(), train.Config(**SMALL))
    other.restore(tmp_path / "ckpt")
    assert [e["step"] for e in other.history["eval"]] == [0, 10, 20]
    for a, b in zip(result.history["eval"], other.history["eval"], strict=True):
        np.testing.assert_array_equal(a["samples"], b["samples"])
        assert (a["w1"], a["tag"]) == (b["w1"], b["tag"])
    for name in result.history:
        if name != "eval":
            np.testing.assert_array_equal(result.history[name], other.history[name])


def test_a_save_over_an_earlier_checkpoint_replaces_it_whole(tmp_path):
    early = run(steps=2)
    early.save(tmp_path / "ckpt")
    late = run(steps=6)
    late.save(tmp_path / "ckpt")
    fresh = train.Trainer(*small_pair(seed=4), data.ring(), train.Config(**SMALL))
    fresh.restore(tmp_path / "ckpt")
    assert fresh.step == 6 and fresh.history["d_loss"].shape == (6,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no temporary folders left


def test_models_are_usable_after_training_with_donated_state():
    trainer = run(steps=3, steps_per_call=1)
    x = trainer.generator.sample(KEY, 4)  # the modules hold copies, not donated buffers
    trainer.run(2)
    assert np.all(np.isfinite(np.asarray(x)))
    assert np.all(np.isfinite(np.asarray(trainer.generator.sample(KEY, 4))))


def test_eval_fn_is_called_every_eval_every_steps():
    g, d = small_pair()
    calls = []

    def eval_fn(gen, disc):
        calls.append(1)
        return {"samples": np.asarray(gen.sample(KEY, 8))}

    result = train.train(g, d, data.ring(), steps=30, eval_every=10, eval_fn=eval_fn, **SMALL)
    assert [e["step"] for e in result.history["eval"]] == [0, 10, 20, 30]
    assert result.history["eval"][-1]["samples"].shape == (8, 2)
    assert not np.array_equal(
        result.history["eval"][0]["samples"], result.history["eval"][3]["samples"]
    )


# --- many seeds at once -----------------------------------------------------------------------


def test_train_seeds_matches_separate_runs():
    seeds = [0, 3, 5]
    together = train.train_seeds(small_pair, data.ring(), steps=20, seeds=seeds, **SMALL)
    assert together.history["g_loss"].shape == (3, 20)
    assert together.trainer.sample(KEY, 16).shape == (3, 16, 2)
    for i, seed in enumerate(seeds):
        g, d = small_pair(seed)
        alone = train.train(g, d, data.ring(), steps=20, seed=seed, **SMALL)
        for x, y in zip(params_of(together.generators[i]), params_of(alone.generator), strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(
            together.history["g_loss"][i], alone.history["g_loss"], rtol=1e-4, atol=1e-5
        )


def test_history_is_stored_per_seed_and_shown_as_the_trainer_was_built():
    single = run(steps=6, steps_per_call=3)
    assert single.history["d_loss"].shape == (6,)
    assert single.history.per_seed("d_loss").shape == (1, 6)
    assert list(single.history)[:1] == ["step"] and "eval" in single.history
    seeded = train.Trainer.from_seeds(small_pair, data.ring(), train.Config(**SMALL), seeds=[0])
    seeded.run(6)
    assert seeded.history["d_loss"].shape == (1, 6)
    np.testing.assert_array_equal(seeded.history["d_loss"][0], single.history["d_loss"])
    with pytest.raises(KeyError, match="d_los"):
        single.history["d_los"]


def test_train_seeds_rejects_bad_seeds():
    with pytest.raises(ValueError, match="seeds must be a non-empty list"):
        train.train_seeds(small_pair, data.ring(), seeds=[], **SMALL)


# --- images ------------------------------------------------------------------------------------


def test_conv_gan_trains_on_digits():
    images, _ = data.digits("train")
    g, d = models.conv_gan(16, image_size=8, channels=8)
    result = train.train(g, d, images, steps=5, **SMALL)
    assert result.history["g_loss"].shape == (5,)
    assert result.trainer.sample(KEY, 3).shape == (3, 8, 8, 1)


# --- remedies for mode collapse -----------------------------------------------------------------


def test_packed_discriminator_trains_and_checks_the_batch_size():
    from flax import nnx

    g, _ = small_pair()
    d = models.packed_mlp_discriminator(2, 4, width=16, rngs=nnx.Rngs(1))
    result = train.train(g, d, data.ring(), steps=3, **SMALL)  # batch 32 -> 8 packs
    assert np.all(np.isfinite(result.history["d_loss"]))
    with pytest.raises(ValueError, match="batch_size must be a multiple of the discriminator"):
        train.Trainer(g, d, data.ring(), train.Config(**{**SMALL, "batch_size": 30}))


def test_unrolling_with_a_frozen_discriminator_changes_nothing():
    def run_unrolled(k, d_lr):
        trainer = run(steps=3, steps_per_call=1, unroll_steps=k, d_lr=d_lr)
        return params_of(trainer.generator)

    # With a vanishing D step size, the unrolled D equals D: G's update must be the same.
    for x, y in zip(run_unrolled(0, 1e-12), run_unrolled(3, 1e-12), strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-7)
    # With a real step size, G looks ahead at D's response and its update differs.
    changed = [
        not np.allclose(x, y, rtol=1e-5, atol=1e-7)
        for x, y in zip(run_unrolled(0, 1e-2), run_unrolled(3, 1e-2), strict=True)
    ]
    assert any(changed)


@pytest.mark.parametrize("schedule", ["cosine", "linear"])
def test_a_decaying_schedule_reaches_zero_at_the_last_step(schedule):
    trainer = run(steps=8, steps_per_call=1, lr_schedule=schedule, steps_config=None)
    before = params_of(trainer.generator)
    trainer.run(1)  # past the horizon: learning rate 0, parameters frozen
    for x, y in zip(before, params_of(trainer.generator), strict=True):
        np.testing.assert_array_equal(x, y)


def test_runs_that_differ_only_outside_the_step_share_one_compiled_program():
    def trainer(**kw):
        g, d = small_pair(seed=kw.pop("init", 0))
        return train.Trainer(g, d, data.ring(), train.Config(**{**SMALL, **kw}))

    a = trainer(seed=0, steps=10)
    b = trainer(seed=5, steps=99, init=3, eval_every=7)
    assert a._many is b._many and a._step is b._step
    assert trainer(loss="hinge")._step is not a._step
    # a decaying schedule's horizon is part of the program
    assert (
        trainer(lr_schedule="cosine", steps=10)._step
        is not trainer(lr_schedule="cosine", steps=20)._step
    )


# --- divergence ----------------------------------------------------------------------------------


def test_a_diverging_run_stops_at_its_step_with_the_likely_cause():
    g, d = small_pair()
    config = train.Config(**{**SMALL, "optimizer": "sgd", "g_lr": 2e3, "d_lr": 2e3})
    trainer = train.Trainer(g, d, data.ring(), config)
    with pytest.raises(train.Diverged, match=r"diverged at step \d+ \(seed 0\).*g_lr=2000"):
        trainer.run(200)
    assert 0 < trainer.step < 200  # it stopped early, within the fused call that diverged
    bad = ~np.isfinite(trainer.history["g_grad_norm"]) | ~np.isfinite(trainer.history["d_loss"])
    assert bad.any()  # the history up to the failure is kept, the non-finite step included
    # the same run with the typo fixed (2e-3) stays finite: the check is not a false alarm
    fixed = train.Trainer(*small_pair(), data.ring(), config.replace(g_lr=2e-3, d_lr=2e-3))
    fixed.run(200)
    assert fixed.step == 200


def test_stop_on_divergence_false_keeps_going_and_names_the_seed():
    config = train.Config(**{**SMALL, "optimizer": "sgd", "g_lr": 2e3, "d_lr": 2e3})
    keep = train.Trainer(*small_pair(), data.ring(), config.replace(stop_on_divergence=False))
    keep.run(60)
    assert keep.step == 60
    error = history.divergence(
        {"d_loss": np.array([[0.1, 0.2], [0.3, np.nan]])}, 11, config, seeds=[4, 7]
    )
    assert "step 12 (seed 7): d_loss = nan" in str(error)
    assert history.divergence({"d_loss": np.ones((2, 2))}, 1, config, seeds=[4, 7]) is None


# --- bad input at every entry point --------------------------------------------------------------


def _trainer():
    return train.Trainer(*small_pair(), data.ring(), train.Config(**SMALL))


class _NotAPytree:
    def sample(self, key, n):
        return jax.numpy.zeros((n, 2))


def _make_one(seed):
    return small_pair(seed)[0]


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: train.train(*small_pair(), data.ring(), {"loss": "hinge"}),
         r"config must be a ganlab.train.Config .*got dict; keyword settings go to train"),
        (lambda: train.train(*small_pair(), data.ring(), lossx="hinge"),
         r"unknown Config fields \['lossx'\]; the fields are \['loss', "),
        (lambda: train.train_seeds(small_pair, data.ring(), seeds=3),
         r"seeds must be a non-empty list of integers >= 0, got 3"),
        (lambda: train.train_seeds(small_pair, data.ring(), seeds=[0, -1]),
         r"seeds\[1\] must be an integer >= 0, got -1"),
        (lambda: train.train_seeds(3, data.ring(), seeds=[0]),
         r"make_models must be a callable seed -> \(generator, discriminator\), got 3"),
        (lambda: train.train_seeds(_make_one, data.ring(), seeds=[0]),
         r"make_models\(0\) must be a pair \(generator, discriminator\), got 'MLPGenerator'"),
        (lambda: train.Trainer(*small_pair(), "ring"),
         r"data must be a sampler with a sample\(key, n\) method .* got str"),
        (lambda: train.Trainer(*small_pair(), _NotAPytree()),
         r"data must be a JAX pytree to enter a compiled step .*got _NotAPytree"),
        (lambda: train.Trainer(None, small_pair()[1], data.ring()),
         r"generator must be a Flax NNX module .*got 'NoneType'"),
        (lambda: train.Trainer(small_pair()[0], None, data.ring()),
         r"discriminator must be a Flax NNX module .*got 'NoneType'"),
        (lambda: train.Config(loss=3), r"loss must be one of \['hinge', .*got 3"),
        (lambda: train.Config(g_betas="0.5"), r"g_betas must be two numbers in \[0, 1\), got "),
        (lambda: train.Config(progress="yes"), r"progress must be True or False, got 'yes'"),
        (lambda: train.Config(steps=1e3), r"steps must be an integer >= 0, got 1000.0"),
        (lambda: train.Config(stop_on_divergence=1), r"stop_on_divergence must be True or False"),
        (lambda: _trainer().run(-1), r"steps must be an integer >= 0, got -1"),
        (lambda: _trainer().run(1, eval_fn=3), r"eval_fn must be a callable \(generator, "),
        (lambda: train.Trainer(*small_pair(), data.ring(), train.Config(**SMALL, eval_every=1))
         .run(1, eval_fn=lambda g, d: [1]),
         r"eval_fn must return a dict of results .*got list at step 0"),
        (lambda: _trainer().sample(0, 4),
         r"key must be a JAX random key, got the integer 0 \(a seed\); .*jax.random.key\(0\)"),
        (lambda: _trainer().sample(KEY, 0), r"n must be an integer >= 1, got 0"),
        (lambda: _trainer().restore(None), r"path must be a folder path .*got 'NoneType'"),
        (lambda: _trainer().save(__file__), r"path must be a checkpoint directory .*a file"),
    ],
)  # fmt: skip
def test_entry_points_refuse_bad_input_with_a_clear_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()
