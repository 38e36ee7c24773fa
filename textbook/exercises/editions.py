"""Write the sources of the student workbook and the answer keys from the bank.

The workbook, the whole answer key and one key per module
(``keys/<docname>.md``, for instructors who hand out a module a week) are
small MyST documents, generated into the build folder (never into
``book/``), that list the modules' exercises with the ``exercises``
directive in ``workbook`` or ``key`` mode; the keys open with the objective
coverage report (``textbook.bank.coverage``). They are built as a
Sphinx project of their own (``textbook_edition = "exercises"``), so no key
shares an environment, a search index or an output folder with the book.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from textbook.bank.bank import Bank
from textbook.bank import coverage
from textbook.core.layout import MODULE_KEYS

_NO_SECTION_NUMBERS = "```{raw} latex\n\\setcounter{secnumdepth}{-1}\n```\n"
_NEW_PAGE = "```{raw} latex\n\\clearpage\n```\n"

_WORKBOOK_INTRO = """\
This workbook holds every exercise of the book, module by module, with
room to write your answers. The numbers are those of the book and the
handouts: Exercise 0.3 is the third exercise of module 0.

```{raw} latex
\\bigskip\\noindent Name: \\rule{0.55\\linewidth}{0.4pt}\\par
\\bigskip\\noindent Group: \\rule{0.3\\linewidth}{0.4pt}\\quad Date: \\rule{0.3\\linewidth}{0.4pt}\\par
```
"""

_KEY_INTRO = """\
For instructors only: do not hand this document to students. It follows the
numbering of the book, the handouts and the student workbook; each question
is followed by its solution, grading notes and points. Code solutions were
run by the build and pass their checks.
"""

_MODULE_KEY_INTRO = """\
For instructors only: do not hand this document to students. It holds one
module's exercises, numbered as in the book, the workbook and the whole
answer key, each followed by its solution, grading notes and points.
"""

_COVERAGE_HEADING = "## Objective coverage\n\nWhich exercises practise each objective of a module, their kinds, points and minutes.\n\n"


def _module_totals(bank: Bank, docname: str) -> str:
    exercises = bank.for_module(docname)
    minutes = sum(e.minutes for e in exercises)
    points = sum(e.points for e in exercises)
    return f"{len(exercises)} exercises · about {minutes} minutes · {points} points"


def modules_with_exercises(bank: Bank) -> list[str]:
    """The docnames of the modules that have exercises, in module order: one key each."""
    return [docname for docname in bank.modules if bank.for_module(docname)]


def _module_part(bank: Bank, docname: str, mode: str) -> list[str]:
    module = bank.modules[docname]
    return [
        "\n",
        _NEW_PAGE,
        f"\n## Module {module.number}: {module.title}\n\n",
        f"{_module_totals(bank, docname)}\n\n",
        f"```{{exercises}} {docname}\n:mode: {mode}\n```\n",
    ]


def _document(title: str, intro: str, orphan: bool, body: list[str]) -> str:
    front = ["---\norphan: true\n---\n\n" if orphan else "", f"# {title}\n\n", _NO_SECTION_NUMBERS, "\n", intro]
    return "".join(front + body)


def _coverage(tables: list[coverage.ModuleCoverage]) -> list[str]:
    return ["\n", _COVERAGE_HEADING, coverage.markdown(tables, heading="###", for_print=True)]


def sources(bank: Bank) -> dict[str, str]:
    """The workbook, the answer key and each module's key, by file name (relative to the source folder)."""
    modules = modules_with_exercises(bank)
    everything = [part for docname in modules for part in _module_part(bank, docname, "workbook")]
    documents = {
        "workbook.md": _document("Student Workbook", _WORKBOOK_INTRO, False, everything),
        "answer-key.md": _document(
            "Answer Key",
            _KEY_INTRO,
            True,
            _coverage(coverage.coverage(bank)) + [p for d in modules for p in _module_part(bank, d, "key")],
        ),
    }
    for docname in modules:
        documents[f"{MODULE_KEYS}/{docname}.md"] = _document(
            f"Answer Key, Module {bank.modules[docname].number}",
            _MODULE_KEY_INTRO,
            True,
            _coverage([coverage.module_coverage(bank, docname)]) + _module_part(bank, docname, "key"),
        )
    return documents


def write_sources(bank: Bank, folder: Path) -> None:
    """Write the documents, leaving unchanged files untouched so Sphinx does not re-read them."""
    documents = sources(bank)
    for stale in set((folder / MODULE_KEYS).glob("*.md")) - {folder / name for name in documents}:
        stale.unlink()  # a module that lost its exercises, or was renamed, has no key
    for name, text in documents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def inputs_digest(bank: Bank, folder: Path, extra: list[str]) -> str:
    """A digest of everything the workbook and keys are made from: the sources written
    into ``folder``, every bank file, the modules' titles and objectives, and ``extra``
    (the configuration and generator). Equal digests, equal LaTeX: the build skips
    the exercise edition's Sphinx run."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*.md")) + sorted(e.path for e in bank.exercises.values())
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(sorted(bank.modules.items())).encode())
    for item in extra:
        digest.update(item.encode() + b"\0")
    return digest.hexdigest()
