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


def compile_one(tex: Path) -> CompileResult:
    started = time.perf_counter()
    result = subprocess.run(
        [*LATEXMK, tex.name],
        cwd=tex.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "max_print_line": "1000"},
    )
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
