"""Time ``textbook grade`` on a class of generated submissions, and the grader's own cost per run.

    .venv/bin/python benchmarks/grading.py [--module 04-serving-with-fastapi] [--students 100] [--rounds 3]

(or ``make benchmark-grading``). Writes one starter notebook per student for
the module's code exercises, filled in four ways, a quarter each:

* correct: every answer is the bank's solution;
* starter only: the notebook as handed out;
* partly right: the solution for every other exercise, the starter for the rest;
* faulty: every answer broken in turn: a syntax error, an exception when it
  runs, a wrong value (every function returns ``None``), the answer cell deleted.

Then grades them ``--rounds`` times with every core, as ``make grade`` does,
and reports the total time (median, min and max of the rounds) and, over
every run of every round, the grader's own time per run: the wall clock of a
run less the time the runner measured for the answer and the checks (Python
and the sandbox starting, the protocol, cleaning up). The target is at most
0.5 s. The results also go to ``_build/bench/grading.json``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textbook.bank.bank import Exercise, load_bank  # noqa: E402
from textbook.core.layout import Layout  # noqa: E402
from textbook.exercises.starter_notebooks import MARKER, starter_notebook  # noqa: E402
from textbook.marking import grade, sandbox  # noqa: E402

KINDS = ("correct", "starter only", "partly right", "faulty")
TARGET_SECONDS = 0.5


def _returns_none(source: str) -> str:
    """``source`` with every function's body replaced by ``return None``: runs, but gives wrong values."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body = [ast.Return(ast.Constant(None))]
    return ast.unparse(tree) + "\n"


def _faulty(solution: str, fault: int) -> str | None:
    """The solution broken in the ``fault``-th way; None: the answer cell is deleted."""
    return [solution.replace("def ", "def (", 1) if "def " in solution else solution + "\n)\n",
            'raise RuntimeError("not finished")\n' + solution,
            _returns_none(solution),
            None][fault % 4]


def _answers(kind: str, student: int, exercises: list[Exercise]) -> dict[str, str | None]:
    answers = {}
    for index, exercise in enumerate(exercises):
        solution, starter = exercise.code("Solution"), exercise.code("Starter")
        answers[exercise.id] = {
            "correct": solution,
            "starter only": starter,
            "partly right": solution if (index + student) % 2 == 0 else starter,
            "faulty": _faulty(solution, index + student),
        }[kind]
    return answers


def write_submissions(layout: Layout, module: str, students: int, folder: Path) -> dict[str, int]:
    """One notebook per student in ``folder``; how many of each kind."""
    bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    exercises = [e for e in bank.for_module(module) if e.kind == "code"]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counts = dict.fromkeys(KINDS, 0)
    for student in range(students):
        kind = KINDS[student % len(KINDS)]
        counts[kind] += 1
        notebook = starter_notebook(bank.modules[module], bank.for_module(module))
        answers = _answers(kind, student, exercises)
        for cell in list(notebook.cells):
            exercise = cell.metadata.get(MARKER, {}).get("exercise")
            if exercise in answers:
                if answers[exercise] is None:
                    notebook.cells.remove(cell)
                else:
                    cell.source = answers[exercise]
        (folder / f"student-{student + 1:03d}.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="04-serving-with-fastapi")
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    layout = Layout(ROOT)
    folder = layout.build / "bench" / "grading-submissions"
    counts = write_submissions(layout, args.module, args.students, folder)
    totals, overheads, runs = [], [], 0
    for round_number in range(1, args.rounds + 1):
        started = time.perf_counter()
        result = grade.grade(layout, [args.module], folder)
        totals.append(time.perf_counter() - started)
        finished = [r for one in result.graded for r in one.results.values() if r.overhead is not None]
        runs = sum(not r.missing and one.submission.problem is None
                   for one in result.graded for r in one.results.values())
        overheads += [r.overhead for r in finished]
        print(f"round {round_number}: {totals[-1]:.1f} s, {runs} runs; {result.overhead}", file=sys.stderr)
    summary = {
        "module": args.module,
        "students": counts,
        "runs_per_round": runs,
        "cores": os.cpu_count(),
        "isolation": sandbox.isolation(),
        "total_seconds": {"median": statistics.median(totals), "min": min(totals), "max": max(totals),
                          "rounds": totals},
        "overhead_seconds_per_run": {"median": statistics.median(overheads), "max": max(overheads),
                                     "p90": statistics.quantiles(overheads, n=10)[-1], "runs": len(overheads)},
    }
    (layout.build / "bench").mkdir(parents=True, exist_ok=True)
    (layout.build / "bench" / "grading.json").write_text(json.dumps(summary, indent=1) + "\n")
    overhead = summary["overhead_seconds_per_run"]
    print(f"| {args.students} students ({', '.join(f'{n} {k}' for k, n in counts.items())}), {runs} runs "
          f"| {summary['total_seconds']['median']:.1f} s ({min(totals):.1f}-{max(totals):.1f}) "
          f"| {overhead['median']:.2f} s (90th percentile {overhead['p90']:.2f} s, largest {overhead['max']:.2f} s) |")
    return 0 if overhead["median"] <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
