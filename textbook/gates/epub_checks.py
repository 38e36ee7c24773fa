"""The EPUB gate: EPUBCheck reads the finished book; its fatal errors and errors fail the build.

Each problem names the file inside the EPUB and its line, the chapter it was
written from when it is a page, EPUBCheck's message id and its suggestion;
warnings are reported without failing. It runs in the project's build server
(``core.build_server``) when there is one, in a Java kept running there
(``EpubCheckLoop.java``): a check then costs a third of a fresh Java's. EPUBCheck accepts a book whose
metadata says "unknown" (Sphinx's defaults), so the package document's title,
author, language and description are checked here too: a reader's library
lists the book by them.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import ZipFile

from textbook.core import build_server, toolchain

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
        try:
            rootfile = ET.fromstring(book.read("META-INF/container.xml")).find(f".//{_CONTAINER}rootfile")
            if rootfile is None or not rootfile.get("full-path"):
                raise KeyError("META-INF/container.xml names no rootfile")
            package = rootfile.get("full-path")
            metadata = ET.fromstring(book.read(package)).find("{http://www.idpf.org/2007/opf}metadata")
        except (KeyError, ET.ParseError) as unreadable:  # EPUBCheck reports the broken container too
            return [f"{epub.name}: no package document to read the metadata from ({unreadable.args[0]})"]
    values = {}
    for element in metadata if metadata is not None else []:
        if element.tag.startswith(_DC):
            values.setdefault(element.tag.removeprefix(_DC), (element.text or "").strip())
    unknown = [name for name, value in values.items() if value.lower() == "unknown" and name not in METADATA]
    lacking = [shown for name, shown in METADATA.items() if values.get(name, "").lower() in ("", "unknown")]
    return [f"{epub.name}/{package}: the metadata has no {shown}" for shown in lacking] + [
        f"{epub.name}/{package}: the metadata's {name} is 'unknown'" for name in unknown
    ]


#: What ``EpubCheckLoop.java`` answers when EPUBCheck threw (out of memory, say): a fresh Java then checks.
FAILED_IN_JAVA = -1


class _KeptJava:
    """EPUBCheck in a Java that runs as long as the build server (``EpubCheckLoop.java``)."""

    LOOP = Path(__file__).with_name("EpubCheckLoop.java")

    def __init__(self):
        self.lock = threading.Lock()
        self.java: subprocess.Popen | None = None

    def run(self, arguments: list[str]) -> tuple[int, str] | None:
        """EPUBCheck's exit code and messages; None if this Java cannot run it (a fresh one then does)."""
        command = toolchain.epubcheck_loop_command(self.LOOP)
        if command is None or any("\t" in argument or "\n" in argument for argument in arguments):
            return None
        with self.lock, tempfile.TemporaryDirectory() as scratch:
            if self.java is None or self.java.poll() is not None:
                self.java = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                             encoding="utf-8")  # fmt: skip
            messages = Path(scratch) / "messages.txt"
            try:
                self.java.stdin.write("\t".join([str(messages), *arguments]) + "\n")
                self.java.stdin.flush()
                answer = self.java.stdout.readline().strip()
            except OSError:
                answer = ""
            if not answer.lstrip("-").isdigit() or int(answer) == FAILED_IN_JAVA:  # no start, died, or out of memory
                self.java.kill()
                self.java = None
                return None
            return int(answer), messages.read_text(encoding="utf-8") if messages.is_file() else ""


_KEPT_JAVA = _KeptJava()


def run_epubcheck(arguments: list[str]) -> tuple[int, str]:
    """EPUBCheck with ``arguments``: its exit code and messages. In the build server, by its kept Java."""
    if build_server.serving() and (done := _KEPT_JAVA.run(arguments)) is not None:
        return done
    run = subprocess.run([*toolchain.epubcheck_command(), *arguments], capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def check_epub(epub: Path, source: Path, root: Path) -> EpubCheckReport:
    """Run EPUBCheck on ``epub``; ``source`` is the chapters' folder, to name a page's chapter;
    ``root`` the project's, whose build server runs it."""
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "epubcheck.json"
        code, output = build_server.call(root, "textbook.gates.epub_checks:run_epubcheck",
                                         [str(epub.resolve()), "--json", str(report_file)])  # fmt: skip
        if not report_file.is_file():
            return EpubCheckReport([f"{epub.name}: EPUBCheck did not run (exit {code}): {output.strip()[-2000:]}"])
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
