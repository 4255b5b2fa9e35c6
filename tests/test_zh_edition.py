"""The Chinese edition (scripts/zh_edition.py): every translation present and current, code from
one source, figure text translated and drawable with the course's CJK font, and the built
Chinese site complete.

The checks on the built site need `make site` (or `make book`) first; without a built site they
skip, saying why, and under CI (which builds it) they fail instead. The browser checks of the
Chinese pages are in tests/test_site.py, which loads every page of both editions.
"""

import importlib.util
import json
import os
import pathlib
import re
import shutil
import string
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("zh_edition", ROOT / "scripts" / "zh_edition.py")
zh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zh)

SITE = pathlib.Path(os.environ.get("GANLAB_SITE", ROOT / "jupyter_book" / "_build" / "html"))
REPORT = zh.OUT / "book" / "report.json"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_cell_page_and_alt_text_has_a_current_translation():
    problems = zh.all_problems()
    assert not problems, "\n".join(problems[:20])


@pytest.fixture
def copied(tmp_path, monkeypatch):
    """The lessons and their translations copied to tmp_path, which the script now reads."""
    shutil.copytree(zh.LESSONS, tmp_path / "lessons")
    shutil.copytree(zh.I18N, tmp_path / "i18n")
    monkeypatch.setattr(zh, "LESSONS", tmp_path / "lessons")
    monkeypatch.setattr(zh, "I18N", tmp_path / "i18n")
    return tmp_path


def test_an_english_cell_that_changes_makes_its_translation_stale(copied):
    path = copied / "lessons" / "06_conditional.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += "\n\nA sentence added in English."
    nbformat.write(nb, path)
    assert zh.problems("06_conditional") == [
        f"06_conditional: markdown cell {cell.id} changed in English since it was translated "
        "(stale translation: update 'zh', then 'en' and 'en_sha256')"
    ]


def test_a_new_english_cell_or_alt_text_without_translation_is_reported(copied):
    path = copied / "lessons" / "06_conditional.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("A new paragraph.", id="new-cell"))
    figure = next(c for c in nb.cells if zh.alt_of(c))
    figure.metadata["mystnb"]["image"]["alt"] = "A figure described anew, in English only."
    nbformat.write(nb, path)
    found = zh.problems("06_conditional")
    assert "06_conditional: markdown cell new-cell has no translation" in found
    assert any(f"alt text of cell {figure.id} changed in English" in p for p in found)
    assert zh.skeleton("06_conditional") == 1  # the new cell gets an empty entry ...
    assert "06_conditional: markdown cell new-cell has no translation" in zh.problems(
        "06_conditional"
    )  # ... which is still reported until it is filled


def test_a_page_that_changes_makes_its_translation_stale(copied, monkeypatch, tmp_path):
    page = tmp_path / "intro.md"
    page.write_text(zh.PAGES["intro"].read_text(encoding="utf-8") + "\nOne more line.\n")
    monkeypatch.setitem(zh.PAGES, "intro", page)
    assert zh.page_problems("intro") and "stale translation" in zh.page_problems("intro")[0]


def test_the_chinese_lessons_have_the_english_code_byte_for_byte():
    report = {"figures": 0, "animations": 0, "untranslated_cells": [],
              "missing_figure_texts": set(), "glyphs": [], "figures_not_kept": []}  # fmt: skip
    for english in sorted(zh.LESSONS.glob("*.ipynb")):
        source = nbformat.read(english, as_version=4)
        chinese = zh.chinese_notebook(english, report)
        assert [c.id for c in chinese.cells] == [c.id for c in source.cells]
        for a, b in zip(source.cells, chinese.cells, strict=True):
            if a.cell_type == "code":
                assert a.source == b.source and a.metadata.get("tags") == b.metadata.get("tags")
                assert a.metadata.get("ganlab") == b.metadata.get("ganlab")  # the answers
            else:
                assert CJK.search(b.source), f"{english.stem}:{a.id} is not in Chinese"
            if zh.alt_of(a):
                assert CJK.search(zh.alt_of(b)), f"{english.stem}:{a.id}: alt text not in Chinese"
    assert not report["untranslated_cells"]


def test_every_figure_text_is_translated_and_the_font_has_its_glyphs():
    from matplotlib.ft2font import FT2Font

    table = zh.figure_table()
    assert len(table) > 100, "collect the figure texts: python scripts/zh_edition.py figures"
    empty = sorted(k for k, v in table.items() if not v.strip())
    assert not empty, f"{len(empty)} figure texts without a translation, e.g. {empty[:5]}"
    fields = lambda text: [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]  # noqa: E731
    for key, value in table.items():  # the same numbers go back in, in any order
        n = len(fields(key))
        assert len(fields(value)) == n, (key, value)
        numbers = [str(i) for i in range(n)]
        assert set(zh.fill(value, numbers)) >= set("".join(numbers)), (key, value)
    import mplfonts

    font = FT2Font(str(pathlib.Path(mplfonts.__file__).parent / "fonts" / zh.FONT_FILE))
    charmap = font.get_charmap()
    missing = {ch for v in table.values() for ch in v if CJK.match(ch) and ord(ch) not in charmap}
    assert not missing, f"the CJK font lacks {sorted(missing)}"


def test_templates_keep_the_numbers_of_a_figure_text():
    assert zh.template("step 400, 12.5% on mode 3") == (
        "step {}, {} on mode {}",
        ["400", "12.5%", "3"],
    )
    assert zh.template("W1 and x1 keep their digits") == ("W1 and x1 keep their digits", [])
    assert zh.template("$x_1$") is None and zh.template("0.25") is None


# --- the built Chinese site ------------------------------------------------------------------


def _report() -> dict:
    if not REPORT.exists() or not (SITE / "zh" / "intro.html").exists():
        reason = f"no built Chinese site ({REPORT}, {SITE / 'zh'}): run `make site` first"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return json.loads(REPORT.read_text(encoding="utf-8"))


def test_the_built_chinese_site_has_every_lesson_with_its_figures_redrawn():
    report = _report()
    assert report["lessons"] == sorted(p.stem for p in zh.LESSONS.glob("*.ipynb"))
    assert report["figures"] >= 40, report["figures"]
    assert report["animations"] == 3, report["animations"]  # lessons 1, 3 and 4
    assert not report["untranslated_cells"], report["untranslated_cells"][:5]
    assert not report["missing_figure_texts"], report["missing_figure_texts"][:10]
    assert not report["glyphs"], report["glyphs"][:5]  # no tofu: every glyph drawn
    assert not report["figures_not_kept"], report["figures_not_kept"][:5]
    for lesson in report["lessons"]:
        html = (SITE / "zh" / "lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        assert len(CJK.findall(html)) > 1000, f"{lesson}: the Chinese page has little Chinese"


def test_every_page_links_to_itself_in_the_other_edition():
    _report()
    link = re.compile(r'<a class="ganlab-language-link" href="([^"]+)"')
    skip = ("_static", "_sources", "_mathjax", "_images")
    pages = [
        p
        for p in SITE.rglob("*.html")
        if p.relative_to(SITE).as_posix().removeprefix("zh/").split("/")[0] not in skip
    ]
    checked = 0
    for page in pages:
        rel = page.relative_to(SITE).as_posix()
        name = rel.removeprefix("zh/")
        if name.removesuffix(".html") in ("genindex", "search", "py-modindex", "index"):
            continue
        found = link.findall(page.read_text(encoding="utf-8"))
        assert len(found) == 1, f"{rel}: {len(found)} language links"
        target = (page.parent / found[0]).resolve()
        other = (SITE / name) if rel.startswith("zh/") else (SITE / "zh" / name)
        assert target == other.resolve() and target.exists(), f"{rel} -> {found[0]}"
        checked += 1
    assert checked >= 2 * 20


def test_the_chinese_student_edition_keeps_the_chinese_and_drops_the_solutions(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "student_edition", ROOT / "scripts" / "student_edition.py"
    )
    student = importlib.util.module_from_spec(spec)
    sys.modules["student_edition"] = student  # its dataclasses look their module up
    spec.loader.exec_module(student)
    assert zh.main(["notebooks", str(tmp_path / "zh")]) == 0
    written = student.write_student_edition(tmp_path / "zh", tmp_path / "student", log=None)
    assert len(written) == len(list(zh.LESSONS.glob("*.ipynb")))
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert not any(student.is_solution(c) for c in nb.cells), path.name
        text = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert len(CJK.findall(text)) > 1000, path.name


def test_the_redraw_reports_a_glyph_the_font_lacks_and_draws_chinese_without_tofu():
    import base64
    import pickle
    import zlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    zh.use_cjk_font()

    def kept(title: str) -> str:
        fig, ax = plt.subplots()
        ax.set_title(title)
        ax.set_xlabel("generator step")
        data = base64.b64encode(zlib.compress(pickle.dumps(fig))).decode("ascii")
        plt.close(fig)
        return data

    # Untranslated Chinese in DejaVu Sans (plain and with math): each is reported.
    for title in ("已经是中文", "$x_1$ 已经是中文"):
        glyphs = []
        zh.redraw(kept(title), {}, set(), glyphs)
        assert glyphs, title
    # Translated text, plain and with math, is drawn in the CJK font: nothing reported.
    missing, glyphs = set(), []
    table = {"step {} of $G$": "第 {} 步的 $G$", "generator step": "生成器训练步"}
    zh.redraw(kept("step 400 of $G$"), table, missing, glyphs)
    assert not glyphs and not missing


def test_an_animation_is_kept_and_drawn_again_with_its_text_translated(monkeypatch):
    import base64
    import pickle
    import zlib

    import numpy as np

    from ganlab import _figures, data, plot

    monkeypatch.setenv(_figures.ENV, "1")
    zh.use_cjk_font()
    frames = [{"step": s, "samples": np.full((20, 2), s / 100.0)} for s in (0, 100, 200)]
    html = plot.to_html(plot.animate_training(frames, data.ring()))
    assert isinstance(html, _figures.KeptHTML) and html.kept["animation"]["frames"]
    kept = base64.b64encode(zlib.compress(pickle.dumps(html.kept))).decode("ascii")
    missing, glyphs = set(), []
    table = {"step {}": "第 {} 步", "generated": "生成样本", "data": "真实数据"}
    again = zh.reanimate(kept, table, missing, glyphs)
    assert again != str(html) and again.count("data:image/png") == 3  # three frames, redrawn
    assert not glyphs
    monkeypatch.delenv(_figures.ENV)
    assert type(plot.to_html(plot.animate_training(frames, data.ring()))) is str
