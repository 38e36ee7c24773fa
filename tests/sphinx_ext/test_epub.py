"""The EPUB edition of the tiny project: built from the HTML's doctrees, valid for EPUBCheck,
complete (executed outputs, figure, math as MathML, navigation, metadata), byte-identical when
rebuilt, and never published when EPUBCheck or the leak scan finds a problem."""

import os
import re
import shutil
import threading
import time
from pathlib import Path
from zipfile import ZipFile

import pytest

from textbook import cli
from textbook.gates import epub_checks
from textbook.sphinx_ext import epub
from textbook.pipeline import build

from tests.conftest import TINY, plant_hint, uncoloured
EPOCH = "1764115200"  # 2025-11-26, as the build would set it


@pytest.fixture
def project(tiny_project: Path, monkeypatch) -> build.Layout:
    root = tiny_project
    chapter = root / "book" / "00-run.md"
    chapter.write_text(chapter.read_text() + "\nA sum of the first ten numbers: {math}`\\sum_{k=0}^{9} k = 45`.\n"
                       '\n```{code-cell} ipython3\nimport pandas as pd\npd.DataFrame({"n": [1, 2]})\n```\n')
    # Sphinx re-reads a file modified after its last reading, by the file system's clock against
    # the process's: a freshly written chapter on a file system whose clock runs ahead (a shared
    # or virtual one) would look edited again in the next step. The files were written before.
    written = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (written, written))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return build.Layout(root)


def _files(epub: Path) -> dict[str, bytes]:
    with ZipFile(epub) as book:
        return {name: book.read(name) for name in book.namelist()}


def test_the_epub_is_complete_valid_and_shares_the_html_doctrees(project, capsys):
    results = {r.edition: r for r in build.build(project, ["html", "epub"])}
    book = project.epub / "tiny.epub"
    assert results["epub"].outputs == [book]
    printed = uncoloured(capsys.readouterr().out)
    epub_step = printed.split("] epub\n", 1)[1]
    assert re.search(r"EPUBCheck [\d.]+: 0 fatal, 0 errors, 0 warnings", epub_step), epub_step
    first, then = re.findall(r"updating environment: .*", printed)  # the EPUB's step, then the HTML's
    assert first != then == "updating environment: 0 added, 0 changed, 0 removed", "the chapters were read once"
    files = _files(book)
    assert next(iter(files)) == "mimetype" and files["mimetype"] == b"application/epub+zip"
    page = files["00-run.xhtml"].decode()
    assert "total = 45" in page, "executed outputs are in the book"
    assert 'src="_images/dot.svg"' in page and b"<!DOCTYPE" not in files["_images/dot.svg"]
    [formula] = re.findall(r'<math xmlns="http://www.w3.org/1998/Math/MathML" [^>]*>.*?</math>', page)
    assert 'alttext="\\sum_{k=0}^{9} k = 45"' in formula and "<munderover>" in formula, "math is MathML"
    assert "mathjax" not in page.lower() and "<script" not in page
    assert 'class="dataframe"' in page and "<style" not in page, "pandas' table, without its scoped style"
    assert "Exercise 0.1" in page and "Starter notebook" not in page, "questions only, no downloads"
    assert not [name for name in files if name.endswith(".ipynb") or "mystnb" in name]
    opf = files["content.opf"].decode()
    assert "<dc:title>Tiny project</dc:title>" in opf and "<dc:creator" in opf and ">Tests</dc:creator>" in opf
    assert "<dc:language>en</dc:language>" in opf and ">urn:uuid:" in opf
    assert "<dc:description>Tiny project</dc:description>" in opf and "<dc:contributor>Tests</dc:contributor>" in opf
    assert epub_checks.missing_metadata(book) == [], "nothing says 'unknown'"
    assert '<meta property="dcterms:modified">2025-11-26T00:00:00Z</meta>' in opf
    page_item = f'id="{epub.item_id("00-run.xhtml")}"'
    assert page_item in opf and not re.search(r'id="epub-\d', opf), "item ids are made from file names"
    assert "00-run.xhtml" in files["nav.xhtml"].decode(), "the table of contents lists the chapter"
    assert ">Module 0: A module that runs code<" in files["nav.xhtml"].decode(), "with its unit label and number"
    assert "<text>Module 0: A module that runs code</text>" in files["toc.ncx"].decode()
    assert re.search(rf'<item id="{epub.item_id("00-run.xhtml")}" [^>]*properties="mathml"/>', opf)
    assert not re.search(rf'<item id="{epub.item_id("index.xhtml")}" [^>]*properties=', opf), "no math there"
    assert ".highlight .k { color:" in files["_static/pygments.css"].decode(), "code is highlighted"
    style = files["_static/textbook-epub.css"].decode()
    assert "pre { white-space: pre-wrap;" in style, "long code lines wrap on a narrow screen"
    assert "dl.field-list > dt:after { content: none; }" in style and '<span class="colon">:</span>' in page, "one colon"


def test_an_epub_rebuilt_from_scratch_is_byte_identical(project):
    build.build(project, ["epub"])
    first = (project.epub / "tiny.epub").read_bytes()
    shutil.rmtree(project.work_output("epub"))
    time.sleep(2)  # a zip records times to 2 s: a file's own time would show
    build.build(project, ["epub"])
    assert (project.epub / "tiny.epub").read_bytes() == first


def test_a_changed_configuration_rebuilds_the_epub_without_sphinx_s_backup_files(project):
    build.build(project, ["epub"])
    conf = project.root / "conf.py"
    conf.write_text(conf.read_text() + '\ncopyright = "2026, Tests"\n')
    build.build(project, ["epub"])  # Sphinx keeps the old .buildinfo as .buildinfo.bak: not a book file
    assert not [name for name in _files(project.epub / "tiny.epub") if "buildinfo" in name]


def test_a_chapter_another_step_re_read_is_rewritten_in_the_epub(project):
    build.build(project, ["html", "epub"])
    script = project.root / "figures_src" / "dot.py"
    script.write_text(script.read_text().replace('"o"', '"s"'))  # a square: the chapter is read again
    build.build(project, ["html"])  # by the HTML step; the chapter's source file is older than its EPUB page
    build.build(project, ["epub"])
    html_figure = (project.html / "_images" / "dot.svg").read_bytes()
    assert _files(project.epub / "tiny.epub")["_images/dot.svg"] == epub.clean_svg(html_figure)


def test_an_epubcheck_error_fails_the_build_naming_the_page_and_chapter(project):
    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text() + '\n```{raw} html\n<img src="_images/missing.png" alt="gone"/>\n```\n')
    project.epub.mkdir(parents=True)
    (project.epub / "tiny.epub").write_bytes(b"an older edition")
    with pytest.raises(build.BuildError) as caught:
        build.build(project, ["epub"])
    assert "EPUBCheck found errors in tiny.epub, which was not published" in str(caught.value)
    assert any(
        problem.startswith("tiny.epub/00-run.xhtml:") and "(written from book/00-run.md)" in problem
        and "RSC-007" in problem and "_images/missing.png" in problem
        for problem in caught.value.problems
    ), caught.value.problems
    assert not project.epub.exists(), "a failed build removes the edition instead of leaving it stale"


def test_the_build_refuses_to_publish_an_epub_with_a_leak(project, monkeypatch):
    monkeypatch.setattr(epub_checks, "check_epub", lambda *a: epub_checks.EpubCheckReport(summary="skipped"))
    plant_hint(project.source / "00-run.md")
    with pytest.raises(build.BuildError, match="the epub edition contains solution text") as caught:
        build.build(project, ["epub"])
    assert "tiny.epub/00-run.xhtml: contains the solution of exercise 'essay'" in str(caught.value)
    assert not project.epub.exists()


def test_epub_is_an_edition_of_the_cli(capsys, monkeypatch):
    monkeypatch.chdir(TINY)
    assert cli.main(["build", "nonesuch"]) == 2
    assert "choose from html, epub, pdf" in capsys.readouterr().err


def test_figure_svgs_are_made_valid_for_epub():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 1))
    fig.text(0.1, 0.5, "a b")  # DejaVu's space is a glyph path without d
    drawn = io.BytesIO()
    fig.savefig(drawn, format="svg")
    plt.close(fig)
    without_data = rb"<path(?![^>]*\sd=)"
    assert b"<!DOCTYPE" in drawn.getvalue() and re.search(without_data, drawn.getvalue())
    cleaned = epub.clean_svg(drawn.getvalue())
    assert b"<!DOCTYPE" not in cleaned and not re.search(without_data, cleaned)
    assert cleaned.count(b"<path") == drawn.getvalue().count(b"<path")


def test_epubcheck_runs_while_the_pdfs_are_checked_and_still_decides(project, monkeypatch):
    """EPUBCheck (Java, seconds) overlaps the PDFs' gates; its verdict still stops the EPUB."""
    checking, checked = threading.Event(), threading.Event()
    publish_print = build.Builder.publish_print

    def check_epub(*args):
        checking.set()
        assert checked.wait(timeout=120), "the PDFs were not checked while EPUBCheck ran"
        return epub_checks.EpubCheckReport(problems=["tiny.epub/00-run.xhtml: ERROR RSC-007: planted"])

    def say_when_checked(self):
        assert checking.wait(timeout=120), "EPUBCheck had not started when the PDFs' gates were waited for"
        publish_print(self)
        checked.set()

    monkeypatch.setattr(epub_checks, "check_epub", check_epub)
    monkeypatch.setattr(build.Builder, "publish_print", say_when_checked)
    with pytest.raises(build.BuildError, match="EPUBCheck found errors in tiny.epub") as caught:
        build.build(project, ["epub", "pdf"])
    assert caught.value.problems == ["tiny.epub/00-run.xhtml: ERROR RSC-007: planted"]
    assert not project.epub.exists(), "the EPUB is not published"
    assert (project.pdf / "tiny.pdf").is_file(), "the PDF book, complete and checked, is"


OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
{}</metadata></package>"""
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"""


def _epub_with(tmp_path: Path, metadata: str) -> Path:
    book = tmp_path / "planted.epub"
    with ZipFile(book, "w") as planted:
        planted.writestr("META-INF/container.xml", CONTAINER)
        planted.writestr("content.opf", OPF.format(metadata))
    return book


def test_metadata_that_a_library_cannot_show_is_reported(tmp_path):
    planted = _epub_with(tmp_path, "<dc:language>en</dc:language><dc:title>Tiny</dc:title>"
                                   "<dc:description>unknown</dc:description><dc:contributor>unknown</dc:contributor>")
    assert epub_checks.missing_metadata(planted) == [
        "planted.epub/content.opf: the metadata has no author (conf.py's author)",
        "planted.epub/content.opf: the metadata has no description (conf.py's textbook_description)",
        "planted.epub/content.opf: the metadata's contributor is 'unknown'",
    ]
    whole = _epub_with(tmp_path, "<dc:language>en</dc:language><dc:title>Tiny</dc:title><dc:creator>Tests</dc:creator>"
                                 "<dc:description>A tiny book.</dc:description>")
    assert epub_checks.missing_metadata(whole) == []


@pytest.mark.parametrize("container", [CONTAINER.replace("<rootfile ", "<notaroot "), "<container", None])
def test_metadata_of_an_epub_without_a_package_document_is_a_problem_not_a_crash(tmp_path, container):
    book = tmp_path / "broken.epub"
    with ZipFile(book, "w") as broken:
        if container is not None:
            broken.writestr("META-INF/container.xml", container)
    [problem] = epub_checks.missing_metadata(book)
    assert problem.startswith("broken.epub: no package document to read the metadata from")


def test_the_cover_shows_the_title_author_and_the_course_s_logo_and_is_declared_as_epub_3_wants(project, capsys):
    from textbook.sphinx_ext import epub_cover

    shutil.copyfile(Path(epub.__file__).parent / "static" / "textbook-logo.svg", project.root / "crest.svg")
    conf = project.root / "conf.py"
    conf.write_text(conf.read_text() + '\ntextbook_logo = "crest.svg"\ntextbook_logo_alt = "A crest"\n')
    build.build(project, ["epub"])
    assert re.search(r"EPUBCheck [\d.]+: 0 fatal, 0 errors, 0 warnings", capsys.readouterr().out)
    files = _files(project.epub / "tiny.epub")
    cover = f"_static/{epub_cover.IMAGE}"
    opf = files["content.opf"].decode()
    assert f'<item id="{epub.item_id(cover)}" href="{cover}" media-type="image/svg+xml" properties="cover-image"/>' in opf
    assert opf.count('properties="cover-image"') == 1
    drawing = files[cover].decode()
    assert ">Tiny project</text>" in drawing and ">Tests</text>" in drawing
    assert 'xlink:href="crest.svg"' in drawing and "_static/crest.svg" in files, "the logo, packaged beside it"
    page = files["epub-cover.xhtml"].decode()
    assert f'<img src="{cover}" alt="Tiny project" />' in page


def test_a_long_title_is_broken_between_words_and_escaped():
    from textbook.sphinx_ext.epub_cover import cover_svg

    drawing = cover_svg("Models & Pipelines: From a Notebook to Production", "A & B")
    lines = re.findall(r'font-weight="bold">([^<]*)</text>', drawing)
    assert lines == ["Models &amp; Pipelines:", "From a Notebook to", "Production"]
    assert ">A &amp; B</text>" in drawing and "<image" not in drawing, "no logo unless the course sets one"
