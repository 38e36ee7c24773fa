"""Run code exercises: the solution must pass its checks and the starter must fail them.

A code exercise has public checks (students see them, to test their own
answer) and hidden checks (instructors only). Two programs run:

* the solution, then the public checks, then the hidden checks: must pass;
* the starter, then the same checks: must fail, and fail in the checks, not
  in the starter itself; with public checks, in the public ones, so that the
  starter notebook fails at its checks until the student has solved the
  exercise (see ``starter_notebooks.py``).

Each program announces every part before running it (in a file beside its
folder, ``<folder>.stage``), so a failure names the part that failed.

Each program runs in its own Python subprocess, with a time limit, in a
fresh folder under the build's scratch area: ``<scratch>/<exercise
id>-solution`` and ``-starter``, emptied before each run and left behind
afterwards for a look. The program's MLflow store (tracking and registry) is
a SQLite file in that folder, its temporary files go there too, and MLflow's
telemetry is off: an exercise writes nothing to ``$HOME`` or the repository
and reaches no network. A pair that passed is remembered by the digest of
its code blocks and the Python version, so an unchanged exercise is not run
again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from textbook.bank import schema
from textbook.bank.bank import Exercise

#: A guard against a program that never ends, not a speed limit: generous, so that a correct
#: solution on a busy machine (every core executing chapters) is not reported as failing.
TIMEOUT_SECONDS = 600


def _environment(folder: Path) -> dict[str, str]:
    """The program's environment: offline, and every MLflow write inside ``folder``."""
    return {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "1",
        "MLFLOW_TRACKING_URI": f"sqlite:///{folder / 'mlflow.db'}",
        "MLFLOW_REGISTRY_URI": f"sqlite:///{folder / 'mlflow.db'}",
        "TMPDIR": str(folder),
    }


#: The checks as parts of a program: (stage name, section), in the order they run.
CHECK_STAGES = (("public checks", "Public checks"), ("hidden checks", "Hidden checks"))


def program(parts: list[tuple[str, str]], stage_file: Path) -> str:
    """The parts' code one after the other, each first writing its name to ``stage_file``."""
    return "\n\n".join(
        f"__import__('pathlib').Path({str(stage_file)!r}).write_text({stage!r})\n{code}" for stage, code in parts
    )


def _run(parts: list[tuple[str, str]], folder: Path) -> tuple[bool, str, str]:
    """Run the parts as one program in ``folder``, which is emptied first.

    Returns whether it passed, its output, and the part it was running when it ended.
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    script = folder / "exercise.py"
    stage = folder.with_name(folder.name + ".stage")  # beside the folder: not among what the program wrote
    stage.unlink(missing_ok=True)
    script.write_text(program(parts, stage))
    try:
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=_environment(folder),
        )
        passed, output = result.returncode == 0, (result.stdout + result.stderr).strip()
    except subprocess.TimeoutExpired:
        passed, output = False, f"timed out after {TIMEOUT_SECONDS} s"
    return passed, output, stage.read_text() if stage.is_file() else ""


def code_of(exercise: Exercise, section: str) -> str:
    """A code section's python block, or nothing when the exercise has no such section."""
    return exercise.code(section) if section in exercise.sections else ""


def _digest(exercise: Exercise) -> str:
    parts = [code_of(exercise, name) for name in schema.CODE_SECTIONS] + [sys.version]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _checks(exercise: Exercise) -> list[tuple[str, str]]:
    return [(stage, code_of(exercise, section)) for stage, section in CHECK_STAGES]


def _tail(output: str) -> str:
    return "\n".join(output.splitlines()[-12:])


def _verify(exercise: Exercise, scratch: Path) -> list[str]:
    def where(section: str) -> str:
        return f"{exercise.path}:{exercise.sections[section].line}"

    problems = []
    solution = [("solution", exercise.code("Solution")), *_checks(exercise)]
    passed, output, stage = _run(solution, scratch / f"{exercise.id}-solution")
    if not passed:
        part = "checks (it fails before they run)" if stage == "solution" else f"checks (the {stage})"
        problems.append(f"{where('Solution')}: the solution of '{exercise.id}' fails its {part}:\n{_tail(output)}")
    starter = [("starter", exercise.code("Starter")), *_checks(exercise)]
    passed, output, stage = _run(starter, scratch / f"{exercise.id}-starter")
    if passed:
        problems.append(
            f"{where('Starter')}: the starter code of '{exercise.id}' already passes the checks; "
            "the checks must fail until the student solves the exercise"
        )
    elif stage == "starter":
        problems.append(
            f"{where('Starter')}: the starter code of '{exercise.id}' fails on its own, before the checks run; "
            f"it must run, so that students see the checks fail:\n{_tail(output)}"
        )
    elif stage == "hidden checks" and "Public checks" in exercise.sections:
        problems.append(
            f"{where('Public checks')}: the starter code of '{exercise.id}' passes the public checks; they must "
            "fail until the student solves the exercise, or the starter notebook passes with nothing done"
        )
    return problems


def code_checker(cache_file: Path, jobs: int | None = None, scratch: Path | None = None):
    """A ``check_code`` callable for ``load_bank`` that remembers what passed in
    ``cache_file`` and runs programs under ``scratch`` (default: ``exercise-runs``
    beside the cache file)."""
    scratch = (scratch or cache_file.parent / "exercise-runs").resolve()

    def check(exercises: list[Exercise]) -> list[str]:
        try:
            passed = set(json.loads(cache_file.read_text()))
        except (FileNotFoundError, ValueError):
            passed = set()
        todo = [e for e in exercises if _digest(e) not in passed]
        problems: list[str] = []
        if todo:
            with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
                for exercise, found in zip(todo, pool.map(lambda e: _verify(e, scratch), todo)):
                    problems.extend(found)
                    if not found:
                        passed.add(_digest(exercise))
        current = {_digest(e) for e in exercises}
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(sorted(passed & current), indent=1) + "\n")
        return problems

    return check
