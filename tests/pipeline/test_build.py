"""The build CLI: publishing editions, removing them on failure, and set-up errors."""

import json
import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from textbook import cli
from textbook.gates.leaks import pdf_text
from textbook.pipeline import build

from tests.conftest import TINY as PROJECT, plant_hint, uncoloured


@pytest.fixture
def project(tiny_project: Path) -> build.Layout:
    return build.Layout(tiny_project)


def test_html_is_published_and_a_failed_rebuild_removes_it(project, capsys):
    results = build.build(project, ["html"])
    assert results[0].outputs == [project.html / "index.html"]
    page = (project.html / "00-run.html").read_text()
    assert "total = 45" in page  # executed output
    notebook = json.loads((project.html / "_sources" / "00-run.ipynb").read_text())
    outputs = [o for cell in notebook["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]
    assert any("total = 45" in "".join(o.get("text", "")) for o in outputs), "the download is the executed notebook"
    assert 'href="_sources/00-run.ipynb"' in page

    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text().replace("sum(range(10))", "sum(range(10)) / 0"))
    with pytest.raises(build.BuildError, match="Sphinx's html build of book/ failed"):
        build.build(project, ["html"])
    assert not project.html.exists(), "a failed build must not leave the old edition in place"
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_a_build_gives_the_process_its_temporary_folder_back(project, monkeypatch):
    """Chapters run in a folder under the build (execute_inside_build_folder); after the build the
    process's own is back: a browser started later would not fit its socket's path in a deep one."""
    with (project.root / "conf.py").open("a") as conf:
        conf.write("nb_execution_in_temp = True\n")
    monkeypatch.setenv("TMPDIR", "/tmp")
    monkeypatch.setattr(tempfile, "tempdir", None)
    build.build(project, ["html"])
    assert (os.environ["TMPDIR"], tempfile.tempdir) == ("/tmp", None)
    assert (project.build / "cache" / "execution").is_dir(), "the chapters ran under the build folder"


def test_a_failed_html_step_also_removes_the_pdf_it_did_not_rebuild(project):
    project.pdf.mkdir(parents=True)
    stale = project.pdf / "tiny.pdf"
    stale.write_bytes(b"%PDF-stale")
    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text().replace("sum(range(10))", "undefined_name"))
    with pytest.raises(build.BuildError):
        build.build(project, ["html", "pdf"])
    assert not stale.exists()


def test_pdf_book_and_handouts_are_compiled_and_published(project):
    results = {r.edition: r for r in build.build(project, ["pdf", "handouts"])}
    assert results["pdf"].outputs == [project.pdf / "tiny.pdf"]
    assert results["handouts"].outputs == [project.handouts / "00-run.pdf"]
    assert all(pages >= 1 for pages in results["pdf"].pages.values())
    assert "Build summary" in build.summary(project, list(results.values()))
    book, handout = PdfReader(project.pdf / "tiny.pdf"), PdfReader(project.handouts / "00-run.pdf")
    assert (book.metadata.title, book.metadata.author, book.metadata.subject) == ("Tiny project", "Tests", "Tiny project: Book")
    assert handout.metadata.title == "Handout: Module 0 — A module that runs code"
    assert handout.metadata.subject == "Tiny project: Handout: Module 0 — A module that runs code"
    assert book.trailer["/Root"]["/Lang"] == handout.trailer["/Root"]["/Lang"] == "en"


def test_cli_rejects_an_unknown_edition(capsys, monkeypatch):
    monkeypatch.chdir(PROJECT)
    assert cli.main(["build", "mobi"]) == 2
    assert "unknown edition mobi" in capsys.readouterr().err


def test_cli_refuses_to_run_outside_a_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="no conf.py"):
        cli.main(["build", "html"])


def test_serve_runs_sphinx_autobuild_on_the_book(monkeypatch):
    from textbook.pipeline import serve

    monkeypatch.chdir(PROJECT)
    started = []
    monkeypatch.setattr(serve, "serve", lambda argv: started.append(argv) or 0)
    assert cli.main(["serve", "--port", "8123"]) == 0
    [argv] = started
    assert argv[-2:] == [str(PROJECT / "book"), str(PROJECT / "_build" / ".work" / "html")]
    assert ["-d", str(PROJECT / "_build" / ".work" / "doctrees")] == argv[argv.index("-d") : argv.index("-d") + 2]
    assert "8123" in argv and "127.0.0.1" in argv
    watched = [argv[i + 1] for i, flag in enumerate(argv) if flag == "--watch"]
    assert str(PROJECT / "exercises") in watched and str(Path(cli.__file__).parent) in watched


def test_the_exercise_edition_is_not_rebuilt_for_a_prose_edit(project, monkeypatch, capsys):
    build.build(project, ["workbook", "key"])
    runs = []
    real_run_sphinx = build.run_sphinx
    monkeypatch.setattr(build, "run_sphinx", lambda *a, **k: runs.append(a[2]) or real_run_sphinx(*a, **k))
    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text() + "\nA sentence of prose.\n")
    build.build(project, ["workbook", "key"])
    assert runs == [], "a prose edit leaves the workbook and keys as they were"
    exercise = sorted(project.exercises.glob("*/*.md"))[0]
    exercise.write_text(exercise.read_text().replace("## Question\n", "## Question\n\nRead carefully.\n", 1))
    capsys.readouterr()
    build.build(project, ["workbook", "key"])
    assert runs == [project.exercise_sources]
    module = exercise.parent.name
    read = re.findall(r"reading sources\.\.\. \[ *\d+%\] (\S+)", uncoloured(capsys.readouterr().out))
    assert sorted(read) == [f"answer-key/{module}", f"keys/{module}", f"workbook/{module}"], "one module's parts"
    assert "Read carefully." in pdf_text(project.pdf / "workbook.pdf")


def test_the_inputs_name_every_installed_package_with_its_version(tmp_path, monkeypatch):
    """A package upgraded, added or removed makes the next build a real one, not a no-op."""
    from importlib import metadata

    from textbook.core.installed import installed_distributions
    from textbook.pipeline import freshness

    installed = {name.lower() for name in installed_distributions()}
    for package in ("sphinx", "myst_nb", "mlflow"):
        assert f"{package}-{metadata.version(package)}.dist-info" in installed
    before = freshness.inputs_digest(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "newpackage-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert freshness.inputs_digest(tmp_path) != before


def test_the_home_page_offers_the_student_editions_built_with_it_and_never_a_key(project):
    build.build(project, ["html"])
    alone = (project.html / "index.html").read_text()
    assert '<nav id="textbook-downloads" hidden></nav>' in alone and not (project.html / "downloads").exists()

    build.build(project, ["html", "pdf", "handouts", "workbook", "key"])
    home = (project.html / "index.html").read_text()
    links = re.findall(r'<nav id="textbook-downloads".*?</nav>', home, re.S)[0]
    assert re.findall(r'href="([^"]+)"', links) == [
        "downloads/tiny.pdf", "downloads/handouts/00-run.pdf", "downloads/workbook.pdf"]
    assert "Handout, Module 0: A module that runs code (PDF)" in links
    for href in re.findall(r'href="([^"]+)"', links):
        assert (project.html / href).read_bytes()[:4] == b"%PDF"
    assert not list((project.html / "downloads").rglob("*key*")), "no key is ever offered"


def test_a_solution_in_the_printed_book_stops_it_being_published(project):
    """The PDF's text, read while the gates check it, is leak-scanned before it is published."""
    build.build(project, ["pdf"])
    plant_hint(project.source / "00-run.md")
    with pytest.raises(build.BuildError, match="the pdf edition contains solution text") as caught:
        build.build(project, ["pdf"])
    assert "tiny.pdf: contains the solution of exercise 'essay'" in str(caught.value)
    assert not (project.pdf / "tiny.pdf").exists()


def test_every_pdf_edition_is_printed_accessible_and_gated_without_tex(project, monkeypatch):
    """The book, the handouts, the workbook and the keys, each tagged PDF/UA-1 with its metadata,
    through the page-layout gate (a two-page handout's running head included) and the leak scan;
    the only system tool print needs is Poppler, to read the PDFs back."""
    from textbook.core.layout import tools_for
    from textbook.core.toolchain import POPPLER
    from textbook.gates import accessibility

    assert tools_for(["pdf", "handouts", "workbook", "key"]) == [POPPLER]
    results = {r.edition: r for r in build.build(type(project)(project.root), ["pdf", "handouts", "workbook", "key"])}
    published = [output for result in results.values() for output in result.outputs]
    assert {p.relative_to(project.build).as_posix() for p in published} == {
        "pdf/tiny.pdf", "pdf/handouts/00-run.pdf", "pdf/workbook.pdf", "pdf/answer-key.pdf", "pdf/keys/00-run.pdf"}
    for pdf in published:
        assert accessibility.findings(pdf) == [] and PdfReader(pdf).metadata.creator.startswith("Typst")

    found = accessibility.finish_checking  # the gate runs in a process of its own: its verdict is planted
    monkeypatch.setattr(accessibility, "finish_checking",
                        lambda process: [*found(process), "tiny.pdf: page 1 /Figure: no alt text (pdfua)"])
    with pytest.raises(build.BuildError, match="not accessible"):
        build.build(type(project)(project.root), ["pdf"])
    assert not (project.pdf / "tiny.pdf").exists(), "an inaccessible PDF is not published"


def test_publishing_links_what_was_not_written_and_copies_what_was(tmp_path):
    work, published = tmp_path / "work", tmp_path / "html"
    work.mkdir()
    (work / "same.html").write_text("unchanged")
    (work / "edited.html").write_text("before")
    build._replace_dir(work, published)
    old = os.stat(published / "same.html").st_mtime_ns - 10_000_000_000
    for page in ("same.html", "edited.html"):  # written by an earlier build, ten seconds before
        os.utime(work / page, ns=(old, old))
        os.utime(published / page, ns=(old, old))
    shared = (published / "same.html").stat().st_ino
    written_since = time.time_ns()
    (work / "edited.html").write_text("after!")  # the same size: written in this build, so copied
    (work / "recent.html").write_text("new")
    build._replace_dir(work, published, written_since)
    assert (published / "same.html").stat().st_ino == shared, "linked from the edition published"
    assert (published / "edited.html").read_text() == "after!" and (published / "recent.html").read_text() == "new"
    (work / "same.html").write_text("rewritten")
    build._replace_dir(work, published, time.time_ns())
    assert (published / "same.html").read_text() == "rewritten"
