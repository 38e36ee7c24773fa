"""Write the MyST sources of an exam's variants and keys, like ``editions.py`` does for the workbook.

Each variant is two documents, ``variant-N.md`` (students: questions with room
to write) and ``variant-N-key.md`` (instructors: the same questions in the same
order, with solutions, rubrics and points). Keys carry the instructor-only
notice on every page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from textbook.bank.bank import Exercise
from textbook.core.messages import ENGLISH, Words
from textbook.instructor.exam_edition import KEY_SUFFIX
from textbook.instructor.exam_file import ExamFile


def _name_lines(words: Words) -> str:
    """Lines for the student's name and number, one each (a JSON string is a Typst string)."""
    lines = "\n".join(f"#form-lines(({json.dumps(words(f'form.{field}'), ensure_ascii=False)}, {width}))"
                      for field, width in (("name", "55%"), ("student_number", "40%")))
    return f"```{{raw}} typst\n{lines}\n```\n"


@dataclass(frozen=True)
class Variant:
    number: int
    seed: int  # variants.variant_seed: option order and parameters
    exercises: tuple[Exercise, ...]  # in the order this variant shows them

    @property
    def name(self) -> str:
        return f"variant-{self.number}"


def _totals(exercises: tuple[Exercise, ...], words: Words) -> str:
    points = sum(e.points for e in exercises)
    minutes = sum(e.minutes for e in exercises)
    return " · ".join([
        words("totals.questions", count=len(exercises)),
        words("totals.points", count=points, points=points),
        words("totals.minutes", count=minutes, minutes=minutes),
    ])  # fmt: skip


def _document(exam: ExamFile, variant: Variant, key: bool, words: Words) -> str:
    parts = [
        "---\norphan: true\n---\n\n",
        f"# {exam.title}\n\n",
    ]
    if key:
        parts += [f"{words('exam.key_intro', number=variant.number)}\n\n"]
    else:
        parts += [_name_lines(words), "\n"]
    variant_name = words("exam.variant", number=variant.number)
    details = " · ".join(part for part in (exam.date, variant_name, _totals(variant.exercises, words)) if part)
    parts.append(f"{details}\n\n")
    if exam.instructions and not key:
        parts.append(f"{exam.instructions.strip()}\n\n")
    ids = " ".join(exercise.id for exercise in variant.exercises)
    mode = "key" if key else "workbook"
    parts.append(f"```{{exam-exercises}}\n:ids: {ids}\n:seed: {variant.seed}\n:mode: {mode}\n```\n")
    return "".join(parts)


def sources(exam: ExamFile, variants: list[Variant], words: Words = ENGLISH) -> dict[str, str]:
    """Every document of the exam, by file name, in ``words``."""
    documents = {}
    for variant in variants:
        documents[f"{variant.name}.md"] = _document(exam, variant, False, words)
        documents[f"{variant.name}{KEY_SUFFIX}.md"] = _document(exam, variant, True, words)
    return documents


def write_sources(exam: ExamFile, variants: list[Variant], folder: Path, words: Words = ENGLISH) -> None:
    """Write the documents, leaving unchanged ones untouched and removing those of variants no longer built."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = sources(exam, variants, words)
    for stale in set(folder.glob("*.md")) - {folder / name for name in documents}:
        stale.unlink()
    for name, text in documents.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
