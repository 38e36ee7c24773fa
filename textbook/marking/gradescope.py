"""``textbook export gradescope MODULE``: a Gradescope autograder that grades as ``textbook grade`` does.

``_build/export/gradescope/<assignment>/autograder.zip`` holds what
Gradescope asks for at its root, ``setup.sh`` and ``run_autograder``
(``autograder_files/``), and beside them:

* ``grader/``: ``autograder.py`` with the standard-library modules it runs
  (``sandbox.py``, ``runner.py``, ``answers.py``, ``points.py``), copied as
  they are, so the answers run in the same sandbox by the same protocol;
* ``plan.json``: each exercise's check blocks and every check's worth, as
  ``grade.planned_checks`` computes them after running the starter here
  (so the checks the starter passes earn nothing there too), the limits,
  and the feedback's words in the course's language;
* ``shared/``: the course's shared code package, which answers import;
* ``requirements.txt``: the project's, if it has one, which ``setup.sh``
  installs into a virtual environment.

The zip holds the hidden checks: it is for the instructor to upload, never
for students. Written to a temporary file and renamed into place.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from textbook.bank.bank import Exercise, load_bank
from textbook.core.layout import Layout
from textbook.core.messages import Words
from textbook.exercises.render import heading
from textbook.exercises.starter_notebooks import MARKER, PART
from textbook.marking import grade, sandbox
from textbook.marking.points import decimal

HERE = Path(__file__).parent
#: The modules the autograder runs, each standard library only (or these alone).
SHIPPED = ("autograder.py", "sandbox.py", "runner.py", "answers.py", "points.py")
#: The messages ``autograder.py`` fills in (its key: the catalogue's, after "grade.").
WORDS = ("public", "hidden", "public_name", "hidden_name", "passed", "not_passed", "passed_as_starter", "missing",
         "unreadable", "answer_error", "reason.timeout", "reason.ended", "reason.checks-ended", "to_mark", "no_file")
#: What the placeholders of those messages stay as, for the autograder to format.
_LATER = {name: "{%s}" % name for name in ("number", "count", "verdict", "reason", "error", "seconds", "points")}


def _exercise_plan(exercise: Exercise, free: frozenset[int], words: Words) -> dict:
    checks, by_person = grade.planned_checks(exercise, free)
    to_mark = sum((p for _, p in by_person), start=0)
    return {
        "id": exercise.id,
        "heading": heading(exercise, words),
        "possible": decimal(exercise.points),
        "to_mark": words.points(to_mark, decimal(to_mark)) if to_mark else "",
        "blocks": [{"name": b.name, "source": b.source, "count": b.count} for b in grade.blocks(exercise)],
        "checks": [{"section": c.section, "number": c.number, "count": c.count, "worth": str(c.worth),
                    "free": c.free, "source": c.source if c.section == "Public checks" else ""} for c in checks],
    }


def plan(layout: Layout, what: list[str], limits: sandbox.Limits) -> tuple[str, dict]:
    """The assignment's name and ``plan.json``'s contents: the starters are run here, in the sandbox."""
    bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    assignment, exercises = grade.chosen_exercises(layout, bank, what)
    words = Words.of(layout.project)
    hidden, path = [layout.exercises, layout.build], [str(layout.source)]
    try:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            free = grade.starter_passes(exercises, limits, hidden, path, pool, first_number=1)
    except sandbox.SandboxError as error:
        raise grade.GradingError([f"{error}; nothing was written"]) from None
    return assignment, {
        "assignment": assignment,
        "marker": MARKER,
        "part": PART,
        "limits": {"seconds": limits.seconds, "memory": limits.memory, "output": limits.output,
                   "processes": limits.processes},
        "words": {key: words(f"grade.{key}", **_LATER) for key in WORDS},
        "exercises": [_exercise_plan(e, free[e.id], words) for e in exercises],
    }


def _zip(layout: Layout, contents: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (HERE / "autograder_files" / name).read_bytes())
        archive.writestr("grader/__init__.py", "")
        for name in SHIPPED:
            archive.write(HERE / name, f"grader/{name}")
        archive.writestr("plan.json", json.dumps(contents, indent=1, ensure_ascii=False) + "\n")
        shared = layout.source / layout.project.course_code
        if shared.is_dir():
            for path in sorted(shared.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    archive.write(path, f"shared/{path.relative_to(layout.source)}")
        requirements = layout.root / "requirements.txt"
        if requirements.is_file():
            archive.write(requirements, "requirements.txt")
    return buffer.getvalue()


def export(layout: Layout, what: list[str], limits: sandbox.Limits = sandbox.Limits()) -> Path:
    """Write the autograder for ``what`` (a module, an exam file or exercise ids); its path."""
    assignment, contents = plan(layout, what, limits)
    target = layout.build / "export" / "gradescope" / assignment / "autograder.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(".autograder.zip.partial")
    partial.write_bytes(_zip(layout, contents))
    shutil.move(partial, target)
    return target
