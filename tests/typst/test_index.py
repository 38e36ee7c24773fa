"""The book's printed index in the Typst engine: every entry where the HTML edition's index lists it,
its sub-entries under it, each page once, each a link to its place; only in the book."""

import re

import pytest
from pypdf import PdfReader


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.sphinx("typst", testroot="typst-index", freshenv=True)
def test_the_book_ends_with_its_index(app):
    app.build()
    assert app._warning.getvalue() == ""
    reader = PdfReader(app.outdir / "indexed.pdf")
    last = reader.pages[-1].extract_text()
    lines = _lines(last)
    assert lines[0] == "Index"
    # Sorted as Sphinx sorts (case aside), under their letters; sub-entries after their term.
    assert lines[1:-1] == [
        "D", "data drift, 3, 6",
        "M", "MLflow, 3", "autologging, 4", "tracking server, 3, 5",
        "P", "population stability index, 4, 6", "PSI, see population stability index", "pytest, 3",
    ]
    # The page a number names is the page the entry is on ("data drift" twice on page 3, defined on 6;
    # page 2 is the contents).
    pages = {number + 1: _lines(page.extract_text()) for number, page in enumerate(reader.pages)}
    assert any("tracking server" in line for line in pages[3]) and "Second module" in pages[5]
    assert pages[6][0] == "Glossary"
    # Each number is a link to the page it names.
    page_ids = {page.indirect_reference.idnum: number + 1 for number, page in enumerate(reader.pages)}
    targets = sorted(page_ids[annotation.get_object()["/Dest"][0].idnum]
                     for annotation in reader.pages[-1]["/Annots"])
    printed = sorted(int(n) for line in lines[1:-1] for n in re.findall(r"\b\d+\b", line))
    assert targets == printed == sorted([3, 6, 3, 4, 3, 5, 4, 6, 3])


@pytest.mark.sphinx("typst", testroot="typst-index", freshenv=True)
def test_no_page_is_printed_twice_for_one_entry(app):
    """The first page holds "MLflow; tracking server" twice and "data drift" twice (once in
    emphasis); the glossary defines "data drift" and uses "population stability index" beside
    that term's definition, on the same page."""
    app.build()
    index = _lines(PdfReader(app.outdir / "indexed.pdf").pages[-1].extract_text())[1:-1]
    for line in index:
        numbers = re.findall(r"\b\d+\b", line)
        assert len(numbers) == len(set(numbers)), line
    source = (app.outdir / "indexed.typ").read_text(encoding="utf-8")
    assert source.count('#index-entry("MLflow", ') == 5  # every marker is there; the index prints a page once
    assert source.count('#index-entry("population stability index"') == 2  # the use in the glossary adds none


@pytest.mark.sphinx("typst", testroot="typst-index", freshenv=True)
def test_a_handout_prints_no_index(app):
    app.build()
    handout = PdfReader(app.outdir / "handout-00-first.pdf")
    assert not any(_lines(page.extract_text())[:1] == ["Index"] for page in handout.pages)
    assert "tracking server" in handout.pages[0].extract_text()


@pytest.mark.sphinx("typst", testroot="typst-index", freshenv=True, confoverrides={"language": "de"})
def test_the_index_is_titled_in_the_course_language(app):
    app.build()
    lines = _lines(PdfReader(app.outdir / "indexed.pdf").pages[-1].extract_text())
    assert lines[0] == "Stichwortverzeichnis"
    assert "PSI, siehe population stability index" in lines
