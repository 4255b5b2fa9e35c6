"""Sphinx glue for the ganlab book (loaded through ``sphinx: local_extensions`` in _config.yml).

Four jobs, each small (and sphinx-thebe's unused scripts are left out of the pages):

- **One execution cache per lesson size.** jupyter-cache keys a notebook on its code, not on the
  environment, so outputs computed with ``GANLAB_FAST=1`` (CI's shrunken training) would be
  served to a default-size build. The cache therefore lives in ``_build/.jupyter_cache`` or
  ``_build/.jupyter_cache-fast``; changing the path also makes Sphinx re-read every page.
- **Solutions behind a toggle.** Cells tagged ``solution`` get myst-nb's ``hide-input`` tag as
  the notebook is read, with the toggle labelled "Show the solution". The notebooks themselves
  carry only ``solution`` (the tag the student edition removes cells by).
- **Nothing from other hosts in the lessons' outputs.** Progress bars (tqdm's Jupyter widgets)
  are dropped: a static page cannot run them, and their text form is the bar at 0%. Stylesheets
  and scripts that an output pulls from another host (matplotlib's animation HTML links Font
  Awesome 4 from a CDN) are removed; the theme's own Font Awesome draws the animation's buttons.
  An animation's frame gets its cell's ``mystnb: image: alt`` text, as a figure does.
- **MathJax from the site itself.** MathJax 3 comes from the npm package ``mathjax@3`` (fetched
  once with ``npm pack`` into ``build/npm/`` at the repository root, or ``$GANLAB_NPM_CACHE``;
  a tarball put there by hand is used as it is, with no network) and is copied into
  ``<html>/_mathjax/``; ``mathjax_path`` in _config.yml points there. It is kept out of
  ``_static`` on purpose: Jupyter Book adds a ``<script>`` tag for every ``.js`` file there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_PACKAGE = "mathjax@3"
MATHJAX_DIR = "_mathjax"  # under the html output; _config.yml's mathjax_path matches it
# What the site needs of the package's es5/ build: the TeX-to-HTML combined component, the TeX
# extensions it autoloads, the CommonHTML fonts, and the right-click menu with its lazily
# loaded accessibility parts (about 8 MB of the package's 24).
MATHJAX_PARTS = ("tex-chtml.js", "input/", "output/chtml/", "ui/", "a11y/", "sre/")


def _fast() -> bool:
    # The same reading of the variable as ganlab.FAST, without importing JAX here.
    return os.environ.get("GANLAB_FAST", "").strip().lower() not in ("", "0", "false", "no")


def _per_size_cache(app: Sphinx, config: Config) -> None:
    if config.nb_execution_cache_path:  # set explicitly in _config.yml: respect it
        return
    name = ".jupyter_cache-fast" if _fast() else ".jupyter_cache"
    config.nb_execution_cache_path = str(Path(app.outdir).parent / name)


def _hide_solutions(app: Sphinx, docname: str, source: list[str]) -> None:
    if Path(app.env.doc2path(docname)).suffix != ".ipynb":
        return
    nb = json.loads(source[0])
    for cell in nb["cells"]:
        meta = cell.setdefault("metadata", {})
        tags = meta.get("tags", [])
        if "solution" in tags and "hide-input" not in tags:
            meta["tags"] = [*tags, "hide-input"]
            mystnb = meta.setdefault("mystnb", {})
            show, hide = SOLUTION_PROMPTS[app.config.ganlab_edition]
            mystnb.setdefault("code_prompt_show", show)
            mystnb.setdefault("code_prompt_hide", hide)
    source[0] = json.dumps(nb)


SOLUTION_PROMPTS = {"en": ("Show the solution", "Hide the solution"),
                    "zh": ("显示参考答案", "隐藏参考答案")}  # fmt: skip
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ANIMATION_FRAME = 'id="_anim_img'  # the <img> of matplotlib's to_jshtml() player
# <link ... href="https://..."> and <script ... src="https://..."></script> in raw HTML output
REMOTE_ASSET = re.compile(
    r"""<link\b[^>]*\bhref=["']?(?:https?:)?//[^>]*>"""
    r"""|<script\b[^>]*\bsrc=["']?(?:https?:)?//[^>]*>\s*</script>""",
    re.IGNORECASE,
)


class LocalOutputs(SphinxPostTransform):
    """Drop widget outputs and strip remote assets from raw HTML outputs (before myst-nb picks
    each output's MIME type, at priority 4)."""

    default_priority = 3

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.container)):
            if node.get("nb_element") == "mime_bundle" and any(
                child.get("mime_type") == WIDGET_VIEW for child in node.children
            ):
                node.parent.remove(node)
        for node in list(self.document.findall(nodes.raw)):
            if "html" not in node.get("format", "").split():
                continue
            text = node.astext()
            cleaned = REMOTE_ASSET.sub("", text)
            if cleaned != text:
                logger.info(
                    f"removed {len(REMOTE_ASSET.findall(text))} remote asset(s) from an output",
                    location=node,
                )
            alt = _cell_image_alt(node)
            if alt and ANIMATION_FRAME in cleaned:  # matplotlib's animation: one <img> per frame
                cleaned = cleaned.replace(ANIMATION_FRAME, f'alt="{escape(alt)}" {ANIMATION_FRAME}')
            if cleaned != text:
                node.replace_self(nodes.raw(cleaned, cleaned, format=node["format"]))


def _cell_image_alt(node: nodes.Node) -> str | None:
    """The ``mystnb: image: alt`` metadata of the notebook cell that holds ``node``."""
    while node is not None:
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            meta = node.get("cell_metadata", {}).get("mystnb", {})
            return meta.get("image", {}).get("alt")
        node = node.parent
    return None


def _drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    # Thebe (live code on a Binder kernel) is off, so nothing calls it; but Jupyter Book always
    # loads sphinx-thebe, whose inline config script is added twice, a JavaScript error
    # ("THEBE_JS_URL has already been declared") on every page. Neither script is needed.
    def is_thebe(js) -> bool:
        body = getattr(js, "attributes", {}).get("body") or ""
        return "thebe" in str(getattr(js, "filename", js) or "") or "THEBE_JS_URL" in body

    if context.get("script_files"):
        context["script_files"] = [js for js in context["script_files"] if not is_thebe(js)]


# The two editions: the English site in <html>/, the Chinese one in <html>/zh/ (built by
# scripts/zh_edition.py from the English execution). Every page links to itself in the other.
EDITIONS = {"en": ("中文版", "zh/", "zh-Hans"), "zh": ("English", "../", "en")}
NOT_TRANSLATED = ("genindex", "search", "py-modindex")  # pages Sphinx generates in each


def _language_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if pagename in NOT_TRANSLATED or "body" not in context:
        return
    label, prefix, lang = EDITIONS[app.config.ganlab_edition]
    href = "../" * pagename.count("/") + prefix + pagename + ".html"
    link = (f'<p class="ganlab-language"><a class="ganlab-language-link" href="{href}" '
            f'hreflang="{lang}" lang="{lang}">{label}</a></p>')  # fmt: skip
    context["body"] = link + context["body"]


def _mathjax_tarball(cache: Path) -> Path:
    found = sorted(cache.glob("mathjax-3.*.tgz"))
    if found:
        return found[-1]
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError(
            "the book serves MathJax itself and takes it from the npm package "
            f"{MATHJAX_PACKAGE}, but `npm` is not on PATH: install Node.js (with npm) once, "
            f"or put a `npm pack {MATHJAX_PACKAGE}` tarball in {cache}"
        )
    partial = cache / "partial"  # so that an interrupted download is never taken for a whole one
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    logger.info(f"fetching {MATHJAX_PACKAGE} with npm pack into {cache}")
    subprocess.run(
        [npm, "pack", MATHJAX_PACKAGE, "--pack-destination", str(partial), "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    found = sorted(partial.glob("mathjax-3.*.tgz"))
    if not found:
        raise ExtensionError(f"npm pack {MATHJAX_PACKAGE} left no mathjax-3.*.tgz in {partial}")
    tarball = found[-1].rename(cache / found[-1].name)
    partial.rmdir()
    return tarball


def _install_mathjax(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    repo = Path(app.srcdir).resolve().parent
    tarball = _mathjax_tarball(Path(os.environ.get("GANLAB_NPM_CACHE", repo / "build" / "npm")))
    target = Path(app.outdir) / MATHJAX_DIR
    stamp = target / "VERSION"
    if stamp.is_file() and stamp.read_text().strip() == tarball.name:
        return
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if name == "LICENSE":
                rel = name
            elif name.startswith("es5/") and name[4:].startswith(MATHJAX_PARTS):
                rel = name[4:]
            else:
                continue
            if not member.isfile() or ".." in Path(rel).parts:
                continue
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(tar.extractfile(member).read())
    stamp.write_text(tarball.name + "\n")
    logger.info(f"MathJax from {tarball.name} copied to {target}")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _per_size_cache)
    app.connect("source-read", _hide_solutions)
    app.connect("builder-inited", _install_mathjax)
    app.add_post_transform(LocalOutputs)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.add_config_value("ganlab_edition", "en", "html")
    app.connect("html-page-context", _language_link)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
