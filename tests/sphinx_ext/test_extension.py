"""The Sphinx extension on a tiny book: figures, front matter, numbering, handouts."""

import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from textbook.core.config import of_sphinx

from textbook.sphinx_ext import reading_code
from textbook.sphinx_ext.module_overview import modules


def _html(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


def _warnings(app) -> str:
    return app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="basic")
def test_html_build_is_clean(app):
    app.build()
    assert _warnings(app) == ""


@pytest.mark.sphinx("html", testroot="basic")
def test_script_figure_uses_svg_in_html_with_alt_text_and_number(app):
    app.build()
    page = _html(app, "00-first")
    image = page.select_one("figure img")
    assert image["src"].endswith("square.svg")
    assert image["alt"] == "A filled square."
    assert (app.outdir / image["src"]).is_file()
    assert page.select_one("figure .caption-number").get_text(strip=True) == "Figure 0.1"


@pytest.mark.sphinx("html", testroot="basic")
def test_chapters_are_numbered_from_zero(app):
    app.build()
    first, second = _html(app, "00-first"), _html(app, "01-second")
    assert first.select_one("h1 .section-number").get_text(strip=True) == "0."
    assert first.select_one("h2 .section-number").get_text(strip=True) == "0.1."
    assert second.select_one("h1 .section-number").get_text(strip=True) == "1."
    # A reference from chapter 1 to a figure in chapter 0 carries chapter 0's number.
    assert "Figure 0.1" in second.get_text()
    index_links = [a.get_text() for a in _html(app, "index").select(".toctree-wrapper a")]
    assert index_links == ["0. First module", "0.1. A section", "1. Second module", "1.1. Another section"]


@pytest.mark.sphinx("html", testroot="basic")
def test_an_unchanged_book_is_not_rewritten(app, make_app, app_params):
    app.build()
    args, kwargs = app_params
    again = make_app(*args, **kwargs)
    again.build()
    assert "0 added, 0 changed, 0 removed" in again.status.getvalue()
    assert "no targets are out of date" in again.status.getvalue()


@pytest.mark.sphinx("html", testroot="basic")
def test_module_overview_renders_front_matter_and_objectives(app):
    app.build()
    box = _html(app, "00-first").select_one(".module-overview")
    text = " ".join(box.get_text(" ").split())
    assert "Introductory (1 of 3)" in text
    assert "30 minutes" in text
    assert "Curiosity" in text
    assert [li["id"] for li in box.select("ol > li")] == ["objective-explain", "objective-draw"]
    info = modules(app.env)
    assert list(info) == ["00-first", "01-second"]
    assert info["01-second"].number == 1 and info["01-second"].difficulty == 3


@pytest.mark.sphinx("typst", testroot="basic")
def test_print_uses_svg_figures_and_numbers_from_chapter_zero(app):
    app.build()
    assert _warnings(app) == ""
    book = (app.outdir / "tiny.typ").read_text()
    assert 'picture("images/square.svg"' in book and (app.outdir / "images" / "square.svg").is_file()
    assert "0.1 A section" in book and "Figure 0.1: A square" in book.replace("\xa0", " ")


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_every_module_gets_a_handout(app):
    app.build()
    assert sorted(p.name for p in app.outdir.glob("*.pdf")) == ["handout-00-first.pdf", "handout-01-second.pdf", "tiny.pdf"]
    handout = PdfReader(app.outdir / "handout-01-second.pdf")
    assert handout.metadata.title == "Handout: Module 1 \N{EM DASH} Second module"
    assert "Module at a glance" in handout.pages[0].extract_text()


@pytest.mark.sphinx("html", testroot="basic")
def test_math_is_mathml_with_no_mathjax(app):
    app.build()
    page = _html(app, "01-second")
    assert not [s for s in page.select("script[src]") if "mathjax" in s["src"].lower()]
    math = page.select_one("span.math > math")
    assert math.select_one("mfrac") and "frac" in math["alttext"]


@pytest.mark.sphinx("html", testroot="basic")
def test_outputs_of_removed_documents_and_images_are_deleted(app, make_app, app_params):
    app.build()
    (app.outdir / "_images" / "old-plot.svg").write_text("<svg/>")
    (app.outdir / "renamed-chapter.html").write_text("<p>old</p>")
    (app.outdir / "_sources" / "renamed-chapter.md.txt").write_text("old")
    args, kwargs = app_params
    again = make_app(*args, **kwargs)
    again.build()
    assert not (app.outdir / "_images" / "old-plot.svg").exists()
    assert not (app.outdir / "renamed-chapter.html").exists()
    assert not (app.outdir / "_sources" / "renamed-chapter.md.txt").exists()
    assert (app.outdir / "_images" / "square.svg").exists() and (app.outdir / "00-first.html").exists()
    assert (app.outdir / "genindex.html").exists() and (app.outdir / "search.html").exists()


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_only_the_handout_of_an_edited_chapter_is_assembled_again(app, make_app, app_params, monkeypatch):
    from textbook.typst.builder import TypstBuilder

    app.build()
    assembled = []
    original = TypstBuilder.assemble
    monkeypatch.setattr(TypstBuilder, "assemble", lambda self, document, *rest: assembled.append(document.name)
                        or original(self, document, *rest))
    chapter = app.srcdir / "01-second.md"
    chapter.write_text(chapter.read_text() + "\nA sentence added by the test.\n")
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build()
    assert sorted(assembled) == ["handout-01-second", "tiny"]
    assert "A sentence added by the test." in (again.outdir / "handout-01-second.typ").read_text()
    assert "A sentence added by the test." not in (again.outdir / "handout-00-first.typ").read_text()


@pytest.mark.sphinx("typst", testroot="basic", freshenv=True)
def test_every_pdf_is_printed_again_when_the_paper_changes(app, make_app, app_params):
    app.build()
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False, "confoverrides": {"textbook_paper": "letter"}})
    again.build()
    for pdf in again.outdir.glob("*.pdf"):
        assert {float(page.mediabox.width) for page in PdfReader(pdf).pages} == {612.0}, pdf.name


@pytest.mark.sphinx("html", testroot="basic", srcdir="basic-parallel", parallel=2)
def test_a_rebuild_of_one_page_runs_in_process_and_a_cold_build_in_parallel(app, make_app, app_params):
    app.build()
    assert app.parallel == 2, "three documents to read: read and written in parallel"
    page = app.srcdir / "00-first.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    args, kwargs = app_params
    again = make_app(*args, **kwargs)
    again.build()
    assert "0 added, 1 changed, 0 removed" in again.status.getvalue()
    assert again.parallel == 1, "one document: no forked reader or writers"
    assert "One more sentence." in (again.outdir / "00-first.html").read_text()


def test_numbered_references_unpickle_a_target_chapter_once_per_reading():
    from textbook.sphinx_ext.numref_targets import _KeptDoctrees

    class Environment:  # as much of Sphinx's as the resolver's lookup uses
        all_docs = {"00-first": 1}
        toc_fignumbers = {"00-first": {"figure": {"fig-square": (0, 1)}}}

        def __init__(self):
            self.loaded = []

        def get_doctree(self, docname):
            self.loaded.append(docname)
            return object()

    env = Environment()
    first = _KeptDoctrees(env).get_doctree("00-first")
    assert _KeptDoctrees(env).get_doctree("00-first") is first and env.loaded == ["00-first"]
    assert _KeptDoctrees(env).toc_fignumbers is env.toc_fignumbers, "everything else is the environment's"
    env.all_docs = {"00-first": 2}  # the chapter was read again
    assert _KeptDoctrees(env).get_doctree("00-first") is not first and env.loaded == ["00-first"] * 2


def test_only_code_that_sphinx_runs_makes_it_read_the_book_again(tmp_path):
    package = tmp_path / "textbook"
    shutil.copytree(reading_code.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = reading_code.digest(package)
    for outside in ("cli.py", "pipeline/build.py", "gates/leaks.py", "instructor/moodle.py"):
        (package / outside).write_text((package / outside).read_text() + "\n# edited\n")
    assert reading_code.digest(package) == before
    for inside in ("sphinx_ext/code_width.py", "exercises/render.py", "sphinx_ext/templates/navbar-logo.html"):
        edited = package / inside
        edited.write_text(edited.read_text() + "\n")
        assert reading_code.digest(package) != before, inside
        before = reading_code.digest(package)
