"""``-b typst``: the book as one Typst document, compiled to a tagged PDF without TeX."""

import json
import re

import pytest
from pypdf import PdfReader
from sphinx.errors import SphinxError

from textbook.gates.print_checks import missing_metadata


def _text(reader: PdfReader) -> str:
    """The PDF's text, a no-break space (between "Figure" and its number) as a space."""
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_the_book_as_a_tagged_pdf(app):
    app.build()
    assert app._warning.getvalue() == ""
    reader = PdfReader(app.outdir / "tiny.pdf")
    assert reader.metadata.title == "Tiny book" and reader.metadata.author == "Tests"
    assert missing_metadata(app.outdir / "tiny.pdf") == [] and reader.metadata.subject == "Tiny book: Book"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en" and "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    text = _text(reader)
    for expected in ("Module 0", "First module", "0.1 A section", "Module 1", "Second module", "Figure 0.1: A square",
                     'print("hello")', "Module at a glance"):
        assert expected in text, expected
    assert text.count("Figure 0.1") == 3  # the caption and both references, numbered as in HTML
    contents = [" ".join(line.replace(".", " ").split()) for line in reader.pages[1].extract_text().splitlines()]
    assert contents[:5] == ["Contents", "0 First module 3", "0 1 A section 3", "1 Second module 4",
                            "1 1 Another section 4"], contents  # chapters and their sections, with pages
    source = (app.outdir / "tiny.typ").read_text(encoding="utf-8")
    assert '#link(<00-first:fig-square>)' in source and "#anchor <00-first:fig-square>" in source
    assert 'alt: "A filled square."' in source
    assert 'alt: "\\\\bar{x} = \\\\frac{1}{n}\\\\sum_i x_i"' in source  # a formula's alt text is its source


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_a_handout_per_module_opening_with_its_own_title_block(app):
    app.build()
    first, second = (PdfReader(app.outdir / f"handout-{name}.pdf") for name in ("00-first", "01-second"))
    assert first.metadata.title == "Handout: Module 0 — First module"
    opening = first.pages[0].extract_text()
    assert opening.index("Tiny book") < opening.index("Module 0") < opening.index("First module")
    assert "Figure 0.1: A square" in _text(first)
    # A reference to another module's figure is its text in a handout: the figure is not in it.
    assert "Back to Figure 0.1" in _text(second)
    assert "<00-first:fig-square>" not in (app.outdir / "handout-01-second.typ").read_text(encoding="utf-8")


@pytest.mark.sphinx("typst", testroot="typst-unknown", freshenv=True)
def test_what_it_cannot_print_stops_the_build_naming_each_place(app):
    with pytest.raises(SphinxError) as raised:
        app.build()
    message = str(raised.value)
    assert "print cannot show these; nothing was written" in message
    assert "00-first.md:5: gadget.gadget" in message
    assert "the formula '\\\\frobnicate{x}': the command \\frobnicate, which the converter does not know" in message
    assert "00-first.md:10: raw latex, which print cannot show" in message
    assert not (app.outdir / "unknown.pdf").exists()


def test_the_workbook_and_keys_in_typst(tiny_project, tmp_path):
    """The exercise edition (the workbook, the whole key, each module's key) from the bank, as the
    build writes its sources: room to write and empty boxes in the workbook; the notice on every
    page of a key, and only its right options ticked."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    from textbook.bank.bank import load_bank
    from textbook.exercises import editions

    bank = load_bank(tiny_project / "exercises", tiny_project / "book")
    source, out = tmp_path / "src", tmp_path / "out"
    editions.write_sources(bank, source)
    with docutils_namespace():  # the nodes it registers are gone afterwards, as after sphinx-build
        app = Sphinx(source, tiny_project, out, tmp_path / "doctrees", "typst", status=None,
                     confoverrides={"textbook_edition": "exercises"}, warningiserror=True)
        app.build()
    workbook, key = PdfReader(out / "workbook.pdf"), PdfReader(out / "answer-key.pdf")
    # Name, group and date open each module's first page (not the title page: once is enough).
    assert "Name:" not in workbook.pages[0].extract_text() and "Name:" in workbook.pages[1].extract_text()
    assert _text(workbook).count("Name:") == 1 and "Exercise 0.6" in _text(workbook)
    assert all("Instructor edition" in page.extract_text() for page in key.pages)
    assert not any("Instructor edition" in page.extract_text() for page in workbook.pages)
    typ = {name: (out / f"{name}.typ").read_text(encoding="utf-8") for name in ("workbook", "answer-key")}
    assert typ["workbook"].count("#ticked-option(ticked: false)") == 3 and "ticked: true" not in typ["workbook"]
    assert typ["answer-key"].count("#ticked-option(ticked: true)") == 2  # "Four" and "Two" are even
    assert "#answer-lines(" in typ["workbook"] and "#code-box(" in typ["workbook"]
    assert "#answer-lines(" not in typ["answer-key"]
    # each module of the workbook opens with lines for the student's name, group and date; a key does not
    assert typ["workbook"].count('#form-lines(("Name", ') == 1 and "#form-lines(" not in typ["answer-key"]
    assert "Name:" in next(page.extract_text() for page in workbook.pages if "Module 0" in page.extract_text())
    # a blank cell to write in is not shaded: no table of the workbook has a fill
    assert "table(columns:" in typ["workbook"] and not re.search(r"table\([^)]*fill", typ["workbook"])
    assert (out / "answer-key-00-run.pdf").is_file()


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_an_edit_compiles_again_only_the_pdfs_it_changes(app, make_app, app_params):
    app.build()
    times = {pdf.name: pdf.stat().st_mtime_ns for pdf in app.outdir.glob("*.pdf")}
    second = app.srcdir / "01-second.md"
    second.write_text(second.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build()
    changed = {pdf.name for pdf in again.outdir.glob("*.pdf") if pdf.stat().st_mtime_ns != times[pdf.name]}
    assert changed == {"tiny.pdf", "handout-01-second.pdf"}


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_an_unchanged_chapter_is_printed_as_it_was_and_the_book_is_the_same(app, make_app, app_params, monkeypatch):
    from textbook.typst.translator import TypstTranslator

    app.build()
    second = app.srcdir / "01-second.md"
    second.write_text(second.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    reused, visit = [], TypstTranslator.visit_printed_again
    monkeypatch.setattr(TypstTranslator, "visit_printed_again",
                        lambda self, node: reused.append(self.docname) or visit(self, node))
    args, kwargs = app_params
    make_app(*args, **{**kwargs, "freshenv": False}).build()
    assert reused == ["00-first"], "the unchanged chapter is not read again"
    assert "One more sentence." in (app.outdir / "tiny.typ").read_text(encoding="utf-8")
    again = (app.outdir / "tiny.typ").read_text(encoding="utf-8")
    (app.outdir / ".kept.json").unlink()  # nothing kept: every chapter read and printed anew
    make_app(*args, **{**kwargs, "freshenv": False}).build()
    assert (app.outdir / "tiny.typ").read_text(encoding="utf-8") == again
    assert reused == ["00-first"]


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_units_are_measured_once_and_the_pdf_is_the_same_with_their_heights_given(app, make_app, app_params,
                                                                                   monkeypatch):
    from textbook.typst import kept_heights

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")
    measured, learn = [], kept_heights.KeptHeights.learn
    monkeypatch.setattr(kept_heights.KeptHeights, "learn", lambda self, source, found: measured.append(
        (source.name, {unit["key"] for unit in json.loads(found)})) or learn(self, source, found))
    app.build()
    units = set(kept_heights.UNIT_KEY.findall((app.outdir / "tiny.typ").read_text(encoding="utf-8")))
    assert len(units) >= 3 and dict(measured)["tiny.typ"] == units, "the box and the sections' openings"
    given = app.outdir / "tiny.pdf"
    second = app.srcdir / "01-second.md"
    second.write_text(second.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    measured.clear()
    args, kwargs = app_params
    make_app(*args, **{**kwargs, "freshenv": False}).build()
    now = set(kept_heights.UNIT_KEY.findall((app.outdir / "tiny.typ").read_text(encoding="utf-8")))
    assert dict(measured)["tiny.typ"] == now - units != set(), "only the unit the sentence went into"
    printed = given.read_bytes()
    for kept in (app.outdir / kept_heights.STORE, given):
        kept.unlink()
    make_app(*args, **{**kwargs, "freshenv": False}).build()  # every unit measured again
    assert dict(measured)["tiny.typ"] == now and given.read_bytes() == printed


@pytest.mark.sphinx("typst", testroot="typst-footnote", freshenv=True)
def test_a_footnote_is_printed_where_it_is_referenced(app):
    app.build()
    text = _text(PdfReader(app.outdir / "notes.pdf"))
    assert "A claim with its source.1" in text and "\n1Sculley and colleagues, 2015." in text  # marker, then the note


@pytest.mark.sphinx("typst", testroot="typst-inline", freshenv=True)
def test_inline_code_keeps_the_punctuation_after_it_and_breaks_inside_a_cell(app):
    """``#raw("fit");`` would swallow the semicolon and ``#raw("x").y`` read as a field: escaped.
    Long code in a table cell breaks where it must instead of running into the margin."""
    from textbook.gates import page_layout

    app.build()
    text = " ".join(_text(PdfReader(app.outdir / "inline.pdf")).split())
    assert "Call fit; then read model.coef_ and predict(X) runs." in text
    assert "7); the alias" in text
    assert page_layout.check(app.outdir / "inline.pdf")["text in the margin"] == []


def test_the_build_server_prints_what_a_fresh_compiler_prints(build_server_on, tmp_path, monkeypatch):
    """Its Typst keeps each document's compiler, which parses again only what changed: the PDFs are
    the same, byte for byte, and an error is raised in the build as it is without a server."""
    from textbook.core import build_server
    from textbook.typst.builder import TypstBuildError

    folder = tmp_path / "print"
    folder.mkdir()
    source = folder / "doc.typ"
    paragraphs = [f"Paragraph {number} of a document printed twice." for number in range(40)]

    def printed(edited: list[str]) -> bytes:
        source.write_text('#set document(title: "Printed twice")\n#set text(lang: "en")\n' + "\n\n".join(edited))
        build_server.call(build_server_on, "textbook.typst.builder:print_documents", folder, [source], 0,
                          (folder / "stamp", "inputs"))  # fmt: skip
        return source.with_suffix(".pdf").read_bytes()

    printed(paragraphs)
    served = printed(paragraphs[:20] + ["A paragraph added between two."] + paragraphs[20:])
    assert build_server.status(build_server_on)["calls"] == 2
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "off")
    assert printed(paragraphs[:20] + ["A paragraph added between two."] + paragraphs[20:]) == served
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "on")
    with pytest.raises(TypstBuildError) as caught:
        printed(paragraphs + ["#nonesuch"])
    assert caught.value.problems == ["doc.typ: unknown variable: nonesuch (printing doc.pdf)"]
