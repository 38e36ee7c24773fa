"""Proof sheets: every page of a PDF on numbered contact sheets, eight to an image."""

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from textbook.pipeline import proof
from textbook.core.layout import Layout


def _blank_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        writer.write(file)
    return path


def test_every_page_is_on_a_sheet(tmp_path):
    pdf = _blank_pdf(tmp_path / "workbook.pdf", 11)
    sheets = proof.proof_pdf(pdf, tmp_path / "proof")
    assert [sheet.name for sheet in sheets] == ["workbook-01.png", "workbook-02.png"]
    full, rest = (Image.open(sheet) for sheet in sheets)
    assert full.width == rest.width and full.height > rest.height  # 8 pages in two rows; 3 in one


def test_proof_covers_each_published_pdf_edition(tmp_path):
    layout = Layout(tmp_path)
    _blank_pdf(layout.pdf / "mlops-book.pdf", 2)
    _blank_pdf(layout.handouts / "00-intro.pdf", 1)
    _blank_pdf(layout.pdf / "workbook.pdf", 9)
    made = proof.proof(layout, log=lambda line: None)
    assert {edition: [p.name for p in sheets] for edition, sheets in made.items()} == {
        "pdf": ["mlops-book-01.png"],
        "handouts": ["00-intro-01.png"],
        "workbook": ["workbook-01.png", "workbook-02.png"],
    }
    assert (tmp_path / "_build" / "proof" / "workbook" / "workbook-02.png").is_file()


def test_proof_without_a_built_pdf_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="run 'textbook build' first"):
        proof.proof(Layout(tmp_path), log=lambda line: None)
