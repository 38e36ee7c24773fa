"""The course's shared code (a package in the chapters folder, ``textbook_course_code``) as an input of every chapter that imports it.

The running example lives in one importable package that chapters use with
``from _course import ...`` (the package's name is a setting; ``_course`` by default). Kernels find it because its parent folder (the
Sphinx source folder) is put on their ``PYTHONPATH``. Two things must follow
a change to one of its modules, and only for the chapters whose code imports
that module, directly or through another module of the package (and every
chapter that imports the package at all runs its ``__init__.py``):

- Sphinx must read those chapters again: each one notes the files it runs
  as dependencies when it is read.
- MyST-NB must execute them again rather than take their outputs from the
  cache. The cache key of a notebook is its code cells (source and metadata),
  so a chapter that imports the package gets one more code cell, appended
  after its last line so that no line number moves: an empty cell tagged
  ``remove-cell`` whose metadata holds the digest of the files it runs. It is removed
  from every edition and from the notebook download.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from sphinx.application import Sphinx

from textbook.core.config import of_sphinx

#: The metadata key of the appended cell; the download leaves such cells out.
DIGEST_KEY = "textbook-shared-code"

@lru_cache
def _chapter_import(name: str) -> re.Pattern:
    """``from _course.data import x``, ``from _course import data, model``, ``import _course.data``"""
    name = re.escape(name)
    return re.compile(rf"^\s*(?:from\s+{name}(?:\.(\w+))?\s+import\s+\(?([\w\s,]+)|import\s+{name}(?:\.(\w+))?)", re.M)


def _module_file(package: Path, name: str) -> Path | None:
    path = package / f"{name}.py"
    return path if path.is_file() else None


def _imports_of(path: Path, package: Path) -> set[Path]:
    """The package's modules that ``path`` (one of them) imports, relatively or by name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 1 or node.module == package.name or (node.module or "").startswith(f"{package.name}."):
            module = (node.module or "").removeprefix(package.name).lstrip(".") if node.level == 0 else node.module
            names = [module] if module else [alias.name for alias in node.names]
            found.update(f for f in (_module_file(package, n.split(".")[0]) for n in names) if f)
    return found


def chapter_dependencies(text: str, package: Path) -> list[Path]:
    """The package files a chapter runs: ``__init__.py`` (every import runs it), the modules
    its code imports, and theirs, transitively. Empty if it imports nothing of the package."""
    matches = list(_chapter_import(package.name).finditer(text))
    if not matches:
        return []
    init = package / "__init__.py"
    todo = {init} if init.is_file() else set()
    for match in matches:
        module, names, imported = match.groups()
        if module or imported:
            candidates = [module or imported]
        else:  # ``from _course import a, b`` (modules or names of __init__), or ``import _course``
            candidates = re.split(r"[\s,]+", (names or "").strip())
        todo.update(f for f in (_module_file(package, c) for c in candidates if c) if f)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo |= _imports_of(path, package) - seen
    return sorted(seen)


def digest_of(files: list[Path], package: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def shared_package(srcdir: Path, config) -> Path:
    """The folder of the shared package: ``textbook_course_code`` in the chapters (source) folder."""
    return Path(srcdir) / of_sphinx(config).course_code


def with_package_digest(text: str, package: Path) -> str:
    """``text`` (a chapter) with the hidden digest cell appended, if it imports the package."""
    files = chapter_dependencies(text, package)
    if not files:
        return text
    cell = (
        "\n```{code-cell} ipython3\n---\n"
        f"tags: [remove-cell]\n{DIGEST_KEY}: {digest_of(files, package)}\n---\n```\n"
    )
    return text.rstrip("\n") + "\n" + cell


def put_package_on_kernel_path(app: Sphinx, config) -> None:
    """Kernels (and the processes that start them) can import the package; they write no
    ``__pycache__`` into the sources."""
    srcdir = str(app.srcdir)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if srcdir not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([srcdir, *paths])
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def mark_importing_chapter(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: a chapter that imports the package depends on its files, and its
    cache key on their digest."""
    package = shared_package(app.srcdir, app.config)
    for path in chapter_dependencies(source[0], package):
        app.env.note_dependency(path)
    source[0] = with_package_digest(source[0], package)
