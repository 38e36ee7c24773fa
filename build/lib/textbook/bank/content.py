"""Reading the parts of an exercise body that have structure: choices, code, tables, exact answers.

Each function takes a section's MyST text and returns the structure or raises
ContentError with a message (and a line offset within the section) that says
what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

_CHOICE = re.compile(r"^[-*] \[( |x|X)\] (.+)$")
_PIN = re.compile(r"\s*\{\s*pin\b([^}]*)\}\s*$")
_PIN_VALUE = re.compile(r"^\s*:\s*(first|last|\d+)\s*$")
_FENCE = re.compile(r"^(```+|~~~+)\s*\{?([\w-]*)\}?\s*(\S*)")
_BLANK_CELL = re.compile(r"^[_\s]*$")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMERIC_ANSWER = re.compile(rf"^({_NUMBER})(?:\s*(?:±|\+/-)\s*({_NUMBER}))?$")
_LISTED_ANSWER = re.compile(r"^[-*]\s+(.*)$")

#: Options are lettered A, B, C...: one letter each.
MAX_CHOICES = 26


class ContentError(ValueError):
    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    place: int | None = None  # pinned: its 1-based place among the shown options; None: shuffled


def parse_choices(text: str) -> tuple[Choice, ...]:
    """``- [x] right`` / ``- [ ] wrong`` lines: at least two, at least one right.

    A line may end with ``{pin: first}``, ``{pin: last}`` or ``{pin: N}`` to
    keep that option at one place ("None of the above" last); the others are
    shuffled around it. Errors carry the offending line's offset.
    """
    lines = [(offset, line.strip()) for offset, line in enumerate(text.splitlines()) if line.strip()]
    if len(lines) > MAX_CHOICES:
        raise ContentError(f"a multiple-choice exercise has at most {MAX_CHOICES} choices, one letter each", lines[-1][0])
    choices, pinned_at = [], {}
    for offset, line in lines:
        match = _CHOICE.match(line)
        if not match:
            raise ContentError(f"a choice must read '- [x] text' (right) or '- [ ] text' (wrong), not {line!r}", offset)
        option, place = match.group(2), None
        if pin := _PIN.search(option):
            place = _pin_place(pin, len(lines), offset)
            option = option[: pin.start()].strip()
            if not option:
                raise ContentError(f"write the choice's text before its pin {pin.group(0).strip()!r}", offset)
            if place in pinned_at:
                raise ContentError(
                    f"{pin.group(0).strip()!r} pins {option!r} to place {place}, where {pinned_at[place][1]!r} "
                    "is already pinned; give each pinned choice its own place",
                    offset,
                )
            pinned_at[place] = (offset, option)
        choices.append(Choice(option.strip(), match.group(1) != " ", place))
    if len(choices) < 2:
        raise ContentError("a multiple-choice exercise needs at least two choices")
    if not any(choice.correct for choice in choices):
        raise ContentError("mark at least one choice as right with '- [x]'")
    if len(choices) - len(pinned_at) < 2:
        raise ContentError(
            "pin fewer choices: at least two must stay unpinned, so that their order is shuffled",
            max(offset for offset, _ in pinned_at.values()),
        )
    return tuple(choices)


def _pin_place(pin: re.Match, count: int, offset: int) -> int:
    """The 1-based place ``{pin: ...}`` asks for among ``count`` choices."""
    value = _PIN_VALUE.match(pin.group(1))
    if not value:
        raise ContentError(
            f"cannot read the pin {pin.group(0).strip()!r}; write '{{pin: first}}', '{{pin: last}}' "
            f"or '{{pin: N}}' with N from 1 to {count}",
            offset,
        )
    word = value.group(1)
    place = {"first": 1, "last": count}.get(word) or int(word)
    if not 1 <= place <= count:
        raise ContentError(
            f"{pin.group(0).strip()!r} is out of range: this exercise has {count} choices, "
            f"so pin to a place from 1 to {count} (or 'first', 'last')",
            offset,
        )
    return place


@dataclass(frozen=True)
class NumericAnswer:
    """A number a short answer must equal, give or take ``tolerance`` (both as written)."""

    value: str
    tolerance: str = "0"


@dataclass(frozen=True)
class AcceptedAnswers:
    """The texts a short answer may be, compared without regard to case."""

    texts: tuple[str, ...]


def parse_answer(text: str) -> NumericAnswer | AcceptedAnswers:
    """A short answer's ``## Answer``: ``0.25 ± 0.01`` (a number, its tolerance optional)
    or a list of accepted texts (``- dvc.lock``), each on its own line, backticks allowed.

    An answer a machine can mark is what lets a quiz system (Moodle) grade the
    exercise itself; everything else in the exercise stays as it is.
    """
    lines = [(offset, line.strip()) for offset, line in enumerate(text.splitlines()) if line.strip()]
    if not lines:
        raise ContentError("'## Answer' is empty; write a number ('0.25 ± 0.01') or a list of accepted answers")
    offset, first = lines[0]
    if number := _NUMERIC_ANSWER.match(first):
        if len(lines) > 1:
            raise ContentError("a numeric answer is one line, the number and its tolerance ('0.25 ± 0.01')", lines[1][0])
        value, tolerance = number.group(1), number.group(2) or "0"
        if float(tolerance) < 0:
            raise ContentError(f"the tolerance {tolerance} is negative; write how far off an answer may be", offset)
        return NumericAnswer(value, tolerance)
    texts = []
    for offset, line in lines:
        listed = _LISTED_ANSWER.match(line)
        answer = listed.group(1).strip().strip("`").strip() if listed else ""
        if not answer:
            raise ContentError(
                f"cannot read {line!r} as an answer: write a number with its tolerance ('0.25 ± 0.01') or list "
                "the accepted answers, one per line ('- dvc.lock')",
                offset,
            )
        texts.append(answer)
    return AcceptedAnswers(tuple(texts))


def python_blocks(text: str) -> list[str]:
    """The contents of every fenced ``python`` code block in ``text``."""
    blocks, current, fence = [], None, None
    for line in text.splitlines():
        if current is None:
            match = _FENCE.match(line)
            if match and ("python" in (match.group(2), match.group(3)) or match.group(2) == "ipython3"):
                current, fence = [], match.group(1)
        elif line.strip() == fence:
            blocks.append("\n".join(current) + "\n")
            current = None
        else:
            current.append(line)
    return blocks


def single_python_block(text: str, section: str) -> str:
    blocks = python_blocks(text)
    if len(blocks) != 1:
        raise ContentError(f"'## {section}' must hold exactly one ```python code block (found {len(blocks)})")
    return blocks[0]


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every table in ``text`` as rows of cell texts (header row first)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables, rows, row = [], None, None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content.strip())
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            tables.append(rows)
    return tables


def is_blank_cell(cell: str) -> bool:
    return bool(_BLANK_CELL.match(cell))


def check_fill_in_table(question: str, solution: str) -> None:
    """The question's table has blanks; the solution's has the same shape, filled in."""
    asked, answered = markdown_tables(question), markdown_tables(solution)
    if len(asked) != 1:
        raise ContentError(f"'## Question' must hold exactly one table (found {len(asked)})")
    if len(answered) != 1:
        raise ContentError(f"'## Solution' must hold exactly one table, the filled-in one (found {len(answered)})")
    asked, answered = asked[0], answered[0]
    if [len(r) for r in asked] != [len(r) for r in answered]:
        raise ContentError("the solution's table must have the same rows and columns as the question's")
    blanks = 0
    for r, (row_q, row_s) in enumerate(zip(asked, answered)):
        for c, (cell_q, cell_s) in enumerate(zip(row_q, row_s)):
            if is_blank_cell(cell_q):
                blanks += 1
                if is_blank_cell(cell_s):
                    raise ContentError(f"the solution leaves cell (row {r + 1}, column {c + 1}) blank; fill it in")
            elif cell_q != cell_s:
                raise ContentError(
                    f"cell (row {r + 1}, column {c + 1}) reads {cell_q!r} in the question "
                    f"but {cell_s!r} in the solution; given cells must match"
                )
    if not blanks:
        raise ContentError("the question's table has no blank cells to fill in (leave them empty or '___')")


_IMPORT = re.compile(r"^(import|from)\s")
_CODE_WORD = re.compile(r"[^\W_]+")


def solution_lines_in_public_checks(public: str, solution: str, starter: str) -> list[tuple[int, str]]:
    """Lines of the public checks' section (offset, text) that repeat a working line of the solution.

    Students see public checks, so the leak scan takes their text as given: a
    line copied there from the solution would reach students unnoticed.
    Imports, comments and lines the starter shows are shared by design; lines
    of fewer than four words give nothing away.
    """
    shown = {line.strip() for line in starter.splitlines()}
    working = {line.strip() for line in python_blocks(solution)[0].splitlines()} - shown
    found = []
    lines = public.splitlines()
    fence = next((i for i, line in enumerate(lines) if _FENCE.match(line)), 0)
    for offset, line in enumerate(python_blocks(public)[0].splitlines(), start=fence + 1):
        code = line.strip()
        shared_by_design = _IMPORT.match(code) or code.startswith("#")
        if code in working and not shared_by_design and len(_CODE_WORD.findall(code)) >= 4:
            found.append((offset, code))
    return found
