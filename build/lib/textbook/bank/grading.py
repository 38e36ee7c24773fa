"""How an exercise is graded: rubrics, multiple-choice scoring rules, objective coverage.

* **Rubric.** A ``## Rubric`` section lists the criteria an answer is marked
  on, each with its points, either as a Markdown list::

      - (3 points) Names the data hash as the link from version to data
      - (1 point) Says where the hash is recomputed

  or as one two-column table whose header row is ``| Criterion | Points |``.
  The points of the criteria must add up to the header's ``points``. Points
  may be whole or decimal numbers (``0.5``). Exercises of the kinds in
  ``RUBRIC_REQUIRED`` must have a rubric; a code exercise may have one (for
  a written part, say), otherwise its checks grade it; a multiple-choice
  exercise has a scoring rule instead.
* **Scoring rule.** Every multiple-choice exercise states in its header how
  partial credit works (``scoring:``, one of ``SCORING_RULES``). The rule is
  printed under the choices in every edition, in the course's words (the
  catalogues' ``scoring.<rule>``, ``core/messages.py``); ``mc_score`` is its
  exact definition.
* **Coverage.** Every objective a module declares must be practised by at
  least one exercise of that module (``uncovered_objectives``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from textbook.bank.content import ContentError, markdown_tables
from textbook.core.messages import ENGLISH, Words

#: Kinds whose answers an instructor marks by hand, so they need a rubric.
RUBRIC_REQUIRED = ("short-answer", "list", "essay", "fill-in-table")
#: Kinds that may not have a rubric (their score follows their scoring rule).
RUBRIC_FORBIDDEN = ("multiple-choice",)

SCORING_RULES = ("all-or-nothing", "per-option", "right-minus-wrong")

_ITEM = re.compile(r"^[-*+]\s+(.*)$")
_POINTS_PREFIX = re.compile(r"^\((\d+(?:\.\d+)?)\s+points?\)\s+(\S.*)$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Criterion:
    text: str  # MyST inline text: what earns the points
    points: Decimal
    line: int  # offset of the criterion's first line within the section


def format_points(value) -> str:
    """``3`` -> "3", ``Decimal('0.50')`` -> "0.5", ``Fraction(4, 5)`` -> "4/5"."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    return format(Decimal(value).normalize(), "f")


def parse_rubric(text: str) -> tuple[Criterion, ...]:
    """The criteria of a ``## Rubric`` section (a list or a two-column table)."""
    if any(line.lstrip().startswith("|") for line in text.splitlines()):
        return _parse_rubric_table(text)
    criteria: list[Criterion] = []
    current: list | None = None  # [offset, [lines]]
    for offset, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        item = _ITEM.match(line)
        if item and not line[0].isspace():
            if current:
                criteria.append(_criterion(*current))
            current = [offset, [item.group(1).strip()]]
        elif current and line[0].isspace():
            current[1].append(line.strip())  # a criterion continued on the next line
        else:
            raise ContentError(
                f"a rubric holds criteria only, each as '- (N points) what earns them', not {line.strip()!r}; "
                "put free text in '## Grading notes'",
                offset,
            )
    if current:
        criteria.append(_criterion(*current))
    if not criteria:
        raise ContentError("the rubric has no criteria; write each as '- (N points) what earns them'")
    return tuple(criteria)


def _criterion(offset: int, lines: list[str]) -> Criterion:
    text = " ".join(lines)
    match = _POINTS_PREFIX.match(text)
    if not match:
        raise ContentError(
            f"a rubric criterion must start with its points, as in '- (2 points) Names the data hash', not {text!r}",
            offset,
        )
    points = Decimal(match.group(1))
    if points <= 0:
        raise ContentError(f"a rubric criterion must be worth more than 0 points: {text!r}", offset)
    return Criterion(match.group(2).strip(), points, offset)


def _parse_rubric_table(text: str) -> tuple[Criterion, ...]:
    tables = markdown_tables(text)
    lines = text.splitlines()
    if len(tables) != 1 or any(line.strip() and not line.lstrip().startswith("|") for line in lines):
        raise ContentError(
            "a rubric written as a table is one table and nothing else, with the header '| Criterion | Points |'"
        )
    header, *rows = tables[0]
    if [cell.lower() for cell in header] != ["criterion", "points"]:
        raise ContentError(f"a rubric table's header must read '| Criterion | Points |', not {' | '.join(header)!r}")
    row_lines = [i for i, line in enumerate(lines) if line.lstrip().startswith("|")][2:]
    criteria = []
    for (criterion, points), offset in zip(rows, row_lines):
        if not _NUMBER.match(points) or Decimal(points) <= 0:
            raise ContentError(f"the points of rubric criterion {criterion!r} must be a number above 0, not {points!r}", offset)
        if not criterion:
            raise ContentError("a rubric criterion is empty; say what earns the points", offset)
        criteria.append(Criterion(criterion, Decimal(points), offset))
    if not criteria:
        raise ContentError("the rubric table has no criteria")
    return tuple(criteria)


def rubric_total(criteria: Iterable[Criterion]) -> Decimal:
    return sum((c.points for c in criteria), Decimal(0))


# -- multiple choice --------------------------------------------------------


def mc_score(rule: str, correct: list[bool], ticked: list[bool], points: int) -> Fraction:
    """The exact score of a multiple-choice answer under ``rule``.

    * ``all-or-nothing``: ``points`` if the ticked options are exactly the
      right ones, else 0.
    * ``per-option``: each of the n options is a true/false judgement worth
      ``points / n``: earned by ticking a right option or leaving a wrong
      one unticked. Nothing is ever subtracted.
    * ``right-minus-wrong``: ``points`` is shared equally among the r right
      options; each right option ticked earns ``points / r``, each wrong
      option ticked loses ``points / r``; the score is never below 0.
      Leaving a wrong option unticked earns nothing, so ticking nothing
      scores 0 and ticking everything scores at most what was right minus
      what was wrong.
    """
    if len(correct) != len(ticked):
        raise ValueError("one tick per option")
    if rule == "all-or-nothing":
        return Fraction(points) if list(correct) == list(ticked) else Fraction(0)
    if rule == "per-option":
        judged = sum(1 for c, t in zip(correct, ticked) if c == t)
        return Fraction(points * judged, len(correct))
    if rule == "right-minus-wrong":
        share = Fraction(points, sum(correct))
        earned = sum(share if c else -share for c, t in zip(correct, ticked) if t)
        return max(Fraction(0), earned)
    raise ValueError(f"unknown scoring rule {rule!r}")


def scoring_text(rule: str, points: int, options: int, words: Words = ENGLISH) -> str:
    """The rule as students read it under the choices (no hint at which options are right)."""
    if rule not in SCORING_RULES:
        raise ValueError(f"unknown scoring rule {rule!r}")
    share = Fraction(points, options)
    return words(
        f"scoring.{rule}",
        count=points,
        total=words.points(points),
        points=points,
        options=options,
        share=words.points(share, format_points(share)),
    )


def scoring_key_text(rule: str, points: int, correct: list[bool], words: Words = ENGLISH) -> str:
    """What the rule works out to for this exercise, for the answer key."""
    right = sum(correct)
    share = Fraction(points, right if rule == "right-minus-wrong" else len(correct))
    return words(
        f"scoring_key.{rule}",
        count=right,
        right=right,
        points=points,
        share=words.points(share, format_points(share)),
        amount=format_points(share),
    )


# -- objective coverage -----------------------------------------------------


def uncovered_objectives(declared: Iterable[str], practised: Iterable[str]) -> list[str]:
    """The declared objectives, in order, that no exercise practises."""
    done = set(practised)
    return [objective for objective in declared if objective not in done]
