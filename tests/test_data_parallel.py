"""Data-parallel training on two (forced) CPU devices matches a single-device run.

The two-device run happens in a subprocess: XLA reads
``--xla_force_host_platform_device_count`` only when it starts.
"""

import json
import os
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest
from flax import nnx

from ganlab import data, models, train

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import jax, numpy as np
    from flax import nnx
    from ganlab import data, models, train

    out = {"devices": jax.device_count()}
    # A single run, fused calls then single steps, its batch split over the devices.
    g, d = models.mlp_gan(width=32, seed=0)
    trainer = train.Trainer(g, d, data.ring(), train.Config(**json.loads(sys.argv[1])))
    trainer.run(45)  # 4 fused calls of 10, then 5 single steps: each call waited for
    out["mesh"] = None if trainer.mesh is None else dict(trainer.mesh.shape)
    hlo = trainer._many.lower(trainer.state, trainer.data, 10).compile().as_text()
    out["all_reduce"] = "all-reduce" in hlo
    out["params"] = [np.asarray(x).tolist() for x in
                     jax.tree.leaves(nnx.state(trainer.generator, nnx.Param))]
    out["g_loss"] = trainer.history["g_loss"].tolist()
    # Two seeds, one per device.
    seeds = train.train_seeds(lambda s: models.mlp_gan(width=32, seed=s), data.ring(),
                              seeds=[0, 1], steps=20, **json.loads(sys.argv[1]))
    out["seed_mesh"] = None if seeds.trainer.mesh is None else dict(seeds.trainer.mesh.shape)
    out["seed_g_loss"] = seeds.history["g_loss"].tolist()
    print(json.dumps(out))
    """
)
CONFIG = dict(batch_size=64, g_lr=1e-3, d_lr=1e-3, progress=False, steps_per_call=10)


@pytest.fixture(scope="module")
def two_devices():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(CONFIG)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def one_device():
    if jax.device_count() != 1:
        pytest.skip("the reference run needs a single device")
    g, d = models.mlp_gan(width=32, seed=0)
    trainer = train.Trainer(g, d, data.ring(), train.Config(**CONFIG))
    trainer.run(45)
    seeds = train.train_seeds(
        lambda s: models.mlp_gan(width=32, seed=s), data.ring(), seeds=[0, 1], steps=20, **CONFIG
    )
    return trainer, seeds


def test_the_batch_is_split_over_both_devices(two_devices):
    assert two_devices["devices"] == 2
    assert two_devices["mesh"] == {"data": 2}
    assert two_devices["all_reduce"], "the compiled step has no all-reduce: nothing was split"


def test_two_devices_match_one_device(two_devices, one_device):
    trainer, _ = one_device
    ref = jax.tree.leaves(nnx.state(trainer.generator, nnx.Param))
    for got, want in zip(two_devices["params"], ref, strict=True):
        np.testing.assert_allclose(np.array(got), np.asarray(want), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(two_devices["g_loss"], trainer.history["g_loss"], rtol=1e-4)


def test_seeds_spread_over_devices_match_one_device(two_devices, one_device):
    _, seeds = one_device
    assert two_devices["seed_mesh"] == {"data": 2}
    np.testing.assert_allclose(two_devices["seed_g_loss"], seeds.history["g_loss"], rtol=1e-4)
