"""Print a course with both PDF engines, XeLaTeX and Typst, and compare them.

    .venv/bin/python benchmarks/engines.py [--project PATH] [--runs 5] [--proof]

For each engine, a copy of the project (its tracked files, and its notebook
cache so that no chapter runs again) in ``_build/bench/engines/<engine>/``
with ``textbook_pdf_engine`` set, and there:

* cold: ``textbook build pdf handouts workbook key`` from no work folder (the
  chapters read again, their outputs from the cache), ``--runs`` times, each
  from a fresh copy;
* incremental: a sentence added to the first chapter, the same command,
  ``--runs`` times; then a sentence added to the first exercise, ``--runs``
  times (each the median, min and max);
* for every PDF it made (published or, when a gate refused it, in the work
  folder): pages, page-layout faults (``gates/page_layout.py``), and
  accessibility findings (``gates/accessibility.py``: both PDF/UA-1 checkers);
* with ``--proof``, contact sheets of every PDF in
  ``_build/bench/engines/<engine>/proof/``, to compare by eye.

The table is printed as Markdown and kept in ``_build/bench/engines.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from textbook.gates import accessibility, page_layout  # noqa: E402
from textbook.pipeline.proof import proof_pdf  # noqa: E402

ENGINES = ("xelatex", "typst")
PRINT = ["pdf", "handouts", "workbook", "key"]
#: Where each engine leaves the PDFs it made, published or not, in a project's work folder.
WORK_PDFS = {"xelatex": ("latex", "exercises-latex"), "typst": ("typst", "exercises-typst")}


def copy_project(project: Path, target: Path, engine: str) -> Path:
    """The project's tracked files and its notebook cache, with ``textbook_pdf_engine`` set."""
    shutil.rmtree(target, ignore_errors=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=project, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / name, target / name)
    cache = project / "_build" / ".jupyter_cache"
    if cache.is_dir():
        shutil.copytree(cache, target / "_build" / ".jupyter_cache")
    with (target / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\ntextbook_pdf_engine = "{engine}"\n')
    return target


def timed_build(copy: Path) -> tuple[float, bool]:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "textbook.cli", "build", *PRINT], cwd=copy,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    return time.perf_counter() - started, run.returncode == 0


def first_chapter(copy: Path) -> Path:
    return sorted((copy / "book").glob("[0-9][0-9]-*.md"))[0]


def made_pdfs(copy: Path, engine: str) -> list[Path]:
    """The documents' PDFs (a figure's PDF in the LaTeX folder has no source of its name)."""
    work = copy / "_build" / ".work"
    return sorted(pdf for folder in WORK_PDFS[engine] for pdf in (work / folder).glob("*.pdf")
                  if pdf.with_suffix(".tex").exists() or pdf.with_suffix(".typ").exists())


def first_exercise(copy: Path) -> Path:
    return sorted((copy / "exercises").rglob("*.md"))[0]


def spread(times: list[float]) -> dict:
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": times}


def measure(project: Path, engine: str, runs: int, proof: bool) -> dict:
    colds = []
    for _ in range(runs):  # each from a fresh copy: no work folder, the notebook cache only
        copy = copy_project(project, ROOT / "_build" / "bench" / "engines" / engine, engine)
        cold, passed = timed_build(copy)
        colds.append(cold)
    chapter, exercise = first_chapter(copy), first_exercise(copy)
    edits, exercise_edits = [], []
    for run in range(runs):
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nOne more sentence, number {run}.\n",
                           encoding="utf-8")
        edits.append(timed_build(copy)[0])
    for run in range(runs):  # a sentence added at the end of the exercise's last section
        exercise.write_text(exercise.read_text(encoding="utf-8").rstrip("\n") + f" Edit {run}.\n", encoding="utf-8")
        exercise_edits.append(timed_build(copy)[0])
    pdfs = made_pdfs(copy, engine)
    faults = page_layout.check_all(pdfs)
    report = {
        "cold_seconds": spread(colds),
        "gates_passed": passed,
        "edit_seconds": spread(edits),
        "exercise_edit_seconds": spread(exercise_edits),
        "pdfs": {
            pdf.name: {
                "pages": len(PdfReader(pdf).pages),
                "page_faults": sum(len(messages) for messages in faults[pdf].values()),
                "accessibility_findings": len(accessibility.findings(pdf)),
            }
            for pdf in pdfs
        },
    }
    if proof:
        for pdf in pdfs:
            proof_pdf(pdf, copy / "proof")
    return report


def table(results: dict[str, dict]) -> str:
    """The comparison as Markdown: the totals, then every PDF."""
    lines = ["| | " + " | ".join(ENGINES) + " |", "|---|" + "---|" * len(ENGINES)]

    def row(name, value):
        lines.append(f"| {name} | " + " | ".join(value(results[engine]) for engine in ENGINES) + " |")

    def seconds(times: dict) -> str:
        return f"{times['median']:.1f} s ({times['min']:.1f}-{times['max']:.1f})"

    row("cold, every PDF edition (median)", lambda r: seconds(r["cold_seconds"]))
    row("a prose edit, every PDF edition (median)", lambda r: seconds(r["edit_seconds"]))
    row("an exercise edit, every PDF edition (median)", lambda r: seconds(r["exercise_edit_seconds"]))
    row("gates passed", lambda r: "yes" if r["gates_passed"] else "no")
    row("PDFs", lambda r: str(len(r["pdfs"])))
    row("pages", lambda r: str(sum(p["pages"] for p in r["pdfs"].values())))
    row("page-layout faults", lambda r: str(sum(p["page_faults"] for p in r["pdfs"].values())))
    row("accessibility findings", lambda r: str(sum(p["accessibility_findings"] for p in r["pdfs"].values())))
    lines += ["", "| PDF | " + " | ".join(f"{e}: pages, faults, findings" for e in ENGINES) + " |",
              "|---|" + "---|" * len(ENGINES)]
    names = {name.removeprefix("handout-") for r in results.values() for name in r["pdfs"]}

    def cell(engine, name):
        pdfs = results[engine]["pdfs"]
        found = pdfs.get(name) or pdfs.get(f"handout-{name}")
        return f"{found['pages']}, {found['page_faults']}, {found['accessibility_findings']}" if found else "-"

    for name in sorted(names):
        lines.append(f"| {name} | " + " | ".join(cell(engine, name) for engine in ENGINES) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--proof", action="store_true")
    args = parser.parse_args()
    results = {}
    for engine in ENGINES:
        print(f"engines: {engine} ...", file=sys.stderr, flush=True)
        results[engine] = measure(args.project.resolve(), engine, args.runs, args.proof)
    (ROOT / "_build" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "_build" / "bench" / "engines.json").write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
