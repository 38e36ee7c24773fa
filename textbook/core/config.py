"""A course's settings, declared once: what ``conf.py`` may set, typed, with defaults.

As MyST-NB declares ``NbParserConfig``, every setting is a field of
``ProjectConfig`` with its type, default and a line of documentation. The
Sphinx extension registers each as ``textbook_<field>``; the command line, the
exercise bank, the gates, the freshness check and the exports read the same
fields from ``conf.py`` without Sphinx (``read``). No other part of the
generator spells a folder name or a unit label.

Folders are relative to the folder that holds ``conf.py`` (the project root),
like every path Sphinx reads from it.
"""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass, field, fields
from pathlib import Path

PREFIX = "textbook_"
PAPER_SIZES = ("a4", "letter")


def _setting(default, doc: str):
    return field(default=default, metadata={"doc": doc})


def _figure_format(numfig_format) -> str:
    """``numfig_format``'s label of figures; empty where it gives none (Sphinx names a setting of
    the wrong type when it reads ``conf.py``)."""
    chosen = numfig_format.get("figure", "") if isinstance(numfig_format, dict) else ""
    return chosen if isinstance(chosen, str) else ""


@dataclass(frozen=True)
class ProjectConfig:
    """The generator's settings for one course (``textbook_<name>`` in ``conf.py``)."""

    chapters: str = _setting("book", "the chapters: Markdown (MyST) sources, one NN-slug.md per unit")
    exercises: str = _setting("exercises", "the exercise bank: exercises/NN-slug/*.md")
    figures: str = _setting("figures_src", "figure scripts, each with a draw() function")
    exams: str = _setting("exams", "exam files (NAME.yml) for `textbook exam`")
    course_code: str = _setting("_course", "the package of code the chapters share, inside the chapters folder")
    build: str = _setting("_build", "every build product, caches included")
    unit_label: str = _setting("", "what a numbered chapter is called (Module, Chapter, Week...); empty: the language's word for Module")
    first_number: int = _setting(0, "the number of the first unit")
    course_name: str = _setting("", "the course's name in exports (the Moodle category root); empty: the project's name")
    logo: str = _setting("", "an SVG or PNG logo for the HTML edition; empty: the generator's own")
    logo_alt: str = _setting("", "what the logo shows, for readers who cannot see it; empty: decorative (the title follows it)")
    favicon: str = _setting("", "the HTML edition's favicon; empty: the logo")
    licence: str = _setting("", "the licence line on every PDF's title page, addresses in it made links; empty: none")
    description: str = _setting("", "a sentence or two on what the book teaches, for the EPUB's metadata; empty: the book's title")
    paper: str = _setting("a4", "the page size of every PDF: a4 or letter")
    code_width: int = _setting(80, "the widest source line that fits the printed page, in characters")
    html_url: str = _setting("", "the address the HTML edition is hosted at (https://...): print and EPUB give a chapter's address where they point to it; empty: they name the HTML edition only")
    #: The folder that holds conf.py; not a setting.
    root: Path = field(default=Path("."), compare=False, metadata={"doc": ""})
    #: Sphinx's own settings the generator reads too.
    project: str = field(default="", metadata={"doc": ""})
    language: str = field(default="en", metadata={"doc": ""})
    #: How a figure's caption is labelled (``numfig_format["figure"]``); empty: Sphinx's own, in the language.
    figure_format: str = field(default="", metadata={"doc": ""})

    @classmethod
    def settings(cls) -> list:
        """The fields a course sets as ``textbook_<name>``."""
        return [f for f in fields(cls) if f.metadata.get("doc")]

    @classmethod
    def read(cls, root: Path) -> ProjectConfig:
        """The settings in ``root/conf.py`` (executed as Sphinx executes it), defaults elsewhere."""
        conf = Path(root).resolve() / "conf.py"
        namespace = runpy.run_path(str(conf)) if conf.is_file() else {}
        return cls.of(namespace, root=conf.parent)

    @classmethod
    def of(cls, values, root: Path) -> ProjectConfig:
        """The settings in a mapping or a Sphinx ``Config`` (anything with ``textbook_<name>`` items)."""
        get = values.get if isinstance(values, dict) else lambda name, default: getattr(values, name, default)
        chosen = {f.name: get(PREFIX + f.name, f.default) for f in cls.settings()}
        for f in cls.settings():
            if not isinstance(chosen[f.name], type(f.default)):
                raise ConfigError(
                    f"{Path(root, 'conf.py')}: {PREFIX}{f.name} is {chosen[f.name]!r}; "
                    f"it must be {type(f.default).__name__} ({f.metadata['doc']})"
                )
        if chosen["paper"] not in PAPER_SIZES:
            raise ConfigError(
                f"{Path(root, 'conf.py')}: {PREFIX}paper is {chosen['paper']!r}; "
                f"use one of {', '.join(map(repr, PAPER_SIZES))}"
            )
        if chosen["html_url"] and not chosen["html_url"].startswith(("https://", "http://")):
            raise ConfigError(
                f"{Path(root, 'conf.py')}: {PREFIX}html_url is {chosen['html_url']!r}; "
                "give the HTML edition's whole address, starting with https://, or leave it empty"
            )
        return cls(**chosen, root=Path(root), project=get("project", "") or "",
                   language=get("language", None) or "en",
                   figure_format=_figure_format(get("numfig_format", None)))  # fmt: skip

    def _folder(self, name: str) -> Path:
        return (self.root / name).resolve()

    @property
    def chapters_dir(self) -> Path:
        return self._folder(self.chapters)

    @property
    def exercises_dir(self) -> Path:
        return self._folder(self.exercises)

    @property
    def figures_dir(self) -> Path:
        return self._folder(self.figures)

    @property
    def build_dir(self) -> Path:
        return self._folder(self.build)

    @property
    def figures_output(self) -> Path:
        """Drawn figures (SVG and PDF), shared by every edition."""
        return self.build_dir / "figures"

    @property
    def cache_dir(self) -> Path:
        """What builds keep between runs: execution folders, drawn math, the bank's pickle..."""
        return self.build_dir / "cache"

    @property
    def source_folders(self) -> tuple[Path, ...]:
        """Every folder an author writes in: the inputs of a build."""
        return (self.chapters_dir, self.exercises_dir, self.figures_dir)

    def html_address(self, docname: str = "") -> str:
        """Where a page of the hosted HTML edition is (the home page without ``docname``); empty if unknown."""
        if not self.html_url:
            return ""
        home = self.html_url.rstrip("/") + "/"
        return home + f"{docname}.html" if docname else home

    @property
    def name(self) -> str:
        """The course's name where an export needs one."""
        return self.course_name or self.project or "Course"


def of_sphinx(config) -> ProjectConfig:
    """The settings of a running Sphinx project (its ``Config``; the extension records the root)."""
    return ProjectConfig.of(config, root=Path(config.textbook_root))


class ConfigError(ValueError):
    """A setting in ``conf.py`` of the wrong type or out of range; the message names the file."""


def documentation() -> str:
    """The settings as a Markdown table, for authors (README, ``textbook new``)."""
    rows = [f"| `{PREFIX}{f.name}` | `{json.dumps(f.default)}` | {f.metadata['doc']} |" for f in ProjectConfig.settings()]
    return "\n".join(["| setting | default | what it is |", "|---|---|---|", *rows])
