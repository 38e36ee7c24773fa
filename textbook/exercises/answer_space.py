"""Room to write in print: ruled lines, a box for code, tall table rows, tick boxes.

The ``answer_space`` node exists only in the workbook, which is printed, so
only print draws it; every other writer skips it, as it skips the tick boxes
(``choice_box``) and the tall blank table cells (``blank_cell``), which the
search index never sees. Print draws them with its template's functions
(``typst/templates/textbook.typ``).
"""

from __future__ import annotations

import re

from docutils import nodes


class answer_space(nodes.General, nodes.Element):
    """Room to write: ``lines`` ruled lines (at least ``page_tenths`` tenths of a page of them),
    or a code box ``lines`` handwritten lines high (``code=True``); ``continued`` heads answer space
    that starts a new page."""


_NUMBERS = {"one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}
_PAGES = re.compile(r"\b(half a|one|two|three|[123])[-\s]+pages?\b", re.IGNORECASE)
_WORDS = re.compile(r"\b(\d{2,4}) words\b", re.IGNORECASE)
#: Handwritten words on one ruled line.
WORDS_PER_LINE = 10


#: Handwritten lines a student fills in a minute of an exercise, by kind: about a line a minute
#: of prose (ten words), a little less for a short answer, which is thought more than written;
#: a line of code a minute. Multiple choice and fill-in tables are answered on the page itself.
LINES_PER_MINUTE = {"short-answer": 0.8, "list": 1.0, "essay": 1.0, "code": 1.0}
#: The most lines the minutes ask for, as ``space`` may (the bank's schema): a day-long project
#: is not written in the workbook.
MOST_LINES = 40


def sized_lines(kind: str, minutes: int, space: int | None = None) -> int:
    """The handwritten lines of an exercise's answer space: as many as its minutes call for
    (``LINES_PER_MINUTE``, at most ``MOST_LINES``), or ``space`` when it asks for more.

    A 25-minute code exercise gets a box of 25 lines, a 30-minute essay 30
    lines (a page); an author who knows the answer takes more room says so
    with ``space``.
    """
    rate = LINES_PER_MINUTE.get(kind, 0)
    return max(space or 0, min(MOST_LINES, -(-int(minutes * rate * 10) // 10)))


def asked_room(question: str) -> tuple[int, int]:
    """The room an essay's prompt asks for: (tenths of a page, lines), from "one page", "300 words".

    "Write a one-page policy" gets a full page of lines, "in about 300 words"
    thirty lines: a student should not have to squeeze what the prompt asks
    for into less room than it names.
    """
    tenths = 0
    for match in _PAGES.finditer(question):
        amount = match.group(1).lower()
        tenths = max(tenths, 5 if amount == "half a" else 10 * _NUMBERS[amount])
    lines = max((-(-int(match.group(1)) // WORDS_PER_LINE) for match in _WORDS.finditer(question)), default=0)
    return tenths, lines


class blank_cell(nodes.Inline, nodes.Element):
    """Inside an empty table cell of the workbook: a row ``lines`` handwritten lines tall."""


class choice_box(nodes.Inline, nodes.Element):
    """Before a multiple-choice option in print: a box to tick, filled (``ticked``) in a key."""


def blank_cell_strut(lines: int) -> blank_cell:
    """Inside an empty table cell: make the row tall enough to write in."""
    return blank_cell(lines=lines)


def tick_box(ticked: bool = False) -> choice_box:
    """Before a multiple-choice option in print: an empty box, or a filled one (answer key)."""
    return choice_box(ticked=ticked)


def skip(self, node: nodes.Element) -> None:
    raise nodes.SkipNode


#: Only print draws room to write (its translator, ``typst/translator.py``); every other writer skips it.
VISITORS = {node: {writer: (skip, None) for writer in ("html", "text", "man", "texinfo")}
            for node in (answer_space, blank_cell, choice_box)}
