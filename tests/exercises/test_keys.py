"""Answer keys for instructors: one per module besides the whole key, a notice on every page, the coverage report.

One build of the workbook and the keys of the tiny project, given a second
module (two exercises, one of which ends on a blank page of page style
``empty``), serves the tests that read PDFs.
"""

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from textbook import cli
from textbook.exercises import editions
from textbook.bank.bank import load_bank
from textbook.gates.leaks import pdf_text
from textbook.bank import coverage
from textbook.pipeline import build

from tests.conftest import copy_tiny
NOTICE = "Instructor edition: do not distribute"

SECOND_CHAPTER = """\
# Counting further

```{module-overview}
difficulty: 1
minutes: 10
prerequisites:
  - Module 0
objectives:
  up: Count up | past ten
  down: Count down from ten
```

## Exercises

```{exercises}
```
"""


def _exercise(id_: str, objectives: str, minutes: int, points: int, solution: str, question: str = "") -> str:
    return f"""\
---
id: {id_}
title: Count {id_}
kind: short-answer
difficulty: 1
minutes: {minutes}
points: {points}
objectives: [{objectives}]
space: 2
---

## Question

How do you count {id_}?{question}

## Solution

{solution}

## Rubric

- ({points} points) Counts in the right direction
"""


# A page break, then a page with no header or footer at all: the notice must be there too.
BLANK_PAGE = "\n\n```{raw} typst\n#page(header: none, footer: none, numbering: none)[]\n```\n"
UP_SOLUTION = "Eleven follows ten when counting upwards from one."
DOWN_SOLUTION = "Nine comes right after ten on the way down to zero."


def _two_module_project(root: Path) -> Path:
    copy_tiny(root)
    (root / "book" / "01-count.md").write_text(SECOND_CHAPTER)
    index = root / "book" / "index.md"
    index.write_text(index.read_text().replace("00-run\n", "00-run\n01-count\n"))
    folder = root / "exercises" / "01-count"
    folder.mkdir()
    (folder / "1-up.md").write_text(_exercise("up", "up", 3, 2, UP_SOLUTION, BLANK_PAGE))
    (folder / "2-down.md").write_text(_exercise("down", "up, down", 4, 5, DOWN_SOLUTION))
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return _two_module_project(tmp_path_factory.mktemp("keys") / "tiny")


@pytest.fixture(scope="module")
def built(project):
    """The workbook and the keys, built once."""
    layout = build.Layout(project)
    results = {r.edition: r for r in build.build(layout, ["workbook", "key"])}
    return layout, results


def _pages(pdf: Path) -> list[str]:
    count = build.page_count(pdf)
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
                       check=True).stdout
        for n in range(1, count + 1)
    ]  # fmt: skip


def _squashed(pdf: Path) -> str:
    return " ".join(pdf_text(pdf).split())


# -- per-module keys ------------------------------------------------------------


def test_build_key_writes_a_key_per_module_besides_the_whole_key(built):
    layout, results = built
    module_keys = [layout.pdf / "keys" / "00-run.pdf", layout.pdf / "keys" / "01-count.pdf"]
    assert results["key"].outputs == [layout.pdf / "answer-key.pdf", *module_keys]
    assert sorted(layout.module_keys.iterdir()) == module_keys
    assert layout.complete("key")


def test_the_workbook_and_every_key_say_what_they_are_in_their_metadata(built):
    layout, _ = built
    expected = {  # title; the subject is the book's title and the edition
        layout.pdf / "workbook.pdf": "Student workbook",
        layout.pdf / "answer-key.pdf": "Answer key \u2014 instructor edition",
        layout.pdf / "keys" / "01-count.pdf": "Answer key, Module 1 \u2014 instructor edition",
    }
    for pdf, title in expected.items():
        reader = PdfReader(pdf)
        assert (reader.metadata.title, reader.metadata.author) == (title, "Tests"), pdf
        assert reader.metadata.subject == f"Tiny project: {title}" and reader.trailer["/Root"]["/Lang"] == "en"


def test_a_module_key_holds_its_module_exercises_only_numbered_as_in_the_whole_key(built):
    layout, _ = built
    whole = _squashed(layout.pdf / "answer-key.pdf")
    first, second = (_squashed(layout.module_keys / name) for name in ("00-run.pdf", "01-count.pdf"))
    assert "Exercise 1.1: Count up" in whole and "Exercise 1.2: Count down" in whole
    assert "Exercise 1.1: Count up" in second and "Exercise 1.2: Count down" in second
    assert UP_SOLUTION in second and DOWN_SOLUTION in second, "a module key has the solutions"
    assert "Exercise 0." not in second and UP_SOLUTION not in first
    assert [f"0.{n}" in first for n in range(1, 7)] == [True] * 6 and "Exercise 1." not in first


def test_a_missing_module_key_makes_the_key_edition_incomplete(built, tmp_path):
    layout, _ = built
    copy = build.Layout(tmp_path)
    shutil.copytree(layout.exercise_sources, copy.exercise_sources)
    shutil.copytree(layout.pdf, copy.pdf)
    assert copy.complete("key")
    (copy.module_keys / "01-count.pdf").unlink()
    assert not copy.complete("key"), "the next build must redo the keys, not call them up to date"


def test_a_failed_key_build_removes_every_key(built, tmp_path):
    layout, _ = built
    copy = build.Layout(tmp_path)
    shutil.copytree(layout.pdf, copy.pdf)
    copy.unpublish(["key"])
    assert not (copy.pdf / "answer-key.pdf").exists() and not copy.module_keys.exists()
    assert (copy.pdf / "workbook.pdf").exists()


def test_a_module_key_source_that_no_module_needs_is_removed(project, tmp_path):
    stale = tmp_path / "keys" / "07-gone.md"
    stale.parent.mkdir()
    stale.write_text("# Answer Key, Module 7\n")
    editions.write_sources(load_bank(project / "exercises", project / "book"), tmp_path)
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["00-run.md", "01-count.md"]


# -- the notice -----------------------------------------------------------------


def test_every_page_of_every_key_says_it_is_for_instructors(built):
    layout, _ = built
    keys = [layout.pdf / "answer-key.pdf", *sorted(layout.module_keys.glob("*.pdf"))]
    for key in keys:
        pages = _pages(key)
        assert len(pages) >= 3, key.name  # the title page, the coverage, the exercises
        missing = [n for n, text in enumerate(pages, 1) if NOTICE not in " ".join(text.split())]
        assert not missing, f"{key.name}: no notice on pages {missing}"
    blank = [text for text in _pages(layout.module_keys / "01-count.pdf") if text.split() == NOTICE.split()]
    assert blank, "the planted blank page (page style empty) should hold the notice and nothing else"


def test_the_workbook_has_no_instructor_notice(built):
    layout, _ = built
    pages = _pages(layout.pdf / "workbook.pdf")
    assert any(text.split() == [] for text in pages), "the planted blank page is in the workbook too"
    assert not [n for n, text in enumerate(pages, 1) if "Instructor edition" in text]


# -- the coverage report ----------------------------------------------------------

EXPECTED_ROWS = {
    0: [
        ("run", "Run a cell", "0.1, 0.3, 0.4", "short answer, list, design / essay", 9, 16),
        ("count", "Count to ten", "0.2, 0.3, 0.5, 0.6", "fill in the table, list, multiple choice, code", 10, 13),
        (None, "Module total (6 exercises)", "0.1, 0.2, 0.3, 0.4, 0.5, 0.6",
         "1 code, 1 design / essay, 1 fill in the table, 1 list, 1 multiple choice, 1 short answer", 16, 25),
    ],
    1: [
        ("up", "Count up | past ten", "1.1, 1.2", "short answer, short answer", 7, 7),
        ("down", "Count down from ten", "1.2", "short answer", 5, 4),
        (None, "Module total (2 exercises)", "1.1, 1.2", "2 short answer", 7, 7),
    ],
}  # fmt: skip


def test_the_report_lists_every_objective_with_its_exercises_and_the_module_totals(project):
    tables = coverage.coverage(load_bank(project / "exercises", project / "book"))
    found = {
        table.module.number: [(r.objective, r.text, r.numbers, r.kinds, r.points, r.minutes) for r in table.rows]
        for table in tables
    }
    assert found == EXPECTED_ROWS


def test_textbook_report_prints_the_tables_as_markdown(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert cli.main(["report"]) == 0
    out = capsys.readouterr().out
    assert "## Module 1: Counting further\n\n| Objective | Exercises | Kinds | Points | Minutes |\n" in out
    assert "| `up`: Count up \\| past ten | 1.1, 1.2 | short answer, short answer | 7 | 7 |" in out
    assert "| **Module total (6 exercises)** | 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 |" in out
    assert out.index("## Module 0") < out.index("## Module 1")


def test_textbook_report_prints_csv_on_request(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert cli.main(["report", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = [(n, *row) for n, module in EXPECTED_ROWS.items() for row in module]
    got = [
        (int(r["module"]), None if r["objective"] == "total" else r["objective"], r["objective_text"],
         r["exercises"], r["kinds"], int(r["points"]), int(r["minutes"]))
        for r in rows
    ]  # fmt: skip
    assert got == expected


def test_textbook_report_names_a_bad_exercise_and_fails(project, tmp_path, monkeypatch, capsys):
    broken = tmp_path / "tiny"
    shutil.copytree(project, broken, ignore=shutil.ignore_patterns("_build"))
    bad = broken / "exercises" / "01-count" / "2-down.md"
    bad.write_text(bad.read_text().replace("points: 5", "points: five"))
    monkeypatch.chdir(broken)
    assert cli.main(["report"]) == 1
    captured = capsys.readouterr()
    assert "exercises/01-count/2-down.md:7: header 'points'" in captured.err and captured.out == ""


#: A table row's first printed line: objective, exercises, kinds (each maybe wrapped on), points, minutes.
_TABLE_ROW = re.compile(r"^ (\S.*?)\s{2,}(\d+\.\d.*?)\s{2,}(\S.*?)\s{2,}(\d+)\s{2,}(\d+)$", re.M)


def _front_matter_rows(pdf: Path) -> list[tuple]:
    """The coverage rows printed before the first exercise: (objective, first line of exercises, points, minutes)."""
    text = pdf_text(pdf)
    front = text[: re.search(r"Exercise \d+\.\d+:", text).start()]
    return [(m[1], m[2], int(m[4]), int(m[5])) for m in _TABLE_ROW.finditer(front)]


def _expected_rows(*modules: int) -> list[tuple]:
    return [
        (text, numbers, points, minutes)  # an objective by its text, not the bank's id
        for module in modules
        for objective, text, numbers, _, points, minutes in EXPECTED_ROWS[module]
    ]


def _printed_as(found: list[tuple], expected: list[tuple]) -> bool:
    """The same rows, a wrapped exercises cell being the start of its list."""
    return len(found) == len(expected) and all(
        f[0] == e[0] and e[1].startswith(f[1]) and f[2:] == e[2:] for f, e in zip(found, expected)
    )


def test_the_keys_open_with_the_coverage_tables_and_the_workbook_has_none(built):
    layout, _ = built
    whole = _front_matter_rows(layout.pdf / "answer-key.pdf")
    assert _printed_as(whole, _expected_rows(0, 1)), whole
    module = _front_matter_rows(layout.module_keys / "01-count.pdf")
    assert _printed_as(module, _expected_rows(1)), "a module key reports its own module only"
    assert "Objective coverage" in pdf_text(layout.module_keys / "01-count.pdf")
    assert not re.search(r"\b(run|count|up|down): ", pdf_text(layout.pdf / "answer-key.pdf")), "no objective id"
    assert "Objective coverage" not in pdf_text(layout.pdf / "workbook.pdf")
