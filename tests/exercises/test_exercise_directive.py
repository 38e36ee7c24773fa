"""Exercises in the book: questions only, linked numbers, and re-reads when the bank changes."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from sphinx.errors import ExtensionError


CONF = """
extensions = ["myst_nb", "textbook"]
nitpicky = True
numfig = True
nb_execution_mode = "off"
exclude_patterns = ["_build"]
textbook_exercises = "../exercises"
textbook_figures = "../figures_src"
textbook_build = "../_build"
latex_documents = [("index", "tiny.pdf", "Tiny", "Tests", "manual", True)]
"""


@pytest.fixture
def tiny(tiny_project: Path, make_app):
    """Build the tiny project's book/ with sphinx.testing; returns build(builder) -> app."""
    root = tiny_project
    (root / "book" / "conf.py").write_text(CONF)

    def build(builder: str = "html"):
        app = make_app(builder, srcdir=root / "book")
        app.build()
        return app

    build.root = root
    return build


def _chapter(app) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / "00-run.html").read_text(), "html.parser")


def test_the_chapter_shows_questions_numbered_from_the_bank(tiny):
    app = tiny()
    assert app.warning.getvalue() == ""
    page = _chapter(app)
    titles = [r.get_text() for r in page.select(".exercise-title")]
    assert titles[0] == "Exercise 0.1: Say what a cell is"
    assert titles[-1] == "Exercise 0.6: Add up to ten"
    assert "Multiple choice · difficulty 1 of 3 · about 1 min · 1 points · objective 2" in page.get_text()
    assert "def total(n):" in page.get_text() and "raise NotImplementedError" in page.get_text()


def test_no_solution_text_reaches_the_page(tiny):
    text = _chapter(tiny()).get_text()
    for secret in ("n * (n - 1) // 2", "Gauss pairs", "silent w", "Correct:", "Grading notes", "Solution"):
        assert secret not in text


def test_the_ex_role_links_to_the_exercise(tiny):
    page = _chapter(tiny())
    link = next(a for a in page.select("a") if a.get_text() == "Exercise 0.6")
    assert link["href"] == "#ex-sum-code"
    assert page.select_one("#ex-sum-code") is not None


def test_print_links_exercises_too(tiny):
    app = tiny("typst")
    assert app.warning.getvalue() == ""
    typ = (app.outdir / "tiny.typ").read_text()
    assert "#anchor <00-run:ex-sum-code>" in typ
    assert "#link(<00-run:ex-sum-code>)" in typ
    assert "Gauss" not in typ


def test_an_unknown_exercise_id_is_an_error_at_its_line(tiny):
    chapter = tiny.root / "book" / "00-run.md"
    text = chapter.read_text().replace("{ex}`sum-code`", "{ex}`sum-cod`")
    chapter.write_text(text)
    line = text.splitlines().index(next(l for l in text.splitlines() if "sum-cod`" in l)) + 1
    assert f"00-run.md:{line}: ERROR: unknown exercise id 'sum-cod'" in tiny().warning.getvalue()


def test_the_answer_key_mode_is_refused_in_the_book(tiny):
    chapter = tiny.root / "book" / "00-run.md"
    chapter.write_text(chapter.read_text().replace("```{exercises}\n", "```{exercises}\n:mode: key\n"))
    app = tiny()
    assert "':mode: key' is only for the workbook and answer key" in app.warning.getvalue()
    assert "Gauss" not in _chapter(app).get_text()


def test_a_module_whose_chapter_omits_its_exercises_is_flagged(tiny):
    chapter = tiny.root / "book" / "00-run.md"
    chapter.write_text(chapter.read_text().replace("```{exercises}\n```\n", "").replace("{ex}`sum-code`", "it"))
    warnings = tiny().warning.getvalue()
    assert "module 0 has 6 exercises in the bank but its chapter does not show them" in warnings


def test_a_bad_bank_stops_the_build_before_reading(tiny):
    exercise = tiny.root / "exercises" / "00-run" / "1-short.md"
    exercise.write_text(exercise.read_text().replace("kind: short-answer", "kind: riddle"))
    with pytest.raises(ExtensionError, match=r"exercises/00-run/1-short\.md:4: header 'kind'"):
        tiny()


def test_editing_or_renumbering_an_exercise_re_reads_the_chapter(tiny):
    tiny()
    unchanged = tiny()
    assert "0 added, 0 changed, 0 removed" in unchanged.status.getvalue()

    exercise = tiny.root / "exercises" / "00-run" / "1-short.md"
    exercise.write_text(exercise.read_text().replace("What does a code cell", "What exactly does a code cell"))
    edited = tiny()
    assert "0 added, 1 changed, 0 removed" in edited.status.getvalue()
    assert "What exactly does a code cell" in _chapter(edited).get_text()

    exercise.rename(exercise.with_name("9-short.md"))
    renumbered = tiny()
    assert "0 added, 1 changed, 0 removed" in renumbered.status.getvalue()
    assert "Exercise 0.6: Say what a cell is" in _chapter(renumbered).get_text()


def test_a_wrong_code_solution_stops_the_build_before_writing(tiny):
    exercise = tiny.root / "exercises" / "00-run" / "6-code.md"
    exercise.write_text(exercise.read_text().replace("return n * (n - 1) // 2", "return n * n // 2"))
    with pytest.raises(ExtensionError, match=r"6-code\.md:\d+: the solution of 'sum-code' fails its checks"):
        tiny()
    assert not (tiny.root / "book" / "_build" / "html" / "00-run.html").exists()


def test_a_number_in_an_exercise_is_not_the_chapters_prose(tiny):
    """The typed-number check reads the chapter's own prose; the bank's questions are not glued."""
    (tiny.root / "book" / "conf.py").write_text(CONF.replace('nb_execution_mode = "off"', 'nb_execution_mode = "cache"'))
    chapter = tiny.root / "book" / "00-run.md"
    text = chapter.read_text().replace("sum(range(10))", "sum(range(30))")  # prints total = 435
    chapter.write_text(text.replace("Try {ex}`sum-code`", "It printed 435. Try {ex}`sum-code`"))
    question = tiny.root / "exercises" / "00-run" / "1-short.md"
    question.write_text(question.read_text().replace("What does a code cell", "A cell printed 435. What does a code cell"))
    warnings = tiny().warning.getvalue()
    assert "00-run.md" in warnings and "435 is typed by hand" in warnings  # the chapter's sentence
    assert "1-short.md" not in warnings  # the exercise's


def test_an_exercise_reference_s_number_is_not_typed_prose(tiny):
    """"Exercise 10.2" is the bank's number, written by the role: no sentence typed it."""
    from sphinx import addnodes

    from textbook.sphinx_ext.prose_numbers import _is_prose

    app = tiny()
    doctree = app.env.get_doctree("00-run")
    [reference] = [node for node in doctree.findall(addnodes.pending_xref) if node.astext().startswith("Exercise ")]
    chapter = Path(app.env.doc2path("00-run"))
    assert not _is_prose(next(iter(reference.findall(nodes.Text))), chapter)
    reference.parent.replace(reference, reference.children)  # the same words, typed by the author
    assert _is_prose(next(iter(reference.findall(nodes.Text))), chapter)
