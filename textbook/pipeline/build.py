"""Build the editions: HTML, EPUB, the PDF book, the handouts, the workbook, the answer key.

Sphinx works in ``_build/.work/`` (doctrees, HTML and print output), which
persists between builds so that only what changed is redone; the notebook
cache, drawn figures and code-check cache live beside it. The editions
readers use are *published* from there only when their step succeeds and,
for every student edition, only when the leak scan finds no solution in it:

* ``_build/html/``                the HTML edition, swapped in as a whole folder;
* ``_build/epub/<book>.epub``     the e-book, only once EPUBCheck finds no error in it;
* ``_build/pdf/mlops-book.pdf``   the whole book;
* ``_build/pdf/handouts/``        one PDF per module;
* ``_build/pdf/workbook.pdf``     the student workbook;
* ``_build/pdf/answer-key.pdf``   the answer key (instructors; never scanned, never in html/);
* ``_build/pdf/keys/``            one answer key per module, numbered as the whole key.

When a step fails, or anything raises, every edition it was meant to produce
is removed, so a failed build never leaves an edition that looks complete but
is stale or half written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import sphinx
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util.console import color_terminal, nocolor
from sphinx.util.docutils import docutils_namespace, patch_docutils

from textbook.exercises import KEY_DOC, WORKBOOK_DOC, editions, module_key_pdf
from textbook.bank.bank import Bank, BankError, load_bank
from textbook.gates import accessibility, background, epub_checks, page_layout, print_checks
from textbook.gates.leaks import LeakScanner, files_in
from textbook.gates.pdf_pages import PageTexts
from textbook.pipeline import shelf
from textbook.core.encoding import undecodable_sources
from textbook.core.layout import EDITIONS, Layout
from textbook.core.messages import Words
from textbook.core.problems import WarningLog
from textbook.sphinx_ext import reading_code
from textbook.sphinx_ext.reproducible import source_date_epoch
from textbook.typst.builder import HANDOUT_PREFIX, TEMPLATE, Printing

__all__ = ["EDITIONS", "Layout", "Builder", "BuildError", "build", "summary"]
#: The code that turns the bank into the workbook and keys: the reader, the sources it writes, the
#: print builder (its template is a file beside it).
EXERCISE_EDITION_CODE = (*reading_code.ENTRIES, "textbook.exercises.editions", "textbook.typst.builder")
STUDENT_EDITIONS = ("html", "epub", "pdf", "handouts", "workbook")


class BuildError(Exception):
    """An edition could not be built; the message says which and why, ``problems``
    lists each cause as ``file:line: message`` for the end of the log."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems if problems is not None else [message]


@dataclass
class EditionResult:
    edition: str
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    pages: dict[Path, int] = field(default_factory=dict)


_output = threading.Lock()


def _say(message: str) -> None:
    with _output:  # the EPUB check reports from a thread of its own
        print(f"textbook: {message}", flush=True)


def run_sphinx(layout: Layout, builder: str, source: Path, output: Path, doctrees: Path, *overrides: str, jobs=None):
    """One Sphinx run, strict: warnings are errors (every one reported before failing),
    references are checked. Run as ``sphinx-build`` would, except that an exception
    reaches the caller instead of Sphinx's crash report. The application, which ran."""
    warnings = WarningLog(sys.stderr, layout.root)
    settings = dict(override.split("=", 1) for override in overrides)
    if not color_terminal():
        nocolor()  # as sphinx-build does: no colour codes in a log file
    try:
        with patch_docutils(layout.root), docutils_namespace(), _temporary_folder_restored():
            app = Sphinx(
                source, layout.root, output, doctrees, builder,
                confoverrides={**settings, "nitpicky": True},
                status=sys.stdout, warning=warnings, warningiserror=True,
                parallel=jobs or os.cpu_count() or 1,
            )  # fmt: skip
            app.build()
    except SphinxError as error:
        if not hasattr(error, "problems"):
            raise  # not one of ours: a fault, reported as such (see problems.unexpected)
        raise BuildError(str(error), error.problems) from error
    if app.statuscode != 0 or warnings.problems:
        raise BuildError(f"Sphinx's {builder} build of {source.name}/ failed", warnings.problems)
    return app


@contextmanager
def _temporary_folder_restored():
    """The extension points Python's temporary folder into the build folder while the chapters run
    (``execute_inside_build_folder``); give this process its own back afterwards, so that what it
    starts later (a browser's socket, another project's build) does not use a deleted or deep folder."""
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    try:
        yield
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]


def _replace_dir(source: Path, target: Path, written_since: int | None = None) -> None:
    """Copy ``source`` to ``target`` so that ``target`` is never half written. A file not written
    since ``written_since`` (``time.time_ns()``), with the size and time of the one published, is
    that one: it is linked from there, not copied again (the HTML edition is 28 MB; an edit
    rewrites a few pages). The two seconds before it are counted as written, for file systems
    that keep times to the second."""
    staging = target.with_name(f".{target.name}.staging")
    old = target.with_name(f".{target.name}.old")
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    unwritten_before = None if written_since is None else written_since - 2_000_000_000

    def copy(file: str, copied: str) -> str:
        published = target / Path(copied).relative_to(staging)
        if unwritten_before is not None and published.is_file():
            now, before = os.stat(file), published.stat()
            if now.st_mtime_ns < unwritten_before and (now.st_size, now.st_mtime_ns) == (before.st_size, before.st_mtime_ns):
                os.link(published, copied)
                return copied
        return shutil.copy2(file, copied)

    shutil.copytree(source, staging, ignore=shutil.ignore_patterns("reports", ".doctrees", ".buildinfo*"),
                    copy_function=copy)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _replace_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging")
    shutil.copyfile(source, staging)
    os.replace(staging, target)


def page_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:  # a tenth of pypdf's time on a book
        return len(document.pages)


def check_accessible(layout: Layout, pdfs: list[Path], findings: list[str] | None = None) -> None:
    """Every PDF printed is tagged PDF/UA-1 with its metadata (title, author, language), or
    BuildError names each finding; ``findings``: the accessibility gate's, when it ran already."""
    if findings is None:
        findings = accessibility.findings_all(pdfs, cache_file=layout.build / "cache" / "accessibility.json")
    problems = findings + [f"{pdf.name}: the PDF's metadata has no {', '.join(missing)}"
                           for pdf in pdfs if (missing := print_checks.missing_metadata(pdf))]
    if problems:
        details = "\n".join(f"  {problem}" for problem in problems[:40])
        raise BuildError(f"the PDFs are not accessible (PDF/UA-1) or lack their metadata:\n{details}", problems)


class PendingPrint:
    """PDFs being printed, (edition, PDF, where it is published): a thread waits for the compiler's
    ``printings`` (``typst.builder.Printing``), then starts the gates, each in a process of its
    own, runs ``when_printed`` (the exercise edition's stamp), and meanwhile counts every PDF's
    pages and reads the text of each student PDF printed anew for the leak scan (``texts``)."""

    def __init__(self, layout: Layout, made: list[tuple[str, Path, Path]], printings: list[Printing],
                 when_printed: list[Callable[[], None]], started: float):
        self.made, self.started = made, started
        self.checks: dict[str, subprocess.Popen] = {}
        self.pages: dict[Path, int] = {}
        self.texts: dict[Path, str] = {}
        pdfs, cache = [pdf for _, pdf, _ in made], layout.build / "cache"
        for_students = {pdf for edition, pdf, _ in made if edition in STUDENT_EDITIONS}

        def check_when_printed() -> None:
            for printing in printings:
                printing.wait()
            for action in when_printed:
                action()
            self.checks["layout"] = page_layout.start_checking(pdfs, cache / "page-layout.json",
                                                               layout.project.figure_format)
            self.checks["accessibility"] = accessibility.start_checking(pdfs, cache / "accessibility.json")
            self.pages = {pdf: page_count(pdf) for pdf in pdfs}
            printed = {source.with_suffix(".pdf") for printing in printings for source in printing.sources}
            page_texts = PageTexts(cache / "leak-scan-pages")  # only pages not seen before are read
            self.texts = {pdf: page_texts.read(pdf) for pdf in sorted(for_students & printed)}
            page_texts.save()

        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="print-gates")
        self.checking: Future = worker.submit(check_when_printed)
        worker.shutdown(wait=False)

    def verdicts(self) -> tuple[list[str], dict[Path, dict[str, list[str]]]]:
        """The accessibility gate's findings and the page-layout gate's faults; BuildError when a
        PDF could not be printed."""
        try:
            self.checking.result()
        except SphinxError as error:  # the compiler's, naming the chapter's line
            raise BuildError(str(error), getattr(error, "problems", [str(error)])) from error
        try:
            return accessibility.finish_checking(self.checks["accessibility"]), \
                page_layout.finish_checking(self.checks["layout"])
        finally:
            self.stop()

    def stop(self) -> None:
        """No gate left running: the build is done, or failed elsewhere."""
        wait([self.checking])
        for process in self.checks.values():
            background.stop(process)


class Builder:
    """One build of some editions; keeps the bank and the leak scanner it needs."""

    def __init__(self, layout: Layout, editions: list[str], jobs: int | None = None):
        self.layout = layout
        self.requested = [e for e in EDITIONS if e in editions]
        self.jobs = jobs
        self.results: dict[str, EditionResult] = {}
        self.scanned_files = 0
        self.scan_seconds = 0.0
        self.bank: Bank | None = None
        self._scanner: LeakScanner | None = None
        self._scanner_inputs: tuple[list[str], str, Path] | None = None  # chapters, language, cache
        self.epub_check: tuple[Path, Future] | None = None  # the EPUB written, and EPUBCheck running on it
        self.epub_seconds = 0.0
        self.pending_print: PendingPrint | None = None  # PDFs printed, their gates still running

    # -- steps --------------------------------------------------------------

    def check_sources(self) -> None:
        """Every source must be UTF-8: all bad files are named at once, before anything reads them."""
        problems = undecodable_sources(self.layout.root)
        if problems:
            raise BuildError("source files that are not UTF-8:\n" + "\n".join(f"  {p}" for p in problems), problems)

    def load_bank(self) -> None:
        """Check the bank first: a bad exercise stops the build before anything is written."""
        try:
            cache = self.layout.build / "cache"
            self.bank = load_bank(self.layout.exercises, self.layout.source, shown_from=self.layout.root,
                                  cache=cache / "bank.pickle")  # fmt: skip
        except BankError as error:
            raise BuildError(str(error), error.problems) from None
        shared = self.layout.source / self.layout.project.course_code  # shipped in each chapter's runnable zip
        seen = [*sorted(self.layout.source.rglob("*.md")), *sorted(shared.rglob("*.py"))]
        chapters = [p.read_text(encoding="utf-8") for p in seen]
        self._scanner_inputs = (chapters, self.layout.project.language, cache)

    @property
    def scanner(self) -> LeakScanner | None:
        """The leak scanner over the chapters as ``load_bank`` read them, made when first needed: its
        markers (found again after an exercise edit) are then made while the PDFs are printed, not
        before the printing starts."""
        if self._scanner is None and self._scanner_inputs is not None:
            chapters, language, cache = self._scanner_inputs  # the search index's stems are the language's
            self._scanner = LeakScanner(self.bank, chapters, language, stem_cache=cache / f"stems-{language}.json",
                                        marker_cache=cache / "leak-markers.pickle")  # fmt: skip
        return self._scanner

    def check_for_leaks(self, paths: list[Path], edition: str, texts: dict[Path, str] | None = None) -> None:
        """The leak scan of ``paths``; ``texts``: those of some of them, read already."""
        started = time.perf_counter()
        leaks = self.scanner.scan(paths, cache_file=self.layout.build / "cache" / f"leak-scan-{edition}.json",
                                  texts=texts)
        self.scan_seconds += time.perf_counter() - started
        self.scanned_files += len(paths)
        if leaks:
            details = "\n".join(f"  {leak}" for leak in leaks[:20])
            raise BuildError(
                f"the {edition} edition contains solution text and was not published:\n{details}\n"
                "Solutions belong in the exercise bank only; remove the copied text from the sources.",
                [str(leak) for leak in leaks],
            )

    def build_html(self) -> None:
        started, written_since = time.perf_counter(), time.time_ns()
        work = self.layout.work_output("html")
        run_sphinx(self.layout, "html", self.layout.source, work, self.layout.doctrees, jobs=self.jobs)
        self.check_for_leaks(files_in(work), "html")
        _replace_dir(work, self.layout.html, written_since)
        self.results["html"] = EditionResult("html", [self.layout.html / "index.html"], time.perf_counter() - started)

    def build_epub(self) -> None:
        """Sphinx's epub builder over the HTML edition's doctrees (chapters read once) and the
        leak scan; EPUBCheck then runs in the background, while the PDFs are made, and the
        EPUB is published by ``publish_epub`` only when it finds nothing."""
        started = time.perf_counter()
        work = self.layout.work_output("epub")
        run_sphinx(self.layout, "epub", self.layout.source, work, self.layout.doctrees, jobs=self.jobs)
        [book] = work.glob("*.epub")  # the builder removes an older one of another name (see epub.py)
        self.check_for_leaks([book], "epub")
        check = ThreadPoolExecutor(max_workers=1)  # the thread waits on Java; Python goes on
        self.epub_check = (book, check.submit(epub_checks.check_epub, book, self.layout.source, self.layout.root))
        check.shutdown(wait=False)
        self.epub_seconds = time.perf_counter() - started

    def publish_epub(self) -> None:
        book, check = self.epub_check
        started = time.perf_counter()
        report = check.result()
        _say(f"epub: {report.summary}")
        for warning in report.warnings:
            _say(f"  warning: {warning}")
        if report.problems:
            details = "\n".join(f"  {problem}" for problem in report.problems[:20])
            raise BuildError(
                f"EPUBCheck found errors in {book.name}, which was not published:\n{details}\n"
                "Each names the file inside the EPUB; fix the chapter it was written from, or the generator "
                "(textbook/sphinx_ext/epub.py) if the file is not a chapter's page.",
                report.problems,
            )
        target = self.layout.epub / book.name
        _replace_file(book, target)
        for stale in set(self.layout.epub.glob("*.epub")) - {target}:
            stale.unlink()
        seconds = self.epub_seconds + time.perf_counter() - started
        self.results["epub"] = EditionResult("epub", [target], seconds)

    def build_exercise_edition(self, work: Path, outputs: list[Path]) -> tuple[Printing, Callable] | None:
        """The workbook's and keys' sources written from the bank, and the print builder run over
        them into ``work``, unless nothing they are made from changed (a prose edit to a chapter)
        and its ``outputs`` stand from last time: the compiler at work, and what to do once it is done."""
        source = self.layout.exercise_sources
        editions.write_sources(self.bank, source, Words.of(self.layout.project), self.layout.project.first_number)
        stamp = work / ".inputs-digest"
        inputs = editions.inputs_digest(self.bank, source, [
            (self.layout.root / "conf.py").read_text(encoding="utf-8"), reading_code.digest(entries=EXERCISE_EDITION_CODE),
            sphinx.__display_version__])  # fmt: skip
        if stamp.is_file() and stamp.read_text() == inputs and all(output.is_file() for output in outputs):
            return None
        stamp.unlink(missing_ok=True)
        app = run_sphinx(self.layout, "typst", source, work, self.layout.work / "exercises-doctrees",
                         "textbook_edition=exercises", "textbook_print_later=1", jobs=self.jobs)  # fmt: skip
        return app.builder.printing, lambda: stamp.write_text(inputs)

    def print_editions(self, wants_book_pdf: bool, wants_exercise_pdf: bool) -> None:
        """The PDF editions, printed by Typst (``typst/builder.py``): its builder over the book's
        doctrees (the book and the handouts) and over the exercise edition's sources (the workbook
        and the keys). Every PDF is then checked as tagged PDF/UA-1 and for its page layout, each
        gate in a process of its own while this one builds the HTML and the EPUB; ``publish_print``
        waits for their verdicts."""
        started = time.perf_counter()
        made: list[tuple[str, Path, Path]] = []  # (edition, PDF, where it is published)
        printings: list[Printing] = []
        when_printed: list[Callable[[], None]] = []
        if wants_book_pdf:
            work = self.layout.work_output("typst")
            app = run_sphinx(self.layout, "typst", self.layout.source, work, self.layout.doctrees,
                             "textbook_print_later=1", jobs=self.jobs)
            printings.append(app.builder.printing)
            for source in sorted(work.glob("*.typ")):
                if source.name == TEMPLATE.name:
                    continue
                pdf = source.with_suffix(".pdf")
                if pdf.name.startswith(HANDOUT_PREFIX):
                    made.append(("handouts", pdf, self.layout.handouts / f"{pdf.stem.removeprefix(HANDOUT_PREFIX)}.pdf"))
                else:
                    made.append(("pdf", pdf, self.layout.pdf / pdf.name))
        if wants_exercise_pdf:
            work = self.layout.work_output("exercises-typst")
            exercise_pdfs = [("workbook", work / f"{WORKBOOK_DOC}.pdf", self.layout.pdf / f"{WORKBOOK_DOC}.pdf"),
                             ("key", work / f"{KEY_DOC}.pdf", self.layout.pdf / f"{KEY_DOC}.pdf")]
            exercise_pdfs += [("key", work / module_key_pdf(docname), self.layout.module_keys / f"{docname}.pdf")
                              for docname in editions.modules_with_exercises(self.bank)]
            printing = self.build_exercise_edition(work, [pdf for _, pdf, _ in exercise_pdfs])
            if printing is not None:
                printings.append(printing[0])
                when_printed.append(printing[1])
            made += exercise_pdfs
        made = [entry for entry in made if entry[0] in self.requested]
        self.pending_print = PendingPrint(self.layout, made, printings, when_printed, started)

    def publish_print(self) -> None:
        """The gates' verdicts on the PDFs ``print_editions`` printed; the leak scan, publication."""
        pending, self.pending_print = self.pending_print, None
        pdfs = [pdf for _, pdf, _ in pending.made]
        waited = time.perf_counter()
        findings, found = pending.verdicts()
        check_accessible(self.layout, pdfs, findings)
        self.report_page_layout(found, waited)
        for pdf in pdfs:
            _say(f"  {pdf.name}: {pending.pages[pdf]} pages")
        self.publish_pdfs(pending.made, pending.pages, pending.started, pending.texts)

    def publish_pdfs(self, made: list[tuple[str, Path, Path]], pages: dict[Path, int], started: float,
                     texts: dict[Path, str]) -> None:
        """The leak scan on each student edition's PDFs ((edition, PDF, target); ``texts``: some of
        them read already), then publication, a module's PDF that is no longer made removed."""
        for edition in ("pdf", "handouts", "workbook", "key"):
            mine = [(pdf, target) for made_for, pdf, target in made if made_for == edition]
            if not mine:
                continue
            if edition in STUDENT_EDITIONS:
                self.check_for_leaks([pdf for pdf, _ in mine], edition, texts)
            folder = {"handouts": self.layout.handouts, "key": self.layout.module_keys}.get(edition)
            if folder is not None and folder.exists():  # one PDF per module: none for a module gone
                for stale in set(folder.glob("*.pdf")) - {target for _, target in mine}:
                    stale.unlink()
            if edition == "key":
                self.layout.module_keys.mkdir(parents=True, exist_ok=True)  # even when no module has exercises
            result = EditionResult(edition, seconds=time.perf_counter() - started)
            for pdf, target in mine:
                _replace_file(pdf, target)
                result.outputs.append(target)
                result.pages[target] = pages[pdf]
            self.results[edition] = result

    def report_page_layout(self, found: dict[Path, dict[str, list[str]]], waited: float) -> None:
        """The page-layout gate's verdict on every PDF printed (``page_layout.check_all``); ``waited``:
        since when this process waited for the gates, which ran beside the other editions."""
        faults = page_layout.faults(found)
        _say(f"page layout: {len(found)} PDF(s), {len(faults)} fault(s) "
             f"(waited {time.perf_counter() - waited:.1f} s for the gates)")
        if faults:
            details = "\n".join(f"  {message}" for message in faults)
            raise BuildError(
                "the PDFs' pages are badly laid out; at each place below, a sentence more or less before it, or "
                f"a shorter block, moves the page break (if the page looks right, report the gate's error):\n{details}",
                faults,
            )

    def scan_report(self) -> str:
        if self.scanner is None:
            return ""
        counts = self.scanner.marker_counts()
        unmarked = [exercise for exercise, count in counts.items() if count == 0]
        line = (
            f"leak scan: {self.scanned_files} student files, {len(counts)} exercises, "
            f"{len(self.scanner.markers)} solution markers, no solution text found ({self.scan_seconds:.1f} s)"
        )
        if unmarked:
            line += f"\n  (solutions made only of the chapter's own words, nothing to scan for: {', '.join(unmarked)})"
        return line

    # -- the whole build ----------------------------------------------------

    def run(self) -> list[EditionResult]:
        os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(self.layout.root))  # see reproducible.py
        wants_book_pdf = bool({"pdf", "handouts"} & set(self.requested))
        wants_exercise_pdf = bool({"workbook", "key"} & set(self.requested))
        steps = ["sources"] + ["print"] * (wants_book_pdf or wants_exercise_pdf)
        steps += [e for e in ("epub", "html") if e in self.requested]  # while the PDFs are printed and checked
        try:
            for number, step in enumerate(steps, 1):
                if step == "sources":
                    _say(f"[{number}/{len(steps)}] sources and exercise bank")
                    self.check_sources()
                    self.load_bank()
                elif step == "html":
                    _say(f"[{number}/{len(steps)}] html")
                    self.build_html()
                elif step == "epub":
                    _say(f"[{number}/{len(steps)}] epub")
                    self.build_epub()
                else:
                    pdfs = [e for e in self.requested if e not in ("html", "epub")]
                    _say(f"[{number}/{len(steps)}] {' + '.join(pdfs)}")
                    self.print_editions(wants_book_pdf, wants_exercise_pdf)
            if self.pending_print is not None:
                self.publish_print()
            if "epub" in self.requested:
                self.publish_epub()
            if "html" in self.results:  # the home page offers the student editions built with it
                outputs = {edition: result.outputs for edition, result in self.results.items()}
                shelf.fill(self.layout, outputs, self.bank, Words.of(self.layout.project))
        except BaseException:  # whatever failed, nothing stale or half written stays published
            if self.pending_print is not None:
                self.pending_print.stop()
            self.layout.unpublish([e for e in self.requested if e not in self.results])
            raise
        return [self.results[e] for e in self.requested]


def build(layout: Layout, editions: list[str], jobs: int | None = None) -> list[EditionResult]:
    """Build ``editions``; on failure remove what they would have published."""
    return Builder(layout, editions, jobs).run()


def summary_lines(layout: Layout, result: EditionResult) -> list[str]:
    """One edition's lines of the build summary: what was written where, how long it took."""
    lines = []
    for output in result.outputs:
        shown = output.relative_to(layout.root)
        pages = f"{result.pages[output]:>4} pages" if output in result.pages else ""
        lines.append(f"  {result.edition:<9} {str(shown):<48} {pages}")
    lines.append(f"  {'':<9} ({result.seconds:.1f} s)")
    return lines


def summary(layout: Layout, results: list[EditionResult]) -> str:
    """A table of what was written where, for the end of a build."""
    return "\n".join(["", "Build summary:", *(line for r in results for line in summary_lines(layout, r))])
