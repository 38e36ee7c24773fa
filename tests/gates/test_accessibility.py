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
    monkeypatch.setattr(accessibility, "_found", lambda pdf: pytest.fail("checked again"))
    again = accessibility.findings_all([tmp_path / "renamed.pdf"], cache)
    assert again == [line.replace("plain.pdf", "renamed.pdf", 1) for line in first]  # named as it is now
