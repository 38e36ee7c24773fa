"""Gradescope's side of ``textbook export gradescope``: grade one submission, write ``results.json``.

``autograder.zip`` ships this module with ``sandbox.py``, ``runner.py`` and
``answers.py`` as the package ``grader``, so it uses the standard library and
those alone (``tests/marking/test_gradescope.py`` checks it). It reads
``plan.json``, which ``gradescope.py`` wrote from the bank: each exercise's
checks with the worth ``textbook grade`` gives them (the checks the starter
passes already earning nothing), its sandbox limits, and the feedback's
words in the course's language. Each answer then runs in the sandbox exactly
as ``textbook grade`` runs it, so both give the same points.

Layout (Gradescope's): ``ROOT/source`` (the zip's contents), the student's
files in ``ROOT/submission`` (the last ``.ipynb`` or ``.py`` by name is
graded), the verdict in ``ROOT/results/results.json``: the total as
``score``, and one test per check with its ``score``, ``max_score``,
``status`` and ``output``. A public check's output is its source and
message; a hidden check is ``after_published`` and its output only its
verdict ("Hidden check 2 of 3: not passed"). The run's log (isolation,
limits reached) goes to standard output, which students are not shown.
"""

from __future__ import annotations

import json
import sys
import time
from fractions import Fraction
from pathlib import Path

from . import answers, sandbox
from .points import decimal


def _checks_output(words: dict[str, str], check: dict, passed: bool, message: str) -> str:
    if check["section"] == "Hidden checks":
        return words["hidden"].format(number=check["number"], count=check["count"],
                                      verdict=words["passed" if passed else "not_passed"])
    lines = ["```python", check["source"], "```"]
    if not passed and message:
        lines += ["", f"`{message}`"]
    return "\n".join(lines)


def grade_exercise(exercise: dict, answer: str | None, problem: str | None, plan: dict, root: Path,
                   number: int) -> tuple[list[dict], list[str], list[str]]:
    """Gradescope's tests for one exercise, the notes for the student, and the lines of the log."""
    words, checks = plan["words"], exercise["checks"]
    notes, log, verdicts = [], [], {}
    if problem is not None:
        notes.append(words["unreadable"].format(reason=problem))
    elif answer is None:
        notes.append(words["missing"])
    else:
        limits = sandbox.Limits(**plan["limits"])
        hidden = [root / "source", root / "results", root / "submission"]
        run = sandbox.run(answer, [sandbox.Block(b["name"], b["source"], b["count"]) for b in exercise["blocks"]],
                          number=number, limits=limits, hidden=hidden, path=[str(root / "source" / "shared")])
        verdicts = run.verdicts
        if run.answer_error:
            notes.append(words["answer_error"].format(error=f"`{run.answer_error}`"))
        if run.reason:
            notes.append(words[f"reason.{run.reason}"].format(seconds=f"{limits.seconds:g}"))
        log += [f"limit reached: {hit}" for hit in run.limits_hit]
        if run.tampered:
            log.append("tampering: a verdict without the key's signature or out of order, not counted")
        if run.overhead is not None:
            log.append(f"grader's own time: {run.overhead:.2f} s")
    tests = []
    for index, check in enumerate(checks, 1):
        passed, message = verdicts.get(index, (False, ""))
        worth = Fraction(check["worth"])
        hidden_check = check["section"] == "Hidden checks"
        label = words["hidden_name" if hidden_check else "public_name"].format(number=check["number"],
                                                                              count=check["count"])
        tests.append({
            "name": f"{exercise['heading']}: {label}",
            "score": float(worth) if passed else 0.0,
            "max_score": float(worth),
            "status": "passed" if passed else "failed",
            "output": _checks_output(words, check, passed, message),
            "output_format": "md",
            "visibility": "after_published" if hidden_check else "visible",
            "extra_data": {"exercise": exercise["id"], "check": index, "starter_passes": check["free"]},
            "_points": worth if passed else Fraction(0),
        })
    return tests, notes, log


def results(root: Path, plan: dict) -> dict:
    """Gradescope's results for the submission under ``root``, graded as ``plan`` says."""
    started = time.monotonic()
    files = [p for p in (root / "submission").rglob("*") if p.is_file() and p.suffix.lower() in answers.SUFFIXES]
    ids = [e["id"] for e in plan["exercises"]]
    found, problem, log = {}, None, [sandbox.isolation()]
    if not files:
        problem = plan["words"]["no_file"]
    else:
        graded, left = answers.newest(files)
        log.append(f"graded {graded.name}" + (f"; left out {', '.join(p.name for p in left)}" if left else ""))
        try:
            found = answers.file_answers(graded, ids, plan["marker"], plan["part"])
        except ValueError as error:
            problem = str(error)
    tests, output, total = [], [], Fraction(0)
    for number, exercise in enumerate(plan["exercises"], 1):
        exercise_tests, notes, lines = grade_exercise(exercise, found.get(exercise["id"]), problem, plan, root, number)
        total += sum((t.pop("_points") for t in exercise_tests), Fraction(0))
        tests += exercise_tests
        output += [f"{exercise['heading']}: {note}" for note in notes]
        log += [f"{exercise['id']}: {line}" for line in lines]
        if exercise["to_mark"]:
            output.append(f"{exercise['heading']}: " + plan["words"]["to_mark"].format(points=exercise["to_mark"]))
    print("\n".join(log))
    return {
        "score": float(decimal(total)),
        "output": "\n\n".join(output),
        "output_format": "md",
        "execution_time": round(time.monotonic() - started, 3),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "/autograder")
    plan = json.loads((root / "source" / "plan.json").read_text(encoding="utf-8"))
    (root / "results").mkdir(parents=True, exist_ok=True)
    written = results(root, plan)
    (root / "results" / "results.json").write_text(json.dumps(written, indent=1, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
