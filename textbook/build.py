"""Build the editions: HTML, the PDF book and the PDF handouts.

Sphinx works in ``_build/.work/`` (its doctrees, HTML and LaTeX output), which
persists between builds so that only what changed is redone; the notebook
cache and drawn figures live beside it. The editions readers use are
*published* from there only when their step succeeds:

* ``_build/html/``            the HTML edition, swapped in as a whole folder;
* ``_build/pdf/<book>.pdf``   the whole book;
* ``_build/pdf/handouts/``    one PDF per module.

When a step fails, every edition it was meant to produce is removed, so a
failed build never leaves an edition that looks complete but is stale or half
written.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from sphinx.cmd.build import build_main

from . import latex, toolchain
from .handouts import HANDOUT_PREFIX

EDITIONS = ("html", "pdf", "handouts")


class BuildError(Exception):
    """An edition could not be built; the message says which and why."""


@dataclass(frozen=True)
class Layout:
    """Where a project's sources and every build product live."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "book"

    @property
    def build(self) -> Path:
        return self.root / "_build"

    @property
    def work(self) -> Path:
        return self.build / ".work"

    @property
    def doctrees(self) -> Path:
        return self.work / "doctrees"

    def work_output(self, builder: str) -> Path:
        return self.work / builder

    @property
    def html(self) -> Path:
        return self.build / "html"

    @property
    def pdf(self) -> Path:
        return self.build / "pdf"

    @property
    def handouts(self) -> Path:
        return self.pdf / "handouts"


@dataclass
class EditionResult:
    edition: str
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    pages: dict[Path, int] = field(default_factory=dict)


def _say(message: str) -> None:
    print(f"textbook: {message}", flush=True)


def run_sphinx(layout: Layout, builder: str, jobs: int | None = None) -> None:
    """One Sphinx run, strict: warnings are errors, references are checked."""
    args = [
        "-b", builder,
        "-c", str(layout.root),
        "-d", str(layout.doctrees),
        "-W", "--keep-going", "-n",
        "-j", str(jobs or "auto"),
        str(layout.source),
        str(layout.work_output(builder)),
    ]  # fmt: skip
    status = build_main(args)
    if status != 0:
        raise BuildError(f"Sphinx's {builder} build failed (see the messages above)")


def _replace_dir(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` so that ``target`` is never half written."""
    staging = target.with_name(f".{target.name}.staging")
    old = target.with_name(f".{target.name}.old")
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns("reports", ".doctrees"))
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _replace_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging")
    shutil.copyfile(source, staging)
    os.replace(staging, target)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def build_html(layout: Layout, jobs: int | None) -> EditionResult:
    started = time.perf_counter()
    run_sphinx(layout, "html", jobs)
    _replace_dir(layout.work_output("html"), layout.html)
    index = layout.html / "index.html"
    return EditionResult("html", [index], time.perf_counter() - started)


def _latex_targets(layout: Layout, editions: set[str]) -> dict[str, list[Path]]:
    texs = sorted(layout.work_output("latex").glob("*.tex"))
    return {
        "pdf": [t for t in texs if not t.name.startswith(HANDOUT_PREFIX)] if "pdf" in editions else [],
        "handouts": [t for t in texs if t.name.startswith(HANDOUT_PREFIX)] if "handouts" in editions else [],
    }


def _published_pdf(layout: Layout, edition: str, tex: Path) -> Path:
    if edition == "handouts":
        return layout.handouts / (tex.stem.removeprefix(HANDOUT_PREFIX) + ".pdf")
    return layout.pdf / (tex.stem + ".pdf")


def build_pdfs(layout: Layout, editions: set[str], jobs: int | None) -> list[EditionResult]:
    """The LaTeX writer once, then every requested PDF compiled in parallel."""
    started = time.perf_counter()
    toolchain.ensure_tex(log=_say)
    run_sphinx(layout, "latex", jobs)
    targets = _latex_targets(layout, editions)
    texs = [tex for edition in ("pdf", "handouts") for tex in targets[edition]]
    _say(f"xelatex: compiling {len(texs)} document(s), {jobs or os.cpu_count()} at a time")

    def report(result: latex.CompileResult) -> None:
        state = f"{page_count(result.pdf)} pages" if result.ok else "FAILED"
        _say(f"  {result.tex.name}: {state} ({result.seconds:.1f} s)")

    compiled = {r.tex: r for r in latex.compile_all(texs, jobs, on_done=report)}
    failures = [r for r in compiled.values() if not r.ok]
    if failures:
        details = "\n\n".join(f"{r.tex} failed:\n{r.log_excerpt}" for r in failures)
        raise BuildError(f"LaTeX failed for {len(failures)} document(s):\n{details}")

    results = []
    for edition in ("pdf", "handouts"):
        if edition not in editions:
            continue
        result = EditionResult(edition)
        if edition == "handouts":
            wanted = {_published_pdf(layout, edition, tex) for tex in targets[edition]}
            for stale in layout.handouts.glob("*.pdf") if layout.handouts.exists() else []:
                if stale not in wanted:
                    stale.unlink()
        for tex in targets[edition]:
            target = _published_pdf(layout, edition, tex)
            _replace_file(compiled[tex].pdf, target)
            result.outputs.append(target)
            result.pages[target] = page_count(target)
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results


def _published_outputs(layout: Layout, edition: str) -> list[Path]:
    if edition == "html":
        return [layout.html]
    if edition == "handouts":
        return [layout.handouts]
    return [p for p in layout.pdf.glob("*.pdf")] if layout.pdf.exists() else []


def build(layout: Layout, editions: list[str], jobs: int | None = None) -> list[EditionResult]:
    """Build ``editions`` in order; on failure remove what they would have published."""
    requested = [e for e in EDITIONS if e in editions]
    steps = (["html"] if "html" in requested else []) + (
        ["latex"] if {"pdf", "handouts"} & set(requested) else []
    )
    results: list[EditionResult] = []
    done: set[str] = set()
    try:
        for number, step in enumerate(steps, 1):
            names = "html" if step == "html" else " + ".join(e for e in requested if e != "html")
            _say(f"[{number}/{len(steps)}] {names}")
            if step == "html":
                results.append(build_html(layout, jobs))
            else:
                results.extend(build_pdfs(layout, set(requested), jobs))
            done.update(r.edition for r in results)
    except (BuildError, toolchain.ToolchainError):
        for edition in requested:
            if edition not in done:
                for path in _published_outputs(layout, edition):
                    _remove(path)
        raise
    return results


def summary(layout: Layout, results: list[EditionResult]) -> str:
    """A table of what was written where, for the end of a build."""
    lines = ["", "Build summary:"]
    for result in results:
        for output in result.outputs:
            shown = output.relative_to(layout.root)
            pages = f"{result.pages[output]:>4} pages" if output in result.pages else ""
            lines.append(f"  {result.edition:<9} {str(shown):<48} {pages}")
        lines.append(f"  {'':<9} ({result.seconds:.1f} s)")
    return "\n".join(lines)
