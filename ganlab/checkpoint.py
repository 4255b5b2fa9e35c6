"""Checkpoints that never lose work: named arrays, validated restores, atomic replacement.

Three functions::

    save(path, state, *, history, evals, meta) -> pathlib.Path
    load(path, like) -> Checkpoint            # NamedTuple(state, history, evals, meta)
    read_meta(path) -> dict

``state`` is any JAX pytree of arrays (nested dicts, ``nnx.State``, optax states,
NamedTuples). Each leaf is saved under the name of its tree path, e.g.
``generator.params.layers.0.kernel`` (dict keys, attribute names and sequence indices joined by
dots; the final ``.value`` by which an ``nnx.Variable`` flattens is left out), so a checkpoint
carries its parameter names. Names may use letters, digits, ``_`` and ``-``. Typed PRNG keys
(``jax.random.key``) are stored as their key data and rebuilt on load.

``history`` maps names to numeric arrays (per-step metrics). ``evals`` is a list of dicts whose
values are numbers, strings, booleans, None, numpy or JAX arrays (numpy scalars keep their
dtype), or lists, tuples and dicts of these. ``meta`` is anything JSON can hold (numpy scalars
are written as Python numbers); it comes back as ``json.loads`` returns it. Anything that cannot
be stored raises a ValueError naming it before anything is written.

``load(path, like)``: ``like`` is a pytree of the caller's structure (arrays or
``jax.ShapeDtypeStruct``). Everything is checked before anything is returned: meta.json, every
file's checksum, the set of names (missing and unexpected ones are listed), each name's shape
and dtype (``discriminator.params.layers.0.kernel: the checkpoint has shape (2, 128), expected
(2, 256)``), the history and the evals. It returns the state in ``like``'s structure as numpy
arrays (typed keys as JAX key arrays), the history as numpy arrays, the evals with numpy arrays
where arrays were saved (JAX arrays come back as numpy arrays) and the meta dict. It changes
nothing, neither on disk nor in ``like``: a caller that assigns only after ``load`` returns is
left exactly as it was by a failed restore. Any problem with the checkpoint raises ValueError.
``read_meta(path)`` returns the ``meta`` dict alone, after checking meta.json.

Layout on disk (``path`` is a directory)::

    path/meta.json      written last: format and version, your meta, each array's name,
                        shape, dtype and SHA-256, the other files' SHA-256, its own checksum
    path/state/         an Orbax PyTree checkpoint of the flat mapping {name: array}
    path/history.npz    the history arrays (their names are in meta.json)
    path/evals.json     the evals, with arrays replaced by references into evals.npz
    path/evals.npz

Saving is atomic. The complete checkpoint is written into ``.<name>.tmp-<token>`` next to
``path`` (same folder, so same file system), every file and folder is fsync'ed, then the old
checkpoint is renamed to ``<name>.old-<token>``, the new one to ``<name>``, the folder is
fsync'ed and the old one deleted. A failed save (any exception, a full disk included) deletes
its temporary folder, leaves the previous checkpoint as it was and raises OSError naming the
path and the cause (ValueError for arguments that cannot be saved, before anything is
written). A crash between the two renames leaves ``<name>.old-<token>`` and no ``<name>``:
``load`` and ``read_meta`` then read the newest ``<name>.old-*``, and the next ``save`` first
renames it back to ``<name>``. ``save`` also deletes leftovers of earlier failed saves of the
same name (``.<name>.tmp-*``, and ``<name>.old-*`` when ``<name>`` exists): one process
writes a given path at a time. ``save`` replaces an existing directory only if it holds
nothing but checkpoint files (so a wrong path never deletes other work).

Orbax is used through its synchronous ``PyTreeCheckpointer``, closed after each call. When
Orbax's asynchronous ``StandardCheckpointer`` fails to create its folder (a path that is a file,
a read-only folder, a full disk), it raises at once but leaves non-daemon threads
(``np_type_handler``, ``write_metadata_after_commits``) waiting on a timeout, which kept the
process alive for minutes; the synchronous one leaves none. ``save`` also checks the path and
its folder before Orbax is called. ``tests/test_checkpoint.py`` times a process exiting after
each kind of failed save.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import pathlib
import re
import shutil
import time
import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

FORMAT = "ganlab.checkpoint"
VERSION = 1

_FILES = ("meta.json", "state", "history.npz", "evals.json", "evals.npz")
_NAME_PART = re.compile(r"[A-Za-z0-9_\-]+")
_STORED_KINDS = "biufcUS"  # numpy dtype kinds an .npz holds without pickling


class Checkpoint(NamedTuple):
    state: Any
    history: dict[str, np.ndarray]
    evals: list[dict]
    meta: dict


# --- names ----------------------------------------------------------------------------------


def _key_str(key: Any) -> str:
    for attr in ("key", "name", "idx"):  # DictKey, GetAttrKey, SequenceKey/FlattenedIndexKey
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


def _named_leaves(tree: Any, what: str) -> tuple[list[tuple[str, Any]], Any]:
    """``[(name, leaf), ...]`` in flattening order and the treedef; names are unique."""
    leaves, treedef = jax.tree_util.tree_flatten_with_path(tree)
    named, seen = [], {}
    for path, leaf in leaves:
        if path and isinstance(path[-1], jax.tree_util.GetAttrKey) and path[-1].name == "value":
            path = path[:-1]  # nnx.Variable flattens to its .value
        parts = [_key_str(k) for k in path] or ["state"]
        shown = jax.tree_util.keystr(path) or "the root"
        for part in parts:
            if not _NAME_PART.fullmatch(part):
                raise ValueError(
                    f"{what} leaf {shown} has the key {part!r}: keys must be made of letters, "
                    "digits, '_' and '-', so that each array gets a readable name"
                )
        name = ".".join(parts)
        if name in seen:
            raise ValueError(f"{what} leaves {seen[name]} and {shown} both get the name {name!r}")
        seen[name] = shown
        named.append((name, leaf))
    return named, treedef


def _is_key(dtype: Any) -> bool:
    return jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key)


def _signature(leaf: Any) -> tuple[tuple[int, ...], str]:
    """(shape, dtype name) of an array, a ShapeDtypeStruct or a scalar."""
    if hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
        return tuple(int(n) for n in leaf.shape), str(leaf.dtype)
    a = np.asarray(leaf)
    return a.shape, str(a.dtype)


# --- encoding what is saved -----------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _array_sha(a: np.ndarray) -> str:
    return _sha(np.ascontiguousarray(a).tobytes())


def _state_arrays(state: Any) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    named, _ = _named_leaves(state, "state")
    if not named:
        raise ValueError("state must hold at least one array, got an empty tree")
    arrays, entries = {}, {}
    for name, leaf in named:
        entry: dict[str, Any] = {}
        dtype = getattr(leaf, "dtype", None)
        if dtype is not None and _is_key(dtype):
            entry["key_impl"] = str(jax.random.key_impl(leaf))
            a = np.asarray(jax.random.key_data(leaf))
        else:
            a = np.asarray(leaf)
            if not (jnp.issubdtype(a.dtype, jnp.number) or a.dtype == np.bool_):
                raise ValueError(f"state leaf {name} must be a numeric array, got dtype {a.dtype}")
        shape, dtype_name = _signature(leaf)
        entry.update(shape=list(shape), dtype=dtype_name, sha256=_array_sha(a))
        arrays[name], entries[name] = a, entry
    return arrays, entries


def _plain_array(value: Any, where: str) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype.kind not in _STORED_KINDS:
        raise ValueError(
            f"{where} has dtype {a.dtype}, which a checkpoint cannot store: use numbers "
            "(bool, int, float, complex) or strings"
        )
    return a


def _history_arrays(history: Any) -> dict[str, np.ndarray]:
    if not isinstance(history, dict):
        raise ValueError(f"history must be a dict of arrays, got a {type(history).__name__}")
    out = {}
    for k, v in history.items():
        if not isinstance(k, str):
            raise ValueError(f"history keys must be strings, got {k!r}")
        if isinstance(v, list | tuple | dict):
            raise ValueError(
                f"history[{k!r}] must be an array, got a {type(v).__name__} "
                "(pass evaluation results as evals)"
            )
        out[k] = _plain_array(v, f"history[{k!r}]")
    return out


def _encode(value: Any, where: str, arrays: list[np.ndarray]) -> Any:
    """A JSON node for ``value``; arrays go to ``arrays`` and are referenced by index."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.ndarray | np.generic | jax.Array):
        if _is_key(value.dtype):
            raise ValueError(f"{where} is an array of PRNG keys, which evals cannot store")
        arrays.append(_plain_array(value, where))
        return {"__array__": len(arrays) - 1, "scalar": isinstance(value, np.generic)}
    if isinstance(value, list | tuple):
        items = [_encode(v, f"{where}[{i}]", arrays) for i, v in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        return {"__dict__": _encode_dict(value, where, arrays)}
    raise ValueError(
        f"{where} is a {type(value).__name__}, which a checkpoint cannot store: use numbers, "
        "strings, None, numpy or JAX arrays, or lists, tuples and dicts of them"
    )


def _encode_dict(d: dict, where: str, arrays: list[np.ndarray]) -> dict:
    out = {}
    for k, v in d.items():
        if not isinstance(k, str):
            raise ValueError(f"{where} has the key {k!r}: keys must be strings")
        out[k] = _encode(v, f"{where}[{k!r}]", arrays)
    return out


def _encode_evals(evals: Any) -> tuple[list, list[np.ndarray]]:
    if not isinstance(evals, list | tuple):
        raise ValueError(f"evals must be a list of dicts, got a {type(evals).__name__}")
    arrays: list[np.ndarray] = []
    nodes = []
    for i, e in enumerate(evals):
        if not isinstance(e, dict):
            raise ValueError(f"evals[{i}] must be a dict, got a {type(e).__name__}")
        nodes.append(_encode_dict(e, f"evals[{i}]", arrays))
    return nodes, arrays


def _decode(node: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(node, list):
        return [_decode(v, arrays) for v in node]
    if isinstance(node, dict):
        if "__array__" in node:
            a = arrays[node["__array__"]]
            return a[()] if node["scalar"] else a
        if "__tuple__" in node:
            return tuple(_decode(v, arrays) for v in node["__tuple__"])
        return {k: _decode(v, arrays) for k, v in node["__dict__"].items()}
    return node


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a {type(value).__name__} is not JSON serialisable")


def _npz_bytes(arrays: list[np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, *arrays)  # positional: names are arr_0, arr_1, ... (ours are in meta.json)
    return buf.getvalue()


def _doc_checksum(doc: dict) -> str:
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return _sha(json.dumps(body, indent=1).encode())


# --- the target folder ----------------------------------------------------------------------


def _leftovers(path: pathlib.Path, kind: str) -> list[pathlib.Path]:
    """``<name>.old-<ns>-<pid>`` (kind "old") or ``.<name>.tmp-<ns>-<pid>`` (kind "tmp")
    siblings of ``path``, oldest first."""
    prefix = f".{path.name}.tmp-" if kind == "tmp" else f"{path.name}.old-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)-(\d+)")
    found = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    for p in entries:
        m = pattern.fullmatch(p.name)
        if m and p.is_dir() and not p.is_symlink():
            found.append((int(m.group(1)), p))
    return [p for _, p in sorted(found)]


def _source(path: str | os.PathLike) -> pathlib.Path:
    """The directory to read: ``path``, or after a crash between the two renames of a save,
    the newest ``<name>.old-*`` beside it."""
    path = pathlib.Path(path).expanduser().absolute()
    if path.is_dir():
        return path
    if path.exists():
        raise ValueError(f"path must be a checkpoint directory, got {path}, which is a file")
    olds = _leftovers(path, "old")
    if olds:
        return olds[-1]
    raise ValueError(f"path must be a checkpoint directory, got {path}, which does not exist")


def _target(path: str | os.PathLike) -> pathlib.Path:
    """``path`` as an absolute path, after the checks that need no writing."""
    if not isinstance(path, str | os.PathLike):
        raise ValueError(f"path must be a str or os.PathLike, got {path!r}")
    path = pathlib.Path(path).expanduser().absolute()
    if path.name in ("", ".", ".."):
        raise ValueError(f"path must name a checkpoint directory, got {path}")
    if path.is_symlink():
        raise ValueError(f"path must not be a symbolic link, got {path}")
    if path.exists() and not path.is_dir():
        raise ValueError(
            f"path must be a checkpoint directory or a name not yet taken, got {path}, "
            "which is a file"
        )
    if path.is_dir():
        foreign = sorted(p.name for p in path.iterdir() if p.name not in _FILES)
        if foreign:
            raise ValueError(
                f"path must be a checkpoint directory or a name not yet taken, got {path}, "
                f"a directory that holds other files ({', '.join(foreign[:5])}); "
                "it is not replaced"
            )
    parent = path.parent
    if not parent.is_dir():
        raise ValueError(
            f"cannot save the checkpoint to {path}: the folder {parent} does not exist"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            errno.EACCES,
            f"cannot save the checkpoint to {path}: the folder {parent} is not writable; "
            "nothing was written",
        )
    return path


def _fsync(p: pathlib.Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: pathlib.Path) -> None:
    for folder, _, files in os.walk(root):
        for f in files:
            _fsync(pathlib.Path(folder, f))
        _fsync(pathlib.Path(folder))


def _remove(p: pathlib.Path) -> None:
    """Delete a leftover folder; if that fails, warn and carry on (it is only garbage)."""
    try:
        shutil.rmtree(p)
    except OSError as exc:
        warnings.warn(f"could not delete {p}: {exc}", RuntimeWarning, stacklevel=3)


def _recover(path: pathlib.Path) -> None:
    """Undo what a crashed save left beside ``path``."""
    for tmp in _leftovers(path, "tmp"):
        _remove(tmp)
    olds = _leftovers(path, "old")
    if olds and not path.exists():
        os.rename(olds.pop(), path)  # the last complete checkpoint goes back in place
        _fsync(path.parent)
    for old in olds:
        _remove(old)


# --- save -----------------------------------------------------------------------------------


def save(
    path: str | os.PathLike,
    state: Any,
    *,
    history: dict[str, Any],
    evals: list[dict],
    meta: dict,
) -> pathlib.Path:
    """Write ``state``, ``history``, ``evals`` and ``meta`` to the directory ``path``,
    replacing a checkpoint already there atomically. Returns the absolute path."""
    path = _target(path)
    arrays, entries = _state_arrays(state)
    hist = _history_arrays(history)
    eval_nodes, eval_arrays = _encode_evals(evals)
    if not isinstance(meta, dict):
        raise ValueError(f"meta must be a dict, got a {type(meta).__name__}")
    try:
        json.dumps(meta, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"meta must be JSON-serialisable: {exc}") from exc

    history_bytes = _npz_bytes(list(hist.values()))
    evals_json = json.dumps(eval_nodes, indent=1).encode()
    evals_bytes = _npz_bytes(eval_arrays)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "meta": meta,
        "state": entries,
        "history": list(hist),
        "eval_arrays": len(eval_arrays),
        "files": {
            "history.npz": _sha(history_bytes),
            "evals.json": _sha(evals_json),
            "evals.npz": _sha(evals_bytes),
        },
    }
    doc = json.loads(json.dumps(doc, default=_json_default))  # as load will see it
    doc["checksum"] = _doc_checksum(doc)
    files = {
        "history.npz": history_bytes,
        "evals.json": evals_json,
        "evals.npz": evals_bytes,
        "meta.json": json.dumps(doc, indent=1).encode(),  # last: a complete checkpoint
    }

    import orbax.checkpoint as ocp

    had_old = path.exists() or bool(_leftovers(path, "old"))
    tmp = path.parent / f".{path.name}.tmp-{time.time_ns()}-{os.getpid()}"
    try:
        _recover(path)
        tmp.mkdir()
        with ocp.PyTreeCheckpointer() as ckptr:  # synchronous: no threads left on failure
            ckptr.save(tmp / "state", arrays)
        for name, data in files.items():
            with open(tmp / name, "xb") as f:
                f.write(data)
        _fsync_tree(tmp)
        _swap(tmp, path)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if not isinstance(exc, Exception):
            raise
        before = "the previous checkpoint there is unchanged" if had_old else "nothing was saved"
        cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OSError(f"could not save the checkpoint to {path}: {cause}; {before}") from exc
    return path


def _swap(tmp: pathlib.Path, path: pathlib.Path) -> None:
    """Put the complete checkpoint ``tmp`` in place of ``path`` by two renames."""
    old = None
    if path.exists():
        old = path.parent / f"{path.name}.old-{tmp.name.rsplit('.tmp-', 1)[1]}"
        os.rename(path, old)
    try:
        os.rename(tmp, path)
    except BaseException:
        if old is not None:
            os.rename(old, path)
        raise
    _fsync(path.parent)
    if old is not None:
        _remove(old)


# --- load -----------------------------------------------------------------------------------


def _damaged(src: pathlib.Path, what: str) -> ValueError:
    return ValueError(f"the checkpoint at {src} is damaged: {what}")


def _read_doc(src: pathlib.Path) -> dict:
    meta_path = src / "meta.json"
    if not meta_path.is_file():
        raise ValueError(f"path must be a checkpoint directory, got {src}, which has no meta.json")
    try:
        doc = json.loads(meta_path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(src, f"meta.json is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(
            f"path must be a checkpoint written by ganlab.checkpoint.save, got {src}, "
            "whose meta.json is not one"
        )
    if doc.get("version") != VERSION:
        raise ValueError(
            f"the checkpoint at {src} has format version {doc.get('version')!r}; this ganlab "
            f"reads version {VERSION}"
        )
    if doc.get("checksum") != _doc_checksum(doc):
        raise _damaged(src, "meta.json does not match its checksum")
    return doc


def read_meta(path: str | os.PathLike) -> dict:
    """The ``meta`` dict saved with the checkpoint at ``path`` (after checking meta.json)."""
    return _read_doc(_source(path))["meta"]


def _read_file(src: pathlib.Path, doc: dict, name: str) -> bytes:
    try:
        data = (src / name).read_bytes()
    except FileNotFoundError as exc:
        raise _damaged(src, f"{name} is missing") from exc
    if _sha(data) != doc["files"][name]:
        raise _damaged(src, f"{name} does not match its checksum (truncated or altered)")
    return data


def _read_npz(src: pathlib.Path, doc: dict, name: str, n: int) -> list[np.ndarray]:
    data = _read_file(src, doc, name)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if len(z.files) != n:
                raise ValueError(f"it holds {len(z.files)} arrays, meta.json lists {n}")
            return [z[f"arr_{i}"] for i in range(n)]
    except Exception as exc:
        raise _damaged(src, f"{name} cannot be read ({exc})") from exc


def _compare(src: pathlib.Path, entries: dict, want: dict[str, tuple]) -> None:
    missing = [n for n in want if n not in entries]
    extra = [n for n in entries if n not in want]
    problems = []
    if missing:
        problems.append(f"missing (expected, not in the checkpoint): {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected (in the checkpoint, not expected): {', '.join(extra)}")
    for name, (shape, dtype) in want.items():
        if name not in entries:
            continue
        e = entries[name]
        if tuple(e["shape"]) != shape:
            problems.append(
                f"{name}: the checkpoint has shape {tuple(e['shape'])}, expected {shape}"
            )
        elif e["dtype"] != dtype:
            problems.append(f"{name}: the checkpoint has dtype {e['dtype']}, expected {dtype}")
    if problems:
        raise ValueError(
            f"the checkpoint at {src} does not match the expected state:\n  "
            + "\n  ".join(problems)
        )


def _read_state(src: pathlib.Path, entries: dict) -> dict[str, np.ndarray]:
    import orbax.checkpoint as ocp

    restore_args = {name: ocp.RestoreArgs(restore_type=np.ndarray) for name in entries}
    try:
        with ocp.PyTreeCheckpointer() as ckptr:
            tree = ckptr.restore(
                src / "state", args=ocp.args.PyTreeRestore(restore_args=restore_args)
            )
    except Exception as exc:
        cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _damaged(src, f"the arrays in state/ cannot be read ({cause})") from exc
    if not isinstance(tree, dict) or set(tree) != set(entries):
        raise _damaged(src, "state/ does not hold the arrays meta.json lists")
    for name, e in entries.items():
        a = np.asarray(tree[name])
        if _array_sha(a) != e["sha256"]:
            raise _damaged(src, f"the array {name} does not match its checksum")
        tree[name] = a
    return tree


def load(path: str | os.PathLike, like: Any) -> Checkpoint:
    """Read and check the checkpoint at ``path``; the state comes back in ``like``'s structure.
    Raises ValueError, having returned and changed nothing, if anything does not match."""
    src = _source(path)
    doc = _read_doc(src)
    named, treedef = _named_leaves(like, "like")
    want = {name: _signature(leaf) for name, leaf in named}
    _compare(src, doc["state"], want)
    hist_arrays = _read_npz(src, doc, "history.npz", len(doc["history"]))
    history = dict(zip(doc["history"], hist_arrays, strict=True))
    try:
        nodes = json.loads(_read_file(src, doc, "evals.json"))
    except json.JSONDecodeError as exc:
        raise _damaged(src, f"evals.json is not valid JSON ({exc})") from exc
    eval_arrays = _read_npz(src, doc, "evals.npz", doc["eval_arrays"])
    evals = [{k: _decode(v, eval_arrays) for k, v in node.items()} for node in nodes]
    arrays = _read_state(src, doc["state"])
    leaves = []
    for name, _ in named:
        a, impl = arrays[name], doc["state"][name].get("key_impl")
        leaves.append(jax.random.wrap_key_data(a, impl=impl) if impl else a)
    return Checkpoint(jax.tree_util.tree_unflatten(treedef, leaves), history, evals, doc["meta"])
