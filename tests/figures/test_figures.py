"""The figure runner: what it redraws, what it keeps, and how it reports failure."""

import shutil
from pathlib import Path

import pytest

from textbook.figures.drawing import FigureError, refresh_figures

from tests.conftest import ROOTS

SCRIPT = """
from _style import new_figure


def draw():
    fig, ax = new_figure()
    ax.plot([0, 1, 2], [{values}])
    return fig
"""


@pytest.fixture
def figures(tmp_path: Path) -> tuple[Path, Path]:
    """A figures_src folder with the shared style and two scripts, and an output folder."""
    src = tmp_path / "figures_src"
    shutil.copytree(ROOTS / "test-basic" / "figures_src", src)
    (src / "line.py").write_text(SCRIPT.format(values="0, 1, 4"))
    return src, tmp_path / "out"


def test_first_run_draws_every_figure_as_svg(figures):
    src, out = figures
    report = refresh_figures(src, out)
    assert sorted(report.drawn) == ["line", "square"]
    for name in ("line", "square"):
        assert (out / f"{name}.svg").read_bytes().startswith(b"<?xml")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["line.svg", "square.svg"]


def test_unchanged_scripts_are_not_redrawn(figures):
    src, out = figures
    refresh_figures(src, out)
    mtime = (out / "line.svg").stat().st_mtime_ns
    report = refresh_figures(src, out)
    assert report.drawn == []
    assert sorted(report.unchanged) == ["line", "square"]
    assert (out / "line.svg").stat().st_mtime_ns == mtime


def test_editing_one_script_redraws_only_that_figure(figures):
    src, out = figures
    refresh_figures(src, out)
    (src / "line.py").write_text(SCRIPT.format(values="0, 2, 8"))
    report = refresh_figures(src, out)
    assert report.drawn == ["line"]
    assert report.unchanged == ["square"]


def test_editing_the_shared_style_redraws_every_figure(figures):
    src, out = figures
    refresh_figures(src, out)
    (src / "_style.py").write_text((src / "_style.py").read_text() + "\n# a new colour\n")
    assert sorted(refresh_figures(src, out).drawn) == ["line", "square"]


def test_a_deleted_output_is_redrawn(figures):
    src, out = figures
    refresh_figures(src, out)
    (out / "square.svg").unlink()
    assert refresh_figures(src, out).drawn == ["square"]


def test_a_removed_script_removes_its_figure(figures):
    src, out = figures
    refresh_figures(src, out)
    (src / "line.py").unlink()
    report = refresh_figures(src, out)
    assert report.removed == ["line"]
    assert not (out / "line.svg").exists()


def test_output_is_byte_identical_across_runs(figures, tmp_path):
    src, out = figures
    refresh_figures(src, out)
    again = tmp_path / "again"
    refresh_figures(src, again)
    for name in ("line.svg", "square.svg"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_a_failing_script_is_named_with_its_traceback(figures):
    src, out = figures
    (src / "broken.py").write_text("def draw():\n    raise ValueError('the data is wrong')\n")
    with pytest.raises(FigureError) as caught:
        refresh_figures(src, out)
    message = str(caught.value)
    assert "broken.py failed" in message
    assert "ValueError: the data is wrong" in message
    # The good figures were still drawn and are not redrawn next time.
    assert (out / "line.svg").exists()
    (src / "broken.py").unlink()
    assert refresh_figures(src, out).drawn == []


def test_a_script_without_draw_gets_a_clear_message(figures):
    src, out = figures
    (src / "nodraw.py").write_text("x = 1\n")
    with pytest.raises(FigureError, match=r"nodraw\.py must define a function draw\(\)"):
        refresh_figures(src, out)


def test_a_failed_script_leaves_no_half_written_file(figures):
    src, out = figures
    (src / "late.py").write_text(
        "from _style import new_figure\n"
        "def draw():\n"
        "    fig, ax = new_figure()\n"
        "    ax.text(0, 0, r'$\\undefinedmacro$')\n"  # fails while saving
        "    return fig\n"
    )
    with pytest.raises(FigureError, match="late.py"):
        refresh_figures(src, out)
    assert sorted(p.name for p in out.iterdir() if "late" in p.name) == []


def test_a_project_without_a_figure_folder_has_no_figures(tmp_path):
    report = refresh_figures(tmp_path / "missing", tmp_path / "out")
    assert report.drawn == report.unchanged == report.removed == []
