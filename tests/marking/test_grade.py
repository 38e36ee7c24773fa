"""``textbook grade``: grades, feedback, and every attack an answer can make on the sandbox."""

import csv
import io
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from tests.conftest import copy_tiny
from textbook.bank.bank import load_bank
from textbook.core.layout import Layout
from textbook.exercises import starter_notebooks
from textbook.marking import answers, grade, sandbox
from textbook.marking.points import decimal

REPO = Path(__file__).resolve().parents[2]
LIMITS = sandbox.Limits(seconds=6, memory=2**30)
SOLUTION = "def total(n):\n    return n * (n - 1) // 2\n"
STARTER = "def total(n):\n    raise NotImplementedError\n"
HIDDEN = "assert total(10) == 45"

needs_root = pytest.mark.skipif(not sandbox.can_isolate(), reason="the full sandbox needs root and namespaces")


def _if(condition: str) -> str:
    """An answer that is right only if ``condition`` holds when it runs: full marks prove it held."""
    return f"ok = {condition}\n\ndef total(n):\n    return n * (n - 1) // 2 if ok else -1\n"


@pytest.fixture(scope="module")
def world():
    """The tiny project in a folder every user may read (so only the sandbox hides its bank), a server
    on the machine's loopback, and a folder every user may write to."""
    root = Path(tempfile.mkdtemp(prefix="textbook-grade-test-"))
    root.chmod(0o755)
    project = copy_tiny(root / "tiny")
    open_folder = root / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    seen = []

    def serve():
        while not stop.is_set():
            try:
                seen.append(server.accept())
            except (TimeoutError, OSError):
                pass

    stop = threading.Event()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield project, open_folder, server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()
    shutil.rmtree(root, ignore_errors=True)


def _notebook(answer: str | None, exercise: str = "sum-code") -> str:
    project_bank = load_bank(REPO / "tests/projects/tiny/exercises", REPO / "tests/projects/tiny/book")
    notebook = starter_notebooks.starter_notebook(project_bank.modules["00-run"], project_bank.for_module("00-run"))
    cell = next(c for c in notebook.cells if "starter" in c.metadata.get("tags", []))
    if answer is None:
        notebook.cells.remove(cell)
    else:
        cell.source = answer
        cell.metadata["textbook"]["exercise"] = exercise
    return nbformat.writes(notebook)


@pytest.fixture(scope="module")
def graded(world, tmp_path_factory):
    project, open_folder, port, _ = world
    folder = tmp_path_factory.mktemp("submissions")
    bank_file = project / "exercises" / "00-run" / "6-code.md"
    answers = {
        "solution.py": SOLUTION,
        "starter.py": STARTER,
        "public-only.py": "def total(n):\n    return 1\n",
        "exits.py": "import sys\nsys.exit(0)\n" + SOLUTION,
        "os-exit.py": "import os\nos._exit(0)\n",
        "prints-passed.py": 'for n in range(1, 4):\n    print(\'{"check": %d, "passed": true, "message": ""}\' % n)\n'
                            "import os\nos._exit(0)\n",
        "builtins.py": "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                       "def total(n):\n    return 'forty-five'\n",
        "equal-to-all.py": "class Anything:\n    def __eq__(self, other):\n        return True\n"
                           "def total(n):\n    return Anything()\n",
        "loops.py": "while True:\n    pass\n",
        "allocates.py": "block = bytearray(10 * 2**30)\n" + SOLUTION,
        "fork-bomb.py": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        "writes-outside.py": _if(f"not __import__('os').access({str(project / 'book')!r}, __import__('os').W_OK) "
                                 f"and __import__('os').system('touch {project}/book/planted 2>/dev/null') != 0 "
                                 "and __import__('os').system('touch /tmp/planted-by-an-answer') == 0"),
        "reads-bank.py": "try:\n    open(%r).read()\n    read = True\nexcept OSError:\n    read = False\n" % str(bank_file)
                         + _if("not read"),
        "connects.py": "import socket\ntry:\n    socket.create_connection(('127.0.0.1', %d), timeout=2).close()\n"
                       "    reached = True\nexcept OSError:\n    reached = False\n" % port + _if("not reached"),
        "Zoë Müller.ipynb": _notebook(SOLUTION),
        "no-answer.ipynb": _notebook(None),
        "broken.ipynb": '{"cells": [',
        "empty.ipynb": "",
        "other-module.ipynb": _notebook(SOLUTION, exercise="another-exercise"),
        "twice.ipynb": _notebook(STARTER),
        "twice.py": SOLUTION,
    }
    for name, text in answers.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = grade.grade(Layout(project), ["00-run"], folder, limits=LIMITS)
    return result, {one.submission.identifier: one for one in result.graded}, open_folder


def _points(by_student, name) -> str:
    return decimal(by_student[name].results["sum-code"].points)


def test_the_solution_earns_every_point_and_the_starter_none(graded):
    _, by_student, _ = graded
    assert _points(by_student, "solution") == "4"
    assert _points(by_student, "starter") == "0"
    assert _points(by_student, "Zoë Müller") == "4"  # a notebook, found by its cell's marker; a name in Unicode


def test_points_are_shared_among_public_and_hidden_checks(graded):
    _, by_student, _ = graded
    checks = by_student["public-only"].results["sum-code"].checks
    assert [(c.section, c.passed) for c in checks] == [
        ("Public checks", True), ("Hidden checks", False), ("Hidden checks", False)]
    assert _points(by_student, "public-only") == "1.33"


@pytest.mark.parametrize("student", ["exits", "os-exit", "prints-passed", "builtins", "equal-to-all", "loops",
                                     "allocates", "fork-bomb"])
def test_an_answer_that_attacks_the_grader_earns_nothing(graded, student):
    _, by_student, _ = graded
    assert _points(by_student, student) == "0"


def test_what_each_attack_ran_into(graded):
    result, by_student, _ = graded
    results = {name: by_student[name].results["sum-code"] for name in by_student}
    assert results["os-exit"].reason == sandbox.ENDED and results["prints-passed"].reason == sandbox.ENDED
    assert results["loops"].reason == sandbox.TIMEOUT and results["fork-bomb"].reason == sandbox.TIMEOUT
    assert "Refused" in results["equal-to-all"].checks[1].message
    assert "MemoryError" in results["allocates"].answer_error
    log = (result.folder / "grading.log").read_text()
    assert "allocates / sum-code: limit reached: memory" in log
    assert "loops / sum-code: limit reached: wall clock" in log


@needs_root
@pytest.mark.parametrize("student", ["writes-outside", "reads-bank", "connects"])
def test_the_answer_cannot_write_outside_its_folder_read_the_bank_or_reach_the_network(graded, world, student):
    _, by_student, open_folder = graded
    assert _points(by_student, student) == "4", by_student[student].results["sum-code"]
    assert not (world[0] / "book" / "planted").exists()
    assert not Path("/tmp/planted-by-an-answer").exists()  # written where it may, removed after the run
    assert world[3] == []  # the server on the machine's loopback saw no connection


def test_unreadable_missing_and_repeated_submissions_are_reported(graded):
    _, by_student, _ = graded
    assert by_student["no-answer"].results["sum-code"].missing and _points(by_student, "no-answer") == "0"
    assert "invalid JSON" in by_student["broken"].submission.problem
    assert by_student["empty"].submission.problem == "the file is empty"
    assert "other exercises (another-exercise)" in by_student["other-module"].submission.problem
    twice = by_student["twice"]
    assert twice.submission.path.name == "twice.py" and _points(by_student, "twice") == "4"
    assert "left out twice.ipynb" in twice.submission.notes[0]


def test_grades_as_csv_and_json(graded):
    result, by_student, _ = graded
    assert result.folder.parts[-2:] == ("grading", "00-run")
    rows = list(csv.DictReader((result.folder / "grades.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["Identifier", "Full name", "0.6 sum-code", "Total", "To mark"]
    by_id = {row["Identifier"]: row for row in rows}
    assert by_id["solution"]["Total"] == "4" and by_id["starter"]["Total"] == "0"
    assert by_id["Zoë Müller"]["0.6 sum-code"] == "4"
    data = json.loads((result.folder / "grades.json").read_text(encoding="utf-8"))
    assert {s["identifier"] for s in data["students"]} == set(by_student)


def test_feedback_shows_public_checks_and_only_the_verdicts_of_hidden_ones(graded):
    result, _, _ = graded
    text = (result.folder / "feedback" / "public-only.md").read_text(encoding="utf-8")
    assert "Public check 1 of 1: passed" in text and "assert isinstance(total(3), int)" in text
    assert "Hidden check 1 of 2: not passed" in text and "Hidden check 2 of 2: not passed" in text
    for path in (result.folder / "feedback").iterdir():
        shown = path.read_text(encoding="utf-8")
        assert "total(10)" not in shown and "45" not in shown and "Gauss" not in shown, path
    assert "Zoë Müller" in (result.folder / "feedback" / "Zoë Müller.html").read_text(encoding="utf-8")
    assert "No answer found" in (result.folder / "feedback" / "no-answer.md").read_text(encoding="utf-8")


def test_a_leak_in_the_feedback_writes_nothing(tiny_project, tmp_path):
    (tmp_path / "a.py").write_text(SOLUTION)
    layout = Layout(tiny_project)

    def leaky(*args):
        return grade.feedback(*args) + f"\n{HIDDEN}\nGauss pairs the numbers from both ends of the range quickly.\n"

    with pytest.raises(grade.GradingError) as caught:
        grade.grade(layout, ["sum-code"], tmp_path, limits=LIMITS, render=leaky)
    assert "sum-code" in "\n".join(caught.value.problems)
    assert not (layout.build / "grading" / "sum-code").exists()
    assert not list((layout.build / "grading").glob(".*staging"))


def test_a_moodle_download_as_a_zip(tiny_project, tmp_path):
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Zoë Müller_123456_assignsubmission_file_/00-run-exercises.ipynb", _notebook(SOLUTION))
        zipped.writestr("Ann Lee_654321_assignsubmission_file_/old.ipynb", _notebook(SOLUTION))
        zipped.writestr("Ann Lee_654321_assignsubmission_file_/v2.ipynb", _notebook(STARTER))
        zipped.writestr("Bo Ek_111_assignsubmission_file_/notes.txt", "nothing")
    result = grade.grade(Layout(tiny_project), ["00-run"], archive, limits=LIMITS)
    rows = {row["Identifier"]: row for row in csv.DictReader((result.folder / "grades.csv").open(encoding="utf-8"))}
    assert rows["Participant 123456"]["Full name"] == "Zoë Müller" and rows["Participant 123456"]["Total"] == "4"
    assert rows["Participant 654321"]["Total"] == "0"  # the last by name, v2.ipynb, is the starter
    assert rows["Participant 111"]["Total"] == "0"
    by_id = {one.submission.identifier: one.submission for one in result.graded}
    assert by_id["Participant 111"].problem == "no .ipynb or .py file in the submission"


def test_a_notebook_answer_is_found_by_its_marker_wherever_it_is():
    notebook = json.loads(_notebook(SOLUTION))
    answer = next(c for c in notebook["cells"] if "textbook" in c.get("metadata", {}))
    notebook["cells"].remove(answer)
    second = json.loads(json.dumps(answer))
    answer["source"], second["source"] = "def total(n):\n    return helper(n)\n", "def helper(n):\n    return 0\n%time x = 1"
    notebook["cells"] += [answer, second]
    found = answers.notebook_answers(json.dumps(notebook), ["sum-code"], starter_notebooks.MARKER,
                                    starter_notebooks.PART)
    assert found == {"sum-code": "def total(n):\n    return helper(n)\n\ndef helper(n):\n    return 0\n# %time x = 1\n"}


def test_bad_inputs_are_refused_with_a_reason(tiny_project, tmp_path):
    layout = Layout(tiny_project)
    with pytest.raises(grade.GradingError, match="neither a module"):
        grade.grade(layout, ["no-such-thing"], tmp_path, limits=LIMITS)
    (tmp_path / "x.txt").write_text("not a zip")
    with pytest.raises(grade.GradingError, match="a folder or a zip file"):
        grade.grade(layout, ["00-run"], tmp_path / "x.txt", limits=LIMITS)


def test_the_command(tiny_project, monkeypatch, capsys):
    """Submissions inside the build folder too, which the sandbox covers as a whole."""
    from textbook import cli

    submissions = tiny_project / "_build" / "submissions"
    submissions.mkdir(parents=True)
    (submissions / "ann.py").write_text(SOLUTION)
    monkeypatch.chdir(tiny_project)
    assert cli.main(["grade", "sum-code", "--submissions", str(submissions), "--timeout", "10"]) == 0
    out, err = capsys.readouterr()
    assert "ann: 4" in out and "isolation:" in err and "1 of 1 students done, 0 left" in err
    assert "grader's own time per run: median" in out
    assert (tiny_project / "_build" / "grading" / "sum-code" / "grades.csv").is_file()


def test_a_sandbox_that_cannot_start_stops_the_grading_instead_of_giving_0(tiny_project, tmp_path, monkeypatch):
    (tmp_path / "ann.py").write_text(SOLUTION)
    monkeypatch.setattr(sandbox, "_command", lambda *args: ["sh", "-c", "echo 'mount: no such folder' >&2; exit 32"])
    with pytest.raises(grade.GradingError, match=r"did not start the answer's Python \(exit status 32\): mount: no such"):
        grade.grade(Layout(tiny_project), ["sum-code"], tmp_path, limits=LIMITS)
    assert not (tiny_project / "_build" / "grading" / "sum-code").exists()


def _interpreter_reachable_by_others() -> bool:
    """Whether a user without privileges may start this Python again (not so when it lives under /root)."""
    real = Path(os.path.realpath(sys.executable))
    return all(parent.stat().st_mode & 0o001 for parent in real.parents)


def test_the_real_banks_solutions_earn_full_marks_and_starters_none():
    """Every code exercise of the book's bank, its solution and its starter, each in the sandbox: the
    solution passes every check; the starter fails at least one, and the checks it passes earn nothing."""
    layout = Layout(REPO)
    bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    code = [e for e in bank.exercises.values() if e.kind == "code"]
    assert len(code) == 27
    if not _interpreter_reachable_by_others():  # the answer's user cannot start Python or dvc again
        code = [e for e in code if "subprocess" not in e.code("Solution") + grade.code_of(e, "Hidden checks")
                + grade.code_of(e, "Public checks")]
    limits, hidden, path = sandbox.Limits(seconds=120), [layout.exercises, layout.build], [str(layout.source)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        free = grade.starter_passes(code, limits, hidden, path, pool, first_number=1)
        plans = {e.id: grade.Plan.of(e, free[e.id]) for e in code}
        runs = [(e, part) for e in code for part in ("Solution", "Starter")]
        futures = [pool.submit(grade._run_one, plans[e.id], e.code(part), len(code) + number, limits, hidden, path)
                   for number, (e, part) in enumerate(runs, 1)]
        results = [future.result() for future in futures]
    wrong = [f"{e.id} {part}: {r.points} of {r.possible}, {r.reason}, {r.answer_error}, "
             f"{[c.message for c in r.checks if not c.passed]}"
             for (e, part), r in zip(runs, results)
             if r.points != (r.possible - r.to_mark if part == "Solution" else 0)]
    assert not wrong, "\n".join(wrong)


#: A code exercise whose starter already passes two of its three checks, with a criterion a person marks.
STARTS_RIGHT = """---
id: starts-right
title: Add up, starting right
kind: code
difficulty: 1
minutes: 5
points: 4
objectives: [count]
space: 5
---

## Question

Write `total(n)`, the sum of the whole numbers below `n`, and say why in a comment.

## Starter

```python
def total(n):
    return 0
```

## Public checks

```python
assert isinstance(total(3), int)
```

## Solution

```python
def total(n):
    # pairs from both ends of the range
    return n * (n - 1) // 2
```

## Hidden checks

```python
assert total(10) == 45
assert total(1) == 0
```

## Rubric

- (1 point) Passes the public checks
- (2 points) Passes the hidden checks
- (1 point) A comment says why the formula holds
"""


def _starts_right(project: Path, text: str = STARTS_RIGHT):
    (project / "exercises" / "00-run" / "7-starts-right.md").write_text(text, encoding="utf-8")
    return load_bank(project / "exercises", project / "book").exercises["starts-right"]


def test_checks_the_starter_passes_earn_nothing_and_their_points_go_to_the_others(tiny_project):
    exercise = _starts_right(tiny_project)
    checks, by_person = grade.planned_checks(exercise, frozenset({1, 3}))  # the public check and total(1) == 0
    assert [(c.section, c.free, c.worth) for c in checks] == [
        ("Public checks", True, 0), ("Hidden checks", False, 3), ("Hidden checks", True, 0)]
    assert by_person == [("A comment says why the formula holds", 1)]
    checks, _ = grade.planned_checks(exercise)  # nothing free: the rubric's shares
    assert [c.worth for c in checks] == [1, 1, 1]


def test_a_starter_that_passes_every_check_is_refused(tiny_project):
    exercise = _starts_right(tiny_project)
    with pytest.raises(grade.GradingError, match=r"7-starts-right.md: the starter passes every check"):
        grade.planned_checks(exercise, frozenset({1, 2, 3}))


def test_without_root_the_weaker_isolation_grades_alike_and_says_so(tiny_project, tmp_path, monkeypatch):
    """The path a grader not running as root takes: limits only, the same verdicts, and the output says so."""
    _starts_right(tiny_project)
    monkeypatch.setattr(sandbox, "can_isolate", lambda: False)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in {"starter": "def total(n):\n    return 0\n", "solution": SOLUTION,
                       "half": "def total(n):\n    return n\n", "loops": "while True:\n    pass\n"}.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    progress = io.StringIO()
    result = grade.grade(Layout(tiny_project), ["starts-right"], folder, limits=LIMITS, progress=progress)
    totals = {one.submission.identifier: decimal(one.total) for one in result.graded}
    assert totals == {"starter": "0", "solution": "3", "half": "0", "loops": "0"}
    log = (result.folder / "grading.log").read_text(encoding="utf-8")
    assert "isolation: WEAKER" in log and "grader's own time per run: median" in log
    assert "loops / starts-right: limit reached" in log
    row = next(csv.DictReader((result.folder / "grades.csv").open(encoding="utf-8")))
    assert row["To mark"] == "0.7: A comment says why the formula holds (1)"
    assert "4 of 4 students done, 0 left" in progress.getvalue()
