"""The workbook's room to write: as many handwritten lines as an exercise's minutes call for, by its kind."""

import pytest

from textbook.exercises.answer_space import MOST_LINES, sized_lines


@pytest.mark.parametrize(
    ("kind", "minutes", "space", "lines"),
    [
        ("code", 25, 20, 25),  # a 25-minute code exercise: a box of 25 lines, not the 20 its space says
        ("essay", 30, 22, 30),  # a 30-minute essay: a page of lines
        ("short-answer", 10, 8, 8),
        ("short-answer", 3, 2, 3),
        ("list", 15, 16, 16),  # space asks for more: it has it
        ("essay", 240, 40, MOST_LINES),  # a day-long project is not written in the workbook
        ("code", 20, None, 20),
    ],
)
def test_answer_space_is_sized_by_minutes_and_kind_unless_space_asks_for_more(kind, minutes, space, lines):
    assert sized_lines(kind, minutes, space) == lines


def test_kinds_answered_on_the_page_get_no_lines_from_their_minutes():
    assert sized_lines("fill-in-table", 15, 3) == 3
    assert sized_lines("multiple-choice", 8) == 0
