"""What damages print is caught and located: a missing glyph, text in the margin, missing metadata."""

from pathlib import Path

import pytest

from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

from textbook.gates.print_checks import missing_metadata
from textbook.pipeline import build


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
    pdf = _blank_pdf(tmp_path / "book.pdf", {"Title": "Tiny", "Author": "Tests"}, None)
    assert missing_metadata(pdf) == ["Subject", "Lang (language)"]
    _blank_pdf(pdf, {}, None)
    assert missing_metadata(pdf) == ["Title", "Author", "Subject", "Lang (language)"]
    _blank_pdf(pdf, {"Title": "Tiny", "Author": "Tests", "Subject": "Tiny: Book"}, "en")
    assert missing_metadata(pdf) == []


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
    assert 'the text `"\U0001f680"` could not be displayed' in message, message
    line = chapter.read_text().splitlines().index(damage.strip()) + 1
    assert f"00-run.md:{line}: PDF/UA-1 error" in message, "named at the chapter's line, not the Typst source's"
    assert not (project.pdf / "tiny.pdf").exists()
    chapter.write_text(chapter.read_text().replace("\U0001f680", "rocket"))
    with pytest.raises(build.BuildError) as caught:
        build.build(project, ["pdf"])
    assert '"' + "x" * 57 + '..." runs' in str(caught.value) and "into the margin" in str(caught.value)
    assert not (project.pdf / "tiny.pdf").exists()


def test_an_overlong_code_line_is_named_with_its_line(project, capsys):
    chapter = project.source / "00-run.md"
    text = chapter.read_text().replace('print(f"total = {total}")', 'print(f"total = {total}")  # ' + "x" * 80)
    chapter.write_text(text)
    line = text.splitlines().index(next(l for l in text.splitlines() if "# xxx" in l)) + 1
    with pytest.raises(build.BuildError):
        build.build(project, ["html"])
    assert f"00-run.md:{line}: WARNING: code line of 109 characters is wider than the printed page allows (80)" in capsys.readouterr().err
