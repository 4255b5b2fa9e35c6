"""Alt text in JupyterLab (ganlab._alt): a figure a lesson cell displays carries the cell's alt
text, as on the site, when a Jupyter server started the kernel."""

import json
import os
import queue
import sys

import pytest

from ganlab import _alt

ALT = 'Two curves, "real" & generated, meeting at <0.5>.'


def test_with_alt_adds_an_img_with_the_alt_text_and_keeps_the_png():
    msg = {"content": {"data": {"image/png": "iVBOR==\n", "text/plain": "<Figure>"},
                       "metadata": {"image/png": {"width": 320, "height": 240}}}}  # fmt: skip
    out = _alt.with_alt(msg, ALT)["content"]
    assert out["data"]["image/png"] == "iVBOR==\n"
    assert out["data"]["text/html"] == (
        '<img src="data:image/png;base64,iVBOR==" alt="Two curves, &quot;real&quot; &amp; '
        'generated, meeting at &lt;0.5&gt;." width="320" height="240">'
    )
    assert out["metadata"]["image/png"]["alt"] == ALT
    bare = {"content": {"data": {"image/png": "iVBOR=="}}}
    assert "text/html" not in _alt.with_alt(bare, None)["content"]["data"]  # no alt: as it was
    html_too = {"content": {"data": {"image/png": "x", "text/html": "<table></table>"}}}
    assert _alt.with_alt(html_too, ALT)["content"]["data"]["text/html"] == "<table></table>"


def test_alt_texts_are_read_by_cell_id_and_reread_when_the_notebook_changes(tmp_path):
    path = tmp_path / "lesson.ipynb"

    def write(alt):
        described = {"mystnb": {"image": {"alt": alt}}}
        cells = [
            {"id": "c1", "cell_type": "code", "metadata": described, "source": "", "outputs": []},
            {"id": "c2", "cell_type": "code", "metadata": {}, "source": "", "outputs": []},
        ]
        path.write_text(json.dumps({"cells": cells}))

    write("first")
    assert _alt.alt_texts(path) == {"c1": "first"}
    write("second")
    os.utime(path, (1, 2))  # a different modification time
    assert _alt.alt_texts(path) == {"c1": "second"}


@pytest.mark.slow
@pytest.mark.parametrize("server", [True, False])
def test_a_kernel_started_by_a_server_describes_the_cells_figure(tmp_path, server):
    """A real kernel, asked to run cell "fig1" as JupyterLab asks (the cell's id in the
    request's metadata): its figure comes with the cell's alt text. Without JPY_SESSION_NAME
    (nbval, the site's build) the output is the bare PNG."""
    manager = pytest.importorskip("jupyter_client.manager")
    alt = "A straight line rising from left to right."
    notebook = tmp_path / "lesson.ipynb"
    cell = {"id": "fig1", "cell_type": "code", "source": "", "outputs": [],
            "metadata": {"mystnb": {"image": {"alt": alt}}}}  # fmt: skip
    notebook.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JPY_SESSION_NAME")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    if server:
        env["JPY_SESSION_NAME"] = str(notebook)
    km, kc = manager.start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        code = "import ganlab\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()"
        content = {"code": code, "silent": False, "store_history": False,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}  # fmt: skip
        msg = kc.session.msg("execute_request", content, metadata={"cellId": "fig1"})
        kc.shell_channel.send(msg)
        displays, errors = [], []
        while True:
            try:
                reply = kc.get_iopub_msg(timeout=120)
            except queue.Empty:
                pytest.fail("the kernel did not finish the cell in 120 s")
            if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            kind = reply["msg_type"]
            if kind == "display_data":
                displays.append(reply["content"])
            elif kind == "error":
                errors.append(reply["content"]["evalue"])
            elif kind == "status" and reply["content"]["execution_state"] == "idle":
                break
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not errors, errors
    assert len(displays) == 1 and "image/png" in displays[0]["data"]
    html = displays[0]["data"].get("text/html", "")
    if server:
        assert f'alt="{alt}"' in html and displays[0]["data"]["image/png"].strip() in html
        assert displays[0]["metadata"]["image/png"]["alt"] == alt
    else:
        assert html == "" and "alt" not in displays[0].get("metadata", {}).get("image/png", {})
