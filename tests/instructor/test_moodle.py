"""`textbook export moodle`: each kind's Moodle question, each scoring rule's grades, refusals, a round trip."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from itertools import product
from pathlib import Path

import pytest

from textbook import cli
from textbook.bank import grading, schema
from textbook.bank.bank import load_bank
from textbook.bank.content import AcceptedAnswers, Choice, NumericAnswer
from textbook.bank.order import shown_order
from textbook.instructor import moodle
from textbook.instructor.markdown_html import inline_html
from textbook.instructor.moodle_format import check_file
from textbook.core.layout import Layout

from tests.conftest import TINY
REPO = Path(__file__).parent.parent.parent

MC_TEMPLATE = """---
id: {id}
title: Judge the statements
kind: multiple-choice
difficulty: 1
minutes: 2
points: {points}
objectives: [count]
scoring: {scoring}
---

## Question

Which of these statements about counting are true?

## Choices

{choices}

## Solution

Counting starts at one and goes up by one each time.
"""


@pytest.fixture
def project(tiny_project: Path, monkeypatch) -> Path:
    root = tiny_project
    notes = "\n## Grading notes\n\nAccept 'runs' as well as 'executes'.\n"
    with (root / "exercises" / "00-run" / "1-short.md").open("a") as short:
        short.write(notes)
    monkeypatch.chdir(root)
    return root


SHORT_TEMPLATE = """---
id: {id}
title: Answer in one go
kind: short-answer
difficulty: 1
minutes: 2
points: 2
objectives: [run]
space: 1
---

## Question

{question}

## Answer

{answer}

## Solution

{solution}

## Rubric

- (2 points) The answer
"""


def _add_short_answer(root: Path, name: str, question: str, answer: str, solution: str) -> None:
    text = SHORT_TEMPLATE.format(id=name, question=question, answer=answer, solution=solution)
    (root / "exercises" / "00-run" / f"8-{name}.md").write_text(text)


def _add_marked_short_answers(root: Path) -> None:
    _add_short_answer(root, "twelve", "How many cells?", "12 ± 0.5", "Twelve cells, counted from the top.")
    _add_short_answer(root, "glob", "Which pattern?", "- `*.md`\n- markdown", "The pattern that lists chapters.")


def _add_choice(root: Path, name: str, scoring: str, correct: list[bool], points: int = 4) -> None:
    choices = "\n".join(f"- [{'x' if c else ' '}] Statement number {i + 1}" for i, c in enumerate(correct))
    text = MC_TEMPLATE.format(id=name, points=points, scoring=scoring, choices=choices)
    (root / "exercises" / "00-run" / f"9-{name}.md").write_text(text)


def _export(capsys) -> tuple[int, str, str]:
    code = cli.main(["export", "moodle"])
    out, err = capsys.readouterr()
    return code, out, err


def _questions(path: Path) -> dict[str, ET.Element]:
    quiz = ET.parse(path).getroot()
    return {q.findtext("idnumber"): q for q in quiz.findall("question") if q.get("type") != "category"}


def _output(root: Path) -> Path:
    return root / "_build" / "export" / "moodle.xml"


def test_the_categories_hang_under_the_course_name_that_conf_py_sets(project, capsys):
    with (project / "conf.py").open("a") as conf:
        conf.write('textbook_course_name = "Data/ML 101"\n')
    assert _export(capsys)[0] == 0
    first = ET.parse(_output(project)).getroot().find("question")
    assert first.findtext("category/text") == "$course$/top/Data//ML 101/Module 0: A module that runs code"


def test_every_kind_of_the_schema_maps_to_a_moodle_type():
    assert set(moodle.MOODLE_TYPES) == set(schema.KINDS)


def test_each_kind_becomes_its_moodle_question(project, capsys):
    code, out, _ = _export(capsys)
    assert code == 0
    assert "essay          5  from code 1, essay 1, fill-in-table 1, list 1, short-answer 1" in out
    assert "multichoice    1  from multiple-choice 1" in out
    assert "graded by Moodle's closest rule, not exactly the book's: all-or-nothing 1" in out
    quiz = ET.parse(_output(project)).getroot()
    first = quiz.find("question")
    assert first.get("type") == "category"
    assert first.findtext("category/text") == "$course$/top/Tiny project/Module 0: A module that runs code"  # the project's name
    questions = _questions(_output(project))
    assert list(questions) == ["short", "table", "listing", "essay", "choice", "sum-code"]
    assert {i: q.get("type") for i, q in questions.items()} == {
        "short": "essay", "table": "essay", "listing": "essay", "essay": "essay", "choice": "multichoice",
        "sum-code": "essay",
    }  # fmt: skip

    code = questions["sum-code"]
    assert "assert isinstance(total(3), int)" in code.findtext("questiontext/text"), "public checks: for students"
    assert "assert total(10) == 45" not in code.findtext("questiontext/text")
    assert "assert total(10) == 45" in code.findtext("graderinfo/text"), "hidden checks: for the grader"

    short = questions["short"]
    assert short.findtext("name/text") == "Exercise 0.1: Say what a cell is"
    assert short.find("questiontext").get("format") == "html"
    assert short.findtext("questiontext/text") == "<p>What does a code cell do when the book builds?</p>"
    assert short.findtext("defaultgrade") == "1"
    assert short.findtext("responseformat") == "editor"
    assert short.findtext("responsefieldlines") == "5"  # space 3, rounded up to Moodle's smallest box
    info = short.findtext("graderinfo/text")
    assert "Every code cell executes in a Jupyter kernel" in info
    assert "<td>Says that the cell runs in a kernel during the build</td><td>1</td>" in info
    assert "Accept 'runs' as well as 'executes'." in info
    assert "executes" not in short.findtext("questiontext/text") + short.findtext("generalfeedback/text")

    table = questions["table"]
    assert table.findtext("responsefieldlines") == "10"  # 2 lines for each of its 4 rows
    template = table.find("responsetemplate")
    assert template.get("format") == "html" and template.findtext("text").startswith("<table>")
    assert "two, spelt" not in template.findtext("text")

    code_question = questions["sum-code"]
    assert code_question.findtext("responseformat") == "monospaced"
    assert code_question.findtext("responsetemplate/text") == "def total(n):\n    raise NotImplementedError\n"
    info = code_question.findtext("graderinfo/text")
    assert "return n * (n - 1) // 2" in info and "assert total(10) == 45" in info
    assert "Marked by its checks" in info

    assert "<td>Says how much waiting an author is spared</td><td>2</td>" in questions["essay"].findtext(
        "graderinfo/text"
    )


def test_a_short_answer_with_an_answer_moodle_can_mark_is_shortanswer_or_numerical(project, capsys):
    _add_marked_short_answers(project)
    code, out, _ = _export(capsys)
    assert code == 0
    assert "numerical      1  from short-answer 1" in out
    assert "shortanswer    1  from short-answer 1" in out
    assert "essay          5  from code 1, essay 1, fill-in-table 1, list 1, short-answer 1" in out
    questions = _questions(_output(project))

    numerical = questions["twelve"]
    assert numerical.get("type") == "numerical"
    [answer] = numerical.findall("answer")
    assert (answer.get("fraction"), answer.findtext("text"), answer.findtext("tolerance")) == ("100", "12", "0.5")
    assert numerical.findtext("showunits") == "3"
    assert "Twelve cells" in numerical.findtext("generalfeedback/text"), "the worked solution, after the attempt"
    assert numerical.find("graderinfo") is None and "12" not in numerical.findtext("questiontext/text")

    short = questions["glob"]
    assert short.get("type") == "shortanswer" and short.findtext("usecase") == "0"
    assert [(a.get("fraction"), a.findtext("text")) for a in short.findall("answer")] == [
        ("100", "\\*.md"),  # a literal asterisk, not Moodle's wildcard
        ("100", "markdown"),
    ]


@pytest.mark.parametrize(
    ("scoring", "correct", "single", "fractions"),
    [
        ("all-or-nothing", [True, False, True], "false", ["50", "-100", "50"]),
        ("per-option", [True, False, True, False], "false", ["50", "-25", "50", "-25"]),
        ("right-minus-wrong", [True, False, True, False, False], "false", ["50", "-50", "50", "-50", "-50"]),
        ("right-minus-wrong", [True, True, True, False, False, False], "false",
         ["33.33333", "33.33333", "33.33333", "-33.33333", "-33.33333", "-33.33333"]),
        ("per-option", [False, True, False, False], "true", ["50", "100", "50", "50"]),
        ("all-or-nothing", [False, True, False], "true", ["0", "100", "0"]),
        ("right-minus-wrong", [True, False, False], "true", ["100", "0", "0"]),
    ],
)  # fmt: skip
def test_each_scoring_rule_gives_moodle_grades(project, capsys, scoring, correct, single, fractions):
    _add_choice(project, "judge", scoring, correct)
    assert _export(capsys)[0] == 0
    question = _questions(_output(project))["judge"]
    assert question.findtext("single") == single
    assert question.findtext("shuffleanswers") == "1"
    assert question.findtext("answernumbering") == "ABCD"
    grades = {a.findtext("text"): a.get("fraction") for a in question.findall("answer")}
    assert grades == {f"Statement number {i + 1}": fraction for i, fraction in enumerate(fractions)}
    assert question.findtext("generalfeedback/text").startswith("<p>Counting starts at one")


def _with(exercise, scoring: str, correct: tuple[bool, ...]):
    choices = tuple(Choice(f"option {i}", c) for i, c in enumerate(correct))
    return replace(exercise, scoring=scoring, choices=choices, points=12)


def _patterns(options: int):
    return [c for c in product((False, True), repeat=options) if any(c)]


def _scores(exercise, ticked):
    correct = [c.correct for c in exercise.choices]
    book = grading.mc_score(exercise.scoring, correct, list(ticked), exercise.points)
    return moodle.moodle_score(moodle.choice_fractions(exercise), ticked) * exercise.points, book


@pytest.fixture(scope="module")
def choice_exercise():
    return load_bank(TINY / "exercises", TINY / "book").exercises["choice"]


@pytest.mark.parametrize("options", [2, 3, 4, 5, 6])
def test_moodle_grades_follow_the_book_as_far_as_a_sum_can(choice_exercise, options):
    for correct in _patterns(options):
        for ticked in product((False, True), repeat=options):
            rights = sum(t and c for t, c in zip(ticked, correct))
            wrongs = sum(t and not c for t, c in zip(ticked, correct))
            for rule in grading.SCORING_RULES:
                exercise = _with(choice_exercise, rule, correct)
                moodle_score, book = _scores(exercise, ticked)
                if sum(correct) == 1 and sum(ticked) == 1:  # radio buttons: one option ticked
                    assert moodle_score == book, (rule, correct, ticked)
                elif rule == "right-minus-wrong" and sum(correct) > 1:
                    assert moodle_score == book, (rule, correct, ticked)
                elif rule == "per-option" and sum(correct) > 1:  # exact with every right option ticked, else stricter
                    assert moodle_score == book if rights == sum(correct) else moodle_score <= book
                elif rule == "all-or-nothing" and sum(correct) > 1:  # exact unless only some rights are ticked
                    some_rights_only = 0 < rights < sum(correct) and not wrongs
                    assert moodle_score > book if some_rights_only else moodle_score == book


def test_which_rules_moodle_grades_exactly(choice_exercise):
    exact = {rule: moodle.grades_like_the_book(_with(choice_exercise, rule, (True, False, True, False)))
             for rule in grading.SCORING_RULES}  # fmt: skip
    assert exact == {"all-or-nothing": False, "per-option": False, "right-minus-wrong": True}
    assert moodle.grades_like_the_book(_with(choice_exercise, "all-or-nothing", (False, True, False)))
    assert not moodle.grades_like_the_book(_with(choice_exercise, "per-option", (False, True, False)))


def test_a_grade_moodle_does_not_accept_is_refused_at_the_scoring_line(project, capsys):
    _add_choice(project, "seven", "per-option", [True, *[False] * 6])  # a wrong option would be 5/7
    code, out, err = _export(capsys)
    assert code == 1
    assert "exercises/00-run/9-seven.md:9: Moodle cannot grade this 'scoring: per-option' question" in err
    assert "71.42857%" in err and "nothing written" in err
    assert not (project / "_build" / "export").exists() or not any((project / "_build" / "export").iterdir())


def test_a_choice_with_no_right_option_fails_and_keeps_the_last_export(project, capsys):
    assert _export(capsys)[0] == 0
    before = _output(project).read_bytes()
    path = project / "exercises" / "00-run" / "5-choice.md"
    path.write_text(path.read_text().replace("- [x]", "- [ ]"))
    code, _, err = _export(capsys)
    assert code == 1
    assert "exercises/00-run/5-choice.md:18: mark at least one choice as right" in err
    assert _output(project).read_bytes() == before
    assert [p.name for p in _output(project).parent.iterdir()] == ["moodle.xml"]


def test_the_export_is_never_written_into_the_html_edition(project, capsys):
    code = cli.main(["export", "moodle", "-o", "_build/html/questions.xml"])
    assert code == 1
    assert "published to students" in capsys.readouterr().err
    assert not (project / "_build" / "html").exists()


def _tamper_fraction(quiz):
    quiz.find("question[idnumber='choice']/answer").set("fraction", "45")


def _tamper_sum(quiz):
    for answer in quiz.findall("question[idnumber='choice']/answer"):
        if answer.get("fraction") == "50":
            answer.set("fraction", "40")


def _tamper_single(quiz):
    question = quiz.find("question[idnumber='choice']")
    question.find("single").text = "true"
    for answer in question.findall("answer"):
        answer.set("fraction", "50" if answer.get("fraction") == "50" else "0")


def _tamper_name(quiz):
    quiz.find("question[idnumber='short']/name/text").text = ""


def _tamper_graderinfo(quiz):
    question = quiz.find("question[idnumber='essay']")
    question.remove(question.find("graderinfo"))


def _tamper_question(quiz):
    quiz.find("question[idnumber='choice']/questiontext").set("format", "myst")


def _tamper_lines(quiz):
    quiz.find("question[idnumber='listing']/responsefieldlines").text = "14"


def _tamper_number(quiz):
    quiz.find("question[idnumber='twelve']/answer/text").text = "twelve"


def _tamper_tolerance(quiz):
    quiz.find("question[idnumber='twelve']/answer/tolerance").text = "-1"


def _tamper_full_mark(quiz):
    for answer in quiz.findall("question[idnumber='glob']/answer"):
        answer.set("fraction", "50")


def _tamper_usecase(quiz):
    quiz.find("question[idnumber='glob']/usecase").text = "yes"


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_tamper_fraction, "5-choice.md:16: Moodle XML: answer 1 has fraction '45', a grade Moodle does not accept"),
        (_tamper_sum, "5-choice.md:16: Moodle XML: the right answers' fractions add up to 80, not 100"),
        (_tamper_single, "5-choice.md:16: Moodle XML: a single-answer question needs one answer with fraction 100"),
        (_tamper_name, "1-short.md:2: Moodle XML: no <name><text>"),
        (_tamper_question, "5-choice.md:12: Moodle XML: <questiontext> has format 'myst', not one of html"),
        (_tamper_graderinfo, "4-essay.md:2: Moodle XML: no <graderinfo>"),
        (_tamper_lines, "3-list.md:2: Moodle XML: <responsefieldlines> is not one of 5, 10"),
        (_tamper_number, "8-twelve.md:16: Moodle XML: answer 1 is 'twelve', not a number"),
        (_tamper_tolerance, "8-twelve.md:16: Moodle XML: answer 1 has tolerance '-1', not a number of 0 or more"),
        (_tamper_full_mark, "8-glob.md:16: Moodle XML: no answer has fraction 100, so no answer could earn the full"),
        (_tamper_usecase, "8-glob.md:16: Moodle XML: <usecase> is not 0 or 1"),
    ],
)
def test_the_check_names_the_exercise_of_a_broken_question(project, capsys, tamper, message):
    _add_marked_short_answers(project)
    assert _export(capsys)[0] == 0
    tree = ET.parse(_output(project))
    tamper(tree.getroot())
    tree.write(_output(project))
    bank = load_bank(project / "exercises", project / "book", shown_from=project)
    problems = check_file(_output(project), bank, project)
    assert len(problems) == 1
    assert problems[0].startswith("exercises/00-run/" + message)


def test_the_real_bank_round_trips(tmp_path):
    """Every exportable exercise of the book, read back from the file, matches the bank's own data."""
    bank = load_bank(REPO / "exercises", REPO / "book", shown_from=REPO)
    summary = moodle.export(Layout(REPO), tmp_path / "moodle.xml")
    quiz = ET.parse(tmp_path / "moodle.xml").getroot()

    read, category = [], None
    for question in quiz.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text")
            continue
        answers = [(a.findtext("text"), float(a.get("fraction"))) for a in question.findall("answer")]
        read.append({
            "type": question.get("type"), "id": question.findtext("idnumber"), "category": category,
            "name": question.findtext("name/text"), "text": question.findtext("questiontext/text"),
            "grade": int(question.findtext("defaultgrade")), "answers": answers,
            "single": question.findtext("single"),
        })  # fmt: skip

    assert [q["id"] for q in read] == list(bank.exercises)
    assert sum(summary.exported.values()) == len(bank.exercises)
    for q in read:
        exercise = bank.exercises[q["id"]]
        module = exercise.module
        marked = {NumericAnswer: "numerical", AcceptedAnswers: "shortanswer"}.get(type(exercise.answer), "essay")
        assert q["type"] == ("multichoice" if exercise.kind == "multiple-choice" else marked)
        assert q["name"] == f"Exercise {exercise.number}: {exercise.title}"
        assert q["category"] == f"$course$/top/MLOps textbook/Module {module.number}: " + module.title.replace(
            "/", "//"
        )
        assert q["grade"] == exercise.points
        assert q["text"].startswith("<") and exercise.sections["Solution"].text.strip()[:40] not in q["text"]
        if q["type"] == "numerical":
            assert q["answers"] == [(exercise.answer.value, 100.0)]
        if q["type"] == "shortanswer":
            assert q["answers"] == [(text.replace("*", "\\*"), 100.0) for text in exercise.answer.texts]
        if exercise.kind != "multiple-choice":
            continue
        shown = shown_order(exercise)  # the book's order, never the author's right-first one
        assert [text for text, _ in q["answers"]] == [inline_html(choice.text) for choice in shown]
        for (text, fraction), choice in zip(q["answers"], shown):
            assert text and (fraction > 0) == choice.correct, (exercise.id, choice)
        right = [f for (_, f), c in zip(q["answers"], shown) if c.correct]
        assert q["single"] == ("true" if len(right) == 1 else "false")
        assert abs(sum(right) - 100) < 0.001
    assert {"shortanswer", "numerical"} <= {q["type"] for q in read}, "the bank has answers Moodle marks itself"
    assert len({q["category"] for q in read}) == summary.categories == len({e.module for e in bank.exercises.values()})


def test_a_question_with_a_pinned_option_keeps_the_books_order_unshuffled(project, capsys):
    _add_choice(project, "pinned", "all-or-nothing", [True, False, False, False])
    path = project / "exercises" / "00-run" / "9-pinned.md"
    path.write_text(path.read_text().replace("Statement number 4", "None of the above {pin: last}"))
    assert _export(capsys)[0] == 0
    question = _questions(_output(project))["pinned"]
    assert question.findtext("shuffleanswers") == "0"
    assert question.findall("answer")[-1].findtext("text") == "None of the above"
