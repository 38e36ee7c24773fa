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
criteria are marked by a person (their lines in ``grades.csv``'s "To mark"
column), not added. Before any student, each exercise's starter is run as an
answer: a check it passes earns nothing (its share goes to the other checks
of its pool, or to every other check when the starter passes a whole pool),
so an answer left as the starter earns 0, and a starter that passes every
check stops the grading with its file named. A check not run (timeout,
crash, the answer ending the program, no answer) earns 0.

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

Runs go in parallel, one per core (``jobs``), with a progress bar on
standard error (students done and left, time remaining); the log and the
command report the grader's own time per run (all but the answer's and the
checks' own, which the runner times). How each run is isolated:
``sandbox.py``; how answers are found in a file: ``answers.py``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
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
from textbook.marking.points import decimal


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
    free: bool = False  # the starter passes it too: it earns nothing
    passed: bool = False
    message: str = ""


#: A rubric criterion a person marks: its text and points.
Criterion = tuple[str, Fraction]


@dataclass
class Result:
    exercise: Exercise
    checks: list[Check] = field(default_factory=list)
    missing: bool = False
    reason: str | None = None
    answer_error: str | None = None
    by_person: list[Criterion] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    overhead: float | None = None  # the grader's own seconds in this run

    @property
    def points(self) -> Fraction:
        return sum((c.worth for c in self.checks if c.passed), Fraction(0))

    @property
    def possible(self) -> Fraction:
        return Fraction(self.exercise.points)

    @property
    def to_mark(self) -> Fraction:
        return sum((points for _, points in self.by_person), Fraction(0))


@dataclass
class Graded:
    submission: submitted.Submission
    results: dict[str, Result] = field(default_factory=dict)

    @property
    def total(self) -> Fraction:
        return sum((r.points for r in self.results.values()), Fraction(0))


def _pools(exercise: Exercise) -> tuple[dict[str, list[Criterion]], list[Criterion]]:
    """The rubric's criteria that checks earn, by who earns them ("Public checks", "Hidden checks",
    "all"), and those a person marks. Without a rubric, all the checks share the exercise's points."""
    if not exercise.rubric:
        return {"all": [("", Fraction(exercise.points))]}, []
    pools: dict[str, list[Criterion]] = {}
    by_person: list[Criterion] = []
    for criterion in exercise.rubric:
        text = criterion.text.lower()
        entry = (criterion.text, Fraction(criterion.points))
        if "check" not in text:
            by_person.append(entry)
        else:
            pool = "Public checks" if "public" in text else "Hidden checks" if "hidden" in text else "all"
            pools.setdefault(pool, []).append(entry)
    return pools, by_person


def planned_checks(exercise: Exercise, free: frozenset[int] = frozenset()) -> tuple[list[Check], list[Criterion]]:
    """Every check of ``exercise`` with its worth (none passed yet), and the criteria a person marks.

    ``free`` numbers (from 1, public then hidden) the checks the starter passes: they earn nothing,
    and their share goes to the others of their pool, or to every other check when the starter
    passes a whole pool, so that an answer left as the starter earns 0."""
    checks = []
    for _, section in CHECK_STAGES:
        sources = sandbox.check_sources(code_of(exercise, section)) if section in exercise.sections else []
        checks += [Check(section, n, len(sources), s, Fraction(0)) for n, s in enumerate(sources, 1)]
    for index, check in enumerate(checks, 1):
        check.free = index in free
    earning = [c for c in checks if not c.free]
    if checks and not earning:
        raise GradingError([f"{exercise.path}: the starter passes every check, so no check tells an answer "
                            "from the starter; add a check the starter fails"])
    pools, by_person = _pools(exercise)
    spilled = Fraction(0)
    for pool, criteria in pools.items():
        points = sum((p for _, p in criteria), Fraction(0))
        members = [c for c in checks if pool == "all" or c.section == pool]
        if not members:  # a criterion naming checks the exercise does not have: a person marks it
            by_person += criteria
        elif all(c.free for c in members):
            spilled += points
        else:
            for check in members:
                check.worth += 0 if check.free else points / sum(not c.free for c in members)
    for check in earning:
        check.worth += spilled / len(earning)
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


def blocks(exercise: Exercise) -> list[sandbox.Block]:
    """The exercise's checks sections, public then hidden, as the sandbox runs them."""
    return [sandbox.Block.of(stage, code_of(exercise, section)) for stage, section in CHECK_STAGES
            if section in exercise.sections]


@dataclass(frozen=True)
class Plan:
    """What every run of one exercise shares, made once before the runs start (``sandbox.Block``)."""

    exercise: Exercise
    blocks: list[sandbox.Block]
    checks: list[Check]
    by_person: list[Criterion]

    @classmethod
    def of(cls, exercise: Exercise, free: frozenset[int] = frozenset()) -> Plan:
        return cls(exercise, blocks(exercise), *planned_checks(exercise, free))


def _run_one(plan: Plan, answer: str, number: int, limits: sandbox.Limits, hidden: list[Path],
             path: list[str]) -> Result:
    checks = [replace(check) for check in plan.checks]
    result = Result(plan.exercise, checks, by_person=list(plan.by_person))
    run = sandbox.run(answer, plan.blocks, number=number, limits=limits, hidden=hidden, path=path)
    for index, check in enumerate(checks, 1):
        check.passed, check.message = run.verdicts.get(index, (False, ""))
    result.reason, result.answer_error, result.overhead = run.reason, run.answer_error, run.overhead
    result.log += [f"limit reached: {hit}" for hit in run.limits_hit]
    if run.tampered:
        result.log.append("tampering: a verdict without the key's signature or out of order, not counted")
    if run.reason:
        result.log.append(f"checks not all run: {run.reason}")
    if run.output.strip():
        result.log.append("output (its end):\n    " + "\n    ".join(run.output.strip().splitlines()[-15:]))
    return result


def starter_passes(exercises: list[Exercise], limits: sandbox.Limits, hidden: list[Path], path: list[str],
                   pool: ThreadPoolExecutor, first_number: int) -> dict[str, frozenset[int]]:
    """For each exercise, the checks (numbered from 1) its starter passes, run as an answer would be."""
    runs = {exercise.id: pool.submit(sandbox.run, exercise.code("Starter"), blocks(exercise),
                                     number=first_number + n, limits=limits, hidden=hidden, path=path)
            for n, exercise in enumerate(exercises)}
    return {ident: frozenset(k for k, (passed, _) in run.result().verdicts.items() if passed)
            for ident, run in runs.items()}




def feedback(graded: Graded, assignment: str, exercises: list[Exercise], words: Words, seconds: float) -> str:
    """A student's feedback in Markdown: public checks in full, hidden ones as verdicts only."""
    submission = graded.submission
    total = sum((Fraction(e.points) for e in exercises), Fraction(0))
    lines = [f"# {words('grade.title', assignment=assignment, name=submission.name)}", ""]
    if submission.path is not None:
        lines += [words("grade.file", file=submission.path.name), ""]
    if submission.count > 1:
        lines += [words("grade.several", count=submission.count, file=submission.path.name), ""]
    lines += [f"**{words('grade.total', points=decimal(graded.total), total=words.points(total, decimal(total)))}**",
              ""]
    for exercise in exercises:
        result = graded.results[exercise.id]
        possible = words.points(result.possible, decimal(result.possible))
        lines += [f"## {words('grade.exercise', heading=heading(exercise, words), points=decimal(result.points), total=possible)}", ""]
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
            if check.passed and check.free:
                verdict = words("grade.passed_as_starter")
            if check.section == "Public checks":
                lines.append(f"- {words('grade.public', number=check.number, count=check.count, verdict=verdict)}")
                lines += ["", "  ```python", *(f"  {line}" for line in check.source.splitlines()), "  ```"]
                if not check.passed and check.message:
                    lines += ["", f"  `{check.message}`"]
                lines.append("")
            else:
                lines += [f"- {words('grade.hidden', number=check.number, count=check.count, verdict=verdict)}", ""]
        if result.to_mark:  # the criteria themselves are the instructor's (grades.csv, grades.json)
            lines += [words("grade.to_mark", points=words.points(result.to_mark, decimal(result.to_mark))), ""]
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
    writer.writerow(["Identifier", "Full name", *(f"{e.number} {e.id}" for e in exercises), "Total", "To mark"])
    for one in graded:
        row = [one.submission.identifier, one.submission.name]
        row += [decimal(one.results[e.id].points) for e in exercises]
        to_mark = [f"{e.number}: {text} ({decimal(points)})" for e in exercises
                   for text, points in one.results[e.id].by_person]
        writer.writerow([*row, decimal(one.total), "; ".join(to_mark)])
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
            "total": decimal(one.total),
            "exercises": {
                e.id: {
                    "points": decimal(r.points),
                    "possible": decimal(r.possible),
                    "to_mark": [{"criterion": text, "points": decimal(points)} for text, points in r.by_person],
                    "missing": r.missing,
                    "reason": r.reason,
                    "answer_error": r.answer_error,
                    "overhead_seconds": None if r.overhead is None else round(r.overhead, 3),
                    "checks": [{"section": c.section, "number": c.number, "passed": c.passed, "message": c.message,
                                "worth": decimal(c.worth), "starter_passes": c.free} for c in r.checks],
                }
                for e in exercises
                for r in [one.results[e.id]]
            },
        })
    data = {"assignment": assignment, "exercises": [e.id for e in exercises], "students": students}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class _Progress:
    """A bar of students done, with how many are left and the time that remains, redrawn on one line."""

    WIDTH = 30

    def __init__(self, runs_of: list[int], stream):
        self.left, self.stream, self.started = list(runs_of), stream, time.monotonic()
        self.runs, self.runs_done = sum(runs_of), 0

    def step(self, student: int) -> None:
        self.left[student] -= 1
        self.runs_done += 1
        done, total = sum(left == 0 for left in self.left), len(self.left)
        elapsed = time.monotonic() - self.started
        remaining = elapsed / self.runs_done * (self.runs - self.runs_done)
        filled = round(self.WIDTH * done / total)
        self.stream.write(f"\rgrading [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done} of {total} students "
                          f"done, {total - done} left, about {_duration(remaining)} remaining ")
        self.stream.flush()
        if self.runs_done == self.runs:
            self.stream.write("\n")


@dataclass
class Grading:
    assignment: str
    folder: Path
    graded: list[Graded]
    isolation: str
    limits_hit: int

    @property
    def overhead(self) -> str:
        return overhead_summary(self.graded)


def overhead_summary(graded: list[Graded]) -> str:
    """The grader's own time per run (starting the sandbox, the protocol, cleaning up: all but the
    answer's and the checks' own time), over the runs that finished, in one line."""
    seconds = sorted(r.overhead for one in graded for r in one.results.values() if r.overhead is not None)
    if not seconds:
        return "grader's own time per run: no run finished"
    return (f"grader's own time per run: median {statistics.median(seconds):.2f} s, "
            f"largest {seconds[-1]:.2f} s, over {len(seconds)} runs")


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
    graded = [Graded(s) for s in submitted.read_submissions(folder, ids)]
    hidden = [layout.exercises, layout.build, submissions_path.resolve()]
    path = [str(layout.source)]
    try:
        _run_all(graded, exercises, limits, hidden, path, jobs, progress or sys.stderr)
    except sandbox.SandboxError as error:
        raise GradingError([f"{error}; nothing was written"]) from None
    return _write(layout, bank, assignment, exercises, graded, limits, render)


def _run_all(graded: list[Graded], exercises: list[Exercise], limits: sandbox.Limits, hidden: list[Path],
             path: list[str], jobs: int | None, progress) -> None:
    """Every answer of every student run, in parallel; the starters first (``planned_checks``)."""
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        free = starter_passes(exercises, limits, hidden, path, pool, first_number=1)
        plans = {exercise.id: Plan.of(exercise, free[exercise.id]) for exercise in exercises}
        runs = []
        for student, one in enumerate(graded):
            for exercise in exercises:
                answer = one.submission.answers.get(exercise.id)
                if answer is None:
                    plan = plans[exercise.id]
                    one.results[exercise.id] = Result(exercise, [replace(c) for c in plan.checks],
                                                      missing=one.submission.problem is None,
                                                      by_person=list(plan.by_person))
                else:
                    runs.append((student, exercise, answer))
        counter = _Progress([sum(s == student for s, _, _ in runs) for student in range(len(graded))], progress)
        futures = {pool.submit(_run_one, plans[exercise.id], answer, len(exercises) + number, limits, hidden,
                               path): (student, exercise)
                   for number, (student, exercise, answer) in enumerate(runs, 1)}
        try:
            for future in as_completed(futures):
                student, exercise = futures[future]
                graded[student].results[exercise.id] = future.result()
                counter.step(student)
        except sandbox.SandboxError:
            pool.shutdown(cancel_futures=True)  # the same would happen to every run left
            raise


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
    log, hits = [sandbox.isolation(), overhead_summary(graded)], 0
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

