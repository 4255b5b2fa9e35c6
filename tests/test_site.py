"""The built site (jupyter_book/_build/html), read as a person would: in a real browser, offline.

`make test` builds the site first (`make site`); `make book` builds it too. The site is served
on 127.0.0.1 by a stdlib HTTP server and every page is loaded by Debian's chromium, headless,
with a fresh profile, through Playwright (which drives the system browser; it downloads none).
Every request the pages make is recorded, and any that leaves 127.0.0.1 is refused and fails
the test. Then, from the rendered DOM: the math was typeset by the site's own MathJax, the
lessons' figures loaded and have alt text, the animations play, the solutions are folded away.

Without a built site or chromium these tests skip, saying why; under CI (the CI variable is
set) they fail instead, since CI builds the site and installs chromium (.ci/run).
"""

import functools
import http.server
import json
import os
import pathlib
import re
import shutil
import sys
import tempfile
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = pathlib.Path(os.environ.get("GANLAB_SITE", ROOT / "jupyter_book" / "_build" / "html"))
# Where each platform puts Chromium or Chrome; GANLAB_CHROMIUM overrides.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM_PATHS = (
    "/usr/bin/chromium",
    "/snap/bin/chromium",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)


def find_chromium() -> str | None:
    """The browser the site tests drive: $GANLAB_CHROMIUM, else the first Chromium or Chrome
    on PATH or in its platform's usual place; None when there is none."""
    if os.environ.get("GANLAB_CHROMIUM"):
        return os.environ["GANLAB_CHROMIUM"]
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in CHROMIUM_PATHS if os.access(p, os.X_OK)), None)


CHROMIUM = find_chromium()
SCREENSHOT = ROOT / "build" / "artifacts" / "lesson1.png"
SCREENSHOT_ZH = ROOT / "build" / "artifacts" / "lesson1-zh.png"  # the Chinese edition's
CJK = re.compile(r"[\u4e00-\u9fff]")
# The flags CI's browser runs with (issue 8), on top of Playwright's own headless set.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LESSONS = sorted(p.stem for p in (ROOT / "lessons").glob("*.ipynb"))


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must build the site and install chromium: see .ci/run)")
    pytest.skip(reason)


def _site() -> pathlib.Path:
    if not (SITE / "intro.html").exists():
        _unavailable(f"no built site in {SITE}: run `make book` (or `make site`) first")
    return SITE


def _pages(site: pathlib.Path) -> list[str]:
    skip = ("_static", "_sources", "_mathjax", "_images")
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if _edition_path(p.relative_to(site)).parts[0] not in skip
    )


def _edition_path(rel: pathlib.PurePath) -> pathlib.PurePath:
    """A page's path within its edition: without the Chinese edition's leading zh/."""
    return pathlib.PurePath(*rel.parts[1:]) if rel.parts[0] == "zh" and len(rel.parts) > 1 else rel


# ------------------------------------------------------------------ checks on the HTML files


def test_every_lesson_and_page_was_built():
    site = _site()
    pages = _pages(site)
    for edition in ("", "zh/"):  # the English site and the Chinese one
        for lesson in LESSONS:
            assert f"{edition}lessons/{lesson}.html" in pages, f"{edition}{lesson} is missing"
        for page in ("intro", "instructors", "corrections", "glossary", "bibliography",
                     "api/index"):  # fmt: skip
            assert f"{edition}{page}.html" in pages


REMOTE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def test_no_page_loads_anything_from_another_host():
    site = _site()
    for page in _pages(site):
        html = (site / page).read_text(encoding="utf-8")
        found = [html[m.start() : m.start() + 120] for m in REMOTE.finditer(html)]
        assert not found, f"{page} loads from another host: {found}"
    for css in site.glob("_static/**/*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"""(@import|url\()\s*["']?(?:https?:)?//""", text), css


def test_mathjax_is_local_and_out_of_static():
    site = _site()
    assert (site / "_mathjax" / "tex-chtml.js").is_file()
    assert (site / "_mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    html = (site / "lessons" / f"{LESSONS[0]}.html").read_text(encoding="utf-8")
    assert re.search(r'<script [^>]*src="[./]*_static/\.\./_mathjax/tex-chtml\.js', html)
    assert not list((site / "_static").glob("**/tex-chtml*.js"))


@pytest.mark.parametrize("edition,label", [("", "Show the solution"), ("zh/", "显示参考答案")])
def test_solutions_are_folded_behind_a_toggle(edition, label):
    site = _site()
    for lesson in LESSONS:
        nb = json.loads((ROOT / "lessons" / f"{lesson}.ipynb").read_text())
        n = sum("solution" in c["metadata"].get("tags", []) for c in nb["cells"])
        html = (site / f"{edition}lessons" / f"{lesson}.html").read_text(encoding="utf-8")
        folded = re.findall(
            r'<div class="cell tag_solution[^"]*">\s*<details class="[^"]*hide above-input">'
            rf"\s*<summary[^>]*>\s*<p[^>]*>{label}</p>",
            html,
        )
        assert len(folded) == n, f"{lesson}: {len(folded)} of {n} solutions folded"


# ------------------------------------------------------------------------- in a real browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browsed(tmp_path_factory):
    """Serve the site on 127.0.0.1, load every page in chromium, and report what each showed."""
    site = _site()
    if CHROMIUM is None or not os.access(CHROMIUM, os.X_OK):
        _unavailable(
            f"no Chromium or Chrome found (on PATH as {', '.join(CHROMIUM_NAMES)}, or in "
            "/Applications, Program Files, /snap/bin): install it (apt-get install chromium, "
            "brew install --cask chromium) or set GANLAB_CHROMIUM to the browser's path"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    requests, refused, failures, errors = [], [], [], []

    def route(r):
        if urllib.parse.urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    report = {}
    profile = tempfile.mkdtemp(dir=tmp_path_factory.mktemp("chromium"))
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=FLAGS,
                viewport={"width": 1280, "height": 900},
            )
            context.route("**/*", route)
            context.on("request", lambda r: requests.append(r.url))
            context.on(
                "response",
                lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
            page.goto(base + "index.html")  # Jupyter Book's index.html redirects to the root doc
            page.wait_for_url("**/intro.html")
            for name in _pages(site):
                if name in ("index.html", "zh/index.html"):  # each redirects to its intro
                    continue
                page.goto(base + name, wait_until="load")
                report[name] = page.evaluate(_INSPECT)
                if name == f"lessons/{LESSONS[0]}.html":
                    report[name]["animations_play"] = _animations_play(page)
                    _screenshot(page, SCREENSHOT)
                if name == f"zh/lessons/{LESSONS[0]}.html":
                    _screenshot(page, SCREENSHOT_ZH)
            context.close()
    finally:
        server.shutdown()
    return {
        "base": base,
        "pages": report,
        "requests": requests,
        "refused": refused,
        "failures": failures,
        "errors": errors,
    }


# Runs in the page: waits for MathJax's first typeset, then describes the DOM.
_INSPECT = """async () => {
  const math = document.querySelectorAll("div.math, span.math");
  if (math.length) {
    for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
      await new Promise(r => setTimeout(r, 50));
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  }
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(r => { img.onload = img.onerror = r; })));
  const prose = document.querySelector("article") || document.body;
  const clone = prose.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, mjx-container, .cell_output, .math")
       .forEach(e => e.remove());
  return {
    math: math.length,
    untypeset: [...math].filter(m => !m.querySelector("mjx-container")).length,
    mathjax_errors: document.querySelectorAll("mjx-merror").length,
    mathjax_src: [...document.scripts].map(s => s.src).filter(s => s.includes("tex-chtml")),
    raw_tex: (clone.textContent.match(/\\$\\$|\\\\\\(|\\\\\\[/g) || []).length,
    images: [...document.images].map(img => ({
      src: img.getAttribute("src") || "", alt: img.getAttribute("alt") || "",
      width: img.naturalWidth, output: !!img.closest(".cell_output"),
      animation: !!img.closest(".animation")})),
    language: (document.querySelector("a.ganlab-language-link") || {}).href || null,
    lang: document.documentElement.lang,
    animations: [...document.querySelectorAll(".animation")].map(a => ({
      buttons: a.querySelectorAll(".anim-buttons button").length,
      icons: a.querySelectorAll(".anim-buttons svg, .anim-buttons i").length,
      drawn_icons: [...a.querySelectorAll(".anim-buttons svg, .anim-buttons i")]
                     .filter(i => i.getBoundingClientRect().width > 0).length})),
  };
}"""


def _animations_play(page) -> bool:
    """Press "Next frame" and "Play" on the first animation: its frame must change each time."""
    anim = page.locator(".animation").first
    frame = anim.locator("img")
    anim.scroll_into_view_if_needed()
    first = frame.get_attribute("src")
    anim.locator("button[title='Next frame']").click()
    second = frame.get_attribute("src")
    anim.locator("button[title='Play']").click()
    page.wait_for_timeout(800)
    third = frame.get_attribute("src")
    anim.locator("button[title='Pause']").click()
    return bool(first) and first != second and second != third


def _screenshot(page, path: pathlib.Path) -> None:
    """The first figure of lesson 1 with the prose and math around it: CI's artifact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.locator(".cell_output img").first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -250)")
    page.screenshot(path=str(path))
    print(f"\nscreenshot of lesson 1: {path}", file=sys.__stdout__)


def test_no_request_leaves_127_0_0_1(browsed):
    assert browsed["requests"], "the pages made no requests at all?"
    assert not browsed["refused"], f"requests to other hosts: {browsed['refused'][:10]}"
    hosts = {urllib.parse.urlsplit(u).hostname for u in browsed["requests"]}
    assert hosts <= {"127.0.0.1", None}, hosts  # None: data: URLs


def test_every_request_is_answered_and_no_script_fails(browsed):
    assert not browsed["failures"], browsed["failures"][:10]
    assert not browsed["errors"], browsed["errors"][:10]


def test_math_is_typeset_by_the_local_mathjax(browsed):
    pages = browsed["pages"]
    for lesson in LESSONS:
        assert pages[f"lessons/{lesson}.html"]["math"] > 10, f"{lesson}: no math found"
    for name, seen in pages.items():
        if not seen["math"]:
            continue
        assert seen["mathjax_src"] and all("127.0.0.1" in s for s in seen["mathjax_src"]), name
        assert seen["untypeset"] == 0, f"{name}: {seen['untypeset']} formulas not typeset"
        assert seen["mathjax_errors"] == 0, f"{name}: {seen['mathjax_errors']} TeX errors"
    for name, seen in pages.items():
        assert seen["raw_tex"] == 0, f"{name}: TeX delimiters left in the prose"


def test_lesson_figures_are_present_with_alt_text(browsed):
    for lesson in LESSONS:
        images = browsed["pages"][f"lessons/{lesson}.html"]["images"]
        figures = [i for i in images if i["output"]]
        assert len(figures) >= 5, f"{lesson}: only {len(figures)} figures"
        for img in figures:
            assert img["width"] > 0, f"{lesson}: an image did not load: {img['src'][:80]}"
            alt = img["alt"]
            assert alt and not alt.endswith(".png") and len(alt) > 20, f"{lesson}: alt {alt!r}"
    for name, seen in browsed["pages"].items():
        broken = [i["src"][:80] for i in seen["images"] if i["width"] == 0 and not i["animation"]]
        assert not broken, f"{name}: broken images {broken}"


def test_animations_have_their_controls_and_play(browsed):
    pages = browsed["pages"]
    first = pages[f"lessons/{LESSONS[0]}.html"]
    assert first["animations"], "lesson 1 shows no animation"
    assert first["animations_play"], "lesson 1's animation does not advance"
    for name, seen in pages.items():
        for anim in seen["animations"]:
            assert anim["buttons"] >= 8, f"{name}: animation controls missing"
            assert anim["drawn_icons"] >= 8, f"{name}: the animation's button icons are blank"
        frames = [i for i in seen["images"] if i["animation"]]
        assert all(i["width"] > 0 and len(i["alt"]) > 20 for i in frames), name


def test_screenshot_of_a_lesson_was_taken(browsed):
    assert SCREENSHOT.stat().st_size > 10_000
    assert SCREENSHOT_ZH.stat().st_size > 10_000


# ------------------------------------------------------------------ the Chinese edition, zh/


def test_every_chinese_lesson_is_typeset_with_its_figures_described_in_chinese(browsed):
    pages = browsed["pages"]
    for lesson in LESSONS:
        seen = pages.get(f"zh/lessons/{lesson}.html")
        assert seen, f"{lesson}: no Chinese page"
        assert seen["math"] > 10 and seen["untypeset"] == 0, lesson
        figures = [i for i in seen["images"] if i["output"]]
        assert len(figures) >= 5, f"{lesson}: only {len(figures)} figures in Chinese"
        for img in figures:
            assert img["width"] > 0, f"{lesson}: an image did not load"
            assert CJK.search(img["alt"]), f"{lesson}: alt text not in Chinese: {img['alt']!r}"
        assert seen["lang"].startswith("zh"), (lesson, seen["lang"])


def test_every_page_links_to_its_twin_in_the_other_language_and_the_link_loads(browsed):
    pages, base = browsed["pages"], browsed["base"]
    with_links = {n: s for n, s in pages.items() if s["language"]}
    assert len(with_links) >= 2 * (len(LESSONS) + 4), len(with_links)
    for name, seen in with_links.items():
        target = seen["language"].removeprefix(base)
        twin = name.removeprefix("zh/") if name.startswith("zh/") else f"zh/{name}"
        assert target == twin, f"{name} links to {target}, not {twin}"
        assert target in pages, f"{name}: its twin {target} was not loaded"
