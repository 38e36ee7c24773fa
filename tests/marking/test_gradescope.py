"""``textbook export gradescope``: the autograder, run locally as Gradescope lays it out, agrees with ``textbook grade``."""

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest

from tests.marking.test_grade import LIMITS, SOLUTION, STARTER, _notebook
from textbook.bank.bank import load_bank
from textbook.core.layout import Layout
from textbook.gates.leaks import LeakScanner
from textbook.marking import grade, gradescope
from textbook.marking.points import decimal

SUBMISSIONS = {
    "solution.py": SOLUTION,
    "starter.py": STARTER,
    "public-only.py": "def total(n):\n    return 1\n",
    "exits.py": "import os\nos._exit(0)\n",
    "loops.py": "while True:\n    pass\n",
    "prints-passed.py": 'print(\'{"check": 1, "passed": true, "message": ""}\')\ndef total(n):\n    return None\n',
    "Zoë Müller.ipynb": None,  # the solution, in the starter notebook
    "no-answer.ipynb": None,
    "broken.ipynb": '{"cells": [',
}


def _texts() -> dict[str, str]:
    return {**SUBMISSIONS, "Zoë Müller.ipynb": _notebook(SOLUTION), "no-answer.ipynb": _notebook(None)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from tests.conftest import copy_tiny

    project = copy_tiny(tmp_path_factory.mktemp("course") / "tiny")
    folder = tmp_path_factory.mktemp("submissions")
    for name, text in _texts().items():
        (folder / name).write_text(text, encoding="utf-8")
    graded = grade.grade(Layout(project), ["00-run"], folder, limits=LIMITS)
    archive = gradescope.export(Layout(project), ["00-run"], LIMITS)
    return project, archive, {one.submission.identifier: one for one in graded.graded}


def _run_autograder(archive: Path, root: Path, name: str, text: str) -> dict:
    """``run_autograder`` on a folder laid out as Gradescope lays out ``/autograder``."""
    shutil.rmtree(root, ignore_errors=True)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(root / "source")
        for info in opened.infolist():  # zipfile does not restore permissions
            mode = info.external_attr >> 16
            if mode:
                (root / "source" / info.filename).chmod(mode & 0o777)
    (root / "submission").mkdir()
    (root / "submission" / name).write_text(text, encoding="utf-8")
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable}
    run = subprocess.run([str(root / "source" / "run_autograder")], env=environment, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_archive_holds_what_gradescope_runs(exported):
    _, archive, _ = exported
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in opened.infolist()}
        plan = json.loads(opened.read("plan.json"))
    assert {"setup.sh", "run_autograder", "plan.json", "grader/__init__.py", "grader/autograder.py",
            "grader/sandbox.py", "grader/runner.py", "grader/answers.py", "grader/points.py"} <= names
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    (exercise,) = plan["exercises"]
    assert exercise["id"] == "sum-code" and [c["worth"] for c in exercise["checks"]] == ["4/3"] * 3
    assert [c["source"] for c in exercise["checks"]] == ["assert isinstance(total(3), int)", "", ""]


def test_the_shipped_modules_need_only_the_standard_library():
    for name in gradescope.SHIPPED:
        tree = ast.parse((Path(gradescope.__file__).parent / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                outside = [a.name for a in node.names if a.name.split(".")[0] not in sys.stdlib_module_names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                outside = [node.module] if node.module.split(".")[0] not in sys.stdlib_module_names | {"__future__"} else []
            elif isinstance(node, ast.ImportFrom):
                outside = [a.name for a in node.names if f"{node.module or a.name}.py" not in gradescope.SHIPPED]
            else:
                continue
            assert not outside, f"{name} imports {outside}"


def test_run_autograder_gives_the_points_textbook_grade_gives(exported, tmp_path):
    project, archive, graded = exported
    bank = load_bank(project / "exercises", project / "book")
    scanner = LeakScanner(bank, [], "en")
    outputs = {}
    for name, text in _texts().items():
        results = _run_autograder(archive, tmp_path / "autograder", name, text)
        outputs[name] = results["output"]
        student = graded[Path(name).stem]
        assert decimal(Fraction(str(results["score"]))) == decimal(student.total), name
        checks = student.results["sum-code"].checks
        assert [t["status"] == "passed" for t in results["tests"]] == [c.passed for c in checks], name
        hidden = [t for t in results["tests"] if "Hidden" in t["name"]]
        assert len(hidden) == 2 and all(t["visibility"] == "after_published" for t in hidden)
        assert all(t["output"].startswith("Hidden check") and "total(" not in t["output"] for t in hidden)
        assert scanner.scan_text(Path(name) / "results.json", json.dumps(results, ensure_ascii=False)) == []
    assert "Your code ran out of time" in outputs["loops.py"] and "invalid JSON" in outputs["broken.ipynb"]
    assert "No answer found" in outputs["no-answer.ipynb"]


def test_the_command(tiny_project, monkeypatch, capsys):
    from textbook import cli

    monkeypatch.chdir(tiny_project)
    assert cli.main(["export", "gradescope", "sum-code", "--timeout", "10"]) == 0
    assert "_build/export/gradescope/sum-code/autograder.zip" in capsys.readouterr().out
    assert cli.main(["export", "gradescope", "no-such-thing"]) == 1
    assert "no-such-thing: neither a module" in capsys.readouterr().err
