"""The printed look: paper size, title pages, "Module N" chapter openings,
unnumbered front and back matter, short code kept on one page."""

import re
import subprocess

import pytest
from pypdf import PdfReader
from sphinx.errors import ConfigError

from textbook.instructor.exam_edition import document_title
from textbook.sphinx_ext.print_matter import SHORT_CODE_LINES


def _tex(app) -> str:
    app.build()
    assert app._warning.getvalue() == ""
    return (app.outdir / "tiny.tex").read_text()


def _body(tex: str) -> str:
    return tex[tex.index("\\begin{document}") :]


@pytest.mark.sphinx("latex", testroot="print-matter", freshenv=True)
def test_the_preface_is_unnumbered_front_matter_and_the_glossary_back_matter(app):
    body = _body(_tex(app))
    front, main, back = body.index("\\textbookfrontmatter"), body.index("\\textbookmainmatter"), body.index("\\textbookbackmatter")
    assert front < body.index("\\chapter{Preface}") < main < body.index("\\chapter{First module}") < back
    assert back < body.index("\\chapter{Glossary}")
    assert "Why this tiny book exists." in body


@pytest.mark.sphinx("latex", testroot="print-matter", freshenv=True)
def test_every_edition_gets_the_title_page_paper_and_chapter_style(app):
    tex = _tex(app)
    assert tex.startswith("%") and "letterpaper" in tex.split("\\documentclass", 1)[1].split("\n", 1)[0]
    assert "\\usepackage{textbookprint}" in tex and "fncychap" not in tex
    assert "\\textbookmaketitle" in _body(tex)
    assert "\\renewcommand{\\contentsname}{Contents}\\sphinxtableofcontents" in _body(tex)
    assert "\\newcommand{\\textbookbooktitle}{Tiny printed book}" in tex
    assert (app.outdir / "textbookprint.sty").is_file()
    handout = (app.outdir / "handout-00-first.tex").read_text()
    assert "\\textbookmaketitle" in _body(handout) and "\\title{Handout: Module 0 \N{EM DASH} First module}" in handout


@pytest.mark.sphinx("latex", testroot="print-matter", freshenv=True)
def test_code_of_up_to_twelve_lines_is_kept_on_one_page(app):
    body = _body(_tex(app))
    kept = re.findall(r"\\needspace\{(\d+)\\baselineskip\}\s*\\begin\{sphinxVerbatim\}[^\n]*\n.*\{(\w+)\\PYGZus\{\}line", body)
    assert kept == [(str(SHORT_CODE_LINES + 2), "short")]
    assert body.count("\\needspace") == 1  # not before the block one line longer


@pytest.mark.sphinx("latex", testroot="print-matter", confoverrides={"textbook_paper": "b5"})
def test_an_unknown_paper_size_is_refused_naming_conf_py(make_app, app_params):
    args, kwargs = app_params
    with pytest.raises(ConfigError, match=r"conf\.py: textbook_paper is 'b5'; use one of 'a4', 'letter'"):
        make_app(*args, **kwargs)


def test_an_exam_title_never_breaks_before_the_variant_number():
    assert document_title("Midterm", "variant-2") == "Midterm, variant\N{NO-BREAK SPACE}2"


@pytest.mark.sphinx("latex", testroot="print-matter", freshenv=True)
def test_a_letter_book_prints_on_letter_pages_with_its_title_page_and_module_label(app):
    _tex(app)
    subprocess.run(
        ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "tiny.tex"],
        cwd=app.outdir, check=True, capture_output=True,
    )  # fmt: skip
    pdf = PdfReader(app.outdir / "tiny.pdf")
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages} == {(612.0, 792.0)}
    pages = [page.extract_text() for page in pdf.pages]
    assert "Tiny printed book" in pages[0] and "Release 1.0" in pages[0] and "2026, Tests" in pages[0]
    assert pages[0].count("Release") == 1
    assert "CC BY" in pages[0] or "Creative Commons" in pages[0]
    opening = next(text for text in pages if "First module" in text and "Module 0" in text)
    assert "CHAPTER" not in opening.upper().replace("MODULE", "")
    preface = next(text for text in pages if text.lstrip().startswith("Preface"))
    assert "Module" not in preface
    table = next(text for text in pages if "Which module added which layer" in text)
    assert re.search(r"\bModule\b", table) and not re.search(r"Mod-\s*ule", table), "a header is never hyphenated"
    # The one-page preface leaves the page before the module's right-hand opening blank: no header.
    assert pages[pages.index(opening) - 1].strip() == ""


def test_a_name_and_its_number_are_never_split_in_print():
    from types import SimpleNamespace

    from docutils import frontend, nodes
    from docutils.utils import new_document
    from sphinx import addnodes

    from textbook.sphinx_ext.print_matter import keep_numbers_with_names

    figure = addnodes.number_reference("", "Figure 2.1", title="Figure %s")
    exercise = nodes.reference("", "", nodes.inline("", "Exercise 0.3"))
    prose = nodes.paragraph("", "Figure 3 of the other book")
    document = new_document("test", frontend.get_default_settings())
    document.extend([nodes.paragraph("", "", figure, exercise), prose])
    config = SimpleNamespace(textbook_root=".", numfig_format={"figure": "Figure %s", "section": "Section %s"})
    keep_numbers_with_names(SimpleNamespace(builder=SimpleNamespace(format="latex"), config=config), document, "index")
    assert figure["title"] == "Figure\u00a0%s"
    assert exercise.astext() == "Exercise\u00a00.3"
    assert prose.astext() == "Figure 3 of the other book", "only references are touched"
