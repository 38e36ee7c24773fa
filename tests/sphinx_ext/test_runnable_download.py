"""The runnable download: a chapter's zip (notebook in plain Markdown, figures attached, the shared
code beside it) that executes as it is in an empty folder. ``execute_download`` and
``assert_plain_markdown`` are the checks the integration test runs on the real book's modules."""

import os
import re
from pathlib import Path
from unittest import mock
from zipfile import ZipFile

import nbformat
from nbclient import NotebookClient

from textbook.pipeline import build

#: What the build puts in the environment for its kernels; a student's Jupyter has none of it.
BUILD_ENVIRONMENT = ("PYTHONPATH", "MATPLOTLIBRC", "JUPYTER_PATH")
#: MyST that plain Jupyter would show as written: a directive fence, a role.
RAW_MYST = re.compile(r"```\{[\w:-]+\}|\{[\w:-]+\}`")


def execute_download(archive: Path, folder: Path) -> nbformat.NotebookNode:
    """Unzip ``archive`` into the empty ``folder`` and run its notebook there, as plain Jupyter
    would: the notebook's folder as the working folder, nothing of the build's on the path."""
    folder.mkdir(parents=True)
    assert not any(folder.iterdir())
    with ZipFile(archive) as zipped:
        zipped.extractall(folder)
    [notebook_file] = folder.glob("*/*.ipynb")
    notebook = nbformat.read(notebook_file, as_version=4)
    nbformat.validate(notebook)
    with mock.patch.dict(os.environ):
        for name in BUILD_ENVIRONMENT:
            os.environ.pop(name, None)
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook_file.parent)}}).execute()  # fmt: skip
    return notebook


def markdown_of(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def printed(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)


def assert_plain_markdown(notebook: nbformat.NotebookNode) -> None:
    """No directive or role left as written, and every figure the page draws from a script attached."""
    markdown = markdown_of(notebook)
    assert not RAW_MYST.search(markdown), RAW_MYST.search(markdown).group()
    for name in re.findall(r"\]\(attachment:([^)]+)\)", markdown):
        assert any(name in cell.get("attachments", {}) for cell in notebook.cells), name


SHARED = "course_lib"  # not the default name: nothing may assume it


def test_the_download_runs_in_an_empty_folder(tiny_project, tmp_path):
    (tiny_project / "conf.py").open("a").write(f'textbook_course_code = "{SHARED}"\n')
    package = tiny_project / "book" / SHARED
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shared.py").write_text("def double(x):\n    return 2 * x\n")
    chapter = tiny_project / "book" / "00-run.md"
    text = chapter.read_text().replace("Try {ex}`sum-code`", (
        "As {numref}`fig-dot` shows, one dot.\n\n```{note}\nA note with *stress*.\n```\n\n"
        f"```{{code-cell}} ipython3\nfrom {SHARED}.shared import double\n"
        'print(f"double = {double(21)}")\n```\n\nTry {ex}`sum-code`'
    ))
    chapter.write_text(text)
    layout = build.Layout(tiny_project)
    build.build(layout, ["html"])

    archive = layout.html / "_sources" / "00-run.zip"
    page = (layout.html / "00-run.html").read_text()
    assert 'href="_sources/00-run.zip"' in page and 'href="_sources/00-run.ipynb"' in page
    with ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == [
            "00-run/00-run.ipynb", f"00-run/{SHARED}/__init__.py", f"00-run/{SHARED}/shared.py"]

    notebook = execute_download(archive, tmp_path / "empty")
    assert "total = 45" in printed(notebook) and "double = 42" in printed(notebook)
    assert_plain_markdown(notebook)
    markdown = markdown_of(notebook)
    figure = re.search(r"Fig\. 0\.1", page)
    assert figure and "As Fig. 0.1 shows" in markdown, "the cross-reference as the page shows it"
    assert "> **Note**" in markdown and "> A note with *stress*." in markdown
    assert "at a glance" in markdown and "Exercise 0.6" in markdown
    assert "the sum of the whole numbers below" in markdown, "the exercises' questions"
    assert "n * (n - 1)" not in markdown and "Gauss" not in markdown, "never a solution"
    assert any("image/svg+xml" in cell.get("attachments", {}).get("dot.svg", {}) for cell in notebook.cells)
    assert f"`{SHARED}/`" in notebook.cells[0].source, "the first cell says what the folder beside it is"

