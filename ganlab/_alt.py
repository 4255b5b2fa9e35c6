"""Alt text for the lessons' figures in JupyterLab, read by screen readers there as on the site.

Each lesson cell that draws a figure holds its description in the cell's metadata,
``mystnb.image.alt``; the site (MyST-NB) puts it on the image. JupyterLab shows an image output
without alt text, and a kernel is not sent the metadata of the cell it runs. It is sent the
cell's id (``cellId`` in the request's metadata), and a kernel that a Jupyter server started
knows its notebook's path (``JPY_SESSION_NAME``). So, in such a kernel, :func:`describe_figures`
adds to every PNG the cell displays an HTML rendering of the same image with the cell's alt
text (``<img alt="...">``, which JupyterLab prefers to the bare PNG) and the ``alt`` field of the
PNG's metadata (which nbconvert's HTML export reads). Headless runs (nbval, the site's build) are
left alone: no server started their kernel.
"""

from __future__ import annotations

import html
import json
import os
import pathlib

_notebooks: dict[pathlib.Path, tuple[float, dict[str, str]]] = {}


def _notebook_path() -> pathlib.Path | None:
    name = os.environ.get("JPY_SESSION_NAME", "")
    if not name:
        return None
    path = pathlib.Path(name)
    for candidate in (path, pathlib.Path.cwd() / path.name):
        if candidate.suffix == ".ipynb" and candidate.is_file():
            return candidate
    return None


def alt_texts(path: pathlib.Path) -> dict[str, str]:
    """``{cell id: alt text}`` of the notebook at ``path`` (re-read when the file changes)."""
    mtime = path.stat().st_mtime
    cached = _notebooks.get(path)
    if cached is None or cached[0] != mtime:
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            cells = []
        texts = {}
        for cell in cells:
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")
            if isinstance(alt, str) and "id" in cell:
                texts[cell["id"]] = alt
        cached = _notebooks[path] = (mtime, texts)
    return cached[1]


def with_alt(msg: dict, alt: str | None) -> dict:
    """The display message ``msg`` with its PNG also given as ``<img alt=...>`` HTML and with
    ``alt`` in the PNG's metadata; unchanged without ``alt``, a PNG, or when it has HTML."""
    content = msg.get("content", {})
    data = content.get("data", {})
    png = data.get("image/png")
    if not alt or not isinstance(png, str) or "text/html" in data:
        return msg
    metadata = content.setdefault("metadata", {})
    png_meta = metadata.setdefault("image/png", {})
    png_meta["alt"] = alt
    sizes = [(k, png_meta.get(k)) for k in ("width", "height")]
    size = "".join(f' {k}="{v}"' for k, v in sizes if isinstance(v, int))
    data["text/html"] = (
        f'<img src="data:image/png;base64,{png.strip()}" alt="{html.escape(alt)}"{size}>'
    )
    return msg


def describe_figures() -> bool:
    """In a kernel a Jupyter server started, register the display hook; returns whether it
    did."""
    path = _notebook_path()
    if path is None:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    register = getattr(getattr(ip, "display_pub", None), "register_hook", None)
    if register is None or getattr(ip, "_ganlab_alt_hook", False):
        return False

    def hook(msg: dict) -> dict:
        try:
            cell = (ip.get_parent() or {}).get("metadata", {}).get("cellId")
            return with_alt(msg, alt_texts(path).get(cell)) if cell else msg
        except Exception:  # a description is never worth losing the figure
            return msg

    register(hook)
    ip._ganlab_alt_hook = True
    return True
