"""The accessibility gate: two PDF/UA-1 checkers, every finding named with the PDF and where in it."""

import pytest
from pypdf import PdfWriter

from textbook.gates import accessibility
from textbook.gates.accessibility import findings


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_the_typst_engines_pdf_passes_both_checkers(app):
    app.build()
    assert findings(app.outdir / "tiny.pdf") == []


def test_an_untagged_pdf_fails_both_naming_what_is_missing(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(tmp_path / "plain.pdf")
    found = findings(tmp_path / "plain.pdf")
    assert any(line.startswith("plain.pdf: /Root: UA-01-005") and "untagged" in line and line.endswith("(pdfua)")
               for line in found)
    assert any("STRUCT-TREE-ROOT" in line and line.endswith("(page)") for line in found)
    assert any("/Lang" in line for line in found) and any("Title" in line for line in found)


def test_a_file_that_is_no_pdf_is_a_finding_not_a_crash(tmp_path):
    (tmp_path / "broken.pdf").write_text("not a PDF")
    (line,) = findings(tmp_path / "broken.pdf")
    assert line.startswith("broken.pdf: document: cannot be read as PDF")


def test_a_pdf_checked_before_is_not_checked_again(tmp_path, monkeypatch):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(tmp_path / "plain.pdf")
    cache = tmp_path / "accessibility.json"
    first = accessibility.findings_all([tmp_path / "plain.pdf"], cache)
    assert first and first == findings(tmp_path / "plain.pdf")
    (tmp_path / "plain.pdf").rename(tmp_path / "renamed.pdf")
    monkeypatch.setattr(accessibility, "_found", lambda *args: pytest.fail("checked again"))
    monkeypatch.setattr(accessibility, "_page_findings", lambda pdf: pytest.fail("checked again"))
    again = accessibility.findings_all([tmp_path / "renamed.pdf"], cache)
    assert again == [line.replace("plain.pdf", "renamed.pdf", 1) for line in first]  # named as it is now


def test_a_page_read_before_is_not_read_again_and_finds_the_same(tmp_path, monkeypatch):
    import typst
    from pdfua.document import PdfDocument

    for name, title in (("first", "One"), ("second", "Two")):  # other PDFs, the same page
        source = f'#set document(title: "{title}")\n#set text(lang: "en")\n= A heading\n\nSome text.\n'
        typst.compile(source.encode(), output=str(tmp_path / f"{name}.pdf"), pdf_standards=["ua-1"])
    cache = tmp_path / "accessibility.json"
    assert accessibility.findings_all([tmp_path / "first.pdf"], cache) == []
    monkeypatch.setattr(PdfDocument, "_analyse_page", lambda self, number: pytest.fail("page read again"))
    assert accessibility.findings_all([tmp_path / "second.pdf"], cache) == []


def test_a_remembered_page_keeps_its_finding(tmp_path):
    import pikepdf
    import typst

    source = b'#set document(title: "One")\n#set text(lang: "en")\n= A heading\n\nSome text.\n'
    typst.compile(source, output=str(tmp_path / "tagged.pdf"), pdf_standards=["ua-1"])
    with pikepdf.open(tmp_path / "tagged.pdf") as pdf:  # text drawn outside marked content: a finding
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"BT /F0 12 Tf 10 10 Td (untagged) Tj ET"), prepend=False)
        pdf.save(tmp_path / "plain.pdf")
        pdf.docinfo["/Subject"] = "other bytes, the same page"
        pdf.save(tmp_path / "other.pdf")
    cache = tmp_path / "accessibility.json"
    first = accessibility.findings_all([tmp_path / "plain.pdf"], cache)
    again = accessibility.findings_all([tmp_path / "other.pdf"], cache)
    on_the_page = [line.split(": ", 1)[1] for line in first if "(pdfua)" in line]
    assert any("page 1" in line for line in on_the_page), first
    assert on_the_page == [line.split(": ", 1)[1] for line in again if "(pdfua)" in line]


def test_the_structure_tree_is_walked_as_pdfua_walks_it(tmp_path):
    """Every element once, parent first, with the page and attributes ``pdfua``'s own walk gives."""
    import pikepdf
    import typst
    from pdfua.document import PdfDocument

    source = b"""#set document(title: "Nested")
#set text(lang: "en")
= A heading
- a list
  - inside a list
#table(columns: 2, table.header[Name][Value], [one], [- a list in a cell])
#pagebreak()
#figure(rect(width: 2cm), alt: "A box", caption: [A figure])
"""
    typst.compile(source, output=str(tmp_path / "nested.pdf"), pdf_standards=["ua-1"])

    def walked(document_class) -> list[tuple]:
        with pikepdf.open(tmp_path / "nested.pdf") as pdf:
            document = document_class(pdf, "nested.pdf", {}, {}) if document_class is not PdfDocument \
                else PdfDocument(pdf, "nested.pdf")
            return [(e.role, e.page, e.alt, e.actual_text, e.has_scope, e.has_headers, e.obj.objgen, len(e.children))
                    for e in document.struct_elements]

    theirs = walked(PdfDocument)
    assert len(theirs) > 20 and {2} <= {page for _, page, *_ in theirs}, "a deep tree over two pages"
    assert walked(accessibility._RememberedPages) == theirs
