"""The print gate: what the LaTeX log and the finished PDF say about damage to print.

After every LaTeX run the log is read for problems a reader of the paper
copy would see: characters the font does not have (they vanish from the
page), references and citations that did not resolve (they print as "??"),
and boxes overfull by more than a small tolerance (text, code, a URL or a
table running into the margin). Each problem names the ``.tex`` line LaTeX
gives and the chapter and section of the book it falls in. Then every font
of the PDF must be embedded, or the printer substitutes its own, and its
metadata must give a title, an author, a subject and a language, or viewers
and libraries show the file's name and guess the language.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

#: Overfull boxes up to this many points are invisible on paper and tolerated.
OVERFULL_TOLERANCE_PT = 1.0

_MISSING_CHAR = re.compile(r"^Missing character: There is no (.+?) in font (.+?)!?$")
_UNDEFINED = re.compile(r"(Reference|Citation) `([^']+)' on page \d+ undefined(?: on input line (\d+))?")
_HYPER_UNDEFINED = re.compile(r"(?:Hyper reference|Object) `?([^' ]+)'? (?:on page \d+ )?(?:undefined|used, but not defined)")
_OVERFULL = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\) .*?(?:lines? (\d+)(?:--\d+)?)?$")
_LABEL = re.compile(r"\\label\{\\detokenize\{([^:}]+):([^}]*)\}\}")
_OPENED = re.compile(r"\(\./[^\s()]+\.(\w+)")


@dataclass(frozen=True)
class PrintProblem:
    tex: Path
    line: int | None
    message: str
    where: str = ""

    def __str__(self) -> str:
        place = f"{self.tex.name}:{self.line}" if self.line else self.tex.name
        return f"{place}: {self.message}" + (f" (in {self.where})" if self.where else "")


def _source_of(tex_lines: list[str], line: int | None) -> str:
    """The book chapter and section a ``.tex`` line belongs to, from the nearest label above it."""
    if not line:
        return ""
    for text in reversed(tex_lines[: line]):
        labels = _LABEL.findall(text)
        if labels:
            docname, anchor = labels[-1]
            return f"{docname}.md" + (f", near #{anchor}" if anchor else "")
    return ""


def log_problems(tex: Path, tolerance_pt: float = OVERFULL_TOLERANCE_PT) -> list[PrintProblem]:
    """Problems in the log of the last LaTeX run over ``tex``."""
    log = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    tex_lines = tex.read_text(encoding="utf-8", errors="replace").splitlines()
    problems: list[PrintProblem] = []
    seen: set[str] = set()

    reading = "tex"  # the kind of file LaTeX last opened: line numbers refer to it

    def add(line: int | None, message: str) -> None:
        if reading == "toc":
            line, where = None, "the table of contents"
        else:
            where = _source_of(tex_lines, line)
        if message not in seen:
            seen.add(message)
            problems.append(PrintProblem(tex, line, message, where))

    for entry in log.splitlines():
        if entry.startswith(")"):
            reading = "tex"  # LaTeX closed the file it was reading
        for opened in _OPENED.finditer(entry):
            reading = opened.group(1)
        if match := _MISSING_CHAR.match(entry.strip()):
            add(None, f"the font {match.group(2)} has no glyph for {match.group(1)}; it is missing from the page")
        elif match := _UNDEFINED.search(entry):
            line = int(match.group(3)) if match.group(3) else None
            add(line, f"{match.group(1).lower()} '{match.group(2)}' is undefined; it prints as ??")
        elif match := _HYPER_UNDEFINED.search(entry):
            add(None, f"link target '{match.group(1)}' is undefined")
        elif (match := _OVERFULL.match(entry)) and float(match.group(1)) > tolerance_pt:
            line = int(match.group(2)) if match.group(2) else None
            add(line, f"text runs {float(match.group(1)):.1f}pt into the margin (overfull line)")
    return problems


def unembedded_fonts(pdf: Path) -> list[str]:
    """Fonts of ``pdf`` that are not embedded, from poppler's ``pdffonts``."""
    output = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    lines = output.splitlines()[2:]  # a header and a rule come first
    missing = []
    for line in lines:
        columns = line.split()
        # name type [type...] encoding emb sub uni object ID: "emb" is the 5th from the end
        if len(columns) >= 6 and columns[-5] != "yes":
            missing.append(columns[0])
    return missing


def missing_metadata(pdf: Path) -> list[str]:
    """What ``pdf`` does not say about itself: its document information's Title, Author and Subject,
    its catalogue's Lang."""
    reader = PdfReader(pdf)
    info = reader.metadata or {}
    missing = [name for name in ("Title", "Author", "Subject") if not str(info.get(f"/{name}", "")).strip()]
    if not str(reader.trailer["/Root"].get("/Lang", "")).strip():
        missing.append("Lang (language)")
    return missing


def check_pdf(tex: Path) -> list[str]:
    """Everything wrong with the print of ``tex``'s PDF, as messages; empty when it is fine."""
    messages = [str(p) for p in log_problems(tex)]
    messages += [
        f"{tex.with_suffix('.pdf').name}: font {font} is not embedded; the printer would substitute it"
        for font in unembedded_fonts(tex.with_suffix(".pdf"))
    ]
    if missing := missing_metadata(tex.with_suffix(".pdf")):
        messages.append(
            f"{tex.with_suffix('.pdf').name}: the PDF's metadata has no {', '.join(missing)}; "
            "textbookprint.sty sets them from the document's title, conf.py's author and language"
        )
    return messages
