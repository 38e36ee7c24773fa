"""Numbers the chapter computes must reach its prose through MyST-NB's glue.

A sentence that quotes a value a cell prints ("a recall of 0.981") goes
stale, silently, the day the code or the data changes: the output shows the
new value and the prose the old one. Glued values (``glue("name", value)``
in the cell, ``{glue:text}`name:.3f``` in the sentence) change with the
output. This check flags a number typed in a chapter's prose that also
appears, rounded as the prose rounds it, among the numbers of that chapter's
cell outputs: one with three or more significant digits, or a percentage
with a decimal. Smaller numbers (thresholds like 0.90) are left to the
author, and so are exercises, whose text lives in the bank, an exercise's
number where a reference names it ("Exercise 10.2"), and constants written
as code (an HTTP status such as ``422``). The outputs of ``measures-time``
cells (timings) differ at every run: a number of theirs no sentence can
quote, and one that happens to match a sentence's is no copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from textbook.sphinx_ext.reproducible import MEASURES_TIME
from textbook.sphinx_ext.source_lines import locate

logger = logging.getLogger(__name__)

#: A decimal number, not part of a version (3.7.0), a date (2026-12-06), a time or a name (x2).
NUMBER = re.compile(
    r"(?<![\w.:/\-])-?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?"
    r"(?![\w:/\-]|\.\d)(?P<percent>[ \u00a0\u202f]?%)?"
)
#: Marks an element whose text holds a number the generator wrote, not the author (``{ex}``'s).
GENERATED_NUMBER = "textbook_generated_number"
#: Where text is code, math, output or pasted from the outputs rather than prose.
NOT_PROSE = (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


@dataclass(frozen=True)
class Number:
    text: str
    value: Decimal  # unsigned: a sign in prose is often a word ("fell by 0.120")
    decimals: int
    percent: bool

    @property
    def significant_digits(self) -> int:
        digits = str(self.value).replace(".", "").lstrip("0")
        return len(digits if self.decimals else digits.rstrip("0"))

    @property
    def is_quotable(self) -> bool:
        """Precise enough that typing it by hand copies an output."""
        return self.significant_digits >= 3 or (self.percent and self.decimals > 0)

    def key(self) -> tuple[bool, int, Decimal]:
        return self.percent, self.decimals, self.value


def numbers_in(text: str) -> list[Number]:
    found = []
    for match in NUMBER.finditer(text):
        whole, fraction = match["whole"].replace(",", ""), match["fraction"] or ""
        value = Decimal(f"{whole}.{fraction}" if fraction else whole)
        found.append(Number(match[0].strip().lstrip("-"), value, len(fraction), bool(match["percent"])))
    return found


def _rounded(value: Decimal, decimals: int) -> set[Decimal]:
    step = Decimal(1).scaleb(-decimals)
    return {value.quantize(step, rounding) for rounding in (ROUND_HALF_EVEN, ROUND_HALF_UP)}


def _close(rounded: Decimal, value: Decimal) -> bool:
    """A quotation keeps the value's size: 0.07 % is not quoted as 0.1 %, nor 0.004 as 0.0."""
    return rounded != 0 and abs(rounded - value) <= abs(rounded) * Decimal("0.05")


def quotations(number: Number) -> set[tuple[bool, int, Decimal]]:
    """Every way prose could quote an output number: rounded to fewer decimals, and
    a fraction as a percentage or a percentage as a fraction. Whole numbers are
    quoted only as themselves, so that 142.6 does not stand behind a count of 143."""
    as_percent = number.value if number.percent else number.value * 100
    as_fraction = number.value / 100 if number.percent else number.value
    keys = set()
    for percent, value, decimals in ((True, as_percent, number.decimals - (0 if number.percent else 2)),
                                     (False, as_fraction, number.decimals + (2 if number.percent else 0))):
        for places in range(1, decimals + 1):
            keys |= {(percent, places, rounded) for rounded in _rounded(value, places) if _close(rounded, value)}
        if decimals == 0 and percent == number.percent:
            keys.add((percent, 0, value))
    return keys


def _is_prose(text: nodes.Text, chapter: Path) -> bool:
    node = text.parent
    while node is not None:
        if isinstance(node, NOT_PROSE) or node.get("nb_element") in ("cell_code", "cell_code_output"):
            return False
        if any(name.startswith("pasted") for name in node.get("classes", [])):
            return False  # a glued value
        if node.get(GENERATED_NUMBER):
            return False  # a number the generator wrote, such as an exercise's
        source = getattr(node, "source", None)  # the file it was read from (not the attribute)
        if source and not isinstance(node, nodes.document) and Path(source) != chapter:
            return False  # an exercise of the bank, rendered into the chapter
        node = node.parent
    return True


def _output_numbers(doctree: nodes.document) -> dict[tuple[bool, int, Decimal], str]:
    """Each way of quoting a number of the outputs, with the number as printed."""
    printed: dict[tuple[bool, int, Decimal], str] = {}
    measured = [cell for cell in doctree.findall(nodes.container) if f"tag_{MEASURES_TIME}" in cell["classes"]]
    timings = {id(output) for cell in measured for output in cell.findall(nodes.Element)}
    for output in doctree.findall(lambda node: isinstance(node, nodes.Element)
                                  and node.get("nb_element") == "cell_code_output"):
        if id(output) in timings:
            continue
        for number in numbers_in(output.astext()):
            for key in quotations(number):
                printed.setdefault(key, number.text)
    return printed


def flag_typed_numbers(app: Sphinx, doctree: nodes.document) -> None:
    printed = _output_numbers(doctree)
    if not printed:
        return
    chapter = Path(app.env.doc2path(app.env.docname))
    for text in doctree.findall(nodes.Text):
        if not _is_prose(text, chapter):
            continue
        for number in numbers_in(text.astext()):
            if number.is_quotable and number.key() in printed:
                logger.warning(
                    "%s is typed by hand, but a cell of this chapter prints it (%s); glue the value "
                    "in that cell (myst_nb.glue) and write it with {glue:text} so that it follows the output",
                    number.text,
                    printed[number.key()],
                    location=locate(text.parent, chapter, lambda line, typed=number: typed in numbers_in(line)),
                    type="textbook",
                    subtype="typed-number",
                )
