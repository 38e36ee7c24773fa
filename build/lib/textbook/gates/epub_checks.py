"""The EPUB gate: EPUBCheck reads the finished book; its fatal errors and errors fail the build.

Each problem names the file inside the EPUB and its line, the chapter it was
written from when it is a page, EPUBCheck's message id and its suggestion;
warnings are reported without failing.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from textbook.core import toolchain

FAILING = ("FATAL", "ERROR")


@dataclass
class EpubCheckReport:
    problems: list[str] = field(default_factory=list)  # FATAL and ERROR: the build fails
    warnings: list[str] = field(default_factory=list)
    summary: str = ""


def _where(epub: Path, location: dict, source: Path, root: Path) -> str:
    inside = location.get("path") or ""
    line = location.get("line", -1)
    where = f"{epub.name}/{inside}" + (f":{line}" if line and line > 0 else "")
    chapter = source / Path(inside).with_suffix(".md")
    if inside.endswith(".xhtml") and chapter.is_file():
        where += f" (written from {chapter.relative_to(root) if chapter.is_relative_to(root) else chapter})"
    return where


def check_epub(epub: Path, source: Path, root: Path) -> EpubCheckReport:
    """Run EPUBCheck on ``epub``; ``source`` is the chapters' folder, to name a page's chapter."""
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "epubcheck.json"
        run = subprocess.run(
            [*toolchain.epubcheck_command(), str(epub), "--json", str(report_file)], capture_output=True, text=True
        )
        if not report_file.is_file():
            output = (run.stdout + run.stderr).strip()[-2000:]
            return EpubCheckReport([f"{epub.name}: EPUBCheck did not run (exit {run.returncode}): {output}"])
        data = json.loads(report_file.read_text(encoding="utf-8"))
    report = EpubCheckReport()
    for message in data.get("messages", []):
        severity = message.get("severity", "")
        text = f"{severity} {message.get('ID')}: {message.get('message')}"
        if message.get("suggestion"):
            text += f" ({message['suggestion']})"
        locations = [  # EPUBCheck lists a few places, then says how many more there are
            place for place in message.get("locations") or [{}] if " additional locations" not in place.get("path", "")
        ]
        found = [f"{_where(epub, location, source, root)}: {text}" for location in locations]
        (report.problems if severity in FAILING else report.warnings).extend(found)
    checker = data.get("checker", {})
    report.summary = (
        f"EPUBCheck {checker.get('checkerVersion', '?')}: {checker.get('nFatal', 0)} fatal, "
        f"{checker.get('nError', 0)} errors, {checker.get('nWarning', 0)} warnings"
    )
    return report
