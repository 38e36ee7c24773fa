"""The exercise bank as Moodle XML, the format Moodle's question bank imports.

``textbook export moodle`` writes every exercise as one question, after a
category question per module (``$course$/top/<course name>/Module N:
title``, in the course's language and unit label). Each question is named
"Exercise N.M: title", carries the
exercise id as its ``idnumber``, the Markdown question rendered to HTML, and
the exercise's points as its default mark. How each kind maps:

* **multiple-choice -> multichoice**, options written in the book's shown
  order (``bank.order.shown_order``) and shuffled by Moodle, lettered A, B, C; a
  question with a pinned option is not shuffled (Moodle cannot keep one
  option in place while shuffling the rest). Exactly one right option gives a single-answer question (radio
  buttons); otherwise a multiple-answer one. Moodle marks a multiple-answer
  question by adding the grades of the ticked options, clamped to 0..100%,
  so each option's grade (``choice_fractions``) is chosen so that Moodle's
  score matches ``grading.mc_score`` as far as a sum can:

  - ``right-minus-wrong``: right +100/r %, wrong -100/r %: exactly the rule.
  - ``per-option``: right +100/r %, wrong -100/n %: exact whenever every
    right option is ticked (each wrong tick costs 1/n of the points, as in
    the book); a right option left unticked costs 1/r instead of 1/n, and
    ticking nothing scores 0, not (n-r)/n.
  - ``all-or-nothing``: right +100/r %, wrong -100 %: any wrong tick scores
    0, as in the book; ticking only some right options earns k/r in Moodle
    but 0 in the book (a sum cannot give nothing for a subset of the rights).
  - single answer: the right option 100 %; a wrong one 0 %, or (n-2)/n under
    ``per-option`` (what ticking that one option scores in the book). Exact
    except that, under ``per-option``, no answer scores 0.

  Every grade must be one Moodle accepts (``moodle_format.MOODLE_FRACTIONS``);
  an exercise whose options would need another is refused, at its
  ``scoring:`` line. The solution becomes the general feedback, which Moodle
  shows students only as the quiz's review options allow. The bank has no
  per-option explanations, so there is no per-option feedback.
* **short-answer with an ``## Answer`` -> shortanswer or numerical.** A
  list of accepted texts becomes a shortanswer question (case ignored, each
  text worth the full mark, ``*`` written as a literal asterisk); a number
  with its tolerance becomes a numerical question without units. Moodle
  marks these itself, on the final answer alone: the worked solution is the
  general feedback, and the rubric's credit for method does not apply.
* **short-answer (without an ``## Answer``), essay, list, fill-in-table,
  code -> essay.** Those short answers are free text marked on a rubric,
  which Moodle cannot match exactly. The grader information (shown
  to graders, never to students) holds the model solution, the hidden checks
  of a code exercise, the rubric as a table of criteria and points, and the
  grading notes. A code exercise gets a monospaced box prefilled with its
  starter code, and its public checks in the question; a fill-in table gets its blank table as the response
  template. The box is ``space`` lines tall (a fill-in table's ``space``
  per row), rounded up to Moodle's sizes (5 to 40 lines).

The file is written to a temporary name, read back and checked against
``moodle_format``, and only then renamed into place: a failed export
writes nothing.
"""

from __future__ import annotations

import os
import tempfile
from html import escape
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import product
from pathlib import Path

from textbook.bank import content, grading
from textbook.bank.bank import Bank, BankError, Exercise, load_bank
from textbook.bank.order import shown_order
from textbook.instructor.markdown_html import inline_html, to_html
from textbook.instructor.moodle_format import MOODLE_FRACTIONS, RESPONSE_FIELD_LINES, check_file, percent, where
from textbook.core.layout import Layout
from textbook.core.messages import ENGLISH, Words
from textbook.core.problems import ProblemsError

#: Where the categories go in Moodle: the course's question bank, under a category named after the course.
CATEGORY_ROOT = "$course$/top"
MOODLE_TYPES = {
    "multiple-choice": "multichoice",
    "short-answer": "essay",
    "essay": "essay",
    "list": "essay",
    "fill-in-table": "essay",
    "code": "essay",
}
#: The Moodle type of a short answer that has an ``## Answer``, by the answer's form.
MARKED_ANSWER_TYPES = {content.AcceptedAnswers: "shortanswer", content.NumericAnswer: "numerical"}


def moodle_type(exercise: Exercise) -> str:
    """The Moodle question an exercise becomes: by its kind, or by its machine-markable answer."""
    answer = exercise.answer
    return MOODLE_TYPES[exercise.kind] if answer is None else MARKED_ANSWER_TYPES[type(answer)]


class ExportError(ProblemsError):
    """The export cannot be written; ``problems`` lists why, as ``file:line: message``."""

    what = "the Moodle export"


@dataclass(frozen=True)
class Summary:
    path: Path | None  # where it was written
    categories: int
    exported: Counter  # (Moodle type, kind) -> questions
    inexact: Counter  # scoring rule -> multiple-choice questions Moodle grades differently in some answers

    def lines(self) -> list[str]:
        total = sum(self.exported.values())
        lines = [f"Moodle XML: {self.path} ({total} questions in {self.categories} module categories)"]
        for moodle_type in sorted({t for t, _ in self.exported}):
            kinds = sorted((k, n) for (t, k), n in self.exported.items() if t == moodle_type)
            count = sum(n for _, n in kinds)
            lines.append(f"  {moodle_type:<12} {count:>3}  from {', '.join(f'{k} {n}' for k, n in kinds)}")
        lines.append("  skipped        0  (every kind maps to a Moodle type)")
        if self.inexact:
            rules = ", ".join(f"{rule} {n}" for rule, n in sorted(self.inexact.items()))
            lines.append(f"  multiple-choice graded by Moodle's closest rule, not exactly the book's: {rules} "
                         "(see README, 'Export to Moodle')")
        return lines


def choice_fractions(exercise: Exercise) -> tuple[Fraction, ...]:
    """Each option's grade in Moodle, as a fraction of the mark (the module docstring says why)."""
    correct = [choice.correct for choice in exercise.choices]
    options, right = len(correct), sum(correct)
    if right == 1:
        wrong = Fraction(options - 2, options) if exercise.scoring == "per-option" else Fraction(0)
        return tuple(Fraction(1) if c else wrong for c in correct)
    wrong = {"right-minus-wrong": Fraction(-1, right), "per-option": Fraction(-1, options),
             "all-or-nothing": Fraction(-1)}[exercise.scoring]  # fmt: skip
    return tuple(Fraction(1, right) if c else wrong for c in correct)


def moodle_score(fractions: tuple[Fraction, ...], ticked: tuple[bool, ...]) -> Fraction:
    """The share of the mark Moodle gives: the ticked options' grades added, kept within 0 and 1."""
    return min(Fraction(1), max(Fraction(0), sum((f for f, t in zip(fractions, ticked) if t), Fraction(0))))


def grades_like_the_book(exercise: Exercise) -> bool:
    """Whether Moodle's score equals ``grading.mc_score`` for every answer Moodle lets a student give."""
    fractions = choice_fractions(exercise)
    correct = [choice.correct for choice in exercise.choices]
    single = sum(correct) == 1
    answers = [t for t in product((False, True), repeat=len(correct)) if not single or sum(t) <= 1]
    points, rule = exercise.points, exercise.scoring
    return all(moodle_score(fractions, t) * points == grading.mc_score(rule, correct, list(t), points) for t in answers)


def _add_text(parent: ET.Element, tag: str, text: str, text_format: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": text_format} if text_format else {})
    ET.SubElement(element, "text").text = text
    return element


def _add_value(parent: ET.Element, tag: str, value) -> None:
    ET.SubElement(parent, tag).text = str(value)


def _category(module, course: str, words: Words) -> ET.Element:
    question = ET.Element("question", type="category")
    name = words("unit.heading", number=module.number, title=module.title)
    course, name = (text.replace("/", "//") for text in (course, name))  # one slash starts a subcategory
    _add_text(question, "category", f"{CATEGORY_ROOT}/{course}/{name}")
    _add_text(question, "info", "", "html")
    return question


def _question(exercise: Exercise, words: Words) -> ET.Element:
    question = ET.Element("question", type=moodle_type(exercise))
    _add_text(question, "name", words("exercise.heading", number=exercise.number, title=exercise.title))
    text = to_html(exercise.sections["Question"].text)
    if "Public checks" in exercise.sections:  # students may run these on their answer
        text += f"\n<p>{escape(words('moodle.public_checks'))}</p>\n" + to_html(exercise.sections["Public checks"].text)
    _add_text(question, "questiontext", text, "html")
    marked_by_moodle = question.get("type") != "essay"  # its solution is feedback, shown after the attempt
    feedback = exercise.sections["Solution"].text if marked_by_moodle else ""
    _add_text(question, "generalfeedback", to_html(feedback), "html")
    _add_value(question, "defaultgrade", exercise.points)
    _add_value(question, "idnumber", exercise.id)
    return question


def _multichoice(exercise: Exercise, words: Words) -> ET.Element:
    question = _question(exercise, words)
    fractions = choice_fractions(exercise)
    _add_value(question, "single", "true" if sum(c.correct for c in exercise.choices) == 1 else "false")
    # Written in the book's shown order, so a quiz with shuffling turned off still
    # does not list the right options first; Moodle cannot keep a pinned option
    # in place while shuffling the others, so a question with pins is not shuffled.
    pinned = any(choice.place is not None for choice in exercise.choices)
    _add_value(question, "shuffleanswers", 0 if pinned else 1)
    _add_value(question, "answernumbering", "ABCD")
    grade_of = dict(zip(map(id, exercise.choices), fractions))
    for choice in shown_order(exercise):
        answer = _add_text(question, "answer", inline_html(choice.text), "html")
        answer.set("fraction", percent(grade_of[id(choice)]))
    return question


def _marked_answer(question: ET.Element, text: str) -> ET.Element:
    """One full-mark ``<answer>`` of a shortanswer or numerical question, without feedback of its own."""
    answer = _add_text(question, "answer", text, "moodle_auto_format")
    answer.set("fraction", "100")
    _add_text(answer, "feedback", "", "html")
    return answer


def _shortanswer(exercise: Exercise, words: Words) -> ET.Element:
    question = _question(exercise, words)
    _add_value(question, "usecase", 0)  # case does not matter
    for text in exercise.answer.texts:
        _marked_answer(question, text.replace("*", "\\*"))  # Moodle reads a bare * as a wildcard
    return question


def _numerical(exercise: Exercise, words: Words) -> ET.Element:
    question = _question(exercise, words)
    answer = _marked_answer(question, exercise.answer.value)
    _add_value(answer, "tolerance", exercise.answer.tolerance)
    _add_value(question, "showunits", 3)  # no units asked for or shown
    _add_value(question, "unitgradingtype", 0)
    return question


def _field_lines(exercise: Exercise) -> int:
    lines = exercise.space or RESPONSE_FIELD_LINES[0]
    if exercise.kind == "fill-in-table":
        lines *= len(content.markdown_tables(exercise.sections["Question"].text)[0])
    return next((n for n in RESPONSE_FIELD_LINES if n >= lines), RESPONSE_FIELD_LINES[-1])


def _rubric_html(exercise: Exercise, words: Words) -> str:
    rows = "".join(
        f"<tr><td>{inline_html(c.text)}</td><td>{grading.format_points(c.points)}</td></tr>" for c in exercise.rubric
    )
    total = grading.format_points(grading.rubric_total(exercise.rubric))
    criterion, points, total_word = (escape(words(f"rubric.{key}")) for key in ("criterion", "points", "total"))
    return (f"<table><thead><tr><th>{criterion}</th><th>{points}</th></tr></thead>"
            f"<tbody>{rows}<tr><td><strong>{total_word}</strong></td><td>{total}</td></tr></tbody></table>")  # fmt: skip


def grader_info(exercise: Exercise, words: Words = ENGLISH) -> str:
    """Everything a grader needs and a student must not see: solution, checks, rubric, notes."""

    def say(key: str, **values) -> str:
        return escape(words(key, **values))

    parts = [f"<h4>{say('moodle.model_solution')}</h4>", to_html(exercise.sections["Solution"].text)]
    if exercise.kind == "code":
        parts += [f"<h4>{say('hidden_checks.heading')}</h4>",
                  f"<p>{say('moodle.hidden_checks_note')}</p>",
                  to_html(exercise.sections["Hidden checks"].text)]  # fmt: skip
    parts.append(f"<h4>{say('rubric.heading')}</h4>")
    if exercise.rubric:
        parts.append(_rubric_html(exercise, words))
    else:
        parts.append(f"<p>{say('moodle.marked_by_checks', count=exercise.points, points=exercise.points)}</p>")
    if "Grading notes" in exercise.sections:
        parts += [f"<h4>{say('grading_notes.heading')}</h4>", to_html(exercise.sections["Grading notes"].text)]
    return "\n".join(parts)


def _essay(exercise: Exercise, words: Words) -> ET.Element:
    question = _question(exercise, words)
    _add_value(question, "responseformat", "monospaced" if exercise.kind == "code" else "editor")
    _add_value(question, "responserequired", 1)
    _add_value(question, "responsefieldlines", _field_lines(exercise))
    _add_value(question, "attachments", 0)
    _add_value(question, "attachmentsrequired", 0)
    _add_text(question, "graderinfo", grader_info(exercise, words), "html")
    if exercise.kind == "code":
        _add_text(question, "responsetemplate", exercise.code("Starter"), "plain_text")
    elif exercise.kind == "fill-in-table":
        question_html = to_html(exercise.sections["Question"].text)
        table = question_html[question_html.index("<table>") : question_html.index("</table>") + len("</table>")]
        _add_text(question, "responsetemplate", table, "html")
    else:
        _add_text(question, "responsetemplate", "", "html")
    return question


_BUILDERS = {"multichoice": _multichoice, "shortanswer": _shortanswer, "numerical": _numerical, "essay": _essay}


def _unexpressible(exercise: Exercise, root: Path) -> list[str]:
    grades = choice_fractions(exercise)
    bad = sorted({g for g in grades if g not in MOODLE_FRACTIONS})
    if not bad:
        return []
    accepted = ", ".join(percent(f) for f in sorted((f for f in MOODLE_FRACTIONS if f >= 0), reverse=True))
    return [
        f"{where(exercise, root, key='scoring')}: Moodle cannot grade this 'scoring: {exercise.scoring}' question with "
        f"{len(grades)} options ({sum(c.correct for c in exercise.choices)} right): an option would need "
        f"{', '.join(percent(g) + '%' for g in bad)} of the mark, and Moodle accepts only {accepted} "
        "(and their negatives); change the number of options or the scoring rule"
    ]


def build_quiz(bank: Bank, root: Path, course: str, words: Words = ENGLISH) -> tuple[ET.Element, Summary]:
    """The ``<quiz>`` element for the whole bank, module by module, under a category named ``course``,
    in ``words``; ExportError if Moodle cannot hold it."""
    problems = [p for e in bank.exercises.values() if e.kind == "multiple-choice" for p in _unexpressible(e, root)]
    if problems:
        raise ExportError(problems)
    quiz = ET.Element("quiz")
    exported, inexact, modules = Counter(), Counter(), []
    for exercise in bank.exercises.values():  # in number order, so grouped by module
        if exercise.module not in modules:
            modules.append(exercise.module)
            quiz.append(_category(exercise.module, course, words))
        moodle_kind = moodle_type(exercise)
        quiz.append(_BUILDERS[moodle_kind](exercise, words))
        if moodle_kind == "multichoice" and not grades_like_the_book(exercise):
            inexact[exercise.scoring] += 1
        exported[moodle_kind, exercise.kind] += 1
    ET.indent(quiz)
    return quiz, Summary(None, len(modules), exported, inexact)


def write_moodle(bank: Bank, output: Path, root: Path, course: str, words: Words = ENGLISH) -> Summary:
    """Write the bank to ``output`` as Moodle XML, checked before it replaces any earlier file."""
    quiz, summary = build_quiz(bank, root, course, words)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp's 0600 would make the instructor's copy unreadable to a web server
    try:
        ET.ElementTree(quiz).write(temporary, encoding="UTF-8", xml_declaration=True)
        problems = check_file(Path(temporary), bank, root)
        if problems:
            raise ExportError(problems)
        os.replace(temporary, output)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return replace(summary, path=output)


def export(layout: Layout, output: Path | None = None) -> Summary:
    """``textbook export moodle``: load the bank (no Sphinx, no code runs) and write it.

    The file holds every answer, so it goes under ``_build/export/`` by
    default and never into the hosted ``_build/html/``.
    """
    output = (output or layout.build / "export" / "moodle.xml").absolute()
    if output.resolve().is_relative_to(layout.html.resolve()):
        raise ExportError([f"{output}: the export holds every answer and may not be written into "
                           f"{layout.html}, which is published to students; choose another path"])
    try:
        bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    except BankError as error:
        raise ExportError(error.problems) from None
    return write_moodle(bank, output, layout.root, layout.project.name, Words.of(layout.project))
