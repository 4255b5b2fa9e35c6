"""The book's sources: every lesson, module and citation reaches the site (no build needed).

tests/test_site.py checks the built site itself, in a real browser.
"""

import json
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "jupyter_book"
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def _toc_files(node) -> list[str]:
    """Every `file:` entry of _toc.yml (and the root), in order."""
    if isinstance(node, dict):
        found = [node["root"]] if "root" in node else []
        found += [node["file"]] if "file" in node else []
        for value in node.values():
            if isinstance(value, list | dict):
                found += _toc_files(value)
        return found
    if isinstance(node, list):
        return [f for item in node for f in _toc_files(item)]
    return []


def _toc() -> list[str]:
    return _toc_files(yaml.safe_load((BOOK / "_toc.yml").read_text()))


def _bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", (BOOK / "references.bib").read_text(), re.M))


def _cells(path: pathlib.Path, kind: str) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == kind]


def test_lessons_exist():
    assert len(LESSONS) >= 4, "lessons/ should hold the course's notebooks"


def test_every_lesson_is_in_the_toc_in_reading_order():
    toc = _toc()
    in_toc = [f for f in toc if f.startswith("lessons/")]
    missing = [p.name for p in LESSONS if f"lessons/{p.stem}" not in in_toc]
    assert not missing, f"add these notebooks to jupyter_book/_toc.yml: {missing}"
    assert in_toc == sorted(in_toc), "the lessons in _toc.yml are out of reading order"
    assert len(set(toc)) == len(toc), "a page is listed twice in _toc.yml"
    for entry in toc:
        assert any((BOOK / entry).with_suffix(s).exists() for s in (".md", ".ipynb")), entry


def test_the_lessons_reach_the_book_through_its_symlink():
    link = BOOK / "lessons"
    assert link.is_symlink() and link.resolve() == (ROOT / "lessons").resolve()


def test_every_public_module_has_an_api_page():
    toc = _toc()
    files = [p.stem for p in (ROOT / "ganlab").glob("*.py")]
    packages = [p.parent.name for p in (ROOT / "ganlab").glob("*/__init__.py")]
    modules = sorted(m for m in files + packages if not m.startswith("_") and m != "__init__")
    assert {"data", "metrics", "plot", "train", "update"} <= set(modules)
    for name in modules:
        page = BOOK / "api" / f"{name}.md"
        assert page.exists(), f"no API page for ganlab.{name}: add jupyter_book/api/{name}.md"
        assert f".. automodule:: ganlab.{name}" in page.read_text()
        assert f"api/{name}" in toc, f"api/{name} is missing from _toc.yml"
        assert f"ganlab.{name}" in (BOOK / "api" / "index.md").read_text()


def test_every_lesson_cites_into_the_bibliography_and_every_key_exists():
    keys = _bib_keys()
    for path in LESSONS:
        cited = {
            k.strip()
            for c in _cells(path, "markdown")
            for m in CITE.findall("".join(c["source"]))
            for k in m.split(",")
        }
        assert cited, f"{path.name} cites nothing: add {{cite:p}}`key` roles to its References"
        unknown = cited - keys
        assert not unknown, f"{path.name} cites keys missing from references.bib: {unknown}"


PAPER = re.compile(r"https?://(?:arxiv\.org/abs/[\w.]+\d|doi\.org/\S+)")


def _trim(url: str) -> str:
    # A DOI may hold parentheses; a markdown link's closing one is not part of it.
    url = url.rstrip(".,;")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;")
    return url


def test_every_paper_a_lessons_references_link_to_is_in_the_bibliography():
    # A References list entry links to the paper (arXiv or DOI); its bibliography entry has the
    # same URL, so the two cannot drift apart.
    bib_urls = set(re.findall(r"url = \{([^}]+)\}", (BOOK / "references.bib").read_text()))
    for path in LESSONS:
        text = "".join("".join(c["source"]) for c in _cells(path, "markdown"))
        references = text.partition("## References")[2]
        missing = sorted(set(map(_trim, PAPER.findall(references))) - bib_urls)
        assert not missing, f"{path.name}: add these to jupyter_book/references.bib: {missing}"


def test_bibliography_keys_are_unique():
    text = (BOOK / "references.bib").read_text()
    keys = re.findall(r"^@\w+\{([^,\s]+),", text, re.M)
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_figure_cells_carry_alt_text():
    # A cell that shows a figure or an animation says in words what it shows: its
    # `mystnb: image: alt` (or `mystnb: figure: caption`) metadata becomes the image's alt text.
    shows = re.compile(r"^(plt\.show\(\)|.*to_html\()", re.M)  # at top level, not in a def
    for path in LESSONS:
        for cell in _cells(path, "code"):
            if not shows.search("".join(cell["source"])):
                continue
            mystnb = cell["metadata"].get("mystnb", {})
            alt = mystnb.get("image", {}).get("alt") or mystnb.get("figure", {}).get("caption")
            assert alt and len(alt) > 20, f"{path.name} cell {cell.get('id')}: no alt text"


def test_solutions_are_tagged_only_with_solution():
    # The site folds solutions away by configuration (jupyter_book/_ext/ganlab_book.py); a
    # hand-added hide-input tag would be redundant and could drift from `solution`.
    for path in LESSONS:
        for cell in _cells(path, "code"):
            tags = cell["metadata"].get("tags", [])
            assert "hide-input" not in tags, f"{path.name} cell {cell.get('id')}"


def test_mathjax_is_served_by_the_site_not_from_static():
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    path = config["sphinx"]["config"]["mathjax_path"]
    assert "://" not in path and not path.startswith("/"), path
    static = BOOK / "_static"  # Jupyter Book adds a <script> tag for every .js file in it
    assert not static.exists() or not list(static.glob("**/*.js"))
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["sphinx"]["config"]["nb_ipywidgets_js"] == {}


# The corrections page (jupyter_book/corrections.md): every mistake of the write-ups the course
# grew from, quoted, corrected, and pointed at the lesson sections that correct it.

CORRECTIONS = BOOK / "corrections.md"
SEEDS = ROOT.parent / "shared" / "seeds"  # the write-ups: beside the repository, not in it
LESSON_LINK = re.compile(r"\{doc\}`Lesson\s+(\d+)\s+<lessons/(\w+)>`")
SECTION = re.compile(r"§ “([^”]+)”")
QUOTE = re.compile(r"「([^」]+)」")
WRITE_UPS = re.compile(r"[Ww]rite-ups? (\d{3})")


def _entries() -> dict[int, str]:
    """The page's numbered mistakes, `### N. title` up to the next heading: {N: text}."""
    parts = re.split(r"^(?=#{2,3} )", CORRECTIONS.read_text(), flags=re.M)
    found = {}
    for part in parts:
        m = re.match(r"### (\d+)\. ", part)
        if m:
            found[int(m.group(1))] = part
    return found


def _headings(path: pathlib.Path) -> set[str]:
    """A lesson's headings without their section numbers ("4.1 Why" -> "Why")."""
    return {
        re.sub(r"^\d+(\.\d+)*\.?\s+", "", line.lstrip("#").strip())
        for c in _cells(path, "markdown")
        for line in "".join(c["source"]).splitlines()
        if line.startswith("#")
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_corrections_page_is_in_the_toc():
    assert "corrections" in _toc(), "add `- file: corrections` to jupyter_book/_toc.yml"


def test_every_book_page_cites_only_keys_in_the_bibliography():
    keys = _bib_keys()
    pages = [p for p in BOOK.rglob("*.md") if "_build" not in p.parts]
    assert CORRECTIONS in pages
    for page in pages:
        cited = {k.strip() for m in CITE.findall(page.read_text()) for k in m.split(",")}
        unknown = cited - keys
        assert not unknown, f"{page.name} cites keys missing from references.bib: {unknown}"
    assert CITE.findall(CORRECTIONS.read_text()), "the corrections page should cite its papers"


def test_every_lesson_section_the_corrections_page_names_exists():
    # "{doc}`Lesson 2 <lessons/02_minimax_theory>` § “Saturation: ...”": the lesson exists, its
    # number is the file's, and every section named after the link is one of its headings
    # (without its number, which moves as sections are added). A lesson whose heading is
    # renamed fails here until the page follows it.
    text = CORRECTIONS.read_text()
    links = list(LESSON_LINK.finditer(text))
    assert links, "the corrections page links to no lesson"
    checked = 0
    for i, link in enumerate(links):
        number, stem = int(link.group(1)), link.group(2)
        path = ROOT / "lessons" / f"{stem}.ipynb"
        assert path.exists(), f"corrections.md links to a missing lesson: {stem}"
        assert int(stem.split("_")[0]) == number, f"'Lesson {number}' links to {stem}"
        end = links[i + 1].start() if i + 1 < len(links) else len(text)
        after = text[link.end() : end].split("\n\n")[0]  # up to the next link or paragraph
        named = {" ".join(name.split()) for name in SECTION.findall(after)}  # lines joined
        missing = named - _headings(path)
        assert not missing, f"{stem} has no section {missing}; its headings: {_headings(path)}"
        checked += len(SECTION.findall(after))
    # A § “...” with no lesson link before it in its paragraph would escape the check.
    assert checked == len(SECTION.findall(text)), "name a section right after its lesson's link"


def test_every_mistake_says_where_it_is_from_what_is_right_and_where_the_course_corrects_it():
    entries = _entries()
    assert sorted(entries) == list(range(1, len(entries) + 1)), "number the mistakes 1, 2, 3, ..."
    summary = {
        int(m.group(1)): set(re.findall(r"\d{3}", m.group(2)))
        for m in re.finditer(r"^\| (\d+) \| [^|]+ \| ([\d, ]+) \|", CORRECTIONS.read_text(), re.M)
    }
    assert sorted(summary) == sorted(entries), "the summary table and the entries disagree"
    for n, entry in entries.items():
        for part in ("**Where.**", "**Right.**", "**In the course.**"):
            assert part in entry, f"mistake {n} has no {part} paragraph"
        where = entry.split("**Right.**")[0]
        named = set(WRITE_UPS.findall(where))
        assert named, f"mistake {n} names no write-up"
        assert named == summary[n], f"mistake {n}: the summary says {summary[n]}, the entry {named}"


def test_the_corrections_page_quotes_the_write_ups_verbatim():
    # Every 「quote」 is in a write-up the same entry names, and every write-up is drawn on. The
    # write-ups sit in shared/seeds beside the repository (CI has a copy); without them there is
    # nothing to compare with.
    if not SEEDS.is_dir():
        pytest.skip(f"the write-ups are not at {SEEDS}")
    seeds = {p.name[:3]: _squash(p.read_text()) for p in sorted(SEEDS.glob("*.txt"))}
    used = set()
    for n, entry in _entries().items():
        named = set(WRITE_UPS.findall(entry))
        assert named <= set(seeds), f"mistake {n} names write-ups that do not exist: {named}"
        used |= named
        for quote in QUOTE.findall(entry):
            assert any(_squash(quote) in seeds[s] for s in named), (
                f"mistake {n}: 「{quote}」 is not in write-up {sorted(named)}"
            )
        # A table of bugs quotes each line of code in its second column.
        for line in re.findall(r"^\| \d+ \| `([^`]+)` \|", entry, re.M):
            assert any(_squash(line) in seeds[s] for s in named), f"mistake {n}: `{line}`"
    assert used == set(seeds), f"write-ups the page never draws on: {set(seeds) - used}"


def test_every_lesson_links_its_mistakes_to_the_corrections_page():
    for path in LESSONS:
        text = "".join("".join(c["source"]) for c in _cells(path, "markdown"))
        assert "](../corrections.md)" in text, f"{path.name}: no link to the corrections page"
