"""Skip a build whose inputs have not changed since the last successful one.

Sphinx, MyST-NB, the figure runner and the print builder each avoid redoing
work, but just asking them costs seconds: loading Sphinx and its pickled
environment, assembling the printed book, scanning every file for leaks. When none of
the inputs changed, none of that can change the editions, so the build stops
before it imports Sphinx. The inputs are every file of the course's chapters,
its exercises and figure scripts (the folders its ``conf.py`` names), ``conf.py`` and ``pyproject.toml``, the
generator's own files, the installed Python packages and their versions,
the Poppler, browser and EPUBCheck tools, and ``SOURCE_DATE_EPOCH``.

This module imports nothing heavy on purpose: it runs first on every build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from textbook.core.config import ProjectConfig
from textbook.core.installed import installed_distributions

SOURCE_FILES = ("conf.py", "pyproject.toml")
TOOLS = ("pdftotext", "chromium", "epubcheck", "java")


def _files(root: Path) -> list[Path]:
    found = [root / name for name in SOURCE_FILES]
    for folder in ProjectConfig.read(root).source_folders:
        found += (p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    package = Path(__file__).parent.parent  # the whole generator, textbook/
    found += (p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(p for p in found if p.is_file())


def inputs_digest(root: Path) -> str:
    """A digest of everything that can change an edition."""
    digest = hashlib.sha256()
    for path in _files(root):
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update("\n".join(installed_distributions()).encode())
    for tool in TOOLS:
        path = shutil.which(tool)
        digest.update(f"{tool}={path}:{os.stat(path).st_mtime_ns if path else ''}".encode())
    digest.update(f"{sys.version}|{os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    return digest.hexdigest()


def _state_file(root: Path) -> Path:
    return ProjectConfig.read(root).build_dir / ".work" / "last-build.json"


def _load(root: Path) -> dict:
    try:
        return json.loads(_state_file(root).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def unchanged_since_last_build(root: Path, editions: list[str], digest: str, complete) -> list[str] | None:
    """The summary lines of ``editions`` if they were built from these inputs and are all
    there (``complete(edition)``), else None."""
    state = _load(root)
    built = state.get("editions", {})
    if all(built.get(edition) == digest and complete(edition) for edition in editions):
        return [line for edition in editions for line in state.get("summary", {}).get(edition, [])]
    return None


def record_build(root: Path, digest: str, summaries: dict[str, list[str]]) -> None:
    """``summaries``: each edition just built, with its lines of the build summary."""
    state = _load(root)
    state.setdefault("editions", {}).update(dict.fromkeys(summaries, digest))
    state.setdefault("summary", {}).update(summaries)
    path = _state_file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    os.replace(tmp, path)


def forget(root: Path, editions: list[str]) -> None:
    """A failed build: these editions must be rebuilt, whatever the inputs."""
    state = _load(root)
    for edition in editions:
        state.get("editions", {}).pop(edition, None)
    if state:
        _state_file(root).write_text(json.dumps(state, indent=1) + "\n")
