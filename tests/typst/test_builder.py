"""``-b typst``: the book as one Typst document, compiled to a tagged PDF without TeX."""

import pytest
from pypdf import PdfReader
from sphinx.errors import SphinxError


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_the_book_as_a_tagged_pdf(app):
    app.build()
    assert app._warning.getvalue() == ""
    reader = PdfReader(app.outdir / "tiny.pdf")
    assert reader.metadata.title == "Tiny book" and reader.metadata.author == "Tests"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en" and "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    text = _text(reader)
    for expected in ("Module 0", "First module", "0.1 A section", "Module 1", "Second module", "Figure 0.1: A square",
                     'print("hello")', "Module at a glance"):
        assert expected in text, expected
    assert text.count("Figure 0.1") == 3  # the caption and both references, numbered as in HTML
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
    assert "cannot print these yet; nothing was written" in message
    assert "00-first.md:5: gadget.gadget" in message
    assert "the formula '\\\\frobnicate{x}': the command \\frobnicate, which the converter does not know" in message
    assert not (app.outdir / "unknown.pdf").exists()
