"""``textbook exam``: build an exam's variants and their keys as PDFs.

Everything that can be wrong with the input (the exam file, the bank, the
selection, a parameter generator, a predictable parameterised exercise) is
checked before anything is written. The variants are then built like the
workbook: generated MyST sources (``exam_sources.py``) in a Sphinx project of
their own under ``_build/.work/exams/<exam>/``, printed by Typst.
Student PDFs are leak-scanned; only when every step succeeds is
``_build/exams/<exam>/`` replaced as a whole (``variant-N.pdf`` and
``variant-N-key.pdf``). A failure, bad input included, removes an older build
of it, as a failed book build removes its editions.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sphinx.config import Config
from sphinx.util.tags import Tags

from textbook.bank.bank import Bank, BankError, load_bank
from textbook.gates import page_layout
from textbook.gates.leaks import LeakScanner
from textbook.instructor import exam_sources, selection, stress, variants
from textbook.bank import parameters
from textbook.instructor.exam_edition import KEY_SUFFIX
from textbook.instructor.exam_file import ExamFile, ExamFileError, read_exam_file
from textbook.pipeline.build import BuildError, check_accessible, run_sphinx
from textbook.core.layout import Layout
from textbook.core.messages import Words
from textbook.sphinx_ext.reproducible import source_date_epoch


@dataclass
class ExamResult:
    folder: Path
    outputs: list[Path]
    seconds: float


def _shown(layout: Layout, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(layout.root))
    except ValueError:
        return str(path)


def _load(layout: Layout, exam_path: Path) -> tuple[ExamFile, Bank]:
    try:
        exam = read_exam_file(exam_path, layout.project.exams, _shown(layout, exam_path))
        bank = load_bank(layout.exercises, layout.source, shown_from=layout.root)
    except (ExamFileError, BankError) as error:
        raise BuildError(str(error), error.problems) from None
    return exam, bank


def _in_variant(layout: Layout, exercise, seed_of_variant: int):
    """The exercise with this variant's parameters; a generator may fail for one seed only."""
    try:
        return variants.in_variant(exercise, seed_of_variant)
    except parameters.ParameterError as error:
        problem = f"{_shown(layout, exercise.path)}:{error.line}: {error}"
        raise BuildError(problem, [problem]) from None


def plan(layout: Layout, exam_path: Path, count: int, seed: int) -> tuple[ExamFile, Bank, list[exam_sources.Variant]]:
    """The exam's variants, every input checked; raise BuildError (``file:line`` problems) otherwise."""
    exam, bank = _load(layout, exam_path)
    try:
        chosen = selection.select(exam, bank, seed)
    except ExamFileError as error:
        raise BuildError(str(error), error.problems) from None
    problems = [found for e in chosen if (found := stress.stress_test(e, _shown(layout, e.path)))]
    plans = []
    for number in range(1, count + 1):
        seed_of_variant = variants.variant_seed(seed, number)
        shown = [_in_variant(layout, e, seed_of_variant) for e in variants.exercise_order(chosen, seed_of_variant)]
        plans.append(exam_sources.Variant(number, seed_of_variant, tuple(shown)))
    if problems:
        raise BuildError("parameterised exercises give their answer away:\n" + "\n".join(problems), problems)
    return exam, bank, plans


def _extensions(layout: Layout) -> str:
    """The project's extensions and the exam edition's (an override replaces the list)."""
    project = Config.read(layout.root, overrides={}, tags=Tags())
    return ",".join([*project.extensions, "textbook.instructor.exam_edition"])


def _leak_scanner(layout: Layout, bank: Bank, variant: exam_sources.Variant) -> LeakScanner:
    """Markers for the solutions as this variant fills them in."""
    exercises = dict(bank.exercises)
    exercises.update({e.id: e for e in variant.exercises})
    chapters = [p.read_text(encoding="utf-8") for p in sorted(layout.source.rglob("*.md"))]
    return LeakScanner(Bank(exercises=exercises, modules=bank.modules), chapters, layout.project.language)


def _publish(pdfs: dict[Path, Path], folder: Path) -> None:
    """Swap in the whole exam folder at once, so it never holds a mix of two builds."""
    staging, old = folder.with_name(f".{folder.name}.staging"), folder.with_name(f".{folder.name}.old")
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    for built, name in pdfs.items():
        shutil.copyfile(built, staging / name.name)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _print(layout: Layout, work: Path, names: list[str], overrides, jobs, log) -> Path:
    """The exam's documents printed, each checked as the book's PDFs are: tagged PDF/UA-1 with its
    metadata, and laid out well; the folder of their PDFs."""
    log(f"textbook: typst: printing {len(names)} document(s)")
    run_sphinx(layout, "typst", work / "src", work / "typst", work / "doctrees", *overrides, jobs=jobs)
    pdfs = [work / "typst" / f"{name}.pdf" for name in names]
    check_accessible(layout, pdfs)
    faults = page_layout.faults(page_layout.check_all(pdfs, figure_format=layout.project.figure_format))
    if faults:
        raise BuildError("the exam's pages are badly laid out:\n" + "\n".join(f"  {f}" for f in faults), faults)
    return work / "typst"


def build_exam(layout: Layout, exam_path: Path, count: int, seed: int, jobs: int | None = None, log=print) -> ExamResult:
    """Build ``count`` variants of the exam at ``exam_path`` and their keys; see the module docstring."""
    started = time.perf_counter()
    os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(layout.root))
    folder = layout.build / "exams" / exam_path.stem
    try:
        exam, bank, plans = plan(layout, exam_path, count, seed)
        work = layout.work / "exams" / exam.name
        exam_sources.write_sources(exam, plans, work / "src", Words.of(layout.project))
        names = [name for p in plans for name in (p.name, p.name + KEY_SUFFIX)]
        overrides = ("textbook_edition=exam", f"textbook_exam_title={exam.title}", f"extensions={_extensions(layout)}")
        printed = _print(layout, work, names, overrides, jobs, log)
        leaks = [
            leak
            for variant in plans
            for leak in _leak_scanner(layout, bank, variant).scan([printed / f"{variant.name}.pdf"])
        ]
        if leaks:
            raise BuildError(
                "a student exam contains solution text and nothing was published:\n"
                + "\n".join(f"  {leak}" for leak in leaks)
                + "\nSolutions belong in the exercise bank only; remove the copied text from the exam file.",
                [str(leak) for leak in leaks],
            )
        _publish({printed / f"{name}.pdf": folder / f"{name}.pdf" for name in names}, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a failed build leaves no older exam that looks current
        raise
    return ExamResult(folder, [folder / f"{name}.pdf" for name in names], time.perf_counter() - started)
