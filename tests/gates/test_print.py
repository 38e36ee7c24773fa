"""The print gate: each kind of damage to print is caught and located."""

from pathlib import Path

import pytest

from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

from textbook.gates.print_checks import check_pdf, log_problems, missing_metadata, unembedded_fonts
from textbook.pipeline import build


TEX = r"""\documentclass{report}
\begin{document}
\chapter{Intro}\label{\detokenize{00-run:a-module-that-runs-code}}
Some text.
\section{Part}\label{\detokenize{00-run:part}}
More text.
\end{document}
"""


def _log(tmp_path: Path, log: str) -> Path:
    tex = tmp_path / "book.tex"
    tex.write_text(TEX)
    tex.with_suffix(".log").write_text(log)
    return tex


def test_a_missing_glyph_is_reported(tmp_path):
    tex = _log(tmp_path, "Missing character: There is no \u2b50 (U+2B50) in font FreeSerif:mode=node;!\n")
    [problem] = log_problems(tex)
    assert "the font FreeSerif:mode=node; has no glyph for \u2b50 (U+2B50)" in str(problem)


def test_undefined_references_and_citations_are_reported_with_their_place(tmp_path):
    tex = _log(
        tmp_path,
        "LaTeX Warning: Reference `00-run:gone' on page 3 undefined on input line 6.\n"
        "LaTeX Warning: Citation `knuth84' on page 3 undefined on input line 4.\n",
    )
    messages = [str(p) for p in log_problems(tex)]
    assert "book.tex:6: reference '00-run:gone' is undefined; it prints as ?? (in 00-run.md, near #part)" in messages
    assert "book.tex:4: citation 'knuth84' is undefined; it prints as ?? (in 00-run.md, near #a-module-that-runs-code)" in messages


def test_overfull_lines_beyond_the_tolerance_are_reported(tmp_path):
    tex = _log(
        tmp_path,
        "Overfull \\hbox (0.4pt too wide) in paragraph at lines 4--4\n"
        "Overfull \\hbox (12.7pt too wide) in paragraph at lines 6--6\n"
        "(./book.toc\nOverfull \\hbox (3.0pt too wide) detected at line 2\n)",
    )
    messages = [str(p) for p in log_problems(tex)]
    assert messages == [
        "book.tex:6: text runs 12.7pt into the margin (overfull line) (in 00-run.md, near #part)",
        "book.tex: text runs 3.0pt into the margin (overfull line) (in the table of contents)",
    ]


def test_unembedded_fonts_are_reported(tmp_path):
    pdf = tmp_path / "plain.pdf"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 35 >>\nstream\nBT /F1 12 Tf 20 100 Td (Hi) Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    pdf.write_bytes(body)
    assert unembedded_fonts(pdf) == ["Helvetica"]


def _blank_pdf(path: Path, metadata: dict[str, str], language: str | None) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if metadata:
        writer.add_metadata({f"/{name}": value for name, value in metadata.items()})
    if language:
        writer._root_object[NameObject("/Lang")] = TextStringObject(language)
    writer.write(path)
    return path


def test_a_pdf_without_title_author_subject_or_language_is_reported(tmp_path):
    tex = _log(tmp_path, "")
    _blank_pdf(tex.with_suffix(".pdf"), {"Title": "Tiny", "Author": "Tests"}, None)
    assert missing_metadata(tex.with_suffix(".pdf")) == ["Subject", "Lang (language)"]
    assert check_pdf(tex) == [
        "book.pdf: the PDF's metadata has no Subject, Lang (language); "
        "textbookprint.sty sets them from the document's title, conf.py's author and language"
    ]
    _blank_pdf(tex.with_suffix(".pdf"), {}, None)
    assert missing_metadata(tex.with_suffix(".pdf")) == ["Title", "Author", "Subject", "Lang (language)"]
    _blank_pdf(tex.with_suffix(".pdf"), {"Title": "Tiny", "Author": "Tests", "Subject": "Tiny: Book"}, "en")
    assert check_pdf(tex) == []


@pytest.fixture
def project(tiny_project: Path) -> build.Layout:
    return build.Layout(tiny_project)


def test_a_real_build_with_damaged_print_fails_and_publishes_nothing(project):
    chapter = project.source / "00-run.md"
    damage = "\nA rocket \U0001f680 and " + "x" * 150 + " end.\n"
    chapter.write_text(chapter.read_text().replace("Try {ex}", damage + "\nTry {ex}"))
    with pytest.raises(build.BuildError) as caught:
        build.build(project, ["pdf"])
    message = str(caught.value)
    assert "has no glyph for \U0001f680" in message
    assert "into the margin (overfull line) (in 00-run.md" in message
    assert not (project.pdf / "tiny.pdf").exists()


def test_an_overlong_code_line_is_named_with_its_line(project, capsys):
    chapter = project.source / "00-run.md"
    text = chapter.read_text().replace('print(f"total = {total}")', 'print(f"total = {total}")  # ' + "x" * 80)
    chapter.write_text(text)
    line = text.splitlines().index(next(l for l in text.splitlines() if "# xxx" in l)) + 1
    with pytest.raises(build.BuildError):
        build.build(project, ["html"])
    assert f"00-run.md:{line}: WARNING: code line of 109 characters is wider than the printed page allows (80)" in capsys.readouterr().err
