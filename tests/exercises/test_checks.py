"""Public and hidden checks of code exercises, and the starter notebooks students download."""

import re
from pathlib import Path

import nbformat
import pytest
from docutils import nodes
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from textbook.exercises import render, starter_notebooks
from textbook.gates.leaks import LeakScanner
from textbook.pipeline import build

from tests.bank.test_bank import _load, _problems


PUBLIC = "assert isinstance(total(3), int)"
HIDDEN = "assert total(10) == 45"
STARTER = "raise NotImplementedError"
SOLUTION = "return n * (n - 1) // 2"


@pytest.fixture
def project(tiny_project: Path) -> Path:
    return tiny_project


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "exercises" / "00-run" / "6-code.md"
    text = path.read_text()
    assert old in text, f"{old!r} not in 6-code.md"
    path.write_text(text.replace(old, new, 1))


def _shown(exercise, mode: str) -> str:
    def parse(text, exercise, section):
        return [nodes.paragraph("", text)]

    return render.exercise_nodes(exercise, mode, parse).astext()


# The sections --------------------------------------------------------------


def test_public_checks_are_shown_in_every_edition_hidden_ones_in_the_key_only(project):
    exercise = _load(project).exercises["sum-code"]
    for mode in ("questions", "workbook"):
        shown = _shown(exercise, mode)
        assert "Public checks" in shown and PUBLIC in shown
        assert HIDDEN not in shown and "Hidden checks" not in shown
    key = _shown(exercise, "key")
    assert PUBLIC in key and HIDDEN in key and "Hidden checks" in key
    # In the workbook the public checks come under the starter, before the room to write.
    assert _shown(exercise, "workbook").index(STARTER) < _shown(exercise, "workbook").index(PUBLIC)


def test_checks_is_read_as_hidden_checks(project):
    _edit(project, "## Hidden checks", "## Checks")
    exercise = _load(project).exercises["sum-code"]
    assert HIDDEN in exercise.code("Hidden checks")


def test_checks_and_hidden_checks_together_are_refused(project):
    _edit(project, "## Hidden checks", "## Checks\n\n```python\nassert True\n```\n\n## Hidden checks")
    assert re.search(r"6-code\.md:\d+: '## Hidden checks' appears twice \('## Checks' is its old name\)",
                     _problems(project))


def test_public_checks_are_only_for_code_exercises(project):
    path = project / "exercises" / "00-run" / "1-short.md"
    path.write_text(path.read_text() + "\n## Public checks\n\n```python\nassert True\n```\n")
    assert re.search(r"1-short\.md:\d+: '## Public checks' is only for code exercises", _problems(project))


def test_a_public_check_that_copies_the_solution_is_refused(project):
    reference = f"def expected(n):\n    {SOLUTION}\n\n\nassert total(5) == expected(5)\n{PUBLIC}"
    _edit(project, PUBLIC, reference)
    text = (project / "exercises" / "00-run" / "6-code.md").read_text().splitlines()
    line = next(number for number, line in enumerate(text, start=1) if line.strip() == SOLUTION and "expected" in text[number - 2])
    problems = _problems(project)
    assert f"6-code.md:{line}: the public checks repeat the solution's line '{SOLUTION}'" in problems


# What the build runs ---------------------------------------------------------


def test_the_solution_must_pass_the_public_checks(project):
    _edit(project, PUBLIC, "assert isinstance(total(3), str)")
    problems = _problems(project, check_code=True)
    assert re.search(r"6-code\.md:\d+: the solution of 'sum-code' fails its checks \(the public checks\)", problems)
    assert "AssertionError" in problems


def test_the_solution_must_pass_the_hidden_checks(project):
    _edit(project, HIDDEN, "assert total(10) == 46")
    problems = _problems(project, check_code=True)
    assert "the solution of 'sum-code' fails its checks (the hidden checks)" in problems


def test_a_starter_that_passes_the_public_checks_is_refused(project):
    _edit(project, STARTER, "return 0")
    problems = _problems(project, check_code=True)
    assert re.search(r"6-code\.md:\d+: the starter code of 'sum-code' passes the public checks", problems)


def test_a_starter_that_fails_before_the_checks_is_refused(project):
    _edit(project, "def total(n):\n    raise NotImplementedError", "raise NotImplementedError")
    problems = _problems(project, check_code=True)
    assert "the starter code of 'sum-code' fails on its own, before the checks run" in problems


# The leak scan -----------------------------------------------------------------


@pytest.fixture
def scanner(project):
    return LeakScanner(_load(project), [(project / "book" / "00-run.md").read_text()])


def _leaked(scanner, path: Path, text: str) -> set[str]:
    path.write_text(text)
    return {leak.exercise for leak in scanner.scan([path])}


def test_hidden_checks_are_solution_markers_public_checks_are_not(scanner, tmp_path):
    assert _leaked(scanner, tmp_path / "page.txt", HIDDEN) == {"sum-code"}
    assert _leaked(scanner, tmp_path / "page.txt", PUBLIC) == set()


def test_a_hidden_check_also_shown_as_a_public_check_is_no_leak(project, tmp_path):
    """Students see the public checks: a line there is not secret, wherever else it is."""
    _edit(project, PUBLIC, f"{PUBLIC}\n{HIDDEN}")
    scanner = LeakScanner(_load(project), [(project / "book" / "00-run.md").read_text()])
    assert _leaked(scanner, tmp_path / "page.txt", HIDDEN) == set()


def test_a_public_check_with_an_escape_shown_by_the_highlighter_is_no_leak(project, tmp_path):
    """Pygments shows ``\\n`` as a token of its own: the page's words must be the source's."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    public = 'assert "from python three alpine\\nrun"'
    _edit(project, PUBLIC, f"{PUBLIC}\n{public}")
    hidden = 'assert "from python three alpine\\n\\n# user app"'
    _edit(project, HIDDEN, f"{HIDDEN}\n{hidden}")
    scanner = LeakScanner(_load(project), [(project / "book" / "00-run.md").read_text()])
    page = highlight(public, PythonLexer(), HtmlFormatter())
    assert '<span class="se">\\n</span>' in page
    assert _leaked(scanner, tmp_path / "page.html", page) == set()
    assert _leaked(scanner, tmp_path / "page.html", highlight(hidden, PythonLexer(), HtmlFormatter())) == {"sum-code"}


def test_a_hidden_check_planted_in_a_starter_notebook_is_found(scanner, project, tmp_path):
    bank = _load(project)
    notebook = starter_notebooks.starter_notebook(bank.modules["00-run"], bank.for_module("00-run"))
    path = tmp_path / "00-run-exercises.ipynb"
    assert _leaked(scanner, path, nbformat.writes(notebook)) == set()
    notebook.cells[-1].source += "\n" + HIDDEN
    assert _leaked(scanner, path, nbformat.writes(notebook)) == {"sum-code"}


# The starter notebook ------------------------------------------------------------


def _notebook(project):
    bank = _load(project)
    return starter_notebooks.starter_notebook(bank.modules["00-run"], bank.for_module("00-run"))


def test_a_notebook_holds_each_code_exercise_question_starter_and_public_checks(project):
    notebook = _notebook(project)
    nbformat.validate(notebook)
    kinds = [(cell.cell_type, cell.metadata.get("tags", [])) for cell in notebook.cells]
    assert kinds == [("markdown", []), ("markdown", []), ("code", ["starter"]), ("code", ["public-checks"])]
    about, question, starter, checks = (cell.source for cell in notebook.cells)
    assert "Module 0" in about and "What it needs" in about
    assert question.startswith("## Exercise 0.6: Add up to ten") and "the sum of the whole numbers" in question
    assert starter == "def total(n):\n    raise NotImplementedError"
    assert checks == PUBLIC
    # The answer's cell names its exercise, for grading; the checks' cell does not.
    assert notebook.cells[2].metadata["textbook"] == {"exercise": "sum-code", "part": "answer"}
    assert "textbook" not in notebook.cells[3].metadata
    text = nbformat.writes(notebook)
    assert SOLUTION not in text and HIDDEN not in text and "Gauss" not in text


def test_a_notebook_names_the_packages_and_the_shared_code_its_code_imports(project):
    _edit(project, "def total(n):\n    raise", "import numpy as np\nfrom _course.data import SEED\n\n\ndef total(n):\n    raise")
    about = _notebook(project).cells[0].source
    assert "`numpy`" in about
    assert "`book/_course/`" in about and "exercise 0.6 imports it" in about


def _run(notebook, folder: Path) -> None:
    NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()


def test_the_notebook_fails_at_the_checks_with_the_starter_and_passes_with_the_solution(project, tmp_path):
    notebook = _notebook(project)
    with pytest.raises(CellExecutionError) as caught:
        _run(notebook, tmp_path)
    assert "AssertionError" not in str(caught.value) and "NotImplementedError" in str(caught.value)
    ran = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.get("execution_count")]
    assert [cell.metadata["tags"] for cell in ran] == [["starter"], ["public-checks"]]
    assert ran[-1].outputs[-1].output_type == "error"

    notebook = _notebook(project)
    starter = next(cell for cell in notebook.cells if "starter" in cell.metadata.get("tags", []))
    starter.source = _load(project).exercises["sum-code"].code("Solution")
    _run(notebook, tmp_path)
    assert all(output.output_type != "error" for cell in notebook.cells for output in cell.get("outputs", []))


# In the HTML book ----------------------------------------------------------------


def test_the_chapter_offers_its_starter_notebook(project):
    layout = build.Layout(project)
    build.build(layout, ["html"])
    download = layout.html / starter_notebooks.FOLDER / "00-run-exercises.ipynb"
    nbformat.validate(nbformat.read(download, as_version=4))
    page = (layout.html / "00-run.html").read_text()
    link = re.search(r'Starter notebook for these exercises: <a [^>]*href="([^"]+)"', page)
    assert link and (layout.html / link.group(1)) == download
    assert page.index("Starter notebook") < page.index("Exercise 0.1")


def test_the_leak_scan_reads_the_starter_notebook(project, monkeypatch):
    planted = starter_notebooks.notebook_bytes

    def with_a_hidden_check(module, exercises, project):
        return planted(module, exercises, project).replace(PUBLIC.encode(), f"{PUBLIC}\\n{HIDDEN}".encode())

    monkeypatch.setattr(starter_notebooks, "notebook_bytes", with_a_hidden_check)
    layout = build.Layout(project)
    with pytest.raises(build.BuildError) as caught:
        build.build(layout, ["html"])
    message = str(caught.value)
    assert "00-run-exercises.ipynb: contains the solution of exercise 'sum-code'" in message
    assert not layout.html.exists()


def test_the_starter_notebook_is_written_again_only_when_its_exercises_change(project, monkeypatch):
    layout = build.Layout(project)
    build.build(layout, ["html"])
    written = []
    real = starter_notebooks.notebook_bytes
    monkeypatch.setattr(starter_notebooks, "notebook_bytes", lambda *a: written.append(a[0].docname) or real(*a))
    chapter = layout.source / "00-run.md"
    chapter.write_text(chapter.read_text() + "\nA sentence of prose.\n")
    build.build(layout, ["html"])
    assert written == [], "a prose edit leaves the notebook alone"
    exercise = next(layout.exercises.glob("*/6-code.md"))
    exercise.write_text(exercise.read_text().replace("## Question\n", "## Question\n\nRead carefully.\n", 1))
    build.build(layout, ["html"])
    assert written == ["00-run"]
    assert "Read carefully." in (layout.html / starter_notebooks.FOLDER / "00-run-exercises.ipynb").read_text()
