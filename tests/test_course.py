"""ganlab.course: the lessons' constants and loaders. FAST reads the environment, every loss
preset is a valid Config, the committed tables load as package data, and pyproject ships every
file under ganlab/_data in a wheel."""

import glob
import importlib
import pathlib
import tomllib

import pytest

import ganlab
from ganlab import course, train

_PROTOCOL = course.results("mode_collapse")["meta"]["protocol"]
_ARCH = _PROTOCOL["arch"]

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ganlab"


def test_fast_mode_reads_the_environment(monkeypatch):
    for value, expected in [("1", True), ("true", True), ("0", False), ("", False)]:
        monkeypatch.setenv("GANLAB_FAST", value)
        importlib.reload(course)
        assert course.FAST is expected
        assert importlib.reload(ganlab).FAST is expected  # ganlab.FAST is course.FAST
    monkeypatch.delenv("GANLAB_FAST")
    importlib.reload(course)
    assert importlib.reload(ganlab).FAST is False


def test_every_loss_preset_is_a_config_of_its_loss():
    assert list(course.LOSS_SETTINGS) == ["BCE", "WGAN-clip", "WGAN-GP", "hinge", "least-squares"]
    for name, settings in course.LOSS_SETTINGS.items():
        config = train.Config(**settings)  # raises on an unknown field or a bad value
        assert config.d_lr == pytest.approx(10 * config.g_lr), name  # the presets' one rule


def test_the_mode_collapse_table_loads_with_its_meta_and_rows():
    table = course.results("mode_collapse")
    assert {"meta", "rows"} <= set(table)
    assert table["meta"]["protocol"]["name"] == "cpu" and table["meta"]["command"]
    assert len(table["rows"]) > 0
    assert {r["dataset"] for r in table["rows"]} == {"ring", "grid"}
    assert all({"method", "modes_mean", "hq_mean"} <= set(r) for r in table["rows"])
    table["rows"].clear()  # each call gives a fresh dict: a lesson cannot spoil the next one's
    assert len(course.results("mode_collapse")["rows"]) > 0


@pytest.mark.parametrize("name", ["mode_colapse", "mode_collapse.json", "../pyproject", 3])
def test_an_unknown_table_is_refused_with_the_names_there_are(name):
    with pytest.raises(ValueError, match=r"name must be one of \['mode_collapse'\], got"):
        course.results(name)


def test_pyproject_ships_every_file_under_ganlab_data():
    # setuptools expands package-data globs relative to the package folder, with glob's rules:
    # '*' does not cross '/'. A file no pattern matches is missing from the wheel, and
    # ganlab.course.results (importlib.resources) would not find it after `pip install .`.
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["ganlab"]
    shipped = set()
    for pattern in patterns:
        matched = {pathlib.Path(p) for p in glob.glob(pattern, root_dir=PACKAGE, recursive=True)}
        assert matched, f"package-data pattern {pattern!r} matches no file"
        shipped |= matched
    files = {p.relative_to(PACKAGE) for p in (PACKAGE / "_data").rglob("*") if p.is_file()}
    assert pathlib.Path("_data/results/mode_collapse.json") in files
    assert files - shipped == set(), "files under ganlab/_data that a wheel would leave out"


def test_no_module_reads_files_through_its_own_path():
    # A non-editable install keeps only the package: a path built from __file__ that leaves
    # ganlab/ (to benchmarks/, the repository root ...) does not exist there.
    for path in PACKAGE.glob("**/*.py"):
        assert "__file__" not in path.read_text(), f"{path.relative_to(ROOT)} uses __file__"


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: course.mode_collapse_models([1, 2]),
         r"arch must be a mapping with the keys \['latent_dim', .*got \[1, 2\]"),
        (lambda: course.mode_collapse_config({}, steps=10),
         r"protocol must be a mapping with the keys \['beta1', .*got \[\]"),
        (lambda: course.mode_collapse_models(_ARCH, packing=0), r"packing must be an integer >= 1"),
        (lambda: course.mode_collapse_config(_PROTOCOL, steps=10, d_lr_factor=0),
         r"d_lr_factor must be a finite number > 0"),
        (lambda: course.mode_collapse_config(_PROTOCOL, steps=-1), r"steps must be an integer"),
    ],
)  # fmt: skip
def test_the_protocol_builders_refuse_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_protocol_builders_make_the_tables_networks_and_config():
    make = course.mode_collapse_models(_ARCH, packing=2)
    g, d = make(0)
    assert g.latent_dim == _ARCH["latent_dim"] and d.packing == 2
    config = course.mode_collapse_config(_PROTOCOL, steps=100, packing=2)
    assert config.batch_size == 2 * _PROTOCOL["packs"] and config.g_lr == _PROTOCOL["lr"]
    assert config.g_betas == (_PROTOCOL["beta1"], 0.999)
