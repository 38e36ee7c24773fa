"""What Moodle's XML importer needs, and the check of a written file against it.

The rules come from Moodle's own source: ``question/format/xml/format.php``
(what each question type reads), ``question_bank::fraction_options_full``
(the only grades an answer may carry: the importer refuses any other, within
0.00001 of the mark), the essay type's ``response_formats`` and
``response_sizes``, and what the shortanswer and numerical types refuse on
saving (no answer with the full mark; a numerical answer that is not a
number). ``check_file`` reads a written file back and reports
every question that breaks one, at the exercise file and line it came from,
so a fault in the exporter is caught before an instructor's import fails.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from textbook.bank.bank import Bank, Exercise

_GRADES = [Fraction(1), Fraction(9, 10), Fraction(5, 6), Fraction(4, 5), Fraction(3, 4), Fraction(7, 10),
           Fraction(2, 3), Fraction(3, 5), Fraction(1, 2), Fraction(2, 5), Fraction(1, 3), Fraction(3, 10),
           Fraction(1, 4), Fraction(1, 5), Fraction(1, 6), Fraction(1, 7), Fraction(1, 8), Fraction(1, 9),
           Fraction(1, 10), Fraction(1, 20)]  # fmt: skip
#: The grades (fractions of the question's mark) Moodle accepts for an answer: 0 and these, either sign.
MOODLE_FRACTIONS = frozenset([Fraction(0), *_GRADES, *(-g for g in _GRADES)])
#: How close a written grade must be to one of them; Moodle's importer matches with this tolerance.
FRACTION_TOLERANCE = 0.00001
ANSWER_NUMBERINGS = ("abc", "ABCD", "123", "iii", "IIII", "none")
RESPONSE_FORMATS = ("editor", "editorfilepicker", "plain", "monospaced", "noinline")
RESPONSE_FIELD_LINES = tuple(range(5, 41, 5))
TEXT_FORMATS = ("html", "moodle_auto_format", "plain_text", "markdown")


def percent(fraction: Fraction) -> str:
    """A grade as Moodle writes it: a percentage with at most five decimals (``33.33333``)."""
    return f"{float(fraction * 100):.5f}".rstrip("0").rstrip(".")


def accepted(grade_percent: float) -> bool:
    return any(abs(grade_percent / 100 - float(f)) < FRACTION_TOLERANCE for f in MOODLE_FRACTIONS)


def where(exercise: Exercise, root: Path, heading: str | None = None, key: str = "id") -> str:
    """``file:line`` of an exercise: its ``## heading`` if given, else its header's ``key:`` line."""
    try:
        shown = exercise.path.relative_to(root)
    except ValueError:
        shown = exercise.path
    if heading in exercise.sections:
        return f"{shown}:{exercise.sections[heading].line - 1}"
    lines = exercise.path.read_text(encoding="utf-8").splitlines()
    return f"{shown}:{next((i for i, line in enumerate(lines, 1) if line.startswith(f'{key}:')), 1)}"


def _text(element: ET.Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _formatted_text_problems(question: ET.Element, tag: str) -> list[str]:
    element = question.find(tag)
    if element is None:
        return [f"no <{tag}>"]
    problems = []
    if element.get("format") not in TEXT_FORMATS:
        problems.append(f"<{tag}> has format {element.get('format')!r}, not one of {', '.join(TEXT_FORMATS)}")
    if not _text(element, "text"):
        problems.append(f"<{tag}> has no <text>")
    return problems


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _graded_answers(answers: list[ET.Element]) -> tuple[list[str], list[float]]:
    """Problems of each ``<answer>`` (a grade Moodle refuses, no text) and the grades that are right."""
    problems, grades = [], []
    for number, answer in enumerate(answers, start=1):
        grade = _number(answer.get("fraction", ""))
        if grade is None or not accepted(grade):
            problems.append(f"answer {number} has fraction {answer.get('fraction')!r}, a grade Moodle does not accept")
        else:
            grades.append(grade)
        if not _text(answer, "text"):
            problems.append(f"answer {number} has no <text>")
    return problems, grades


def _multichoice_problems(question: ET.Element) -> list[str]:
    problems = []
    single = _text(question, "single")
    if single not in ("true", "false"):
        problems.append(f"<single> is {single!r}, not 'true' or 'false'")
    if _text(question, "answernumbering") not in ANSWER_NUMBERINGS:
        problems.append(f"<answernumbering> is not one of {', '.join(ANSWER_NUMBERINGS)}")
    answers = question.findall("answer")
    if len(answers) < 2:
        problems.append(f"{len(answers)} <answer> elements; a multiple-choice question needs at least two")
    answer_problems, grades = _graded_answers(answers)
    problems += answer_problems
    if len(grades) == len(answers) and answers:
        if single == "true" and not any(abs(g - 100) < 0.001 for g in grades):
            problems.append("a single-answer question needs one answer with fraction 100")
        positive = sum(g for g in grades if g > 0)
        if single == "false" and abs(positive - 100) > 0.001:
            problems.append(f"the right answers' fractions add up to {positive:g}, not 100")
    return problems


def _essay_problems(question: ET.Element) -> list[str]:
    problems = []
    if _text(question, "responseformat") not in RESPONSE_FORMATS:
        problems.append(f"<responseformat> is not one of {', '.join(RESPONSE_FORMATS)}")
    if _text(question, "responsefieldlines") not in {str(n) for n in RESPONSE_FIELD_LINES}:
        problems.append(f"<responsefieldlines> is not one of {', '.join(map(str, RESPONSE_FIELD_LINES))}")
    return problems + _formatted_text_problems(question, "graderinfo")


def _marked_answers_problems(question: ET.Element) -> list[str]:
    """What shortanswer and numerical share: answers with grades Moodle accepts, one worth the mark."""
    answers = question.findall("answer")
    if not answers:
        return ["no <answer>; a question Moodle marks needs at least one"]
    problems, grades = _graded_answers(answers)
    if grades and not any(abs(g - 100) < 0.001 for g in grades):
        problems.append("no answer has fraction 100, so no answer could earn the full mark")
    return problems


def _shortanswer_problems(question: ET.Element) -> list[str]:
    problems = [] if _text(question, "usecase") in ("0", "1") else ["<usecase> is not 0 or 1"]
    return problems + _marked_answers_problems(question)


def _numerical_problems(question: ET.Element) -> list[str]:
    problems = _marked_answers_problems(question)
    for number, answer in enumerate(question.findall("answer"), start=1):
        if _number(_text(answer, "text")) is None:
            problems.append(f"answer {number} is {_text(answer, 'text')!r}, not a number")
        tolerance = _number(_text(answer, "tolerance"))
        if tolerance is None or tolerance < 0:
            problems.append(f"answer {number} has tolerance {_text(answer, 'tolerance')!r}, not a number of 0 or more")
    return problems


#: Each type's own checks, and the exercise section its problems are reported at (None: the header).
_TYPE_PROBLEMS = {
    "multichoice": (_multichoice_problems, "Choices"),
    "shortanswer": (_shortanswer_problems, "Answer"),
    "numerical": (_numerical_problems, "Answer"),
    "essay": (_essay_problems, None),
}


def question_problems(question: ET.Element) -> list[tuple[str | None, str]]:
    """What a question (not a category) lacks or gets wrong, as Moodle's importer reads it,
    each with the exercise section it comes from (None: the header)."""
    kind = question.get("type")
    if kind not in _TYPE_PROBLEMS:
        return [(None, f"question type {kind!r} is not one this exporter writes ({', '.join(_TYPE_PROBLEMS)})")]
    problems = [] if _text(question, "name/text") else [(None, "no <name><text>")]
    problems += [("Question", p) for p in _formatted_text_problems(question, "questiontext")]
    grade = _number(_text(question, "defaultgrade"))
    if grade is None or grade <= 0:
        problems.append((None, "<defaultgrade> is not a number above 0"))
    check, section = _TYPE_PROBLEMS[kind]
    return problems + [(section, p) for p in check(question)]


def check_file(path: Path, bank: Bank, root: Path) -> list[str]:
    """Every problem of a written Moodle XML file, as ``file:line: message`` of the exercise at fault."""
    try:
        quiz = ET.parse(path).getroot()
    except ET.ParseError as error:
        return [f"{path}: not well-formed XML: {error}"]
    if quiz.tag != "quiz":
        return [f"{path}: the root element is <{quiz.tag}>, not <quiz>"]
    problems, seen = [], set()
    for number, question in enumerate(quiz.findall("question"), start=1):
        if question.get("type") == "category":
            if not _text(question, "category/text"):
                problems.append(f"{path}: question {number} is a category with no <category><text>")
            continue
        exercise = bank.exercises.get(_text(question, "idnumber"))
        if exercise is None or exercise.id in seen:
            problems.append(f"{path}: question {number} has idnumber {_text(question, 'idnumber')!r}, "
                            "not the id of an exercise exported once")
            continue
        seen.add(exercise.id)
        problems += [f"{where(exercise, root, section)}: Moodle XML: {p}" for section, p in question_problems(question)]
    return problems
