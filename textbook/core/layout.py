"""Where a project's sources and every build product live (imports nothing heavy).

The folders are the course's settings (``core/config.py``), read from its ``conf.py``."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from textbook.core import toolchain
from textbook.core.config import ProjectConfig

EDITIONS = ("html", "epub", "pdf", "handouts", "workbook", "key")
#: What every PDF edition needs from the system: Poppler reads it back for the page gate (Typst,
#: which prints it, is a Python package).
PRINT_TOOLS = (toolchain.POPPLER,)
#: The system tools each edition needs: `textbook build` makes sure of them before any work.
#: The HTML needs none (its math is MathML, written by Python; see sphinx_ext/math_mathml.py).
EDITION_TOOLS = {
    "html": (),
    "epub": (toolchain.EPUBCHECK,),
    "pdf": PRINT_TOOLS,
    "handouts": PRINT_TOOLS,
    "workbook": PRINT_TOOLS,
    "key": PRINT_TOOLS,
}
WORKBOOK, KEY = "workbook", "answer-key"
MODULE_KEYS = "keys"  # a key per module: sources keys/<docname>.md, PDFs _build/pdf/keys/<docname>.pdf


def tools_for(editions) -> list[toolchain.SystemTool]:
    """The system tools that building ``editions`` needs, each once."""
    return list(dict.fromkeys(tool for edition in editions for tool in EDITION_TOOLS[edition]))


@dataclass(frozen=True)
class Layout:
    root: Path

    @cached_property
    def project(self) -> ProjectConfig:
        """The course's settings, from ``conf.py`` in ``root``."""
        return ProjectConfig.read(self.root)

    @property
    def source(self) -> Path:
        """The chapters: the book's Sphinx source folder."""
        return self.project.chapters_dir

    @property
    def exercises(self) -> Path:
        return self.project.exercises_dir

    @property
    def figures(self) -> Path:
        return self.project.figures_dir

    @property
    def build(self) -> Path:
        return self.project.build_dir

    @property
    def work(self) -> Path:
        return self.build / ".work"

    @property
    def doctrees(self) -> Path:
        return self.work / "doctrees"

    @property
    def exercise_sources(self) -> Path:
        """The workbook's and keys' generated sources (``textbook.exercises.editions``)."""
        return self.work / "exercises-src"

    def work_output(self, builder: str) -> Path:
        return self.work / builder

    @property
    def html(self) -> Path:
        return self.build / "html"

    @property
    def epub(self) -> Path:
        """The EPUB edition: one ``<book>.epub``."""
        return self.build / "epub"

    @property
    def pdf(self) -> Path:
        return self.build / "pdf"

    @property
    def handouts(self) -> Path:
        return self.pdf / "handouts"

    @property
    def module_keys(self) -> Path:
        return self.pdf / MODULE_KEYS

    def published(self, edition: str) -> list[Path]:
        """What ``edition`` publishes: removed when its build fails, required to call it built."""
        if edition == "html":
            return [self.html]
        if edition == "epub":
            return [self.epub]
        if edition == "handouts":
            return [self.handouts]
        if edition == "workbook":
            return [self.pdf / f"{WORKBOOK}.pdf"]
        if edition == "key":
            return [self.pdf / f"{KEY}.pdf", self.module_keys]
        books = [p for p in self.pdf.glob("*.pdf") if p.stem not in (WORKBOOK, KEY)] if self.pdf.exists() else []
        return books

    def unpublish(self, editions: list[str]) -> None:
        """Remove what ``editions`` publish: a failed build leaves none of them stale."""
        for path in (path for edition in editions for path in self.published(edition)):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def complete(self, edition: str) -> bool:
        """Whether everything ``edition`` publishes is there."""
        found = self.published(edition)
        if edition == "handouts":
            return self.handouts.is_dir() and any(self.handouts.glob("*.pdf"))
        if edition == "html":
            return (self.html / "index.html").is_file()
        if edition == "epub":
            return self.epub.is_dir() and any(self.epub.glob("*.epub"))
        if edition == "key":  # the whole key, and a key for each module key source the last build wrote
            modules = [source.stem for source in (self.exercise_sources / MODULE_KEYS).glob("*.md")]
            return (self.pdf / f"{KEY}.pdf").is_file() and self.module_keys.is_dir() and all(
                (self.module_keys / f"{module}.pdf").is_file() for module in modules
            )
        return bool(found) and all(path.is_file() for path in found)
