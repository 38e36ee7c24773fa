"""The exercise bank: numbering, and a clear message for every kind of bad input."""

import re
from pathlib import Path

import pytest

from textbook.bank.bank import BankError, load_bank
from textbook.exercises.checks import code_checker
from textbook.bank.content import AcceptedAnswers, NumericAnswer



@pytest.fixture
def project(tiny_project: Path) -> Path:
    return tiny_project


def _load(root: Path, check_code: bool = False):
    checker = code_checker(root / "_build" / "checks.json") if check_code else None
    return load_bank(root / "exercises", root / "book", check_code=checker, shown_from=root)


def _problems(root: Path, check_code: bool = False) -> str:
    with pytest.raises(BankError) as caught:
        _load(root, check_code)
    return "\n".join(caught.value.problems)


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "exercises" / "00-run" / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def test_numbers_follow_the_module_and_the_file_order(project):
    bank = _load(project)
    assert [(e.id, e.number) for e in bank.exercises.values()] == [
        ("short", "0.1"),
        ("table", "0.2"),
        ("listing", "0.3"),
        ("essay", "0.4"),
        ("choice", "0.5"),
        ("sum-code", "0.6"),
    ]
    assert bank.exercises["listing"].objective_numbers() == [1, 2]
    assert [c.correct for c in bank.exercises["choice"].choices] == [True, False, True]


def test_renaming_a_file_renumbers_the_bank(project):
    folder = project / "exercises" / "00-run"
    (folder / "6-code.md").rename(folder / "0-code.md")
    assert _load(project).exercises["sum-code"].number == "0.1"


def test_code_exercises_pass_with_their_solution(project):
    assert _load(project, check_code=True).exercises["sum-code"].kind == "code"


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("1-short.md", "kind: short-answer", "kind: riddle", r"1-short\.md:4: header 'kind': 'riddle' is not one of"),
        ("1-short.md", "points: 1\n", "", r"1-short\.md:1: header 'points' is a required property"),
        ("1-short.md", "minutes: 2", "minutes: two", r"1-short\.md:6: header 'minutes': 'two' is not of type 'integer'"),
        ("1-short.md", "difficulty: 1", "difficulty: 5", r"1-short\.md:5: header 'difficulty': 5 is greater than the maximum of 3"),
        ("1-short.md", "space: 3\n", "", r"1-short\.md:1: header 'space' is a required property"),
        ("1-short.md", "title: Say what", "title: [Say what", r"1-short\.md:\d+: malformed YAML header"),
        ("1-short.md", "## Solution", "## Reply", r"1-short\.md:\d+: unknown section '## Reply'"),
        ("1-short.md", "## Solution", "## Answer\n\nabout one\n\n## Solution",
         r"1-short\.md:18: cannot read 'about one' as an answer: write a number with its tolerance"),
        ("1-short.md", "## Solution", "## Answer\n\n1 ± -0.5\n\n## Solution", r"1-short\.md:18: the tolerance -0.5 is negative"),
        ("4-essay.md", "## Solution", "## Answer\n\n- yes\n\n## Solution",
         r"4-essay\.md:\d+: '## Answer' is only for short-answer exercises"),
        ("1-short.md", "## Solution\n\nEvery code cell executes in a Jupyter kernel while the book builds.\n", "",
         r"1-short\.md:\d+: missing solution: a short-answer exercise needs a '## Solution' section"),
        ("1-short.md", "objectives: [run]", "objectives: [fly]",
         r"1-short\.md:8: objective 'fly' is not declared by module 0 \(00-run\); it declares: run, count"),
        ("4-essay.md", "id: essay", "id: short", r"4-essay\.md:2: duplicate exercise id 'short', also used by exercises/00-run/1-short\.md"),
        ("2-table.md", "| 1 | one |\n| 2 | two", "| 1 | uno |\n| 2 | two", r"2-table\.md:\d+: cell \(row 2, column 2\) reads 'one' in the question but 'uno'"),
        ("2-table.md", "| 2 | two, spelt", "| 2 | ___ |\n| 9 | two, spelt", r"2-table\.md:\d+: the solution's table must have the same rows"),
        ("5-choice.md", "- [x] Two\n- [ ] Three\n- [x] Four", "- [ ] Two\n- [ ] Four", r"5-choice\.md:\d+: mark at least one choice as right"),
        ("5-choice.md", "- [x] Two", "* Two", r"5-choice\.md:\d+: a choice must read '- \[x\] text'"),
        ("6-code.md", "## Hidden checks", "## Tests", r"6-code\.md:\d+: unknown section '## Tests'"),
        ("1-short.md", "## Question", "## Question\n\n### Part A", r"1-short\.md:\d+: headings other than the '## ' sections"),
        ("1-short.md", "What does a code cell do", "About 90\n% of cells: what does a code cell do",
         r"1-short\.md:15: a line starting with '%' is a MyST comment, dropped from every edition"),
    ],
)
def test_bad_input_is_named_with_file_line_and_fix(project, name, old, new, message):
    _edit(project, name, old, new)
    problems = _problems(project)
    assert re.search(message, problems), problems
    assert "exercises/00-run/" in problems


@pytest.mark.parametrize(
    ("written", "answer"),
    [
        ("0.25 ± 0.01", NumericAnswer("0.25", "0.01")),
        ("-3e2 +/- 5", NumericAnswer("-3e2", "5")),
        ("42", NumericAnswer("42", "0")),
        ("- kernel\n- `a Jupyter kernel`", AcceptedAnswers(("kernel", "a Jupyter kernel"))),
    ],
)
def test_a_short_answer_may_say_what_a_machine_accepts(project, written, answer):
    _edit(project, "1-short.md", "## Solution", f"## Answer\n\n{written}\n\n## Solution")
    assert _load(project).exercises["short"].answer == answer
    assert _load(project).exercises["listing"].answer is None


def test_a_folder_without_a_chapter_is_refused(project):
    (project / "exercises" / "07-missing").mkdir()
    assert "exercises/07-missing: no module chapter book/07-missing.md" in _problems(project)


def test_every_problem_is_reported_at_once(project):
    _edit(project, "1-short.md", "difficulty: 1", "difficulty: 9")
    _edit(project, "3-list.md", "kind: list", "kind: poem")
    problems = _problems(project)
    assert "1-short.md" in problems and "3-list.md" in problems


def test_a_wrong_code_solution_fails_with_its_traceback(project):
    _edit(project, "6-code.md", "return n * (n - 1) // 2", "return n * n // 2")
    problems = _problems(project, check_code=True)
    assert re.search(r"6-code\.md:\d+: the solution of 'sum-code' fails its checks", problems)
    assert "AssertionError" in problems


def test_a_starter_that_already_passes_is_refused(project):
    _edit(project, "6-code.md", "    raise NotImplementedError", "    return n * (n - 1) // 2")
    problems = _problems(project, check_code=True)
    assert "the starter code of 'sum-code' already passes the checks" in problems


def test_passing_code_checks_are_not_run_again(project, monkeypatch):
    _load(project, check_code=True)
    from textbook.exercises import checks

    monkeypatch.setattr(checks, "_verify", lambda exercise: pytest.fail("ran an unchanged exercise again"))
    _load(project, check_code=True)


def test_code_runs_offline_in_its_own_folder_under_the_scratch_area(project, tmp_path):
    scratch = tmp_path / "runs"
    _edit(project, "6-code.md", "assert total(1) == 0", "\n".join([
        "assert total(1) == 0",
        "import os",
        "from pathlib import Path",
        f"assert Path.cwd().is_relative_to({str(scratch)!r}), Path.cwd()",
        "assert Path.cwd().name == 'sum-code-solution', Path.cwd()",
        "assert os.environ['MLFLOW_DISABLE_TELEMETRY'] == 'true'",
        "store = os.environ['MLFLOW_TRACKING_URI']",
        "assert store == f'sqlite:///{Path.cwd() / \"mlflow.db\"}', store",
        "assert os.environ['TMPDIR'] == str(Path.cwd())",
        "Path('left-behind.txt').write_text('from the last run')",
    ]))
    (scratch / "sum-code-solution").mkdir(parents=True)
    (scratch / "sum-code-solution" / "stale.txt").write_text("from an old run")
    checker = code_checker(project / "_build" / "checks.json", scratch=scratch)
    load_bank(project / "exercises", project / "book", check_code=checker, shown_from=project)
    # Each run starts from an empty folder, and what it wrote stays inside it.
    solution_run = sorted(p.name for p in (scratch / "sum-code-solution").iterdir())
    assert solution_run == ["exercise.py", "left-behind.txt"]
    assert (scratch / "sum-code-starter" / "exercise.py").is_file()
    assert not (project / "left-behind.txt").exists()


def test_code_runs_beside_the_cache_file_by_default(project):
    _load(project, check_code=True)
    assert (project / "_build" / "exercise-runs" / "sum-code-solution" / "exercise.py").is_file()


def test_a_kept_bank_serves_the_next_build_until_what_it_was_read_from_changes(project, monkeypatch):
    from textbook.bank import bank as bank_module

    kept = project / "_build" / "cache" / "bank.pickle"

    def load():
        bank_module._last_read.clear()  # a new build process: only the file is left
        return load_bank(project / "exercises", project / "book", shown_from=project, cache=kept)

    first = load()
    assert kept.is_file()
    reads = []
    monkeypatch.setattr(bank_module, "_read_bank", lambda *args: reads.append(args) or first)
    chapter = project / "book" / "00-run.md"
    chapter.write_text(chapter.read_text() + "\nA sentence of prose added under the overview.\n")
    assert load().exercises.keys() == first.exercises.keys() and reads == [], "a prose edit: the kept bank"
    chapter.write_text(chapter.read_text().replace("Count to ten", "Count to eleven"))
    load()
    assert len(reads) == 1, "an objective's text changed: read again"
    _edit(project, "1-short.md", "What does a code cell", "What exactly does a code cell")
    load()
    assert len(reads) == 2, "an exercise changed: read again"
    kept.write_bytes(b"half a file")
    load()
    assert len(reads) == 3, "a damaged file is read past, not trusted"


def test_values_drawn_by_an_earlier_build_are_not_drawn_again(project, monkeypatch):
    from textbook.bank import bank as bank_module
    from textbook.bank import parameters
    from tests.instructor.test_exams import PARAMETERISED

    (project / "exercises" / "00-run" / "7-add-up.md").write_text(PARAMETERISED)
    kept = project / "_build" / "cache" / "bank.pickle"

    def load():
        bank_module._last_read.clear()  # a new build process: only the files are left
        parameters._drawn.clear()
        return load_bank(project / "exercises", project / "book", shown_from=project, cache=kept)

    first = load().exercises["add-up"].sections["Question"].text
    assert "{{" not in first and (project / "_build" / "cache" / "parameter-draws.json").is_file()
    monkeypatch.setattr(parameters, "_run", lambda *args: pytest.fail("drawn again"))
    _edit(project, "1-short.md", "What does a code cell", "What exactly does a code cell")
    assert load().exercises["add-up"].sections["Question"].text == first, "another exercise edited: the values kept"
    (project / "_build" / "cache" / "parameter-draws.json").write_text('{"stamp": ')  # a build killed while writing
    monkeypatch.undo()
    _edit(project, "1-short.md", "What exactly does", "What really does")
    assert load().exercises["add-up"].sections["Question"].text == first, "a half-written file: drawn again"
