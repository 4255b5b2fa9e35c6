"""Project hygiene: conda and pip agree, notebooks are stripped, CI runs README's command."""

import json
import pathlib
import re
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _bounds(requirements) -> dict[str, str]:
    return {_name(r): r.strip()[len(_name(r)) :].strip() for r in requirements}


# conda-forge's newest version of the packages whose place in environment.yml depends on it,
# read from their conda-forge package pages (anaconda.org/conda-forge/NAME) on 2026-12-02.
# None: not on conda-forge under that name. Every other package is taken to be on conda-forge
# at a version its lower bound allows.
CONDA_FORGE_NEWEST = {
    "orbax-checkpoint": "0.8.0",
    "nbgrader": "0.9.5",
    "flax": "0.12.6",
    "jax": "0.10.1",
    "jupyterlab-myst": "2.6.0",
    "playwright": None,  # conda-forge's is playwright-python
    "mplfonts": None,
}


def _pyproject_requirements() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = pyproject["optional-dependencies"]
    everything = pyproject["dependencies"] + extras["lab"] + extras["dev"] + extras["book"]
    return [r for r in everything if _name(r) != "ganlab"]  # dev = ganlab[lab] + ...


def _conda_forge_can_meet(requirement: str) -> bool:
    from packaging.requirements import Requirement

    newest = CONDA_FORGE_NEWEST.get(_name(requirement), "any")
    if newest == "any":
        return True
    return newest is not None and Requirement(requirement).specifier.contains(newest)


def test_environment_yml_installs_what_pyproject_declares():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _bounds(_pyproject_requirements())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    from_pypi = [r for r in pip if r != "-e ."]
    from_conda = [c for c in conda if _name(c) not in ("python", "pip")]
    got = _bounds(from_conda + from_pypi)
    assert got == wanted, "environment.yml and pyproject.toml list different packages/bounds"
    assert "-e ." in pip
    python = next(c for c in conda if _name(c) == "python")
    assert python.replace(" ", "") == "python" + pyproject["requires-python"]
    # The rule: from conda-forge exactly what it can give at the lower bound, the rest from PyPI.
    for requirement in from_conda:
        assert _conda_forge_can_meet(requirement), f"{requirement}: move it to the pip: section"
    for requirement in from_pypi:
        assert not _conda_forge_can_meet(requirement), f"{requirement}: conda-forge has it"


def test_the_conda_forge_rule_can_fail():
    assert not _conda_forge_can_meet("orbax-checkpoint>=0.11.17")  # newest 0.8.0
    assert _conda_forge_can_meet("orbax-checkpoint>=0.8")
    assert not _conda_forge_can_meet("nbgrader>=0.9.6") and _conda_forge_can_meet("nbgrader>=0.9")
    assert not _conda_forge_can_meet("mplfonts>=0.0.1")  # not there at all
    assert _conda_forge_can_meet("numpy>=1.26")  # not in the table: taken to be there


# The upper bounds, each with its reason: Jupyter Book 2 downloads its theme at build time and
# cannot build offline; jupyterlab-myst (2.7, the newest) does not load in JupyterLab 4.6.
ALLOWED_UPPER_BOUNDS = {"jupyter-book>=1.0,<2", "jupyterlab>=4.0,<4.6"}


def test_no_dependency_is_pinned_to_an_exact_version():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for reqs in pyproject["optional-dependencies"].values() for r in reqs]
    for requirement in pyproject["dependencies"] + extras:
        if _name(requirement) == "ganlab":
            assert requirement == "ganlab[lab]"  # the dev extra includes the lab's
            continue
        assert "==" not in requirement, requirement
        assert "<" not in requirement or requirement in ALLOWED_UPPER_BOUNDS, requirement
        assert ">=" in requirement, f"{requirement} has no lower bound"


def test_notebooks_are_committed_without_outputs():
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs"
                assert cell.get("execution_count") is None, f"{path.name} cell {i} was executed"


def test_ci_runs_the_test_command_readme_gives():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make book" in readme
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.startswith("#")]
    assert commands[-1] == "make test", commands
    assert "make test" not in commands[:-1]


def test_the_shipped_mnist_subset_carries_its_attribution():
    text = (ROOT / "ganlab" / "_data" / "MNIST10K.md").read_text()
    for needle in ("LeCun", "Cortes", "Burges", "CC BY-SA 3.0", "mnist", "1.1.0"):
        assert needle in text


def _fresh_import(env_changes: dict, code: str) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "JAX_COMPILATION_CACHE_DIR"}
    env.update(env_changes)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_compilation_cache_is_on_by_default_and_can_be_turned_off(tmp_path):
    code = (
        "import ganlab, jax; print(ganlab.COMPILATION_CACHE, jax.config.jax_compilation_cache_dir)"
    )
    on = _fresh_import({"GANLAB_CACHE": str(tmp_path)}, code)
    assert on == f"{tmp_path / 'jax'} {tmp_path / 'jax'}"
    off = _fresh_import({"GANLAB_CACHE": str(tmp_path), "GANLAB_COMPILATION_CACHE": "0"}, code)
    assert off == "None None"
    own = tmp_path / "mine"
    users = _fresh_import({"JAX_COMPILATION_CACHE_DIR": str(own)}, code)
    assert users == f"{own} {own}"


def test_compiling_a_training_step_fills_the_cache(tmp_path):
    code = (
        "import time, ganlab, jax.numpy as jnp, jax\n"
        "from ganlab import models, data, train\n"
        "g, d = models.mlp_gan(width=64)\n"
        "t = train.Trainer(g, d, data.ring(), train.Config(progress=False))\n"
        "s = time.perf_counter(); t._step.lower(t.state, t.data).compile()\n"
        "print(time.perf_counter() - s)"
    )
    # Threshold 0: on a fast machine the step may compile in under ganlab's 0.5 s.
    env = {"GANLAB_CACHE": str(tmp_path), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}
    _fresh_import(env, code)
    entries = list((tmp_path / "jax").iterdir())
    assert entries, "the first process wrote nothing to the cache"


def test_the_lock_pins_every_requirement_at_a_version_its_lower_bound_allows():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt pins exact versions only: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    for text in _pyproject_requirements():
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt (make lock)"
        assert req.specifier.contains(pins[name], prereleases=True), (text, pins[name])
    assert "ganlab" not in pins  # the project itself is installed from the checkout


def test_jupyterlab_loads_the_myst_extension():
    """jupyterlab-myst renders citations and MyST directives in JupyterLab as on the site; a
    JupyterLab it was not built for lists it as incompatible and leaves it off (as 4.6 did)."""
    import os
    import subprocess
    import sys

    jupyter = os.path.join(os.path.dirname(sys.executable), "jupyter")
    done = subprocess.run([jupyter, "labextension", "list"], capture_output=True, text=True)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # no colour codes
    line = next((ln for ln in listing.splitlines() if "jupyterlab-myst" in ln), "")
    assert "enabled" in line and "OK" in line, listing
    assert not [ln for ln in listing.splitlines() if "myst" in ln and "not compatible" in ln]
