"""The Chinese edition (中文版), built from the English source: one source for code.

The English lessons and pages are the source. Their translations live in ``i18n/zh/``:

- ``i18n/zh/lessons/<lesson>.json``: for every markdown cell of ``lessons/<lesson>.ipynb``
  (keyed by cell id) and every figure's alt text, the English text, its SHA-256, and the
  Chinese text;
- ``i18n/zh/pages/<page>.md``: the site's pages (home, instructors, corrections, glossary),
  each starting with a comment that names the English page and the SHA-256 it translates;
- ``i18n/zh/figures.json``: the text drawn in the lessons' figures (titles, axis labels,
  legends), as templates with ``{}`` where the figure has a number.

A translation is *stale* when the English it was made from changed (its SHA-256 no longer
matches), and *missing* when an English cell or page has none; ``check`` lists both and
``tests/test_zh_edition.py`` fails on either. The Chinese notebooks are made from the English
ones (code cells unchanged, byte for byte), so code cannot drift between the editions.

The Chinese site reuses the English execution: the English site build runs with
``GANLAB_KEEP_FIGURES=1``, so every figure a lesson shows is kept, pickled, beside its PNG
(``ganlab/_figures.py``). ``build`` takes those executed notebooks, puts the Chinese text in
their markdown cells and alt texts, redraws each kept figure with its text translated and the
CJK font Noto Sans CJK SC (from the ``mplfonts`` package), and writes a Jupyter Book project
for the Chinese site that builds without executing anything.

Usage::

    python scripts/zh_edition.py skeleton   # add entries for new English cells (zh empty)
    python scripts/zh_edition.py check      # list stale and missing translations
    python scripts/zh_edition.py figures    # add the figure texts of the executed lessons
    python scripts/zh_edition.py build      # the Chinese notebooks and book project
    python scripts/zh_edition.py font [HTML]    # the built Chinese site's web font
    python scripts/zh_edition.py notebooks OUT  # the Chinese lessons, unexecuted, in OUT
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
BOOK = ROOT / "jupyter_book"
I18N = ROOT / "i18n" / "zh"
PAGES = {"intro": BOOK / "intro.md", "instructors": BOOK / "instructors.md",
         "corrections": BOOK / "corrections.md"}  # fmt: skip
FIGURES = I18N / "figures.json"
OUT = ROOT / "build" / "zh"
COPIED = ("bibliography.md", "glossary.md", "references.bib", "api", "_ext")  # as in English
FONT = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"  # in mplfonts/fonts/
TOC_CAPTIONS = {"Lessons": "课程", "Teaching": "教学", "Reference": "参考资料"}
BIBLIOGRAPHY = (
    "# Bibliography\n\nEvery paper the lessons cite, in one list; each lesson's references link "
    "here. The lessons'\nown reference lists say what each paper is cited for.",
    "# 参考文献\n\n各课引用的全部论文汇于此表；各课的参考文献都链接到这里，"
    "并说明引用每篇论文的用途。",
)
# A number in a figure's text: templates replace each by {} (not digits inside a name: W1, x1).
NUMBER = re.compile(r"(?<![A-Za-z_\\])[-+−]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?")
LETTERS = re.compile(r"[A-Za-z]{2,}")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def alt_of(cell) -> str | None:
    """A figure cell's alt text (``mystnb.image.alt``), or None."""
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")


def english_units(notebook: Path) -> tuple[list[dict], list[dict]]:
    """``(markdown cells, alt texts)`` of an English lesson, as ``{"id", "en"}`` in order."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [{"id": c.id, "en": c.source} for c in nb.cells if c.cell_type == "markdown"]
    alts = [{"id": c.id, "en": alt_of(c)} for c in nb.cells if alt_of(c)]
    return cells, alts


def lesson_file(stem: str) -> Path:
    return I18N / "lessons" / f"{stem}.json"


def load(stem: str) -> dict:
    path = lesson_file(stem)
    if not path.exists():
        return {"cells": [], "alt": []}
    return json.loads(path.read_text(encoding="utf-8"))


def problems(stem: str) -> list[str]:
    """What is stale or missing in one lesson's translation."""
    cells, alts = english_units(LESSONS / f"{stem}.ipynb")
    stored = load(stem)
    out = []
    for kind, units in (("cells", cells), ("alt", alts)):
        have = {u["id"]: u for u in stored.get(kind, [])}
        for unit in units:
            t = have.get(unit["id"])
            what = "markdown cell" if kind == "cells" else "alt text of cell"
            if t is None or not t.get("zh", "").strip():
                out.append(f"{stem}: {what} {unit['id']} has no translation")
            elif t.get("en_sha256") != sha256(unit["en"]):
                out.append(
                    f"{stem}: {what} {unit['id']} changed in English since it was translated "
                    "(stale translation: update 'zh', then 'en' and 'en_sha256')"
                )
        extra = sorted(set(have) - {u["id"] for u in units})
        out += [f"{stem}: translation of a cell that is gone: {i}" for i in extra]
    return out


def skeleton(stem: str) -> int:
    """Add an entry (``zh`` empty) for every English unit without one; returns how many."""
    cells, alts = english_units(LESSONS / f"{stem}.ipynb")
    stored = load(stem)
    added = 0
    result = {}
    for kind, units in (("cells", cells), ("alt", alts)):
        have = {u["id"]: u for u in stored.get(kind, [])}
        rows = []
        for unit in units:
            if unit["id"] in have:
                rows.append(have[unit["id"]])
            else:
                rows.append({"id": unit["id"], "en_sha256": sha256(unit["en"]),
                             "en": unit["en"], "zh": ""})  # fmt: skip
                added += 1
        result[kind] = rows
    lesson_file(stem).parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
    lesson_file(stem).write_text(text, encoding="utf-8")
    return added


def page_header(name: str) -> str:
    source = PAGES[name]
    digest = sha256(source.read_text(encoding="utf-8"))
    return f"<!-- translated from jupyter_book/{source.name} sha256: {digest} -->"


def page_problems(name: str) -> list[str]:
    path = I18N / "pages" / f"{name}.md"
    if not path.exists():
        return [f"page {name}: no translation ({path.relative_to(ROOT)})"]
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    if first != page_header(name):
        return [f"page {name}: jupyter_book/{PAGES[name].name} changed since it was translated "
                f"(stale translation; its first line must be {page_header(name)!r})"]  # fmt: skip
    return []


def all_problems() -> list[str]:
    out = []
    for nb in sorted(LESSONS.glob("*.ipynb")):
        out += problems(nb.stem)
    for name in PAGES:
        out += page_problems(name)
    return out


# --- figures ---------------------------------------------------------------------------------


def template(text: str) -> tuple[str, list[str]] | None:
    """``(template, numbers)`` of a figure text worth translating, or None (numbers, math)."""
    stripped = text.strip()
    if not stripped or (stripped.startswith("$") and stripped.endswith("$")):
        return None
    if not LETTERS.search(re.sub(r"\$[^$]*\$", "", stripped)):
        return None
    numbers = NUMBER.findall(text)
    return NUMBER.sub("{}", text.replace("{", "{{").replace("}", "}}")), numbers


def fill(translation: str, numbers: list[str]) -> str:
    """A translated template with the figure's numbers put back (``{}`` in order, or ``{0}``,
    ``{1}``, ... where Chinese word order moves them); ``{{``/``}}`` are literal braces."""
    return translation.format(*numbers)


def figure_table() -> dict[str, str]:
    return json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.exists() else {}


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text()]


def translate_figure(fig, table: dict[str, str], missing: set[str]) -> None:
    """Replace every text of ``fig`` that has a translation; add the others to ``missing``."""
    for t in _texts(fig):
        found = template(t.get_text())
        if found is None:
            continue
        key, numbers = found
        zh = table.get(key, "")
        if not zh:
            missing.add(key)
            continue
        t.set_text(fill(zh, numbers))
        # Latin letters and digits from DejaVu Sans as before, Chinese from the CJK font (a
        # generic family such as "sans-serif" would resolve to its first font only). Text
        # with math is drawn by mathtext, whose own font set is switched to the same pair.
        t.set_fontfamily(["DejaVu Sans", FONT])
        if "$" in t.get_text():  # mathtext draws the prose part in the text's first font only
            t.set_fontfamily([FONT, "DejaVu Sans"])
            t.set_math_fontfamily("custom")


def use_cjk_font() -> None:
    """Noto Sans CJK SC from the mplfonts package as the fallback of the sans-serif family."""
    import matplotlib as mpl
    from matplotlib import font_manager

    try:
        import mplfonts
    except ImportError as e:
        raise SystemExit(
            "the Chinese figures need the mplfonts package: pip install -e '.[book]'"
        ) from e
    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    font_manager.fontManager.addfont(str(path))
    mpl.rcParams["font.sans-serif"] = ["DejaVu Sans", FONT, *mpl.rcParams["font.sans-serif"]]
    # mathtext's "custom" set: the prose around math in the CJK font, the math as before.
    mpl.rcParams.update({"mathtext.rm": FONT, "mathtext.it": "DejaVu Sans:italic",
                         "mathtext.bf": "DejaVu Sans:bold", "mathtext.sf": "DejaVu Sans",
                         "mathtext.tt": "DejaVu Sans Mono", "mathtext.cal": "DejaVu Sans",
                         "mathtext.fallback": "stixsans"})  # fmt: skip


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _missing_glyphs(glyphs: list[str]):
    """Add to ``glyphs`` what matplotlib says about glyphs its fonts lack while drawing: a
    warning for plain text, a log record for mathtext."""
    records = _Records()
    logging.getLogger("matplotlib").addHandler(records)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        logging.getLogger("matplotlib").removeHandler(records)
    said = [str(w.message) for w in caught] + records.messages
    glyphs += [m for m in said if "missing from" in m or "does not have a glyph" in m]


def redraw(data: str, table: dict[str, str], missing: set[str], glyphs: list[str]) -> str:
    """The kept figure ``data``, translated and drawn as a base64 PNG."""
    import base64

    from ganlab import _figures

    fig = _figures.unpickle(data)
    translate_figure(fig, table, missing)
    buf = io.BytesIO()
    with _missing_glyphs(glyphs):
        fig.savefig(buf, format="png", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _animation(kept: dict, table: dict[str, str] | None, missing: set[str]):
    """The animation ``kept`` describes, its text translated frame by frame when ``table``."""
    from ganlab import plot

    anim = plot.animate_training(**kept["animation"])
    if table is not None:
        update = anim._func

        def translated(*args):
            changed = update(*args)
            translate_figure(anim._fig, table, missing)
            return changed

        anim._func = translated
    return anim


def reanimate(data: str, table: dict[str, str], missing: set[str], glyphs: list[str]) -> str:
    """The kept animation ``data`` drawn again with its text translated: its HTML player."""
    from ganlab import _figures, plot

    kept = _figures.unpickle(data)
    anim = _animation(kept, table, missing)
    with _missing_glyphs(glyphs):
        html = plot.to_html(anim, kept["default_mode"], kept["embed_limit_mb"])
    return str(html)


def kept_figures(nb) -> list:
    from ganlab import _figures

    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if _figures.MIME in o.get("data", {})]  # fmt: skip


def collect_figure_texts() -> int:
    """Add every translatable text of the executed lessons' kept figures to figures.json."""
    from ganlab import _figures

    table = figure_table()
    added = 0
    for english in sorted(LESSONS.glob("*.ipynb")):
        nb = nbformat.read(executed_lesson(english, None), as_version=4)
        for out in kept_figures(nb):
            fig = _figures.unpickle(out["data"][_figures.MIME])
            if isinstance(fig, dict):  # an animation: its texts after the first frame's update
                anim = _animation(fig, None, set())
                anim._func(0)
                anim._draw_was_started = True  # read, not shown: no "never rendered" warning
                fig = anim._fig
            for t in _texts(fig):
                found = template(t.get_text())
                if found and found[0] not in table:
                    table[found[0]] = ""
                    added += 1
    FIGURES.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")  # fmt: skip
    return added


# --- the Chinese notebooks and book --------------------------------------------------------


def chinese_notebook(source: Path, report: dict) -> nbformat.NotebookNode:
    """``source`` (an English lesson, executed or not) with its text in Chinese."""
    from ganlab import _figures

    stem = source.stem
    nb = nbformat.read(source, as_version=4)
    stored = load(stem)
    cells = {u["id"]: u["zh"] for u in stored.get("cells", []) if u.get("zh")}
    alts = {u["id"]: u["zh"] for u in stored.get("alt", []) if u.get("zh")}
    table = figure_table()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if cell.id in cells:
                cell.source = cells[cell.id]
            else:
                report["untranslated_cells"].append(f"{stem}:{cell.id}")
        elif alt_of(cell):
            cell.metadata["mystnb"]["image"]["alt"] = alts.get(cell.id, alt_of(cell))
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if _figures.MIME in data:
                kept = data.pop(_figures.MIME)
                missing, glyphs = report["missing_figure_texts"], report["glyphs"]
                if "text/html" in data:  # an animation
                    data["text/html"] = reanimate(kept, table, missing, glyphs)
                    report["animations"] += 1
                else:
                    data["image/png"] = redraw(kept, table, missing, glyphs)
                    report["figures"] += 1
            elif "image/png" in data:
                report["figures_not_kept"].append(f"{stem}:{cell.id}")
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _fast() -> bool:
    return os.environ.get("GANLAB_FAST", "").strip().lower() not in ("", "0", "false", "no")


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def executed_lesson(english: Path, executed: Path | None) -> Path:
    """The English lesson as the site build executed it: from ``executed`` when given, else
    from the build's jupyter-cache (the one for this lesson size, as _ext/ganlab_book.py
    picks it), written to ``build/zh/executed/``."""
    if executed is not None:
        source = executed / english.name
        if not source.exists():
            raise SystemExit(f"no executed lesson {source}")
        return source
    from jupyter_cache import get_cache

    path = BOOK / "_build" / (".jupyter_cache-fast" if _fast() else ".jupyter_cache")
    cache = get_cache(path)
    # myst-nb caches the notebook as it read it (solution cells tagged for the site), so it is
    # found by its path, and taken only if its code is the lesson's code now.
    records = [r for r in cache.list_cache_records() if Path(r.uri).name == english.name]
    lesson = nbformat.read(english, as_version=4)
    for record in sorted(records, key=lambda r: r.created, reverse=True):
        cached = [c for c in cache.get_cache_bundle(record.pk).nb.cells if c.cell_type == "code"]
        if [c.source for c in cached] == _code(lesson):
            break
    else:
        raise SystemExit(
            f"{english.name} is not in the execution cache {path} with its current code: build "
            "the English site first (make site, or make book; they set GANLAB_KEEP_FIGURES=1)"
        )
    # The cache keeps the code cells only: put their outputs into the lesson, cell by cell.
    code = [c for c in lesson.cells if c.cell_type == "code"]
    for cell, done in zip(code, cached, strict=True):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    out = OUT / "executed" / english.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(lesson, out)
    return out


def write_book(executed: Path | None, out: Path) -> dict:
    """The Chinese Jupyter Book project in ``out``; returns a report of what is untranslated."""
    import yaml

    use_cjk_font()
    report = {"figures": 0, "animations": 0, "untranslated_cells": [],
              "missing_figure_texts": set(), "glyphs": [], "figures_not_kept": [],
              "lessons": []}  # fmt: skip
    if out.exists():
        shutil.rmtree(out)
    (out / "lessons").mkdir(parents=True)
    for english in sorted(LESSONS.glob("*.ipynb")):
        source = executed_lesson(english, executed)
        nbformat.write(chinese_notebook(source, report), out / "lessons" / english.name)
        report["lessons"].append(english.stem)
    for name in PAGES:
        text = (I18N / "pages" / f"{name}.md").read_text(encoding="utf-8")
        (out / f"{name}.md").write_text(text.split("\n", 1)[1], encoding="utf-8")
    for name in COPIED:
        src = BOOK / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, out / name)
    toc = (BOOK / "_toc.yml").read_text(encoding="utf-8")
    for english, chinese in TOC_CAPTIONS.items():
        toc = toc.replace(f"caption: {english}\n", f"caption: {chinese}\n")
    (out / "_toc.yml").write_text(toc, encoding="utf-8")
    bibliography = (out / "bibliography.md").read_text(encoding="utf-8")
    (out / "bibliography.md").write_text(bibliography.replace(*BIBLIOGRAPHY), encoding="utf-8")
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = "ganlab：动手学生成对抗网络"
    config["execute"]["execute_notebooks"] = "off"  # the English build's outputs, translated
    config["html"]["extra_footer"] = (
        "用 Jupyter Book 1 由 <code>lessons/</code> 中的笔记本构建（中文版）。"
    )
    sphinx = config["sphinx"]["config"]
    sphinx["language"] = "zh_CN"
    sphinx["html_static_path"] = ["_static"]
    sphinx["html_css_files"] = ["ganlab-zh.css"]
    (out / "_static").mkdir()
    (out / "_static" / "ganlab-zh.css").write_text(WEB_FONT_CSS, encoding="utf-8")
    sphinx["ganlab_edition"] = "zh"
    (out / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")  # fmt: skip
    report["missing_figure_texts"] = sorted(report["missing_figure_texts"])
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                     encoding="utf-8")  # fmt: skip
    return report


WEB_FONT = "ganlab-cjk.woff"  # in the Chinese site's _static/
WEB_FONT_CSS = """/* The Chinese edition's text font: Noto Sans CJK SC (SIL Open Font License), cut
   down by scripts/zh_edition.py to the characters the site uses, so that no page depends on
   the reader's fonts or on another host. */
@font-face {
  font-family: "ganlab CJK";
  src: url("ganlab-cjk.woff") format("woff");
  font-display: swap;
}
html {
  --pst-font-family-base: var(--pst-font-family-base-system), "ganlab CJK";
  --pst-font-family-heading: var(--pst-font-family-base-system), "ganlab CJK";
}
body, .logo__title, .navbar-brand {
  font-family: var(--pst-font-family-base-system), "ganlab CJK" !important;
}
"""


def web_font(html: Path) -> int:
    """Write ``_static/ganlab-cjk.woff``: the CJK font cut down to the non-ASCII characters of
    the built Chinese site in ``html``; returns how many characters it holds."""
    import mplfonts
    from fontTools import subset

    chars = set()
    for page in html.rglob("*.html"):
        chars |= {ch for ch in page.read_text(encoding="utf-8") if ord(ch) > 0x2000}
    chars |= set("，。：；？！（）「」、…—“”‘’《》")
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = subset.load_font(str(Path(mplfonts.__file__).parent / "fonts" / FONT_FILE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    subset.save_font(font, str(html / "_static" / WEB_FONT), options)
    return len(chars)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "command", choices=["skeleton", "check", "figures", "build", "notebooks", "font"]
    )
    parser.add_argument("out", nargs="?", type=Path, default=None)
    parser.add_argument(
        "--executed",
        type=Path,
        default=None,
        help="a folder of executed English lessons (default: the site's cache)",
    )
    args = parser.parse_args(argv)
    if args.command == "figures":
        print(f"{collect_figure_texts()} figure texts added to {FIGURES.relative_to(ROOT)}")
        return 0
    if args.command == "build":
        report = write_book(args.executed, args.out or OUT / "book")
        print(f"{len(report['lessons'])} lessons, {report['figures']} figures and "
              f"{report['animations']} animations redrawn; "
              f"untranslated: {len(report['untranslated_cells'])} cells, "
              f"{len(report['missing_figure_texts'])} figure texts; "
              f"missing glyphs: {len(report['glyphs'])}")  # fmt: skip
        return 0
    if args.command == "font":
        html = args.out or OUT / "book" / "_build" / "html"
        print(f"{html / '_static' / WEB_FONT}: {web_font(html)} characters")
        return 0
    if args.command == "notebooks":
        if args.out is None:
            parser.error("notebooks needs an output folder")
        args.out.mkdir(parents=True, exist_ok=True)
        report = {"figures": 0, "animations": 0, "untranslated_cells": [],
                  "missing_figure_texts": set(), "glyphs": [], "figures_not_kept": []}  # fmt: skip
        for english in sorted(LESSONS.glob("*.ipynb")):
            nbformat.write(chinese_notebook(english, report), args.out / english.name)
        print(f"wrote the Chinese lessons to {args.out}")
        return 0
    if args.command == "skeleton":
        for nb in sorted(LESSONS.glob("*.ipynb")):
            print(f"{nb.stem}: {skeleton(nb.stem)} entries added")
        for name in PAGES:
            print(f"page {name}: first line {page_header(name)}")
        return 0
    found = all_problems()
    print("\n".join(found) if found else "every translation is present and current")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
