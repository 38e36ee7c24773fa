"""Write the sources of the student workbook and the answer keys from the bank.

The workbook, the whole answer key and one key per module
(``keys/<docname>.md``, for instructors who hand out a module a week) are
small MyST documents, generated into the build folder (never into
``book/``), that list the modules' exercises with the ``exercises``
directive in ``workbook`` or ``key`` mode; the keys open with the objective
coverage report (``textbook.bank.coverage``). The workbook and the whole key
include a document per module (``workbook/<docname>.md``,
``answer-key/<docname>.md``) through a toctree, so that an edit to one
exercise has Sphinx read, and print, one module's part again. They are built as a
Sphinx project of their own (``textbook_edition = "exercises"``), so no key
shares an environment, a search index or an output folder with the book.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from textbook.bank.bank import Bank
from textbook.bank import coverage
from textbook.core.layout import KEY, MODULE_KEYS, WORKBOOK
from textbook.core.messages import ENGLISH, Words

_NEW_PAGE = "```{raw} typst\n#pagebreak(weak: true)\n```\n"
#: The whole key's part before its modules: the objective coverage report (``<KEY>-coverage.md``).
COVERAGE = "coverage"


def _workbook_intro(words: Words, first: int) -> str:
    """What the workbook is (each module's first page has the lines for the student's name, group
    and date: the print translator writes them)."""
    return f"{words('workbook.intro', first=first)}\n"


def _coverage_heading(words: Words, level: str = "##") -> str:
    return f"{level} {words('coverage.heading')}\n\n{words('coverage.intro')}\n\n"


def module_totals(exercises: list, words: Words) -> str:
    """"6 exercises · about 25 minutes · 16 points"."""
    minutes = sum(e.minutes for e in exercises)
    points = sum(e.points for e in exercises)
    return " · ".join([
        words("totals.exercises", count=len(exercises)),
        words("totals.minutes", count=minutes, minutes=minutes),
        words("totals.points", count=points, points=points),
    ])  # fmt: skip


def modules_with_exercises(bank: Bank) -> list[str]:
    """The docnames of the modules that have exercises, in module order: one key each."""
    return [docname for docname in bank.modules if bank.for_module(docname)]


def _module_part(bank: Bank, docname: str, mode: str, words: Words, level: str = "##") -> list[str]:
    module = bank.modules[docname]
    return [
        "\n",
        _NEW_PAGE,
        f"\n{level} {words('unit.heading', number=module.number, title=module.title)}\n\n",
        f"{module_totals(bank.for_module(docname), words)}\n\n",
        f"```{{exercises}} {docname}\n:mode: {mode}\n```\n",
    ]


def _parts(documents: list[str]) -> list[str]:
    """The toctree that includes ``documents``, each a part of the document at the same level."""
    return ["\n```{toctree}\n:hidden:\n\n", *(f"{docname}\n" for docname in documents), "```\n"]


def _document(title: str, intro: str, orphan: bool, body: list[str]) -> str:
    front = ["---\norphan: true\n---\n\n" if orphan else "", f"# {title}\n\n", intro]
    return "".join(front + body)


def _coverage(tables: list[coverage.ModuleCoverage], words: Words, level: str = "##") -> list[str]:
    return ["\n", _coverage_heading(words, level),
            coverage.markdown(tables, heading=level + "#", for_print=True, words=words)]


def sources(bank: Bank, words: Words = ENGLISH, first: int = 0) -> dict[str, str]:
    """The workbook, the answer key and each module's key, by file name (relative to the source folder),
    in ``words``; ``first``: the number of the first unit, for the workbook's example."""
    modules = modules_with_exercises(bank)
    coverage_part = f"{KEY}-{COVERAGE}"
    documents = {
        f"{WORKBOOK}.md": _document(words("workbook.title"), _workbook_intro(words, first), False,
                                    _parts([f"{WORKBOOK}/{docname}" for docname in modules])),
        f"{KEY}.md": _document(words("key.title"), f"{words('key.intro')}\n", True,
                               _parts([coverage_part, *(f"{KEY}/{docname}" for docname in modules)])),
        f"{coverage_part}.md": "".join(_coverage(coverage.coverage(bank, words), words, level="#")),
    }
    for folder, mode in ((WORKBOOK, "workbook"), (KEY, "key")):
        for docname in modules:
            documents[f"{folder}/{docname}.md"] = "".join(_module_part(bank, docname, mode, words, level="#"))
    for docname in modules:
        documents[f"{MODULE_KEYS}/{docname}.md"] = _document(
            words("module_key.title", number=bank.modules[docname].number),
            f"{words('module_key.intro')}\n",
            True,
            _coverage([coverage.module_coverage(bank, docname, words)], words) + _module_part(bank, docname, "key", words),
        )
    return documents


def write_sources(bank: Bank, folder: Path, words: Words = ENGLISH, first: int = 0) -> None:
    """Write the documents, leaving unchanged files untouched so Sphinx does not re-read them."""
    documents = sources(bank, words, first)
    for stale in {path for part in (MODULE_KEYS, WORKBOOK, KEY) for path in (folder / part).glob("*.md")} \
            - {folder / name for name in documents}:
        stale.unlink()  # a module that lost its exercises, or was renamed, has no key and no part
    for name, text in documents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def inputs_digest(bank: Bank, folder: Path, extra: list[str]) -> str:
    """A digest of everything the workbook and keys are made from: the sources written
    into ``folder``, every bank file, the modules' titles and objectives, and ``extra``
    (the configuration and generator). Equal digests, equal PDFs: the build skips
    the exercise edition's Sphinx run."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*.md")) + sorted(e.path for e in bank.exercises.values())
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr(sorted(bank.modules.items())).encode())
    for item in extra:
        digest.update(item.encode() + b"\0")
    return digest.hexdigest()
