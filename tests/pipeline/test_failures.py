"""Every failure is a clear one: named files and lines, no raw traceback, no stale edition."""

import re
from pathlib import Path

import pytest

from textbook import cli
from textbook.pipeline import build, freshness



@pytest.fixture
def project(tiny_project: Path, monkeypatch) -> build.Layout:
    root = tiny_project
    monkeypatch.chdir(root)
    return build.Layout(root)


def publish_stale_editions(layout: build.Layout) -> None:
    """What an earlier build left: an HTML edition and a PDF book, both looking complete."""
    layout.html.mkdir(parents=True)
    (layout.html / "index.html").write_text("<p>old</p>")
    layout.pdf.mkdir(parents=True)
    (layout.pdf / "tiny.pdf").write_bytes(b"%PDF-old")


def plant_byte(path: Path, after: str, byte: bytes) -> tuple[int, int]:
    """Put ``byte`` after the first ``after`` in ``path``; its (line, offset)."""
    data = path.read_bytes()
    offset = data.index(after.encode()) + len(after.encode())
    path.write_bytes(data[:offset] + byte + data[offset:])
    return data.count(b"\n", 0, offset) + 1, offset


def test_undecodable_sources_are_named_with_line_and_offset_and_the_old_editions_removed(project, capsys):
    publish_stale_editions(project)
    chapter_line, chapter_offset = plant_byte(project.source / "00-run.md", "# A module", b"\xff")
    exercise_line, exercise_offset = plant_byte(project.exercises / "00-run" / "1-short.md", "---\n", b"caf\xe9 ")

    assert cli.main(["build", "html", "pdf"]) == 1

    output = capsys.readouterr()
    shown = output.out + output.err
    assert f"book/00-run.md:{chapter_line}: byte 0xff at offset {chapter_offset} is not UTF-8" in shown
    assert f"exercises/00-run/1-short.md:{exercise_line}: byte 0xe9 at offset {exercise_offset + 3}" in shown
    assert "save the file as UTF-8" in shown
    assert "Build failed: 2 problems" in shown
    assert "Traceback" not in shown and "UnicodeDecodeError" not in shown
    assert not project.html.exists() and not (project.pdf / "tiny.pdf").exists()


def test_an_undecodable_chapter_is_named_when_sphinx_meets_it(project):
    line, _ = plant_byte(project.source / "00-run.md", "# A module", b"\xff")
    with pytest.raises(build.BuildError) as caught:
        build.run_sphinx(project, "html", project.source, project.work_output("html"), project.doctrees)
    assert f"book/00-run.md:{line}: byte 0xff" in caught.value.problems[0]


def boom(*args):
    raise RuntimeError("boom")


def test_an_unanticipated_exception_removes_the_editions_and_says_little(project, capsys, monkeypatch):
    publish_stale_editions(project)
    freshness.record_build(project.root, "earlier", {"html": []})
    monkeypatch.setattr(build.Builder, "load_bank", boom)

    assert cli.main(["build", "html", "pdf"]) == 1

    err = capsys.readouterr().err
    assert "an error the generator did not anticipate" in err
    assert "test_failures.py:" in err and "RuntimeError: boom" in err, "where it was raised, and what"
    assert "--verbose" in err
    assert "Traceback" not in err
    assert not project.html.exists() and not (project.pdf / "tiny.pdf").exists()
    assert freshness.unchanged_since_last_build(project.root, ["html"], "earlier", lambda e: True) is None


def test_verbose_shows_the_traceback(project, capsys, monkeypatch):
    monkeypatch.setattr(build.Builder, "load_bank", boom)
    assert cli.main(["build", "html", "--verbose"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err


def test_a_crash_inside_sphinx_is_short_and_located_where_it_started(project, capsys, monkeypatch):
    from textbook.sphinx_ext import extension

    monkeypatch.setattr(extension, "draw_figures", boom)  # connected by setup() at each Sphinx run
    assert cli.main(["build", "html"]) == 1
    err = capsys.readouterr().err
    assert "test_failures.py:" in err and "(exception: boom)" in err
    assert "Traceback" not in err and "Loaded Extensions" not in err, "not Sphinx's crash report"
    assert not project.html.exists()


def test_the_summary_lists_each_warning_and_failing_cell_as_file_line_message(project, capsys):
    index = project.source / "index.md"
    index.write_text(index.read_text() + "\nSee {ref}`nowhere`.\n")
    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text().replace("sum(range(10))", "sum(range(10)) / 0"))
    cell_line = chapter.read_text().splitlines().index("total = sum(range(10)) / 0") + 1
    reference_line = index.read_text().splitlines().index("See {ref}`nowhere`.") + 1

    assert cli.main(["build", "html"]) == 1

    err = capsys.readouterr().err
    summary = err[err.index("Build failed:") :]
    assert "Build failed: 2 problems" in summary
    assert f"  book/index.md:{reference_line}: undefined label: 'nowhere'\n" in summary
    assert f"  book/00-run.md:{cell_line}: cell failed: ZeroDivisionError: division by zero\n" in summary


def test_a_failing_figure_script_is_named_with_its_line(project, capsys):
    script = project.root / "figures_src" / "dot.py"
    lines = script.read_text().splitlines()
    body = next(n for n, line in enumerate(lines) if line.startswith("def draw")) + 1
    lines.insert(body, "    1 / 0")
    script.write_text("\n".join(lines) + "\n")

    assert cli.main(["build", "html"]) == 1

    err = capsys.readouterr().err
    assert f"  figures_src/dot.py:{body + 1}: figure script failed: ZeroDivisionError: division by zero" in err


def test_a_build_that_executes_a_cell_prints_no_configuration_or_kernel_chatter(project, capfd):
    assert cli.main(["build", "html"]) == 0
    output = capfd.readouterr()  # the kernel writes to the file descriptor it inherits
    shown = output.out + output.err
    assert "Executing notebook" in shown, "the chapter's cell ran in this build"
    assert "running over TCP" not in shown
    assert "MdParserConfig" not in shown and "NbParserConfig" not in shown
    assert "reading sources" in shown, "the progress lines stay"


MATH_CONF = """
myst_enable_extensions = ["dollarmath"]
"""
FORMULAS = "\nThe mean is $\\bar{x} = \\frac{1}{n} \\sum_i x_i$, and\n\n$$\\mathrm{KL}(a \\,\\|\\, e) = \\sum_i a_i \\log a_i$$\n"


def raw_math(page: Path) -> list[str]:
    """What ``page`` shows of a formula as its LaTeX source (as the web gate sees it, without a browser)."""
    from bs4 import BeautifulSoup

    from textbook.gates.web_checks import MATH_SOURCE

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    shown = [str(el) for el in soup.select(".math") if el.name != "img" and not el.find(["img", "svg", "math"])]
    for text in soup.find_all(string=re.compile(MATH_SOURCE)):
        if not text.find_parent(["pre", "code", "script", "style", "title"]) and not text.find_parent(class_="math"):
            shown.append(str(text))
    return shown


def test_pages_a_failed_build_wrote_are_written_again_by_the_next_one(project, monkeypatch):
    """A build that fails while writing (here the MathML converter, which then leaves each formula
    as its source and warns) must not leave those pages for the next build, which would find them
    up to date."""
    from textbook.sphinx_ext import math_mathml

    (project.root / "conf.py").write_text((project.root / "conf.py").read_text() + MATH_CONF)
    for page in (project.source / "00-run.md", project.source / "index.md"):
        page.write_text(page.read_text() + FORMULAS)
    def cannot_write(*args):
        raise math_mathml.MathMLError("planted")

    with monkeypatch.context() as failing:
        failing.setattr(math_mathml, "mathml", cannot_write)
        with pytest.raises(build.BuildError, match="Sphinx's html build of book/ failed"):
            build.build(project, ["html"])
    written = project.work_output("html")
    assert raw_math(written / "00-run.html") and raw_math(written / "index.html"), "the failure to reproduce"

    build.build(project, ["html"])
    pages = sorted(page for page in project.html.rglob("*.html") if "_static" not in page.parts)
    assert {page: raw_math(page) for page in pages} == {page: [] for page in pages}
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML"' in (project.html / "00-run.html").read_text()


def test_a_formula_that_cannot_be_written_fails_the_build_naming_its_line(project, capsys):
    (project.root / "conf.py").write_text((project.root / "conf.py").read_text() + MATH_CONF)
    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text() + "\nA formula with a typo: $\\frac{1}{n} \\sume_i x_i$.\n")
    line = len(chapter.read_text().splitlines())

    assert cli.main(["build", "html"]) == 1

    err = capsys.readouterr().err
    assert (f'book/00-run.md:{line}: the formula "\\frac{{1}}{{n}} \\sume_i x_i" cannot be written as MathML'
            " for the HTML and EPUB editions: the command \\sume is unknown") in err, err
    assert not project.html.exists()


def test_a_chapter_whose_cell_failed_is_read_again_by_the_next_build(project, capsys):
    """The failed build saved the chapter's doctree (traceback and all): the next build must not
    take it as up to date and publish it."""
    chapter = project.source / "00-run.md"
    chapter.write_text(chapter.read_text().replace("sum(range(10))", "sum(range(10)) / 0"))
    for _ in range(2):
        with pytest.raises(build.BuildError):
            build.build(project, ["html"])
        assert "ZeroDivisionError" in capsys.readouterr().err
    assert not project.html.exists()
