"""The printed look: paper size, title page, contents, "Module N" chapter openings,
unnumbered front and back matter, running heads, short code kept on one page."""

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sphinx.errors import ConfigError

from textbook.instructor.exam_edition import document_title
from textbook.typst.builder import TEMPLATE


def _pages(app) -> list[str]:
    app.build()
    assert app._warning.getvalue() == ""
    return [page.extract_text() for page in PdfReader(app.outdir / "tiny.pdf").pages]


@pytest.mark.sphinx("typst", testroot="print-matter", freshenv=True)
def test_a_letter_book_opens_with_its_title_page_and_contents(app):
    pages = _pages(app)
    reader = PdfReader(app.outdir / "tiny.pdf")
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages} == {(612.0, 792.0)}
    assert "Tiny printed book" in pages[0] and "Release 1.0" in pages[0] and "© 2026, Tests" in pages[0]
    assert "Creative Commons" in pages[0] or "CC BY" in pages[0]
    assert pages[1].startswith("Contents") and "0 First module" in pages[1]


@pytest.mark.sphinx("typst", testroot="print-matter", freshenv=True)
def test_the_preface_and_glossary_are_unnumbered_and_modules_open_with_their_label(app):
    pages = _pages(app)
    preface = next(text for text in pages if text.lstrip().startswith("Preface"))
    assert "Module" not in preface and "Why this tiny book exists." in preface
    opening = next(text for text in pages if "First module" in text and "Module 0" in text)
    assert opening.index("Module 0") < opening.index("First module")
    glossary = next(text for text in pages if text.lstrip().startswith("Glossary"))
    assert not re.search(r"Module \d", glossary.split("\n", 1)[0])
    table = next(text for text in pages if "Which module added which layer" in text)
    assert re.search(r"\bModule\b", table) and not re.search(r"Mod-\s*ule", table), "a header is never hyphenated"


@pytest.mark.sphinx("typst", testroot="print-matter", confoverrides={"textbook_paper": "b5"})
def test_an_unknown_paper_size_is_refused_naming_conf_py(make_app, app_params):
    args, kwargs = app_params
    with pytest.raises(ConfigError, match=r"conf\.py: textbook_paper is 'b5'; use one of 'a4', 'letter'"):
        make_app(*args, **kwargs)


def test_an_exam_title_never_breaks_before_the_variant_number():
    assert document_title("Midterm", "variant-2") == "Midterm, variant\N{NO-BREAK SPACE}2"


def _code_at_the_foot(tmp_path: Path, lines: int) -> list[str]:
    """A page filled but for a few lines, then a code block of ``lines`` lines: the pages' text."""
    import typst

    (tmp_path / TEMPLATE.name).write_bytes(TEMPLATE.read_bytes())
    code = "\\n".join(f"line_{n} = {n}" for n in range(1, lines + 1))
    source = tmp_path / "code.typ"
    source.write_text(
        '#import "textbook.typ": *\n#show: document.with(title: "Code", author: "Tests")\n'
        + "#lorem(740)\n\n"
        + f'#raw(block: true, lang: "python", "{code}")\n'
    )
    typst.compile(source, output=tmp_path / "code.pdf", root=tmp_path)
    return [page.extract_text() for page in PdfReader(tmp_path / "code.pdf").pages]


def test_code_of_up_to_twelve_lines_is_kept_on_one_page(tmp_path):
    twelve = _code_at_the_foot(tmp_path, 12)
    assert "line_1 " not in twelve[0] and "line_1 " in twelve[1] and "line_12 " in twelve[1]
    thirteen = _code_at_the_foot(tmp_path, 13)
    assert "line_1 " in thirteen[0] and "line_13 " in thirteen[1], "a longer block breaks where the page does"


def test_a_name_and_its_number_are_never_split_in_print():
    from types import SimpleNamespace

    from docutils import frontend, nodes
    from docutils.utils import new_document
    from sphinx import addnodes

    from textbook.sphinx_ext.print_matter import PRINT_FORMAT, keep_numbers_with_names

    figure = addnodes.number_reference("", "Figure 2.1", title="Figure %s")
    exercise = nodes.reference("", "", nodes.inline("", "Exercise 0.3"))
    prose = nodes.paragraph("", "Figure 3 of the other book")
    document = new_document("test", frontend.get_default_settings())
    document.extend([nodes.paragraph("", "", figure, exercise), prose])
    config = SimpleNamespace(textbook_root=".", numfig_format={"figure": "Figure %s", "section": "Section %s"})
    keep_numbers_with_names(SimpleNamespace(builder=SimpleNamespace(format=PRINT_FORMAT), config=config), document, "index")
    assert figure["title"] == "Figure\u00a0%s"
    assert exercise.astext() == "Exercise\u00a00.3"
    assert prose.astext() == "Figure 3 of the other book", "only references are touched"
