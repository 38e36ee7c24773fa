"""Compile the LaTeX the Sphinx builder wrote into PDFs, several at once.

Each document runs through ``latexmk -xelatex`` in Sphinx's LaTeX output
folder, which holds the ``latexmkrc`` Sphinx wrote for xelatex. latexmk only
reruns what changed, so an unchanged ``.tex`` costs a fraction of a second.
Documents are independent, so they compile in parallel, one per core.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

LATEXMK = (
    "latexmk",
    "-xelatex",
    "-interaction=nonstopmode",
    "-halt-on-error",
    "-file-line-error",
)

_ERROR_LINE = re.compile(r"^(?:! |.*:\d+: )")


@dataclass
class CompileResult:
    tex: Path
    ok: bool
    seconds: float
    log_excerpt: str = ""

    @property
    def pdf(self) -> Path:
        return self.tex.with_suffix(".pdf")


def _log_excerpt(tex: Path, output: str) -> str:
    """The lines of a failed run that say what went wrong, with some context."""
    log = tex.with_suffix(".log")
    text = log.read_text(errors="replace") if log.exists() else output
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _ERROR_LINE.match(line):
            return "\n".join(lines[index : index + 8])
    return "\n".join(output.splitlines()[-20:])


#: What LaTeX writes in its log when a page number or reference it printed was out of date.
RERUN_REQUEST = "Rerun to get cross-references right"
#: Forced rounds after latexmk stopped with the log asking for another pass.
FORCED_ROUNDS = 2


def _latexmk(tex: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LATEXMK, *options, tex.name], cwd=tex.parent, capture_output=True, text=True,
                          env={**os.environ, "max_print_line": "1000"})  # fmt: skip


def _asks_for_rerun(tex: Path) -> bool:
    log = tex.with_suffix(".log")
    return log.is_file() and RERUN_REQUEST in log.read_text(errors="replace")


def compile_one(tex: Path) -> CompileResult:
    """latexmk until LaTeX's last pass asked for no other: latexmk (4.79) has been seen to stop
    one pass early after makeindex, leaving a contents page with the page numbers of the pass
    before, so a round is forced while the log still asks for one."""
    started = time.perf_counter()
    result = _latexmk(tex)
    for _ in range(FORCED_ROUNDS):
        if result.returncode != 0 or not _asks_for_rerun(tex):
            break
        result = _latexmk(tex, "-g")
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not tex.with_suffix(".pdf").exists():
        return CompileResult(tex, False, seconds, _log_excerpt(tex, result.stdout + result.stderr))
    return CompileResult(tex, True, seconds)


def compile_all(texs: list[Path], jobs: int | None = None, on_done=None) -> list[CompileResult]:
    """Compile ``texs`` in parallel; call ``on_done(result)`` as each one finishes."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(texs) or 1))

    def run(tex: Path) -> CompileResult:
        result = compile_one(tex)
        if on_done:
            on_done(result)
        return result

    # Longest first (the biggest .tex), so the book does not start last and finish alone.
    order = sorted(texs, key=lambda tex: tex.stat().st_size, reverse=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done = dict(zip(order, pool.map(run, order)))
    return [done[tex] for tex in texs]
