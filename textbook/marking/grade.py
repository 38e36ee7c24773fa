"""``textbook grade``: run every student's answers against the checks; grades and feedback.

**What is graded.** The code exercises of a module (``04-serving-with-fastapi``),
of an exam file (``exams/midterm.yml``: the exercises it lists or selects,
seed 0) or named by id; the assignment is named after it (the module, the
exam, or the ids joined by ``+``). Other kinds are not marked here.

**Points.** A check is a top-level statement of a checks section that is not
set-up (``assert``, a loop or ``with`` that raises, a call): imports,
definitions and assignments are set-up, which all later checks share; a
section of set-up only is one check (``sandbox.check_sources``). Without a
rubric, the exercise's points are shared equally among all its checks,
public and hidden. With a rubric, the criteria that name checks are earned
by them: "public checks" by the public ones, "hidden checks" by the hidden
ones, any other mention of checks by all, each share equal; the remaining
criteria are marked by a person and reported as such, not added. A check not
run (timeout, crash, the answer ending the program, no answer) earns 0.

**Outputs**, in ``_build/grading/<assignment>/`` (never in an edition):
``grades.csv`` (an identifier column, the full name, one column per
exercise and the total: Moodle's grade import maps the identifier and each
column), ``grades.json`` (everything, for the instructor), ``grading.log``
(every limit a run reached, tampered verdicts, unreadable files, the end of
each run's output) and ``feedback/<student>.md`` and ``.html``: each public
check with its source, verdict and message; each hidden check as "hidden
check 3 of 6: not passed", nothing more. Every feedback file is
leak-scanned (``gates/leaks.py``) against the solutions and hidden checks of
the exercises graded: a leak writes none of the files. Everything is written
to a staging folder beside the output and renamed into place at the end.

Runs go in parallel, one per core (``jobs``), with a progress line on
standard error. How each run is isolated: ``sandbox.py``.
"""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from markdown_it import MarkdownIt

from textbook.bank.bank import Bank, Exercise, load_bank
from textbook.core.layout import Layout
from textbook.core.messages import Words
from textbook.core.problems import ProblemsError
from textbook.exercises.checks import CHECK_STAGES, code_of
from textbook.exercises.render import heading
from textbook.gates.leaks import LeakScanner
from textbook.instructor.exam_file import read_exam_file
from textbook.instructor.selection import select
from textbook.marking import sandbox, submissions as submitted


class GradingError(ProblemsError):
    """Grading could not be done, or its feedback would leak; nothing was written."""

    what = "grading"


@dataclass
class Check:
    section: str  # "Public checks" or "Hidden checks"
    number: int  # within its section, from 1
    count: int  # checks in its section
    source: str
    worth: Fraction
    passed: bool = False
    message: str = ""


@dataclass
class Result:
    exercise: Exercise
    checks: list[Check] = field(default_factory=list)
    missing: bool = False
    reason: str | None = None
    answer_error: str | None = None
    to_mark: Fraction = Fraction(0)  # points a person marks
    log: list[str] = field(default_factory=list)

    @property
    def points(self) -> Fraction:
        return sum((c.worth for c in self.checks if c.passed), Fraction(0))

    @property
    def possible(self) -> Fraction:
        return Fraction(self.exercise.points)


@dataclass
class Graded:
    submission: submitted.Submission
    results: dict[str, Result] = field(default_factory=dict)

    @property
    def total(self) -> Fraction:
        return sum((r.points for r in self.results.values()), Fraction(0))


def _pools(exercise: Exercise) -> tuple[dict[str, Fraction], Fraction]:
    """The points the public and the hidden checks share, and the points a person marks."""
    if not exercise.rubric:
        return {"all": Fraction(exercise.points)}, Fraction(0)
    pools: dict[str, Fraction] = {}
    by_person = Fraction(0)
    for criterion in exercise.rubric:
        text = criterion.text.lower()
        points = Fraction(criterion.points)
        if "check" not in text:
            by_person += points
        else:
            pool = "Public checks" if "public" in text else "Hidden checks" if "hidden" in text else "all"
            pools[pool] = pools.get(pool, Fraction(0)) + points
    return pools, by_person


def planned_checks(exercise: Exercise) -> tuple[list[Check], Fraction]:
    """Every check of ``exercise`` with its worth (none passed yet), and the points a person marks."""
    checks = []
    for _, section in CHECK_STAGES:
        sources = sandbox.check_sources(code_of(exercise, section)) if section in exercise.sections else []
        checks += [Check(section, n, len(sources), s, Fraction(0)) for n, s in enumerate(sources, 1)]
    pools, by_person = _pools(exercise)
    for pool, points in pools.items():
        members = [c for c in checks if pool == "all" or c.section == pool]
        if not members:  # a pool with no checks: its points go to a person
            by_person += points
        for check in members:
            check.worth += points / len(members)
    return checks, by_person


def chosen_exercises(layout: Layout, bank: Bank, what: list[str]) -> tuple[str, list[Exercise]]:
    """The assignment's name and its code exercises, from modules, exam files or ids."""
    chosen: list[Exercise] = []
    problems = []
    for item in what:
        if item in bank.modules:
            chosen += bank.for_module(item)
        elif item.endswith((".yml", ".yaml")):
            try:
                exam = read_exam_file(Path(item), layout.project.exams)
                chosen += select(exam, bank, 0)
            except ProblemsError as error:
                problems += error.problems
        elif item in bank.exercises:
            chosen.append(bank.exercises[item])
        else:
            problems.append(f"{item}: neither a module ({', '.join(bank.modules)}), an exam file nor an exercise id")
    code = list({e.id: e for e in chosen if e.kind == "code"}.values())
    if not problems and not code:
        problems.append(f"{' '.join(what)}: no code exercise to grade")
    if problems:
        raise GradingError(problems)
    if len(what) == 1:
        name = Path(what[0]).stem if what[0].endswith((".yml", ".yaml")) else what[0]
    else:
        name = "+".join(Path(w).stem for w in what)
    return name, code


def _run_one(exercise: Exercise, answer: str, number: int, limits: sandbox.Limits, hidden: list[Path],
             path: list[str]) -> Result:
    checks, by_person = planned_checks(exercise)
    result = Result(exercise, checks, to_mark=by_person)
    blocks = [sandbox.Block(stage, code_of(exercise, section)) for stage, section in CHECK_STAGES
              if section in exercise.sections]
    run = sandbox.run(answer, blocks, number=number, limits=limits, hidden=hidden, path=path)
    for index, check in enumerate(checks, 1):
        check.passed, check.message = run.verdicts.get(index, (False, ""))
    result.reason, result.answer_error = run.reason, run.answer_error
    result.log += [f"limit reached: {hit}" for hit in run.limits_hit]
    if run.tampered:
        result.log.append("tampering: a verdict without the key's signature or out of order, not counted")
    if run.reason:
        result.log.append(f"checks not all run: {run.reason}")
    if run.output.strip():
        result.log.append("output (its end):\n    " + "\n    ".join(run.output.strip().splitlines()[-15:]))
    return result


def _decimal(value: Fraction) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")


def feedback(graded: Graded, assignment: str, exercises: list[Exercise], words: Words, seconds: float) -> str:
    """A student's feedback in Markdown: public checks in full, hidden ones as verdicts only."""
    submission = graded.submission
    total = sum((Fraction(e.points) for e in exercises), Fraction(0))
    lines = [f"# {words('grade.title', assignment=assignment, name=submission.name)}", ""]
    if submission.path is not None:
        lines += [words("grade.file", file=submission.path.name), ""]
    if submission.count > 1:
        lines += [words("grade.several", count=submission.count, file=submission.path.name), ""]
    lines += [f"**{words('grade.total', points=_decimal(graded.total), total=words.points(total, _decimal(total)))}**",
              ""]
    for exercise in exercises:
        result = graded.results[exercise.id]
        possible = words.points(result.possible, _decimal(result.possible))
        lines += [f"## {words('grade.exercise', heading=heading(exercise, words), points=_decimal(result.points), total=possible)}", ""]
        if submission.problem:
            lines += [words("grade.unreadable", reason=submission.problem), ""]
            continue
        if result.missing:
            lines += [words("grade.missing"), ""]
            continue
        if result.answer_error:
            lines += [words("grade.answer_error", error=f"`{result.answer_error}`"), ""]
        if result.reason:
            lines += [words(f"grade.reason.{result.reason}", seconds=f"{seconds:g}"), ""]
        for check in result.checks:
            verdict = words("grade.passed" if check.passed else "grade.not_passed")
            if check.section == "Public checks":
                lines.append(f"- {words('grade.public', number=check.number, count=check.count, verdict=verdict)}")
                lines += ["", "  ```python", *(f"  {line}" for line in check.source.splitlines()), "  ```"]
                if not check.passed and check.message:
                    lines += ["", f"  `{check.message}`"]
                lines.append("")
            else:
                lines += [f"- {words('grade.hidden', number=check.number, count=check.count, verdict=verdict)}", ""]
        if result.to_mark:
            lines += [words("grade.to_mark", points=words.points(result.to_mark, _decimal(result.to_mark))), ""]
    return "\n".join(lines).rstrip() + "\n"


def feedback_html(markdown: str, title: str, language: str) -> str:
    body = MarkdownIt("commonmark").render(markdown)
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n<body>\n{body}</body>\n</html>\n")


def _file_name(identifier: str) -> str:
    """A student's identifier as a file name: letters of any script kept, no path separators."""
    return re.sub(r"[^\w.@ -]+", "_", identifier).strip(" .") or "student"


def _csv(graded: list[Graded], exercises: list[Exercise]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Identifier", "Full name", *(f"{e.number} {e.id}" for e in exercises), "Total"])
    for one in graded:
        row = [one.submission.identifier, one.submission.name]
        row += [_decimal(one.results[e.id].points) for e in exercises]
        writer.writerow([*row, _decimal(one.total)])
    return out.getvalue()


def _json(graded: list[Graded], exercises: list[Exercise], assignment: str) -> str:
    students = []
    for one in graded:
        submission = one.submission
        students.append({
            "identifier": submission.identifier,
            "name": submission.name,
            "file": submission.path.name if submission.path else None,
            "problem": submission.problem,
            "notes": submission.notes,
            "total": _decimal(one.total),
            "exercises": {
                e.id: {
                    "points": _decimal(r.points),
                    "possible": _decimal(r.possible),
                    "to_mark": _decimal(r.to_mark),
                    "missing": r.missing,
                    "reason": r.reason,
                    "answer_error": r.answer_error,
                    "checks": [{"section": c.section, "number": c.number, "passed": c.passed, "message": c.message,
                                "worth": _decimal(c.worth)} for c in r.checks],
                }
                for e in exercises
                for r in [one.results[e.id]]
            },
        })
    data = {"assignment": assignment, "exercises": [e.id for e in exercises], "students": students}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


class _Progress:
    def __init__(self, total: int, stream):
        self.total, self.done, self.stream, self.started = total, 0, stream, time.monotonic()

    def step(self) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done)
        self.stream.write(f"\rgrading: {self.done} of {self.total} runs done, {self.total - self.done} left, "
                          f"about {left:.0f} s remaining ")
        self.stream.flush()
        if self.done == self.total:
            self.stream.write("\n")


@dataclass
class Grading:
    assignment: str
    folder: Path
    graded: list[Graded]
    isolation: str
    limits_hit: int


def grade(layout: Layout, what: list[str], submissions_path: Path, *, jobs: int | None = None,
          limits: sandbox.Limits = sandbox.Limits(), progress=None, render=feedback) -> Grading:
    """Grade every submission in ``submissions_path`` on the code exercises ``what`` names."""
    bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    assignment, exercises = chosen_exercises(layout, bank, what)
    ids = [e.id for e in exercises]
    work = layout.work / "grading" / assignment
    try:
        folder = submitted.unpack(submissions_path, work / "submissions")
    except (ValueError, OSError) as error:
        raise GradingError([str(error)]) from None
    students = [one for one in submitted.read_submissions(folder, ids)]
    hidden = [layout.exercises, layout.build, submissions_path.resolve()]
    path = [str(layout.source)]
    graded = [Graded(s) for s in students]
    jobs_to_run = []
    for one in graded:
        for exercise in exercises:
            answer = one.submission.answers.get(exercise.id)
            if answer is None:
                checks, by_person = planned_checks(exercise)
                one.results[exercise.id] = Result(exercise, checks, missing=one.submission.problem is None,
                                                  to_mark=by_person)
            else:
                jobs_to_run.append((one, exercise, answer))
    counter = _Progress(len(jobs_to_run), progress or sys.stderr)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = {pool.submit(_run_one, exercise, answer, number, limits, hidden, path): (one, exercise)
                   for number, (one, exercise, answer) in enumerate(jobs_to_run, 1)}
        for future in as_completed(futures):
            one, exercise = futures[future]
            one.results[exercise.id] = future.result()
            counter.step()
    return _write(layout, bank, assignment, exercises, graded, limits, render)


def _write(layout: Layout, bank: Bank, assignment: str, exercises: list[Exercise], graded: list[Graded],
           limits: sandbox.Limits, render) -> Grading:
    words = Words.of(layout.project)
    final = layout.build / "grading" / assignment
    staging = final.with_name(f".{assignment}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "feedback").mkdir(parents=True)
    texts: dict[Path, str] = {}
    used: set[str] = set()
    for one in graded:
        name = _file_name(one.submission.identifier)
        while name in used:
            name += "_"
        used.add(name)
        markdown = render(one, assignment, exercises, words, limits.seconds)
        texts[staging / "feedback" / f"{name}.md"] = markdown
        texts[staging / "feedback" / f"{name}.html"] = feedback_html(
            markdown, words("grade.title", assignment=assignment, name=one.submission.name), layout.project.language)
    chapters = [p.read_text(encoding="utf-8") for p in sorted(layout.source.rglob("*.md"))]
    scanner = LeakScanner(bank, chapters, layout.project.language, stem_cache=layout.work / "grading" / "stems.json")
    covered = {e.id for e in exercises}
    leaks = [leak for path, text in texts.items() for leak in scanner.scan_text(path.relative_to(staging), text)
             if leak.exercise in covered]
    if leaks:
        shutil.rmtree(staging, ignore_errors=True)
        problems = [f"{leak}: the feedback would show it; nothing was written" for leak in leaks]
        raise GradingError(problems)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    (staging / "grades.csv").write_text(_csv(graded, exercises), encoding="utf-8")
    (staging / "grades.json").write_text(_json(graded, exercises, assignment), encoding="utf-8")
    log, hits = [sandbox.isolation()], 0
    for one in graded:
        submission = one.submission
        for note in [*submission.notes, *([f"cannot be graded: {submission.problem}"] if submission.problem else [])]:
            log.append(f"{submission.identifier}: {note}")
        for result in one.results.values():
            hits += sum(line.startswith("limit reached") for line in result.log)
            log += [f"{submission.identifier} / {result.exercise.id}: {line}" for line in result.log]
    (staging / "grading.log").write_text("\n".join(log) + "\n", encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return Grading(assignment, final, graded, sandbox.isolation(), hits)

