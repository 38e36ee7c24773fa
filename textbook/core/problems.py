"""What went wrong in a failed build, one line per problem: ``file:line: message``.

A failed build's log can run to hundreds of lines (a cell's traceback, a
compiler's diagnostic), and the problems are scattered through it. Sphinx's
warnings are collected here as Sphinx prints them (``WarningLog``, a stream
Sphinx writes each warning to once), every other failure carries its
problems on its exception, and an exception nobody anticipated is turned
into its type, message and the line that raised it. The CLI prints them all
again at the end, under "Build failed: N problems".

This module imports nothing heavy: the CLI uses it before Sphinx is loaded.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TextIO

_COLOUR = re.compile(r"\x1b\[[0-9;]*[mK]")
_LEVEL = re.compile(r"\b(?:WARNING|ERROR|CRITICAL): ")
_TAGS = re.compile(r"(?:\s*\[[\w.-]+\])+$")  # Sphinx's " [type.subtype]" after a warning
_FAILED_CELL = "Executing notebook failed"  # MyST-NB's warning for a failing cell
_SAVED_TRACEBACK = "Notebook exception traceback saved in"  # MyST-NB's second warning for it: not a problem
_CELL_RULE = re.compile(r"-{18}")
_EXCEPTION = re.compile(r"[A-Za-z_][\w.]*: \S")


class WarningLog:
    """The warning stream for a Sphinx run: passes everything on to ``stream`` and keeps
    each warning as ``file:line: message`` (paths relative to ``root``)."""

    def __init__(self, stream: TextIO, root: Path):
        self.stream = stream
        self.root = root
        self.problems: list[str] = []

    def write(self, text: str) -> int:
        self.stream.write(text)  # Sphinx writes one whole warning per call
        lines = [line.rstrip() for line in _COLOUR.sub("", text).splitlines() if line.strip()]
        if lines and _SAVED_TRACEBACK not in lines[0]:
            self.problems.append(self.summarise(lines))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def summarise(self, lines: list[str]) -> str:
        """One line for a warning: its location and first line or, for a failing cell,
        the cell's line in the chapter and the exception it raised."""
        first = _TAGS.sub("", _LEVEL.sub("", lines[0], count=1))
        if _FAILED_CELL in first:
            first = _failed_cell(first.split(": ", 1)[0], lines)
        return first.replace(f"{self.root}/", "")


def _failed_cell(chapter: str, lines: list[str]) -> str:
    """``chapter:line: cell failed: Exception: message`` from MyST-NB's CellExecutionError,
    which quotes the cell between two ``-`` rules and ends with IPython's traceback.
    ``lines`` are the warning's non-blank lines."""
    rules = [number for number, line in enumerate(lines) if _CELL_RULE.fullmatch(line)]
    cell = lines[rules[0] + 1 : rules[1]] if len(rules) >= 2 else []
    raised = [line for line in lines if _EXCEPTION.match(line)]
    line = _first_line_of(cell, Path(chapter)) if cell else None
    where = f"{chapter}:{line}" if line else chapter
    return f"{where}: cell failed: {raised[-1] if raised else 'see its traceback above'}"


def _first_line_of(cell: list[str], chapter: Path) -> int | None:
    """The line of ``chapter`` where the (non-blank) lines of ``cell`` start."""
    if not chapter.is_file():
        return None
    source = chapter.read_text(encoding="utf-8", errors="replace").splitlines()
    text = [(number, line.rstrip()) for number, line in enumerate(source, start=1) if line.strip()]
    for start in range(len(text) - len(cell) + 1):
        if [line for _, line in text[start : start + len(cell)]] == cell:
            return text[start][0]
    return None


class ProblemsError(Exception):
    """Problems found in one input (the bank, an exam file, an export), each as
    ``path:line: message`` in ``problems``; ``what`` names the input for the message."""

    what = "the input"

    def __init__(self, problems: list[str]):
        super().__init__(f"{self.what} has problems:\n" + "\n".join(f"  {p}" for p in problems))
        self.problems = problems


def carrying(error: Exception, problems: list[str]) -> Exception:
    """``error`` with ``problems`` attached: how a deliberate error raised inside Sphinx
    (an ``ExtensionError``) brings its ``file:line: message`` list to the end of the log."""
    error.problems = problems
    return error


def traceback_problem(where: Path, shown: str, text: str, what: str) -> str:
    """``shown:line: what: Exception: message`` from a traceback ``text``: the line is that of
    the last frame in the file ``where`` (none if no frame is), the exception its last line."""
    lines = [line for line in _COLOUR.sub("", text).splitlines() if line.strip()]
    frames = [int(m.group(1)) for line in lines if (m := re.search(rf'File "{re.escape(str(where))}", line (\d+)', line))]
    location = f"{shown}:{frames[-1]}" if frames else shown
    return f"{location}: {what}: {lines[-1].strip() if lines else 'see the messages above'}"


def unexpected(error: BaseException) -> str:
    """``file:line: Type: message`` for an exception nobody anticipated, located where the
    exception that started it (a Sphinx ``ExtensionError``'s cause) was raised."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    origin = error
    while origin.__cause__ is not None:
        origin = origin.__cause__
    frames = traceback.extract_tb(origin.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(error).__name__}: {error}".rstrip(": ")


def report(problems: list[str]) -> str:
    """The end of a failed build's log: every problem again, one line each."""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return "\n".join([f"Build failed: {count}", *(f"  {problem}" for problem in problems)])
