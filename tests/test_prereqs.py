"""scripts/prereqs.sh: every make target checks what it needs from the machine first, and stops
with a message naming what is missing and the command that installs it."""

import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "prereqs.sh"


def _bin(tmp_path, *tools: str, extra: dict[str, str] | None = None) -> str:
    """A PATH holding only ``tools`` (linked from this machine) and ``extra`` scripts."""
    d = tmp_path / "bin"
    d.mkdir(exist_ok=True)
    for tool in tools:
        found = shutil.which(tool)
        if found:
            (d / tool).symlink_to(found)
    for name, body in (extra or {}).items():
        (d / name).write_text("#!/bin/sh\n" + body)
        (d / name).chmod(0o755)
    return str(d)


def _run(args, path, tmp_path, **env):
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": path, "HOME": str(tmp_path), **env},
    )  # fmt: skip


@pytest.mark.parametrize("target", ["site", "book", "test"])
def test_the_site_targets_stop_without_npm_and_say_how_to_install_it(tmp_path, target):
    if target == "test" and not (ROOT / ".venv" / "bin" / "ruff").exists():
        pytest.skip("make test lints first, with the project's .venv")
    path = _bin(tmp_path, "make", "sh", "test", "ls", "cat", "touch")
    r = _run(["make", target], path, tmp_path, GANLAB_NPM_CACHE=str(tmp_path / "empty"))
    assert r.returncode != 0
    assert "missing: npm (Node.js)" in r.stderr and "apt-get install npm" in r.stderr


def test_npm_is_not_needed_once_mathjax_is_cached(tmp_path):
    (tmp_path / "npm").mkdir()
    (tmp_path / "npm" / "mathjax-3.2.2.tgz").write_bytes(b"")
    path = _bin(tmp_path, "sh", "ls")
    r = _run(["sh", str(SCRIPT), "npm"], path, tmp_path, GANLAB_NPM_CACHE=str(tmp_path / "npm"))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    "python,words",
    [
        (None, "Python 3.11 or newer (python3 is not on PATH"),
        ("import sys; sys.exit(1)", "Python 3.11 or newer (python3 is 3.10.12; Ubuntu 22.04"),
        ("venv", "Python's venv module with ensurepip"),
    ],
)
def test_a_fresh_install_stops_without_a_usable_python(tmp_path, python, words):
    extra = {}
    if python == "venv":  # a Python 3.12 whose venv/ensurepip is missing (Debian's python3)
        extra["python3"] = 'case "$2" in *ensurepip*) exit 1;; *) exit 0;; esac\n'
    elif python:  # a Python 3.10
        extra["python3"] = 'case "$2" in *print*) echo 3.10.12;; *) exit 1;; esac\n'
    path = _bin(tmp_path, "make", "sh", "test", "ls", extra=extra)
    venv = tmp_path / "venv"
    r = _run(["make", "install", f"VENV={venv}", "PYTHON=python3"], path, tmp_path)
    assert r.returncode != 0 and not venv.exists()
    assert words in r.stderr, r.stderr
    assert "apt-get install" in r.stderr and "brew " in r.stderr and "conda" in r.stderr


def test_this_machine_has_what_the_targets_need():
    for args in (["python", os.environ.get("PYTHON", "python3")], ["npm"]):
        r = subprocess.run(["sh", str(SCRIPT), *args], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("target", ["lab", "student", "lab-zh"])
def test_the_learner_targets_check_python_too(tmp_path, target):
    """make lab and the student targets install only the lab extra (their own stamp), and
    check the Python first like every other target."""
    path = _bin(tmp_path, "make", "sh", "test", "ls", "id")
    venv = tmp_path / "venv"
    r = _run(["make", target, f"VENV={venv}", "PYTHON=python3"], path, tmp_path)
    assert r.returncode != 0 and not venv.exists()
    assert "Python 3.11 or newer (python3 is not on PATH" in r.stderr, r.stderr
