"""The EPUB gate: EPUBCheck reads the finished book; its fatal errors and errors fail the build.

Each problem names the file inside the EPUB and its line, the chapter it was
written from when it is a page, EPUBCheck's message id and its suggestion;
warnings are reported without failing. EPUBCheck accepts a book whose
metadata says "unknown" (Sphinx's defaults), so the package document's title,
author, language and description are checked here too: a reader's library
lists the book by them.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import ZipFile

from textbook.core import toolchain

FAILING = ("FATAL", "ERROR")
#: What a reader's library shows, as Dublin Core elements of the package document, and how to name it.
METADATA = {"title": "title (conf.py's project)", "creator": "author (conf.py's author)",
            "language": "language (conf.py's language)", "description": "description (conf.py's textbook_description)"}
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_DC = "{http://purl.org/dc/elements/1.1/}"


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


def missing_metadata(epub: Path) -> list[str]:
    """Problems with the metadata a reader's library shows: each of ``METADATA`` empty, absent or
    "unknown", and any other element (a contributor) that says "unknown"."""
    with ZipFile(epub) as book:
        container = ET.fromstring(book.read("META-INF/container.xml"))
        package = container.find(f".//{_CONTAINER}rootfile").get("full-path")
        metadata = ET.fromstring(book.read(package)).find("{http://www.idpf.org/2007/opf}metadata")
    values = {}
    for element in metadata if metadata is not None else []:
        if element.tag.startswith(_DC):
            values.setdefault(element.tag.removeprefix(_DC), (element.text or "").strip())
    unknown = [name for name, value in values.items() if value.lower() == "unknown" and name not in METADATA]
    lacking = [shown for name, shown in METADATA.items() if values.get(name, "").lower() in ("", "unknown")]
    return [f"{epub.name}/{package}: the metadata has no {shown}" for shown in lacking] + [
        f"{epub.name}/{package}: the metadata's {name} is 'unknown'" for name in unknown
    ]


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
    report.problems += missing_metadata(epub)
    checker = data.get("checker", {})
    report.summary = (
        f"EPUBCheck {checker.get('checkerVersion', '?')}: {checker.get('nFatal', 0)} fatal, "
        f"{checker.get('nError', 0)} errors, {checker.get('nWarning', 0)} warnings"
    )
    return report
