"""The leak scanner: no false alarm on the chapter's own words, no miss on a copied solution."""

import json
from pathlib import Path

import pytest

from textbook.bank.bank import load_bank
from textbook.gates import leaks as leaks_module
from textbook.gates.leaks import LeakScanner
from textbook.pipeline import build

from tests.conftest import TINY
LIST_SOLUTION = "The sections that teach, with executed code cells"
ESSAY_SOLUTION = "so an author who fixes a typo waits seconds instead of minutes"
CODE_SOLUTION = "return n * (n - 1) // 2"


@pytest.fixture(scope="module")
def bank():
    return load_bank(TINY / "exercises", TINY / "book")


@pytest.fixture(scope="module")
def chapter() -> str:
    return (TINY / "book" / "00-run.md").read_text()


@pytest.fixture(scope="module")
def scanner(bank, chapter):
    return LeakScanner(bank, [chapter])


def _leaked(scanner, path: Path) -> set[str]:
    return {leak.exercise for leak in scanner.scan([path])}


def test_every_exercise_has_something_to_scan_for(scanner):
    assert all(count > 0 for count in scanner.marker_counts().values()), scanner.marker_counts()


def test_the_chapter_and_the_questions_are_not_leaks(scanner, bank, chapter, tmp_path):
    page = tmp_path / "page.html"
    questions = "\n".join(s.text for e in bank.exercises.values() for n, s in e.sections.items() if n == "Question")
    page.write_text(f"<html><body><p>{chapter}</p><div>{questions}</div></body></html>")
    assert _leaked(scanner, page) == set()


def test_solution_phrases_the_chapter_also_uses_are_not_leaks(bank, chapter, tmp_path):
    """A solution may repeat the chapter (like the DevOps vs MLOps table): that is no leak."""
    teaching = chapter + "\nThe overview box with its difficulty and time is explained here.\n"
    scanner = LeakScanner(bank, [teaching])
    page = tmp_path / "page.html"
    page.write_text(f"<p>{teaching}</p>")
    assert _leaked(scanner, page) == set()
    page.write_text(f"<p>{teaching}</p><p>{LIST_SOLUTION}</p>")
    assert _leaked(scanner, page) == {"listing"}


def test_a_copied_solution_is_found_in_an_html_page_across_markup(scanner, tmp_path):
    page = tmp_path / "00-run.html"
    page.write_text("<p>The sections <em>that</em> teach,\n with <code>executed</code> code cells</p>")
    leaks = scanner.scan([page])
    assert [(leak.path, leak.exercise) for leak in leaks] == [(page, "listing")]
    assert "00-run.html: contains the solution of exercise 'listing'" in str(leaks[0])


def test_a_copied_code_solution_is_found_in_a_page_source(scanner, tmp_path):
    source = tmp_path / "_sources" / "00-run.md.txt"
    source.parent.mkdir()
    source.write_text(f"```python\ndef total(n):\n    {CODE_SOLUTION}\n```\n")
    assert _leaked(scanner, source) == {"sum-code"}


def test_a_filled_table_cell_is_found(scanner, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<table><tr><td>2</td><td>two, spelt with a silent w</td></tr></table>")
    assert _leaked(scanner, page) == {"table"}


def test_grading_notes_count_as_secret(scanner, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("One point for each part, in any order at all.")
    assert _leaked(scanner, page) == {"listing"}


def test_a_solution_in_a_downloadable_notebook_is_found(scanner, tmp_path):
    notebook = tmp_path / "00-run.ipynb"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["Caching keyed by the cell sources means ", "an unchanged chapter never runs twice"]},
        {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None},
    ]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert _leaked(scanner, notebook) == {"essay"}


def test_a_solution_in_a_runnable_download_is_found_in_each_file(scanner, tmp_path):
    """A chapter's zip (its notebook and the shared code beside it) is read file by file."""
    from zipfile import ZipFile

    archive = tmp_path / "_sources" / "00-run.zip"
    archive.parent.mkdir()
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ESSAY_SOLUTION}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    with ZipFile(archive, "w") as zipped:
        zipped.writestr("00-run/00-run.ipynb", json.dumps(notebook))
        zipped.writestr("00-run/_course/shared.py", f"def total(n):\n    {CODE_SOLUTION}\n")
    leaks = scanner.scan([archive])
    assert sorted((leak.path.relative_to(archive).as_posix(), leak.exercise) for leak in leaks) == [
        ("00-run/00-run.ipynb", "essay"), ("00-run/_course/shared.py", "sum-code")]


def test_a_solution_only_in_the_search_index_is_found(scanner, tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<p>Welcome to the tiny book about running cells.</p>")
    index = tmp_path / "searchindex.js"
    terms = {"welcom": 0, "tini": 0, "gauss": 0}  # "Gauss" appears only in a solution
    index.write_text("Search.setIndex(" + json.dumps({"terms": terms, "titleterms": {}}) + ")")
    leaks = scanner.scan([page, index])
    assert [(leak.path.name, leak.exercise) for leak in leaks] == [("searchindex.js", "sum-code")]
    index.write_text("Search.setIndex(" + json.dumps({"terms": {"welcom": 0, "tini": 0}, "titleterms": {}}) + ")")
    assert scanner.scan([page, index]) == []


def test_the_search_index_is_stemmed_as_the_books_language_stems_it(bank, chapter, tmp_path):
    """A German book's index stems a page's "waiter" to "wait", which the essay's solution says
    ("waits"): the page's own word, not a leak, once the scan stems as German does."""
    page = tmp_path / "index.html"
    page.write_text("<p>Der waiter bringt die Suppe.</p>")
    index = tmp_path / "searchindex.js"
    index.write_text("Search.setIndex(" + json.dumps({"terms": {"waiter": 0, "wait": 0}, "titleterms": {}}) + ")")
    assert [leak.exercise for leak in LeakScanner(bank, [chapter]).scan([page, index])] == ["essay"]
    assert LeakScanner(bank, [chapter], language="de").scan([page, index]) == []
    assert LeakScanner(bank, [chapter], language="de_AT").scan([page, index]) == []


def test_a_solution_in_a_pdf_is_found(scanner, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6, 2))
    fig.text(0.05, 0.5, "Even numbers divide by two with\nnothing left over, which rules out three.")
    pdf = tmp_path / "handout.pdf"
    fig.savefig(pdf)
    plt.close(fig)
    assert _leaked(scanner, pdf) == {"choice"}


def test_a_solution_in_an_epub_page_is_found_and_named_inside_the_book(scanner, tmp_path):
    from zipfile import ZipFile

    book = tmp_path / "book.epub"
    with ZipFile(book, "w") as epub:
        epub.writestr("mimetype", "application/epub+zip")
        epub.writestr("index.xhtml", "<?xml version='1.0'?><html><body><p>Welcome.</p></body></html>")
        epub.writestr("_images/dot.png", bytes(range(256)))  # no text: skipped, not an error
    assert scanner.scan([book]) == []
    with ZipFile(book, "a") as epub:
        epub.writestr("00-run.xhtml", f"<html><body><p>A hint: <em>{ESSAY_SOLUTION}</em>.</p></body></html>")
    leaks = scanner.scan([book])
    assert [(leak.path, leak.exercise) for leak in leaks] == [(book / "00-run.xhtml", "essay")]
    assert "book.epub/00-run.xhtml: contains the solution of exercise 'essay'" in str(leaks[0])


def test_an_epub_page_found_clean_is_not_read_again_and_a_changed_one_is(scanner, tmp_path, monkeypatch):
    from zipfile import ZipFile

    from textbook.gates import leaks

    book, cache = tmp_path / "book.epub", tmp_path / "leak-scan.json"
    pages = {"index.xhtml": "<html><body><p>Welcome.</p></body></html>",
             "00-run.xhtml": "<html><body><p>A first page.</p></body></html>"}
    with ZipFile(book, "w") as epub:
        for name, page in pages.items():
            epub.writestr(name, page)
    assert scanner.scan([book], cache_file=cache) == []
    read, reading = [], leaks.member_text
    monkeypatch.setattr(leaks, "member_text", lambda name, raw: read.append(name) or reading(name, raw))
    with ZipFile(book, "w") as epub:  # the same book, its second page now holding a solution
        epub.writestr("index.xhtml", pages["index.xhtml"])
        epub.writestr("00-run.xhtml", f"<html><body><p>A hint: <em>{ESSAY_SOLUTION}</em>.</p></body></html>")
    found = scanner.scan([book], cache_file=cache)
    assert read == ["00-run.xhtml"], "the unchanged page is not read again"
    assert [(leak.path, leak.exercise) for leak in found] == [(book / "00-run.xhtml", "essay")]


def test_a_solution_pasted_into_a_chapter_is_still_a_leak(bank, chapter, tmp_path):
    """Rule 4's exception: 10 or more words copied from a solution are not the chapter's own."""
    pasted = chapter + f"\n{ESSAY_SOLUTION}\n"
    scanner = LeakScanner(bank, [pasted])
    page = tmp_path / "page.html"
    page.write_text(f"<p>{pasted}</p>")
    assert _leaked(scanner, page) == {"essay"}


def test_the_build_refuses_to_publish_an_edition_with_a_leak(tiny_project):
    root = tiny_project
    chapter = root / "book" / "00-run.md"
    chapter.write_text(chapter.read_text() + f"\nA hint: {ESSAY_SOLUTION}.\n")
    layout = build.Layout(root)
    with pytest.raises(build.BuildError) as caught:
        build.build(layout, ["html"])
    message = str(caught.value)
    assert "the html edition contains solution text and was not published" in message
    assert "00-run.html: contains the solution of exercise 'essay'" in message
    assert not layout.html.exists()


def test_runs_of_numbers_are_not_markers(scanner, tmp_path):
    svg = tmp_path / "icons.js"
    svg.write_text('path d="M 0 10 45 1 0 45 10 0 1 2 3 2"')
    assert scanner.scan([svg]) == []
    assert all(sum(not w.isdigit() for w in marker) >= 2 for marker in scanner.markers)


def test_dead_search_index_terms_are_ignored(scanner, tmp_path):
    page = tmp_path / "index.html"
    page.write_text("<p>Welcome.</p>")
    index = tmp_path / "searchindex.js"
    index.write_text("Search.setIndex(" + json.dumps({"terms": {"welcom": 0, "gauss": []}, "titleterms": {}}) + ")")
    assert scanner.scan([page, index]) == []


def test_the_scan_cache_rereads_only_changed_files(scanner, tmp_path, monkeypatch):
    cache = tmp_path / "cache.json"
    pages = [tmp_path / f"page{i}.html" for i in range(3)]
    for page in pages:
        page.write_text("<p>Nothing secret here.</p>")
    assert scanner.scan(pages, cache_file=cache) == []
    read = []
    original = LeakScanner.scan_text
    monkeypatch.setattr(LeakScanner, "scan_text", lambda self, path, text: read.append(path.name) or original(self, path, text))
    assert scanner.scan(pages, cache_file=cache) == []
    assert read == []
    pages[1].write_text(f"<p>{ESSAY_SOLUTION}</p>")
    leaks = scanner.scan(pages, cache_file=cache)
    assert read == ["page1.html"]
    assert [(leak.path.name, leak.exercise) for leak in leaks] == [("page1.html", "essay")]


def test_a_changed_search_index_is_judged_without_reparsing_unchanged_pages(scanner, tmp_path, monkeypatch):
    cache = tmp_path / "cache.json"
    pages = [tmp_path / f"page{i}.html" for i in range(3)]
    for page in pages:
        page.write_text("<p>Welcome to the tiny book about running cells.</p>")
    index = tmp_path / "searchindex.js"

    def write_index(terms: dict) -> None:
        index.write_text("Search.setIndex(" + json.dumps({"terms": terms, "titleterms": {}}) + ")")

    write_index({"welcom": 0, "tini": 0})
    assert scanner.scan([*pages, index], cache_file=cache) == []
    parsed = []
    original = leaks_module.artifact_text
    monkeypatch.setattr(leaks_module, "artifact_text", lambda path: parsed.append(path.name) or original(path))
    write_index({"welcom": 0, "tini": 0, "book": 1})  # another prose edit: the index changed
    assert scanner.scan([*pages, index], cache_file=cache) == []
    assert parsed == ["searchindex.js"]
    write_index({"welcom": 0, "tini": 0, "gauss": 0})  # "Gauss" appears only in a solution
    found = scanner.scan([*pages, index], cache_file=cache)
    assert [(leak.path.name, leak.exercise) for leak in found] == [("searchindex.js", "sum-code")]


def test_markers_are_found_again_only_when_what_they_are_made_from_changed(bank, chapter, scanner, tmp_path, monkeypatch):
    cache = tmp_path / "markers.pickle"
    first = LeakScanner(bank, [chapter], marker_cache=cache)
    assert first.markers == scanner.markers and cache.is_file()
    found = []
    original = LeakScanner._find_markers
    monkeypatch.setattr(LeakScanner, "_find_markers", lambda self, *a: found.append(1) or original(self, *a))
    again = LeakScanner(bank, [chapter], marker_cache=cache)
    assert found == [] and again.markers == first.markers and again.secret_stems == first.secret_stems
    pasted = f"{chapter}\n\n{ESSAY_SOLUTION}\n"  # a chapter that now uses the solution's words itself
    changed = LeakScanner(bank, [pasted], marker_cache=cache)
    assert found == [1] and changed.markers == LeakScanner(bank, [pasted]).markers


def test_after_an_edit_to_a_question_what_the_chapters_allow_is_not_found_again(bank, chapter, tmp_path, monkeypatch):
    import copy
    import dataclasses

    cache = tmp_path / "markers.pickle"
    LeakScanner(bank, [chapter], marker_cache=cache)
    edited = copy.deepcopy(bank)
    exercise = next(e for e in edited.exercises.values() if "Question" in e.sections)
    question = exercise.sections["Question"]
    exercise.sections["Question"] = dataclasses.replace(question, text=question.text + "\nThink of Gauss first.\n")
    cut = []
    original = leaks_module._without_pasted_runs
    monkeypatch.setattr(leaks_module, "_without_pasted_runs", lambda *a: cut.append(1) or original(*a))
    again = LeakScanner(edited, [chapter], marker_cache=cache)
    assert cut == [], "the chapters were not read again"
    fresh = LeakScanner(edited, [chapter])
    assert cut and again.markers == fresh.markers and again.secret_stems == fresh.secret_stems
    assert again.secret_stems != LeakScanner(bank, [chapter]).secret_stems, "the question's words now allowed"


def test_a_chapter_is_read_as_shown_roles_and_all():
    assert leaks_module.shown_text("with a {term}`point-in-time join` and {term}`PSI <population stability index>`") == (
        "with a point-in-time join and PSI")


def test_the_numbered_links_of_the_index_page_are_not_words():
    page = '<li><a href="a.html#x">property-based test</a>, <a href="b.html#y">[1]</a></li>'
    assert leaks_module.words(leaks_module.html_text(page)) == ["property", "based", "test"]
