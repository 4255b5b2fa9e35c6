"""ganlab.checkpoint: names, validated restores, and no lost checkpoint under faults.

Every fault test first saves an EARLIER checkpoint, then makes a save or a load fail, and
checks that the earlier checkpoint still restores bit for bit (every state leaf, the history
and the evals). The earlier and the later states are drawn from different seeds, so a
checkpoint that was silently replaced would fail these checks.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from ganlab import checkpoint

S = 2  # seeds: every state leaf has a leading seed axis


def _net(width: int, seed: int):
    return nnx.Sequential(
        nnx.Linear(2, width, rngs=nnx.Rngs(seed)), nnx.Linear(width, 1, rngs=nnx.Rngs(seed + 1))
    )


def _player(width: int, seed: int) -> dict:
    params = nnx.state(_net(width, seed), nnx.Param)
    opt = optax.adam(1e-3).init(params)
    # non-zero moments, so that a mix-up of mu and nu or of two leaves shows
    opt = jax.tree.map(lambda x: x + jax.random.uniform(jax.random.key(seed), x.shape), opt)
    return {"params": params, "opt": opt}


def make_state(width: int = 16, seed: int = 0) -> dict:
    """The kind of tree the Trainer saves: seed axis first, nnx states, optax states,
    a step and typed keys. A fresh tree each call (the arrays, immutable, are shared)."""
    return jax.tree.map(lambda x: x, _make_state(width, seed))


@functools.cache
def _make_state(width: int, seed: int) -> dict:
    one = [
        {"generator": _player(width, 10 * s + seed), "discriminator": _player(width, 10 * s + 5)}
        for s in range(S)
    ]
    state = jax.tree.map(lambda *xs: jnp.stack(xs), *one)
    state["step"] = jnp.full((S,), 7 + seed, jnp.int32)
    state["key"] = jax.random.split(jax.random.key(seed), S)
    return state


def make_history(seed: int = 0, steps: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "step": np.arange(steps, dtype=np.int64),
        "d_loss": rng.standard_normal((S, steps)).astype(np.float32),
        "g_grad_norm": rng.standard_normal((S, steps)),
    }


def make_evals(seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [
        {
            "step": 0,
            "samples": rng.standard_normal((S, 16, 2)).astype(np.float32),
            "coverage": np.float32(0.25 + seed),
            "label": "untrained",
            "curve": (1, 2.5, float("nan")),
            "ok": True,
            "note": None,
        },
        {
            "step": 10,
            "samples": jnp.asarray(rng.standard_normal((16, 2)), jnp.float32),
            "per_seed": [np.int64(3), 4.0],
            "extra": {"modes": np.arange(3), "names": ["a", "b"]},
        },
    ]


META = {"config": {"loss": "hinge", "g_lr": 1e-4, "betas": [0.5, 0.999]}, "seeds": [0, 1]}


def _leaves(tree) -> list[np.ndarray]:
    out = []
    for leaf in jax.tree.leaves(tree):
        if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            leaf = jax.random.key_data(leaf)
        out.append(np.asarray(leaf))
    return out


def _same_value(a, b) -> bool:
    """Equal in type and value, bit for bit for arrays (NaN equals NaN)."""
    if isinstance(b, jax.Array):  # JAX arrays come back as numpy arrays
        b = np.asarray(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray | np.generic):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    return a == b


def assert_restores(path, state, history, evals, meta=META):
    """``path`` loads (with ``state`` as the expected structure) to exactly these values."""
    got = checkpoint.load(path, state)
    assert jax.tree.structure(got.state) == jax.tree.structure(state)
    want_leaves, got_leaves = _leaves(state), _leaves(got.state)
    assert len(got_leaves) == len(want_leaves)
    for w, g in zip(want_leaves, got_leaves, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape and np.array_equal(g, w)
    assert _same_value(got.history, history)
    assert _same_value(got.evals, evals), (got.evals, evals)
    assert got.meta == meta
    return got


def save(path, seed: int = 0, width: int = 16):
    state, history, evals = make_state(width, seed), make_history(seed), make_evals(seed)
    checkpoint.save(path, state, history=history, evals=evals, meta=META)
    return state, history, evals


def _entries(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- what a checkpoint holds ----------------------------------------------------------------


def test_round_trip_keeps_names_history_and_evals(tmp_path):
    state, history, evals = save(tmp_path / "ckpt")
    got = assert_restores(tmp_path / "ckpt", state, history, evals)
    names = json.loads((tmp_path / "ckpt" / "meta.json").read_text())["state"]
    assert "generator.params.layers.0.kernel" in names
    assert "discriminator.opt.0.mu.layers.1.bias" in names
    assert names["discriminator.params.layers.0.kernel"]["shape"] == [S, 2, 16]
    assert names["key"]["dtype"] == "key<fry>"
    assert isinstance(got.evals[1]["samples"], np.ndarray)  # a JAX array comes back as numpy
    assert got.evals[0]["coverage"].dtype == np.float32 and got.evals[0]["curve"][0] == 1
    assert checkpoint.read_meta(tmp_path / "ckpt") == META
    # `like` may be shapes alone
    shapes = jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype), state)
    assert jax.tree.structure(checkpoint.load(tmp_path / "ckpt", shapes).state) == (
        jax.tree.structure(state)
    )


def test_saving_over_a_checkpoint_replaces_it_and_leaves_nothing_beside(tmp_path):
    save(tmp_path / "ckpt", seed=0)
    later = save(tmp_path / "ckpt", seed=1, width=24)
    assert_restores(tmp_path / "ckpt", *later)
    assert _entries(tmp_path) == ["ckpt"]


def test_shape_mismatch_names_the_parameter_and_both_shapes(tmp_path):
    save(tmp_path / "ckpt", width=16)
    bigger = make_state(width=32)
    with pytest.raises(ValueError) as info:
        checkpoint.load(tmp_path / "ckpt", bigger)
    message = str(info.value)
    assert (
        "discriminator.params.layers.0.kernel: the checkpoint has shape (2, 2, 16), "
        "expected (2, 2, 32)" in message
    )
    assert "generator.opt.0.nu.layers.1.kernel: the checkpoint has shape (2, 16, 1)" in message
    assert str(tmp_path / "ckpt") in message


def test_dtype_mismatch_is_named(tmp_path):
    state, _, _ = save(tmp_path / "ckpt")
    state["step"] = state["step"].astype(jnp.float32)
    with pytest.raises(ValueError, match="step: the checkpoint has dtype int32, expected float32"):
        checkpoint.load(tmp_path / "ckpt", state)


def test_missing_and_unexpected_names_are_listed(tmp_path):
    state, _, _ = save(tmp_path / "ckpt")
    del state["step"]
    state["generator"]["ema"] = jnp.zeros((S, 3))
    with pytest.raises(ValueError) as info:
        checkpoint.load(tmp_path / "ckpt", state)
    message = str(info.value)
    assert "missing (expected, not in the checkpoint): generator.ema" in message
    assert "unexpected (in the checkpoint, not expected): step" in message


# --- saves that must fail before anything is written ----------------------------------------


def test_path_that_is_a_file_is_named_and_left_alone(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    with pytest.raises(ValueError, match=f"got {target}, which is a file"):
        save(target)
    assert target.read_text() == "keep me" and _entries(tmp_path) == ["notes.txt"]


def test_a_folder_of_other_files_is_not_replaced(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "thesis.tex").write_text("keep me")
    with pytest.raises(ValueError, match="holds other files \\(thesis.tex\\)"):
        save(tmp_path / "work")
    assert (tmp_path / "work" / "thesis.tex").read_text() == "keep me"


def test_missing_parent_folder(tmp_path):
    with pytest.raises(ValueError, match=f"the folder {tmp_path / 'no'} does not exist"):
        save(tmp_path / "no" / "ckpt")
    assert _entries(tmp_path) == []


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(evals=[{"step": 0}, {"model": object()}]), r"evals\[1\]\['model'\] is a object"),
        (dict(evals=[{"xs": [1, {"f": print}]}]), r"evals\[0\]\['xs'\]\[1\]\['f'\]"),
        (dict(evals=[{"a": np.array([None])}]), r"evals\[0\]\['a'\] has dtype object"),
        (dict(history={"eval": [{"step": 0}]}), r"history\['eval'\] must be an array"),
        (dict(meta={"f": print}), "meta must be JSON-serialisable"),
    ],
)
def test_unstorable_values_are_named_before_anything_is_written(tmp_path, bad, match):
    earlier = save(tmp_path / "ckpt")
    before = {p: p.read_bytes() for p in (tmp_path / "ckpt").rglob("*") if p.is_file()}
    args = dict(history=make_history(1), evals=make_evals(1), meta=META) | bad
    with pytest.raises(ValueError, match=match):
        checkpoint.save(tmp_path / "ckpt", make_state(seed=1), **args)
    after = {p: p.read_bytes() for p in (tmp_path / "ckpt").rglob("*") if p.is_file()}
    assert after == before and _entries(tmp_path) == ["ckpt"]
    assert_restores(tmp_path / "ckpt", *earlier)


# --- saves that fail while writing ----------------------------------------------------------


# A child loads ganlab/checkpoint.py by itself (it imports only jax, numpy and orbax), so that
# it neither pays for nor depends on the rest of the package.
IMPORT_CHECKPOINT = f"""
import importlib.util
_spec = importlib.util.spec_from_file_location("checkpoint", {checkpoint.__file__!r})
checkpoint = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checkpoint)
"""


def _run_child(code: str, timeout: float = 120) -> tuple[dict, float]:
    """Run ``code`` in a fresh Python; return the JSON it prints last and its wall time
    (a child still running after ``timeout`` seconds fails the test)."""
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECKPOINT + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    wall = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


FULL_DISK = """
    import json, resource, signal, sys, time
    import numpy as np

    path = {path!r}
    big = {{"generator": {{"params": np.random.default_rng(0).standard_normal((2, 256, 256))
                            .astype(np.float32)}}}}  # 512 KiB in one array
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, 128 * 1024))
    start = time.monotonic()
    try:
        checkpoint.save(path, big, history={{}}, evals=[], meta={{}})
        result = {{"error": None}}
    except OSError as exc:
        result = {{"error": str(exc), "type": type(exc).__name__}}
    result["seconds"] = time.monotonic() - start
    print(json.dumps(result))
"""


def test_full_disk_keeps_the_earlier_checkpoint_and_the_process_exits_promptly(tmp_path):
    """A file-size limit makes Orbax's write of the larger state fail with EFBIG half-way.
    The process must then exit at once: Orbax's asynchronous checkpointer kept it alive for
    minutes after such a failure (its threads wait on a timeout)."""
    earlier = save(tmp_path / "ckpt")
    assert max(p.stat().st_size for p in (tmp_path / "ckpt").rglob("*")) < 128 * 1024
    result, wall = _run_child(FULL_DISK.format(path=str(tmp_path / "ckpt")))
    assert result["error"] is not None, "the save under a 128 KiB file-size limit succeeded"
    assert result["type"] == "OSError"
    assert f"could not save the checkpoint to {tmp_path / 'ckpt'}" in result["error"]
    assert "File too large" in result["error"]
    assert "the previous checkpoint there is unchanged" in result["error"]
    # the whole child, imports included, took far less than Orbax's 300 s wait
    assert wall < 30, f"the process took {wall:.0f} s to exit after a failed save"
    assert _entries(tmp_path) == ["ckpt"]  # the temporary folder is gone
    assert_restores(tmp_path / "ckpt", *earlier)


FULL_DISK_AT_MKDIR = """
    import errno, json, os
    import numpy as np

    _makedirs = os.makedirs

    def makedirs(name, *args, **kwargs):  # the disk is full when Orbax creates its folder
        if "orbax-checkpoint-tmp" in str(name):
            raise OSError(errno.ENOSPC, "No space left on device", str(name))
        return _makedirs(name, *args, **kwargs)

    os.makedirs = makedirs
    try:
        checkpoint.save({path!r}, {{"w": np.ones(3)}}, history={{}}, evals=[], meta={{}})
        result = {{"error": None}}
    except OSError as exc:
        result = {{"error": str(exc), "type": type(exc).__name__}}
    print(json.dumps(result))
"""


def test_the_process_exits_promptly_after_orbax_fails_to_create_its_folder(tmp_path):
    """The failure that kept processes alive: Orbax's asynchronous StandardCheckpointer,
    failing to create its folder, reports the error at once but leaves threads that hold the
    process for minutes (with it, this child was still running after 40 s). The synchronous
    checkpointer this module uses lets it exit."""
    earlier = save(tmp_path / "ckpt")
    result, wall = _run_child(FULL_DISK_AT_MKDIR.format(path=str(tmp_path / "ckpt")), timeout=60)
    assert "No space left on device" in result["error"]
    assert "the previous checkpoint there is unchanged" in result["error"]
    assert wall < 30, f"the process took {wall:.0f} s to exit after a failed save"
    assert _entries(tmp_path) == ["ckpt"]
    assert_restores(tmp_path / "ckpt", *earlier)


def test_failure_between_the_renames_puts_the_old_checkpoint_back(tmp_path, monkeypatch):
    earlier = save(tmp_path / "ckpt")
    real_rename, calls = os.rename, []

    def rename(src, dst):
        calls.append((pathlib.Path(src).name, pathlib.Path(dst).name))
        if pathlib.Path(src).name.startswith(".ckpt.tmp-"):
            raise OSError(28, "No space left on device")  # the second rename fails
        return real_rename(src, dst)

    monkeypatch.setattr(checkpoint.os, "rename", rename)
    with pytest.raises(OSError, match="No space left on device; the previous checkpoint"):
        save(tmp_path / "ckpt", seed=1)
    # (Orbax renames its own temporary folder inside ours first)
    (a, old), (tmp, b), (c, d) = calls[-3:]  # old aside, new in place (fails), old back
    assert (a, b, c, d) == ("ckpt", "ckpt", old, "ckpt") and tmp.startswith(".ckpt.tmp-")
    monkeypatch.undo()
    assert _entries(tmp_path) == ["ckpt"]
    assert_restores(tmp_path / "ckpt", *earlier)


READ_ONLY_AS_NOBODY = """
    import json, os
    import numpy as np

    # imports first: after dropping root, the interpreter's files under /root are unreadable
    os.setgid(65534)
    os.setuid(65534)
    results = []
    for path in {paths!r}:
        try:
            checkpoint.save(path, {{"w": np.ones(3)}}, history={{}}, evals=[], meta={{}})
            results.append({{"error": None}})
        except OSError as exc:
            results.append({{"error": str(exc), "type": type(exc).__name__}})
    print(json.dumps(results))
"""


def test_read_only_folder_keeps_the_earlier_checkpoint(tmp_path):
    """chmod 0o555 on the folder. Root ignores permissions, so as root the save runs in a
    subprocess that has dropped to the user nobody (in a folder nobody can reach)."""
    root = os.geteuid() == 0
    base = pathlib.Path(tempfile.mkdtemp(prefix="ganlab-ro-")) if root else tmp_path
    try:
        base.chmod(0o755)
        folder = base / "runs"
        folder.mkdir()
        earlier = save(folder / "ckpt")
        folder.chmod(0o555)
        paths = [str(folder / "ckpt"), str(folder / "new")]  # over the earlier one; a new one
        if root:
            results, _ = _run_child(READ_ONLY_AS_NOBODY.format(paths=paths))
        else:
            results = []
            for path in paths:
                try:
                    save(path, seed=1)
                    results.append({"error": None})
                except OSError as exc:
                    results.append({"error": str(exc), "type": type(exc).__name__})
        for result in results:
            assert result["error"] is not None, "a save into a read-only folder succeeded"
            assert result["type"] == "PermissionError"
            assert f"the folder {folder} is not writable" in result["error"]
        assert _entries(folder) == ["ckpt"]
        assert_restores(folder / "ckpt", *earlier)
    finally:
        if root:
            shutil.rmtree(base)
        else:
            (base / "runs").chmod(0o755)


# --- crashes between the two renames --------------------------------------------------------


def test_a_crash_between_the_renames_is_recovered(tmp_path):
    """What a crash after `ckpt -> ckpt.old-*` and before `.ckpt.tmp-* -> ckpt` leaves:
    the old checkpoint aside, the complete new one under its temporary name, no `ckpt`."""
    earlier = save(tmp_path / "ckpt", seed=0)
    save(tmp_path / "other", seed=1)
    token = f"{time.time_ns()}-12345"
    os.rename(tmp_path / "ckpt", tmp_path / f"ckpt.old-{token}")
    os.rename(tmp_path / "other", tmp_path / f".ckpt.tmp-{token}")
    assert_restores(tmp_path / "ckpt", *earlier)  # load reads the old one
    assert checkpoint.read_meta(tmp_path / "ckpt") == META
    later = save(tmp_path / "ckpt", seed=2)  # save puts it back, then replaces it
    assert _entries(tmp_path) == ["ckpt"]
    assert_restores(tmp_path / "ckpt", *later)


def test_an_old_checkpoint_left_beside_a_new_one_is_ignored_then_removed(tmp_path):
    """If deleting the old checkpoint failed after the swap, `ckpt` is the newer one."""
    save(tmp_path / "old", seed=0)
    later = save(tmp_path / "ckpt", seed=1)
    os.rename(tmp_path / "old", tmp_path / f"ckpt.old-{time.time_ns()}-1")
    assert_restores(tmp_path / "ckpt", *later)
    latest = save(tmp_path / "ckpt", seed=2)
    assert _entries(tmp_path) == ["ckpt"]
    assert_restores(tmp_path / "ckpt", *latest)


# --- damaged checkpoints ----------------------------------------------------------------------


def _truncate(p: pathlib.Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _flip(p: pathlib.Path) -> None:
    data = bytearray(p.read_bytes())
    if data:
        data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))


# Orbax's restore, failing on damaged data, leaves an asyncio callback for a closed loop
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_every_truncated_or_altered_file_fails_or_restores_exactly(tmp_path):
    """Damage each file of a checkpoint in turn (cut to half; one bit flipped). A load either
    raises ValueError or returns exactly what was saved. Damage to our own files must raise,
    and so must damage to at least one of Orbax's (its merged array data and index: files
    Orbax does not read on restore may be damaged harmlessly). The expected state (`like`,
    standing in for the trainer) is left untouched."""
    earlier = save(tmp_path / "good")
    like = make_state()
    like_before = [x.copy() for x in _leaves(like)]
    files = sorted(p.relative_to(tmp_path / "good") for p in (tmp_path / "good").rglob("*"))
    files = [f for f in files if (tmp_path / "good" / f).is_file()]
    ours = {f for f in files if f.parts[0] != "state"}
    assert {f.name for f in ours} == {"meta.json", "history.npz", "evals.json", "evals.npz"}
    for damage in (_truncate, _flip):
        failed = set()
        for f in files:
            copy = tmp_path / f"{damage.__name__}-{f.name}"
            shutil.copytree(tmp_path / "good", copy)
            damage(copy / f)
            try:
                assert_restores(copy, *earlier)
            except ValueError as exc:
                assert f"the checkpoint at {copy} is damaged" in str(exc), str(exc)
                failed.add(f)
            shutil.rmtree(copy)
        assert ours <= failed, f"{damage.__name__} went unnoticed in {ours - failed}"
        assert failed - ours, f"{damage.__name__} of every file in state/ went unnoticed"
    assert all(np.array_equal(a, b) for a, b in zip(_leaves(like), like_before, strict=True))
    assert_restores(tmp_path / "good", *earlier)


def test_array_data_that_differs_from_its_checksum_is_refused(tmp_path):
    """A change to the array data that Orbax would not notice: here the recorded SHA-256 of one
    array is altered (and meta.json's own checksum redone), which is the same mismatch."""
    save(tmp_path / "ckpt")
    meta = tmp_path / "ckpt" / "meta.json"
    doc = json.loads(meta.read_text())
    doc["state"]["generator.params.layers.1.bias"]["sha256"] = "0" * 64
    doc["checksum"] = checkpoint._doc_checksum(doc)
    meta.write_text(json.dumps(doc, indent=1))
    with pytest.raises(
        ValueError, match="the array generator.params.layers.1.bias does not match its checksum"
    ):
        checkpoint.load(tmp_path / "ckpt", make_state())


def test_corrupted_meta_json(tmp_path):
    save(tmp_path / "ckpt")
    meta = tmp_path / "ckpt" / "meta.json"
    good = meta.read_text()
    meta.write_text(good[:-10])
    with pytest.raises(ValueError, match="meta.json is not valid JSON"):
        checkpoint.load(tmp_path / "ckpt", make_state())
    with pytest.raises(ValueError, match="meta.json is not valid JSON"):
        checkpoint.read_meta(tmp_path / "ckpt")
    # still valid JSON, but a recorded shape edited: the checksum catches it
    doc = json.loads(good)
    doc["state"]["step"]["shape"] = [3]
    meta.write_text(json.dumps(doc, indent=1))
    with pytest.raises(ValueError, match="meta.json does not match its checksum"):
        checkpoint.load(tmp_path / "ckpt", make_state())
    meta.unlink()
    with pytest.raises(ValueError, match="which has no meta.json"):
        checkpoint.load(tmp_path / "ckpt", make_state())


def test_truncated_history_fails_before_anything_is_returned(tmp_path):
    save(tmp_path / "ckpt")
    _truncate(tmp_path / "ckpt" / "history.npz")
    with pytest.raises(ValueError, match="history.npz does not match its checksum"):
        checkpoint.load(tmp_path / "ckpt", make_state())


def test_no_checkpoint_at_the_path(tmp_path):
    with pytest.raises(ValueError, match="which does not exist"):
        checkpoint.load(tmp_path / "none", make_state())
