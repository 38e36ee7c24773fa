"""The book's shared code (``book/_course/``) as an input of every chapter that imports it.

The running example lives in one importable package that chapters use with
``from _course import ...``. Kernels find it because its parent folder (the
Sphinx source folder) is put on their ``PYTHONPATH``. Two things must follow
a change to it, and only for the chapters that import it:

- Sphinx must read those chapters again: each one notes the package's files
  as dependencies when it is read.
- MyST-NB must execute them again rather than take their outputs from the
  cache. The cache key of a notebook is its code cells (source and metadata),
  so a chapter that imports the package gets one more code cell, appended
  after its last line so that no line number moves: an empty cell tagged
  ``remove-cell`` whose metadata holds the package's digest. It is removed
  from every edition and from the notebook download.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from sphinx.application import Sphinx

#: The folder, under the Sphinx source folder, that holds the shared package.
PACKAGE = "_course"
#: The metadata key of the appended cell; the download leaves such cells out.
DIGEST_KEY = "textbook-shared-code"

_IMPORTS_PACKAGE = re.compile(rf"^\s*(?:from|import)\s+{PACKAGE}\b", re.M)


def package_files(srcdir: Path) -> list[Path]:
    return sorted(p for p in (Path(srcdir) / PACKAGE).rglob("*.py") if "__pycache__" not in p.parts)


def package_digest(srcdir: Path) -> str:
    digest = hashlib.sha256()
    for path in package_files(srcdir):
        digest.update(path.relative_to(srcdir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def imports_package(text: str) -> bool:
    return bool(_IMPORTS_PACKAGE.search(text))


def with_package_digest(text: str, srcdir: Path) -> str:
    """``text`` (a chapter) with the hidden digest cell appended, if it imports the package."""
    if not imports_package(text):
        return text
    cell = (
        "\n```{code-cell} ipython3\n---\n"
        f"tags: [remove-cell]\n{DIGEST_KEY}: {package_digest(srcdir)}\n---\n```\n"
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
    if not imports_package(source[0]):
        return
    for path in package_files(Path(app.srcdir)):
        app.env.note_dependency(path)
    source[0] = with_package_digest(source[0], Path(app.srcdir))
