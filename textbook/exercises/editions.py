"""Write the sources of the student workbook and the answer key from the bank.

Both are small MyST documents, generated into the build folder (never into
``book/``), that list every module's exercises with the ``exercises``
directive in ``workbook`` or ``key`` mode. They are built as a Sphinx project
of their own (``textbook_edition = "exercises"``), so the answer key never
shares an environment, a search index or an output folder with the book.
"""

from __future__ import annotations

from pathlib import Path

from textbook.exercises.bank import Bank

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


def _module_totals(bank: Bank, docname: str) -> str:
    exercises = bank.for_module(docname)
    minutes = sum(e.minutes for e in exercises)
    points = sum(e.points for e in exercises)
    return f"{len(exercises)} exercises · about {minutes} minutes · {points} points"


def _document(bank: Bank, title: str, intro: str, mode: str, orphan: bool) -> str:
    parts = ["---\norphan: true\n---\n\n" if orphan else "", f"# {title}\n\n", _NO_SECTION_NUMBERS, "\n", intro]
    for docname, module in bank.modules.items():
        if not bank.for_module(docname):
            continue
        parts += [
            "\n",
            _NEW_PAGE,
            f"\n## Module {module.number}: {module.title}\n\n",
            f"{_module_totals(bank, docname)}\n\n",
            f"```{{exercises}} {docname}\n:mode: {mode}\n```\n",
        ]
    return "".join(parts)


def sources(bank: Bank) -> dict[str, str]:
    """The workbook and answer key documents, by file name."""
    return {
        "workbook.md": _document(bank, "Student Workbook", _WORKBOOK_INTRO, "workbook", False),
        "answer-key.md": _document(bank, "Answer Key", _KEY_INTRO, "key", True),
    }


def write_sources(bank: Bank, folder: Path) -> None:
    """Write the documents, leaving unchanged files untouched so Sphinx does not re-read them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources(bank).items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
