"""A new course from ``template/``: every file filled in, written into an empty folder.

The template is real files, one per file of the course, each named as the
course's file plus ``.tmpl`` (so that no template ``conf.py`` or figure script is
a module of the generator, imported, collected by pytest or walked by the
layer test), with ``dot-`` where the course's name starts with a dot
(``dot-gitignore.tmpl`` is ``.gitignore``: the generator's own repository then
holds no ``.gitignore``, ``.github/`` or ``.gitlab-ci.yml`` that git or a CI
service would take for its own). In each file ``@@name@@`` is a value of
``values()``; any other ``@@name@@`` is an error in the template.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from urllib.parse import unquote, urlparse

from textbook.core.config import documentation

TEMPLATE = Path(__file__).parent / "template"
SUFFIX = ".tmpl"
DOT = "dot-"
#: The generator's distribution, as pip installs it from an index.
DISTRIBUTION = "textbook-generator"
PLACEHOLDER = re.compile(r"@@(\w+)@@")


class NewCourseError(Exception):
    """The course cannot be written where asked; nothing was written."""


def generator_spec() -> str:
    """What the course's Makefile gives pip to install the generator: where this generator came
    from when that is a folder on this machine, so that the course installs that very generator
    without a package index; else the distribution's name.

    A folder: the source checkout this generator runs from (its ``pyproject.toml`` names
    ``textbook-generator``), or the local folder pip installed it from (its ``direct_url.json``,
    PEP 610)."""
    source = Path(__file__).resolve().parents[2]
    try:
        name = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        name = None
    if name == DISTRIBUTION:
        return str(source)
    return _installed_from_folder() or DISTRIBUTION


def _installed_from_folder() -> str | None:
    try:
        origin = json.loads(distribution(DISTRIBUTION).read_text("direct_url.json") or "{}")
    except (PackageNotFoundError, ValueError):
        return None
    url = origin.get("url", "")
    folder = Path(unquote(urlparse(url).path)) if url.startswith("file://") and "dir_info" in origin else None
    return str(folder) if folder and (folder / "pyproject.toml").is_file() else None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "course"


def _title(name: str) -> str:
    words = re.sub(r"[-_\s]+", " ", name).strip() or "My course"
    return words[:1].upper() + words[1:]


def values(folder: Path, title: str | None = None, author: str | None = None, language: str | None = None) -> dict:
    """What the placeholders stand for; Python literals (``*_py``) for ``conf.py``."""
    name = Path(folder).resolve().name
    title = title or _title(name)
    author = author or "The authors"
    language = language or "en"
    year = datetime.date.today().year

    def literal(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a Python string literal

    return {
        "title": title,
        "author": author,
        "year": str(year),
        "slug": _slug(name),
        "title_py": literal(title),
        "author_py": literal(author),
        "language_py": literal(language),
        "copyright_py": literal(f"{year}, {author}"),
        "generator": generator_spec(),
        "settings_table": documentation(),
    }


def template_files() -> dict[Path, Path]:
    """Each template file, by the path of the course's file it becomes."""
    files = {}
    for path in sorted(TEMPLATE.rglob(f"*{SUFFIX}")):
        parts = path.relative_to(TEMPLATE).with_suffix("").parts
        files[Path(*("." + part.removeprefix(DOT) if part.startswith(DOT) else part for part in parts))] = path
    return files


def fill(text: str, filled: dict, source: Path) -> str:
    def value(match: re.Match) -> str:
        if match.group(1) not in filled:
            raise NewCourseError(f"{source}: unknown placeholder {match.group(0)}")
        return filled[match.group(1)]

    return PLACEHOLDER.sub(value, text)


def create(folder: Path, title: str | None = None, author: str | None = None, language: str | None = None) -> list[Path]:
    """Write a new course into ``folder`` (made if missing; refused unless empty); the files written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NewCourseError(f"{folder} is a file; give a new or empty folder for the course")
    if folder.is_dir() and any(folder.iterdir()):
        raise NewCourseError(f"{folder} is not empty; give a new or empty folder for the course (nothing was written)")
    filled = values(folder, title, author, language)
    texts = {name: fill(path.read_text(encoding="utf-8"), filled, path) for name, path in template_files().items()}
    written = []
    for name, text in texts.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
