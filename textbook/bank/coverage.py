"""Objective coverage: for each module, each objective with the exercises that practise it.

An instructor planning a week or an exam wants to see, per objective, which
exercises practise it, of what kinds, and how many points and minutes they
add up to. The bank already knows all of it (exercise headers, and the
module objectives declared in each chapter's ``module-overview``); this
module lays it out as one table per module, printed by ``textbook report``
(Markdown or CSV) and placed in the answer key's front matter.

An exercise that practises several objectives is counted in each of their
rows; a module's total counts it once.

Headings, kinds and totals are in the course's words (a ``Words`` of
``core/messages.py``); the CSV's column names stay as they are, for programs.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from textbook.bank.bank import Bank, Exercise, Module
from textbook.core.encoding import read_utf8
from textbook.core.front_matter import chapter_objective_texts
from textbook.core.messages import ENGLISH, Words

#: The columns' messages (``core/messages.py``): "Objective", "Exercises", "Kinds", "Points", "Minutes".
COLUMNS = ("objective", "exercises", "kinds", "points", "minutes")
PRINT_WIDTHS = (34, 17, 27, 10, 12)  # percent of the line, in print


@dataclass(frozen=True)
class Row:
    """One line of a module's table: an objective, or the module total (``objective`` None)."""

    objective: str | None
    text: str
    exercises: tuple[Exercise, ...]
    words: Words = field(default=ENGLISH, compare=False, repr=False)

    @property
    def numbers(self) -> str:
        return ", ".join(e.number for e in self.exercises)

    @property
    def kinds(self) -> str:
        """Each exercise's kind, in exercise order; for the total, how many of each kind."""
        if self.objective is not None:
            return ", ".join(self.words.kind_in_list(e.kind) for e in self.exercises)
        counts = Counter(self.words.kind_in_list(e.kind) for e in self.exercises)
        ordered = sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))
        return ", ".join(self.words("coverage.kind_count", count=count, kind=kind) for kind, count in ordered)

    @property
    def points(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.exercises)


@dataclass(frozen=True)
class ModuleCoverage:
    module: Module
    rows: tuple[Row, ...]  # one per objective, in declared order, then the total
    words: Words = field(default=ENGLISH, compare=False, repr=False)

    @property
    def heading(self) -> str:
        return self.words("unit.heading", number=self.module.number, title=self.module.title)


def _objective_texts(module: Module) -> dict[str, str]:
    return chapter_objective_texts(read_utf8(module.path)) if module.path else {}


def module_coverage(bank: Bank, docname: str, words: Words = ENGLISH) -> ModuleCoverage:
    """One module's table, its words (headings, kinds, the total) in ``words``."""
    module, exercises = bank.modules[docname], bank.for_module(docname)
    texts = _objective_texts(module)
    rows = [
        Row(objective, texts.get(objective, ""), tuple(e for e in exercises if objective in e.objectives), words)
        for objective in module.objectives
    ]
    total = Row(None, words("coverage.total", count=len(exercises)), tuple(exercises), words)
    return ModuleCoverage(module, (*rows, total), words)


def coverage(bank: Bank, words: Words = ENGLISH) -> list[ModuleCoverage]:
    """Every module that has exercises, in module order."""
    return [module_coverage(bank, docname, words) for docname in bank.modules if bank.for_module(docname)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _label(row: Row, with_ids: bool) -> str:
    """An objective as the table names it: its text, after its id for authors (whose exercise
    headers name it by id); the total in bold."""
    if row.objective is None:
        return f"**{row.text}**"
    if with_ids:
        return f"`{row.objective}`: {_cell(row.text)}"
    return _cell(row.text) or f"`{row.objective}`"


def markdown_table(table: ModuleCoverage, with_ids: bool = True) -> str:
    """One module's table as Markdown (also valid MyST, for the answer key); ``with_ids``: each
    objective's id before its text, as ``textbook report`` shows it to authors."""
    columns = [table.words(f"coverage.{column}") for column in COLUMNS]
    lines = [f"| {' | '.join(columns)} |", "|" + "---|" * len(columns)]
    for row in table.rows:
        label = _label(row, with_ids)
        lines.append(f"| {label} | {row.numbers} | {row.kinds} | {row.points} | {row.minutes} |")
    return "\n".join(lines) + "\n"


def _print_table(table: ModuleCoverage) -> str:
    """The Markdown table in a MyST ``table`` directive: column widths so that it fits the line,
    and a long table so that it may break across pages instead of leaving one half empty. The
    objectives by their text, as the module's overview words them: the ids are the bank's."""
    widths = " ".join(map(str, PRINT_WIDTHS))
    return f"```{{table}}\n:widths: {widths}\n:class: longtable\n\n{markdown_table(table, with_ids=False)}```\n"


def markdown(tables: list[ModuleCoverage], heading: str = "##", for_print: bool = False, words: Words = ENGLISH) -> str:
    """Every module's table under a heading of level ``heading``, then the note on counting;
    ``for_print``: as MyST for the answer keys, the tables given column widths."""
    if not tables:
        return f"{words('coverage.empty')}\n"
    render = _print_table if for_print else markdown_table
    parts = [f"{heading} {table.heading}\n\n{render(table)}\n" for table in tables]
    return "".join(parts) + f"{words('coverage.note')}\n"


def csv_text(tables: list[ModuleCoverage]) -> str:
    """The same tables as one CSV, a row per objective and per module total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["module", "module_title", "objective", "objective_text", "exercises", "kinds", "points", "minutes"])
    for table in tables:
        for row in table.rows:
            writer.writerow([
                table.module.number, table.module.title, row.objective or "total", row.text,
                row.numbers, row.kinds, row.points, row.minutes,
            ])  # fmt: skip
    return out.getvalue()
