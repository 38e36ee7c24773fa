"""Grading the bank can check: objective coverage, rubrics that add up, multiple-choice scoring rules."""

import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from docutils import nodes

from textbook.bank import grading
from textbook.bank.bank import BankError, load_bank
from textbook.exercises.render import exercise_nodes
from textbook.gates.leaks import LeakScanner, pdf_text
from textbook.pipeline import build

from tests.conftest import TINY
RUBRIC_CRITERION = "Names the teaching sections and their executed cells"


@pytest.fixture
def project(tiny_project: Path) -> Path:
    return tiny_project


def _problems(root: Path) -> str:
    with pytest.raises(BankError) as caught:
        load_bank(root / "exercises", root / "book", shown_from=root)
    return "\n".join(caught.value.problems)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _exercise(root: Path, name: str) -> Path:
    return root / "exercises" / "00-run" / name


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


# -- objective coverage -------------------------------------------------------


def test_an_objective_no_exercise_practises_is_refused_at_its_line(project):
    chapter = project / "book" / "00-run.md"
    _edit(chapter, "  count: Count to ten\n", "  count: Count to ten\n  sleep: Sleep on it\n")
    problems = _problems(project)
    line = _line_of(chapter, "sleep: Sleep on it")
    assert (
        f"book/00-run.md:{line}: objective 'sleep' of module 0 (00-run) is practised by no exercise; "
        "add an exercise to exercises/00-run/ whose header lists it ('objectives: [sleep]')"
    ) in problems, problems


def test_an_objective_whose_only_exercise_moves_on_is_refused(project):
    _edit(_exercise(project, "5-choice.md"), "objectives: [count]", "objectives: [run]")
    _edit(_exercise(project, "2-table.md"), "objectives: [count]", "objectives: [run]")
    _edit(_exercise(project, "6-code.md"), "objectives: [count]", "objectives: [run]")
    _edit(_exercise(project, "3-list.md"), "objectives: [run, count]", "objectives: [run]")
    assert "objective 'count' of module 0 (00-run) is practised by no exercise" in _problems(project)


def test_a_module_without_any_exercise_is_refused_for_each_objective(project):
    shutil.rmtree(project / "exercises" / "00-run")  # the bank, exercises/, is still there
    problems = _problems(project)
    assert "objective 'run' of module 0" in problems and "objective 'count' of module 0" in problems


def test_a_book_without_an_exercise_bank_has_no_coverage_rule(project):
    shutil.rmtree(project / "exercises")
    assert load_bank(project / "exercises", project / "book").exercises == {}


# -- rubrics ----------------------------------------------------------------


def test_rubric_criteria_are_read_from_a_list_or_a_table(project):
    bank = load_bank(project / "exercises", project / "book")
    listing = bank.exercises["listing"].rubric
    assert [(c.text, c.points) for c in listing][1] == (RUBRIC_CRITERION, 1)
    assert [c.points for c in bank.exercises["essay"].rubric] == [3, 2]
    assert grading.rubric_total(bank.exercises["essay"].rubric) == 5


def test_rubric_points_that_do_not_add_up_are_refused_with_file_and_line(project):
    path = _exercise(project, "3-list.md")
    _edit(path, "- (1 point) Names the overview box", "- (2 points) Names the overview box")
    line = _line_of(path, "## Rubric")
    assert (
        f"exercises/00-run/3-list.md:{line}: the rubric's criteria add up to 4 points "
        "but the header says 'points: 3'; make them equal"
    ) in _problems(project)


def test_a_rubric_table_that_does_not_add_up_is_refused(project):
    _edit(_exercise(project, "4-essay.md"), "spared | 2 |", "spared | 2.5 |")
    assert re.search(r"4-essay\.md:\d+: the rubric's criteria add up to 5\.5 points", _problems(project))


def test_half_points_add_up(project):
    path = _exercise(project, "2-table.md")
    _edit(path, "- (1 point) Spells out the second", "- (0.5 points) Spells out the second")
    _edit(path, "- (1 point) Spells out the third", "- (1.5 points) Spells out the third")
    assert grading.rubric_total(load_bank(project / "exercises", project / "book").exercises["table"].rubric) == 2


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("1-short.md", "## Rubric\n\n- (1 point) Says that the cell runs in a kernel during the build\n", "",
         r"1-short\.md:\d+: missing '## Rubric': a short-answer exercise needs one, a list of criteria worth 1 points"),
        ("4-essay.md", "## Rubric", "## Notes", r"4-essay\.md:\d+: unknown section '## Notes'"),
        ("3-list.md", "- (1 point) Names the overview box", "- Names the overview box",
         r"3-list\.md:(?P<line>\d+): a rubric criterion must start with its points, as in '- \(2 points\)"),
        ("3-list.md", "- (1 point) Names the overview box", "The overview box counts.",
         r"3-list\.md:(?P<line>\d+): a rubric holds criteria only"),
        ("4-essay.md", "| Criterion | Points |", "| What | Marks |",
         r"4-essay\.md:\d+: a rubric table's header must read '\| Criterion \| Points \|'"),
        ("4-essay.md", "spared | 2 |", "spared | two |",
         r"4-essay\.md:\d+: the points of rubric criterion 'Says how much waiting an author is spared' must be a number"),
        ("5-choice.md", "## Solution", "## Rubric\n\n- (1 point) Both even numbers\n\n## Solution",
         r"5-choice\.md:\d+: '## Rubric' is not for multiple-choice exercises"),
    ],
)
def test_a_bad_rubric_is_named_with_file_line_and_fix(project, name, old, new, message):
    path = _exercise(project, name)
    _edit(path, old, new)
    problems = _problems(project)
    found = re.search(message, problems)
    assert found, problems
    if "line" in found.groupdict():  # points at the criterion itself
        assert found["line"] == str(_line_of(path, new.split("\n")[0]))


def test_a_code_exercise_may_have_a_rubric_that_adds_up(project):
    path = _exercise(project, "6-code.md")
    text = path.read_text() + "\n## Rubric\n\n- (3 points) Passes the checks\n- (1 point) Explains the formula\n"
    path.write_text(text)
    assert len(load_bank(project / "exercises", project / "book").exercises["sum-code"].rubric) == 2
    path.write_text(text.replace("(1 point) Explains", "(2 points) Explains"))
    assert "6-code.md" in _problems(project)


# -- multiple choice ----------------------------------------------------------


def test_a_multiple_choice_exercise_without_a_scoring_rule_is_refused(project):
    _edit(_exercise(project, "5-choice.md"), "scoring: all-or-nothing\n", "")
    assert re.search(
        r"5-choice\.md:4: a multiple-choice exercise must say how partial credit works: add one of "
        r"'scoring: all-or-nothing', 'scoring: per-option', 'scoring: right-minus-wrong'",
        _problems(project),
    )


def test_an_unknown_scoring_rule_or_one_on_another_kind_is_refused(project):
    _edit(_exercise(project, "5-choice.md"), "scoring: all-or-nothing", "scoring: generous")
    _edit(_exercise(project, "1-short.md"), "space: 3", "space: 3\nscoring: per-option")
    problems = _problems(project)
    assert re.search(r"5-choice\.md:\d+: header 'scoring': 'generous' is not one of", problems)
    assert re.search(r"1-short\.md:\d+: 'scoring' is only for multiple-choice exercises", problems)


RIGHT = [True, True, False, False, False]  # exercise 4.4: two right options of five


@pytest.mark.parametrize(
    ("rule", "ticked", "score"),
    [
        ("all-or-nothing", [1, 1, 0, 0, 0], 4),
        ("all-or-nothing", [1, 0, 0, 0, 0], 0),
        ("all-or-nothing", [1, 1, 1, 0, 0], 0),
        ("per-option", [1, 1, 0, 0, 0], 4),
        ("per-option", [1, 1, 1, 0, 0], Fraction(16, 5)),
        ("per-option", [0, 0, 0, 0, 0], Fraction(12, 5)),
        ("per-option", [0, 0, 1, 1, 1], 0),
        ("right-minus-wrong", [1, 1, 0, 0, 0], 4),
        ("right-minus-wrong", [1, 1, 1, 0, 0], 2),  # one wrong tick costs one share, once
        ("right-minus-wrong", [1, 0, 0, 0, 0], 2),
        ("right-minus-wrong", [0, 0, 0, 0, 0], 0),
        ("right-minus-wrong", [1, 1, 1, 1, 1], 0),  # never below zero
    ],
)
def test_scoring_rules_score_exactly_as_defined(rule, ticked, score):
    assert grading.mc_score(rule, RIGHT, [bool(t) for t in ticked], 4) == score


@pytest.mark.parametrize("rule", grading.SCORING_RULES)
def test_every_rule_ranges_from_zero_to_the_points(rule):
    from itertools import product

    scores = [grading.mc_score(rule, RIGHT, list(t), 4) for t in product([False, True], repeat=5)]
    assert min(scores) == 0 and max(scores) == 4


# -- rendering ----------------------------------------------------------------


def _parse(text, exercise, section):
    return [nodes.paragraph("", text)]


def _bank(root: Path = TINY):
    return load_bank(root / "exercises", root / "book")


def test_the_key_renders_the_rubric_as_a_table_with_a_total():
    listing = _bank().exercises["listing"]
    box = exercise_nodes(listing, "key", _parse)
    table = next(box.findall(nodes.table))
    rows = [[entry.astext() for entry in row.findall(nodes.entry)] for row in table.findall(nodes.row)]
    assert rows == [
        ["Criterion", "Points"],
        ["Names the overview box", "1"],
        [RUBRIC_CRITERION, "1"],
        ["Names the exercises taken from the bank", "1"],
        ["Total", "3"],
    ]
    assert "One point for each part" in box.astext(), "free grading notes follow the rubric"


@pytest.mark.parametrize("answer, shown", [
    ("0.25 ± 0.01", "Accepted answer: 0.25, give or take 0.01."),
    ("598", "Accepted answer: 598, exactly."),
    ("- kernel\n- `a kernel`", "Accepted answers: kernel, a kernel (any case)."),
])  # fmt: skip
def test_only_the_key_states_a_short_answers_accepted_answer(project, answer, shown):
    _edit(_exercise(project, "1-short.md"), "## Solution", f"## Answer\n\n{answer}\n\n## Solution")
    short = _bank(project).exercises["short"]
    assert shown in exercise_nodes(short, "key", _parse).astext()
    for mode in ("questions", "workbook"):
        assert "Accepted" not in exercise_nodes(short, mode, _parse).astext()


@pytest.mark.parametrize("mode", ["questions", "workbook"])
def test_student_modes_show_no_rubric(mode):
    for exercise in _bank().exercises.values():
        text = exercise_nodes(exercise, mode, _parse).astext()
        assert not any(c.text in text for c in exercise.rubric), exercise.id
        assert not list(exercise_nodes(exercise, mode, _parse).findall(nodes.table)) or exercise.kind == "fill-in-table"


@pytest.mark.parametrize("mode", ["questions", "workbook", "key"])
def test_every_edition_states_the_scoring_rule(mode):
    text = exercise_nodes(_bank().exercises["choice"], mode, _parse).astext()
    assert "Scoring: all or nothing. Ticking exactly the right options, and no other, earns the 1 point" in text
    assert ("Here the 2 right options" in text) == (mode == "key")


def test_rubric_text_is_secret_for_the_leak_scan(tmp_path):
    bank = _bank()
    scanner = LeakScanner(bank, [(TINY / "book" / "00-run.md").read_text()])
    page = tmp_path / "page.html"
    page.write_text(f"<p>Marked on: {RUBRIC_CRITERION.lower()}.</p>")
    assert {leak.exercise for leak in scanner.scan([page])} == {"listing"}
    page.write_text("<p>Explains that outputs are looked up by the source of each cell</p>")
    assert {leak.exercise for leak in scanner.scan([page])} == {"essay"}


def test_the_key_prints_the_rubric_and_the_student_editions_do_not(project):
    """One real build: the key's PDF holds the rubric table; the book and workbook hold no criterion."""
    layout = build.Layout(project)
    results = {r.edition: r for r in build.build(layout, ["html", "workbook", "key"])}
    key_pdf, workbook_pdf = results["key"].outputs[0], results["workbook"].outputs[0]
    key = " ".join(pdf_text(key_pdf).split())
    assert "Criterion Points" in key and RUBRIC_CRITERION in key and "Total 3" in key
    assert "Scoring: all or nothing." in key
    workbook = " ".join(pdf_text(workbook_pdf).split())
    assert "Scoring: all or nothing." in workbook
    criteria = [c.text for e in _bank(project).exercises.values() for c in e.rubric]
    book = " ".join(p.read_text() for p in layout.html.rglob("*.html"))
    for criterion in criteria:
        assert criterion not in workbook and criterion not in book, criterion


def test_choices_are_shown_in_a_seeded_order_that_does_not_give_the_answer_away():
    from textbook.bank.order import shown_order

    root = Path(__file__).resolve().parent.parent.parent
    bank = load_bank(root / "exercises", root / "book")
    questions = [e for e in bank.exercises.values() if e.kind == "multiple-choice"]
    assert questions
    for exercise in questions:
        order = shown_order(exercise)
        assert order == shown_order(exercise), "the same order in every edition and build"
        assert sorted(order, key=exercise.choices.index) == list(exercise.choices)
    # Authors write right options first; shown, the first option is not always right.
    assert not all(shown_order(e)[0].correct for e in questions)
    assert any(shown_order(e) != list(e.choices) for e in questions)


@pytest.mark.parametrize("mode", ["questions", "workbook", "key"])
def test_only_the_key_ticks_the_right_options_and_names_their_letters(mode):
    from textbook.bank.order import lettered
    from textbook.exercises.answer_space import choice_box

    exercise = _bank().exercises["choice"]
    box = exercise_nodes(exercise, mode, _parse)
    boxes = [dict(node.attributes) for node in box.findall(choice_box)]
    right = [letter for letter, choice in lettered(exercise) if choice.correct]
    if mode == "key":
        assert [b["ticked"] for b in boxes] == [choice.correct for _, choice in lettered(exercise)]
        assert f"Correct: {', '.join(right)}" in box.astext()
    else:  # every box the same, nodes and attributes: nothing tells the right options apart
        assert boxes == [boxes[0]] * len(exercise.choices) and boxes[0]["ticked"] is False
        assert "Correct:" not in box.astext()
