"""Write the MyST sources of an exam's variants and keys, like ``editions.py`` does for the workbook.

Each variant is two documents, ``variant-N.md`` (students: questions with room
to write) and ``variant-N-key.md`` (instructors: the same questions in the same
order, with solutions, rubrics and points). Keys carry the instructor-only
notice on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textbook.bank.bank import Exercise
from textbook.instructor.exam_edition import KEY_SUFFIX
from textbook.instructor.exam_file import ExamFile

_NAME_LINES = (
    "\\bigskip\\noindent Name: \\rule{0.55\\linewidth}{0.4pt}\\par\n"
    "\\bigskip\\noindent Student number: \\rule{0.4\\linewidth}{0.4pt}\\par"
)


@dataclass(frozen=True)
class Variant:
    number: int
    seed: int  # variants.variant_seed: option order and parameters
    exercises: tuple[Exercise, ...]  # in the order this variant shows them

    @property
    def name(self) -> str:
        return f"variant-{self.number}"


def _raw_latex(code: str) -> str:
    return f"```{{raw}} latex\n{code}\n```\n"


def _totals(exercises: tuple[Exercise, ...]) -> str:
    points = sum(e.points for e in exercises)
    minutes = sum(e.minutes for e in exercises)
    return f"{len(exercises)} questions · {points} points · about {minutes} minutes"


def _document(exam: ExamFile, variant: Variant, key: bool) -> str:
    parts = [
        "---\norphan: true\n---\n\n",
        f"# {exam.title}\n\n",
        _raw_latex("\\setcounter{secnumdepth}{-1}"),
        "\n",
    ]
    if key:
        parts += [f"Key to variant {variant.number}: the questions in the order its students see them, "
                  "with solutions, rubrics and points.\n\n"]  # fmt: skip
    else:
        parts += [_raw_latex(_NAME_LINES), "\n"]
    details = " · ".join(part for part in (exam.date, f"Variant {variant.number}", _totals(variant.exercises)) if part)
    parts.append(f"{details}\n\n")
    if exam.instructions and not key:
        parts.append(f"{exam.instructions.strip()}\n\n")
    ids = " ".join(exercise.id for exercise in variant.exercises)
    mode = "key" if key else "workbook"
    parts.append(f"```{{exam-exercises}}\n:ids: {ids}\n:seed: {variant.seed}\n:mode: {mode}\n```\n")
    return "".join(parts)


def sources(exam: ExamFile, variants: list[Variant]) -> dict[str, str]:
    """Every document of the exam, by file name."""
    documents = {}
    for variant in variants:
        documents[f"{variant.name}.md"] = _document(exam, variant, key=False)
        documents[f"{variant.name}{KEY_SUFFIX}.md"] = _document(exam, variant, key=True)
    return documents


def write_sources(exam: ExamFile, variants: list[Variant], folder: Path) -> None:
    """Write the documents, leaving unchanged ones untouched and removing those of variants no longer built."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = sources(exam, variants)
    for stale in set(folder.glob("*.md")) - {folder / name for name in documents}:
        stale.unlink()
    for name, text in documents.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
