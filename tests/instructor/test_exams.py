"""`textbook exam`: exam files, seeded selection, parameters, the stress test, and built variants."""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from textbook import cli
from textbook.bank.bank import BankError, load_bank
from textbook.bank.order import shown_order
from textbook.gates.leaks import pdf_text
from textbook.instructor import exam_file, exams, selection, stress, variants
from textbook.bank import parameters
from textbook.core.layout import Layout

ROOT = Path(__file__).resolve().parent.parent.parent

NOTICE = "Instructor edition: do not distribute"

PARAMETERISED = """\
---
id: add-up
title: Add two counts
kind: multiple-choice
difficulty: 1
minutes: 3
points: 2
objectives: [count]
scoring: all-or-nothing
---

## Question

A cell counts {{a}} rows and another {{b}}. How many rows in all?

## Choices

- [x] {{total}}
- [ ] {{low}}
- [ ] {{high}}

## Parameters

```python
a = rng.randint(10, 99)
b = rng.randint(10, 99)
total = a + b
low = total - rng.randint(1, 9)
high = total + rng.randint(1, 9)
```

## Solution

Adding {{a}} and {{b}} gives {{total}} rows.
"""

QUIZ = """\
title: Tiny quiz
date: "Week 1"
instructions: |
  Answer every question.
exercises: [short, add-up, choice]
"""


@pytest.fixture(autouse=True)
def _process_state_restored():
    """Exams run Sphinx in this process, and the book's configuration points TMPDIR (and more) at
    its build folder: later tests (Chromium's socket path among them) must not inherit that."""
    environment, temporary = dict(os.environ), tempfile.tempdir
    yield
    os.environ.clear()
    os.environ.update(environment)
    tempfile.tempdir = temporary


@pytest.fixture
def project(tiny_project: Path) -> Path:
    """The tiny project with a parameterised exercise and a quiz over three exercises."""
    root = tiny_project
    (root / "exercises" / "00-run" / "7-add-up.md").write_text(PARAMETERISED)
    (root / "exams").mkdir()
    (root / "exams" / "quiz.yml").write_text(QUIZ)
    return root


def _run_exam(root: Path, *args: str) -> int:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        return cli.main(["exam", *args])
    finally:
        os.chdir(cwd)


def _bank(root: Path):
    return load_bank(root / "exercises", root / "book", shown_from=root)


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def _refused(root: Path, capsys, *args: str) -> str:
    """Run an exam that must fail: non-zero exit, nothing written, the problems printed."""
    assert _run_exam(root, "exams/quiz.yml", *args) != 0
    assert not (root / "_build" / "exams").exists() and not (root / "_build" / ".work" / "exams").exists()
    return capsys.readouterr().err


# -- bad input: each a non-zero exit naming the file and line, nothing written --------------


def test_an_unknown_exercise_id_is_named_at_its_line(project, capsys):
    quiz = project / "exams" / "quiz.yml"
    quiz.write_text(QUIZ.replace("exercises: [short, add-up, choice]", "exercises:\n  - short\n  - no-such-id\n"))
    err = _refused(project, capsys)
    assert f"exams/quiz.yml:{_line_of(quiz, 'no-such-id')}: unknown exercise id 'no-such-id'" in err


def test_an_unknown_module_is_named_at_its_line(project, capsys):
    quiz = project / "exams" / "quiz.yml"
    quiz.write_text("title: Tiny quiz\nselect:\n  modules:\n    - 0\n    - 7\n  points: 2\n")
    err = _refused(project, capsys)
    assert "exams/quiz.yml:5: unknown module 7; the book's modules are 0" in err


def test_an_unknown_objective_is_named_at_its_line(project, capsys):
    quiz = project / "exams" / "quiz.yml"
    quiz.write_text("title: Tiny quiz\nselect:\n  objectives: [count, fly]\n  points: 2\n")
    err = _refused(project, capsys)
    assert "exams/quiz.yml:3: unknown objective 'fly' for the selected modules; they declare: count, run" in err


def test_a_budget_no_selection_can_meet_is_refused(project, capsys):
    quiz = project / "exams" / "quiz.yml"
    quiz.write_text("title: Tiny quiz\nselect:\n  kinds: [short-answer, list]\n  points: 2\n")
    err = _refused(project, capsys)
    assert "exams/quiz.yml:4: no selection of the 2 matching exercises adds up to exactly 2 points" in err


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("title: Tiny quiz\n", 1, "an exam lists its exercises"),
        ("title: Tiny quiz\nselect:\n  modules: [0]\n", 2, "'select' needs exactly one budget"),
        ("title: Tiny quiz\nexercises: [short]\nsurprise: 1\n", 1, "'surprise' was unexpected"),
        ("title: Tiny quiz\nexercises: [short, Bad Id]\n", 2, "does not match"),
        ("title: Tiny quiz\nexercises: [short\n", 3, "malformed YAML"),
    ],
)
def test_an_exam_file_that_fails_its_schema_is_named_at_its_line(project, capsys, text, line, message):
    (project / "exams" / "quiz.yml").write_text(text)
    err = _refused(project, capsys)
    assert f"exams/quiz.yml:{line}: " in err and message in err


def test_a_multiple_choice_exercise_with_no_right_option_is_refused(project, capsys):
    choice = project / "exercises" / "00-run" / "5-choice.md"
    choice.write_text(choice.read_text().replace("- [x] ", "- [ ] "))
    err = _refused(project, capsys)
    assert "exercises/00-run/5-choice.md:" in err and "mark at least one choice as right with '- [x]'" in err


def test_a_parameter_generator_that_raises_is_named_at_the_raising_line(project, capsys):
    exercise = project / "exercises" / "00-run" / "7-add-up.md"
    exercise.write_text(PARAMETERISED.replace("total = a + b", "total = a / (b - b)"))
    err = _refused(project, capsys)
    line = _line_of(exercise, "total = a / (b - b)")
    assert f"exercises/00-run/7-add-up.md:{line}: the parameter generator raised ZeroDivisionError" in err


def test_a_parameter_generator_that_is_not_deterministic_is_refused(project, capsys):
    exercise = project / "exercises" / "00-run" / "7-add-up.md"
    exercise.write_text(PARAMETERISED.replace("a = rng.randint(10, 99)", "a = 10 + hash('a') % 90"))
    err = _refused(project, capsys)
    line = _line_of(exercise, "## Parameters")
    assert f"exercises/00-run/7-add-up.md:{line}: the parameter generator is not deterministic" in err
    assert "'a' was" in err


def test_a_placeholder_no_parameter_defines_is_named_at_its_line(project, capsys):
    exercise = project / "exercises" / "00-run" / "7-add-up.md"
    exercise.write_text(PARAMETERISED.replace("gives {{total}} rows", "gives {{totl}} rows"))
    err = _refused(project, capsys)
    line = _line_of(exercise, "{{totl}}")
    assert f"exercises/00-run/7-add-up.md:{line}: '{{{{totl}}}}' names no parameter" in err


def test_a_parameter_generator_may_not_import(project):
    exercise = project / "exercises" / "00-run" / "7-add-up.md"
    exercise.write_text(PARAMETERISED.replace("a = rng.randint(10, 99)", "import time\na = int(time.time()) % 90"))
    with pytest.raises(BankError) as caught:
        _bank(project)
    line = _line_of(exercise, "import time")
    assert f"exercises/00-run/7-add-up.md:{line}: a parameter generator imports nothing" in caught.value.problems[0]


def test_code_exercises_take_no_parameters(project):
    code = project / "exercises" / "00-run" / "6-code.md"
    code.write_text(code.read_text() + "\n## Parameters\n\n```python\nn = 1\n```\n")
    with pytest.raises(BankError) as caught:
        _bank(project)
    assert "'## Parameters' is not for code exercises" in "\n".join(caught.value.problems)


# -- selection, parameters and variants -------------------------------------------------


def test_a_selection_meets_its_budget_and_depends_only_on_the_seed():
    bank = _bank(ROOT)
    exam = exam_file.read_exam_file(ROOT / "exams" / "midterm.yml", "exams")
    draws = {seed: selection.select(exam, bank, seed) for seed in range(6)}
    for seed, chosen in draws.items():
        assert sum(e.points for e in chosen) == exam.selection.total
        assert all(e.module.number <= 4 and e.kind in exam.selection.kinds for e in chosen)
        assert selection.select(exam, bank, seed) == chosen
    assert len({tuple(e.id for e in chosen) for chosen in draws.values()}) > 1, "the seed changes the draw"


def test_the_book_shows_the_default_seed_and_variants_draw_their_own(project):
    exercise = _bank(project).exercises["add-up"]
    default = parameters.draw_values(exercise.template, [parameters.DEFAULT_SEED])[0]
    assert f"counts {default['a']} rows and another {default['b']}" in exercise.sections["Question"].text
    assert "{{" not in exercise.sections["Solution"].text and exercise.template.sections["Solution"].text.count("{{")
    shown = [variants.in_variant(exercise, variants.variant_seed(1, n)) for n in (1, 2, 3)]
    assert len({e.sections["Question"].text for e in shown}) == 3
    for instance in shown:
        right = next(c.text for c in instance.choices if c.correct)
        a, b = map(int, re.findall(r"\d+", instance.sections["Question"].text))
        assert right == str(a + b) and f"gives {a + b} rows" in instance.sections["Solution"].text


def test_a_variant_seed_reorders_options_and_no_seed_keeps_the_books_order():
    bank = _bank(ROOT)
    questions = [e for e in bank.exercises.values() if e.kind == "multiple-choice"]
    assert all(shown_order(e, None) == shown_order(e) for e in questions)
    assert any(shown_order(e, 1) != shown_order(e, 2) for e in questions)


# -- the stress test --------------------------------------------------------------------


def test_the_banks_parameterised_exercises_pass_the_stress_test():
    bank = _bank(ROOT)
    parameterised = [e for e in bank.exercises.values() if e.template is not None]
    assert parameterised
    assert [stress.stress_test(e) for e in parameterised] == [""] * len(parameterised)


@pytest.mark.parametrize(
    "old, new, reason",
    [
        ("high = total + rng.randint(1, 9)", "high = total - rng.randint(10, 19)",
         "the right option is always the largest number offered"),
        ("total = a + b", "total = 100", "the right option is always '100'"),
    ],
)
def test_a_predictable_exercise_fails_the_stress_test_and_the_exam(project, capsys, old, new, reason):
    exercise = project / "exercises" / "00-run" / "7-add-up.md"
    exercise.write_text(PARAMETERISED.replace(old, new).replace("total - rng", "a + b - rng"))
    found = stress.stress_test(_bank(project).exercises["add-up"], "exercises/00-run/7-add-up.md")
    assert f"exercises/00-run/7-add-up.md:{_line_of(exercise, '## Parameters')}: over 200 drawn variants" in found
    assert reason in found
    assert reason in _refused(project, capsys)


NUMERIC = """\
---
id: add-up
title: Add two counts
kind: short-answer
difficulty: 1
minutes: 3
points: 2
objectives: [count]
space: 1
---

## Question

A cell counts {{a}} rows and another {{b}}. How many rows in all?

## Answer

{{total}}

## Parameters

```python
a = rng.randint(10, 99)
b = rng.randint(10, 99)
total = a + b
```

## Solution

Adding them gives {{total}} rows.

## Rubric

- (2 points) The sum
"""


@pytest.mark.parametrize(
    "old, new, reason",
    [
        ("total = a + b", "total = 100", "its answer is the same in every draw"),
        ("total = a + b", "total = f'{a + b} rows' if a > 90 else a + b",
         "the '## Answer' of 'add-up' drawn with seed"),
    ],
)
def test_an_answer_that_never_changes_or_cannot_be_read_fails_the_stress_test(project, old, new, reason):
    exercise = project / "exercises" / "00-run" / "7-add-up.md"
    exercise.write_text(NUMERIC)
    assert stress.stress_test(_bank(project).exercises["add-up"]) == ""
    exercise.write_text(NUMERIC.replace(old, new))
    found = stress.stress_test(_bank(project).exercises["add-up"], "exercises/00-run/7-add-up.md")
    assert reason in found


# -- built exams --------------------------------------------------------------------------


def _real_project(tmp_path: Path) -> Path:
    """The book's chapters, bank and exams (no figures: exams show none), with the code-check cache."""
    root = tmp_path / "book"
    for name in ("book", "exercises", "exams"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "conf.py", root / "conf.py")
    checks = ROOT / "_build" / "cache" / "exercise-checks.json"
    if checks.exists():
        (root / "_build" / "cache").mkdir(parents=True)
        shutil.copy(checks, root / "_build" / "cache" / checks.name)
    return root


def _pages(pdf: Path) -> list[str]:
    return pdf_text(pdf).split("\f")[:-1]


@pytest.mark.parametrize("exam_file", sorted((ROOT / "exams").glob("*.yml")), ids=lambda path: path.name)
def test_every_exam_file_of_the_repository_plans_three_variants(exam_file):
    """Each example exam names real exercises and passes every check, without building PDFs."""
    exam, _, plans = exams.plan(Layout(ROOT), exam_file, 3, seed=1)
    assert len(plans) == 3 and exam.title


def test_the_midterm_builds_three_variants_and_their_keys(tmp_path):
    root = _real_project(tmp_path)
    result = exams.build_exam(Layout(root), root / "exams" / "midterm.yml", 3, seed=1)
    folder = root / "_build" / "exams" / "midterm"
    names = [f"variant-{n}{key}.pdf" for n in (1, 2, 3) for key in ("", "-key")]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names) and result.outputs == [folder / n for n in names]
    assert not (root / "_build" / "html").exists()
    students = [" ".join(pdf_text(folder / f"variant-{n}.pdf").split()) for n in (1, 2, 3)]
    _, _, plans = exams.plan(Layout(root), root / "exams" / "midterm.yml", 3, seed=1)
    for n, text in enumerate(students, start=1):
        assert f"Variant {n} · {len(plans[0].exercises)} questions · 60 points" in text
        assert "Correct:" not in text and "Solution" not in text and NOTICE not in text
    orders = [[e.title for e in plan.exercises] for plan in plans]
    assert len({tuple(order) for order in orders}) == 3, "each variant orders its questions its own way"
    for text, order in zip(students, orders):
        assert [text.index(f"Question {n}: {title}") for n, title in enumerate(order, start=1)] == sorted(
            text.index(f"Question {n}: {title}") for n, title in enumerate(order, start=1))
    for n in (1, 2, 3):
        key_pages = _pages(folder / f"variant-{n}-key.pdf")
        assert all(NOTICE in page for page in key_pages), "the notice is on every page of a key"
        assert "Correct:" in "".join(key_pages)
    # The scanner that passed the students' PDFs finds the solutions in a key.
    bank = load_bank(root / "exercises", root / "book")
    scanner = exams._leak_scanner(Layout(root), bank, plans[0])
    assert scanner.scan([folder / "variant-1.pdf"]) == []
    assert scanner.scan([folder / "variant-1-key.pdf"]), "a key holds solutions: a planted leak is caught"


def test_the_same_seed_gives_byte_identical_files_and_variants_differ(project):
    assert _run_exam(project, "exams/quiz.yml", "--variants", "2", "--seed", "7") == 0
    folder = project / "_build" / "exams" / "quiz"
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert sorted(first) == ["variant-1-key.pdf", "variant-1.pdf", "variant-2-key.pdf", "variant-2.pdf"]
    shutil.rmtree(project / "_build" / "exams")
    shutil.rmtree(project / "_build" / ".work" / "exams")
    assert _run_exam(project, "exams/quiz.yml", "--variants", "2", "--seed", "7") == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    one, two = (" ".join(pdf_text(folder / f"variant-{n}.pdf").split()) for n in (1, 2))
    numbers = [re.search(r"A cell counts (\d+) rows and another (\d+)", text).groups() for text in (one, two)]
    assert numbers[0] != numbers[1], "variants draw their own parameters"
    (project / "exams" / "quiz.yml").write_text(QUIZ.replace("add-up", "no-such-id"))
    assert _run_exam(project, "exams/quiz.yml") != 0
    assert not folder.exists(), "a failed build leaves no older exam that looks current"


def test_a_student_exam_with_solution_text_is_not_published(project, capsys):
    quiz = project / "exams" / "quiz.yml"
    solution = "Every code cell executes in a Jupyter kernel while the book builds."
    quiz.write_text(QUIZ.replace("Answer every question.", solution))
    assert _run_exam(project, "exams/quiz.yml") != 0
    assert "variant-1.pdf: contains the solution of exercise 'short'" in capsys.readouterr().err
    assert not (project / "_build" / "exams").exists()


def test_an_exam_prints_tagged_variants_and_keys_without_tex(project):
    assert _run_exam(project, "exams/quiz.yml", "--variants", "2", "--seed", "3") == 0
    folder = project / "_build" / "exams" / "quiz"
    assert sorted(p.name for p in folder.iterdir()) == [
        "variant-1-key.pdf", "variant-1.pdf", "variant-2-key.pdf", "variant-2.pdf"]
    student = " ".join(pdf_text(folder / "variant-1.pdf").split())
    assert "Tiny quiz" in student and "Name:" in student and "Answer every question." in student
    assert "Week 1 · Variant 1 · 3 questions" in student and "Question 1:" in student
    assert "Correct:" not in student and NOTICE not in student
    key_pages = _pages(folder / "variant-1-key.pdf")
    assert all(NOTICE in page for page in key_pages) and "Correct:" in "".join(key_pages)
    assert (project / "_build" / ".work" / "exams" / "quiz" / "typst" / "variant-1.typ").is_file()
