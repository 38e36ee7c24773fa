"""Run code exercises: the solution must pass its checks and the starter must fail them.

Each program (solution + checks, starter + checks) runs in its own Python
subprocess, with a time limit, in a fresh folder under the build's scratch
area: ``<scratch>/<exercise id>-solution`` and ``-starter``, emptied before
each run and left behind afterwards for a look. The program's MLflow store
(tracking and registry) is a SQLite file in that folder, its temporary files
go there too, and MLflow's telemetry is off: an exercise writes nothing to
``$HOME`` or the repository and reaches no network. A pair that passed is
remembered by the digest of its three code blocks and the Python version, so
an unchanged exercise is not run again.
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

from textbook.exercises.bank import Exercise

TIMEOUT_SECONDS = 120


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


def _run(program: str, folder: Path) -> tuple[bool, str]:
    """Run ``program`` in ``folder``, which is emptied first."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    script = folder / "exercise.py"
    script.write_text(program)
    try:
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=_environment(folder),
        )
    except subprocess.TimeoutExpired:
        return False, f"timed out after {TIMEOUT_SECONDS} s"
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def _digest(exercise: Exercise) -> str:
    parts = [exercise.code(name) for name in ("Starter", "Solution", "Checks")] + [sys.version]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _verify(exercise: Exercise, scratch: Path) -> list[str]:
    checks = exercise.code("Checks")
    where = f"{exercise.path}:{exercise.sections['Solution'].line}"
    program = exercise.code("Solution") + "\n\n" + checks
    passed, output = _run(program, scratch / f"{exercise.id}-solution")
    problems = []
    if not passed:
        tail = "\n".join(output.splitlines()[-12:])
        problems.append(f"{where}: the solution of '{exercise.id}' fails its checks:\n{tail}")
    program = exercise.code("Starter") + "\n\n" + checks
    starter_passed, _ = _run(program, scratch / f"{exercise.id}-starter")
    if starter_passed:
        problems.append(
            f"{exercise.path}:{exercise.sections['Starter'].line}: the starter code of '{exercise.id}' "
            "already passes the checks; the checks must fail until the student solves the exercise"
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
