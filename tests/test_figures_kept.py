"""ganlab._figures: with GANLAB_KEEP_FIGURES=1 in an IPython shell, a displayed figure carries
itself, pickled, beside its PNG, and comes back with the same text; otherwise nothing changes."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from ganlab import _figures  # noqa: E402


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    yield ip
    InteractiveShell.clear_instance()


def test_nothing_is_registered_without_the_variable(shell, monkeypatch):
    monkeypatch.delenv(_figures.ENV, raising=False)
    assert _figures.keep_figures() is False
    assert _figures.MIME not in shell.display_formatter.formatters


def test_a_displayed_figure_is_kept_and_comes_back_with_its_text(shell, monkeypatch):
    monkeypatch.setenv(_figures.ENV, "1")
    assert _figures.keep_figures() is True
    fig, ax = plt.subplots()
    ax.set_title("step 400")
    ax.plot([0, 1], [1, 0])
    data, _ = shell.display_formatter.format(fig)
    plt.close(fig)
    assert _figures.MIME in data  # (the PNG beside it comes from the kernel's inline backend)
    again = _figures.unpickle(data[_figures.MIME])
    assert again.axes[0].get_title() == "step 400"
    assert list(again.axes[0].lines[0].get_ydata()) == [1, 0]
    plt.close(again)
