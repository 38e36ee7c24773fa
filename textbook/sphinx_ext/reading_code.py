"""What of the generator can change a doctree: the code the Sphinx extension runs.

Sphinx re-reads every document when an ``env`` configuration value changes.
The extension keeps one such value, a digest of its own code, so that a
reader changed by a new version of the generator is not served from
doctrees an older one made. The digest covers the modules the extension
imports, followed import by import inside the package, with the files
beside them (templates, styles); the command line, the build pipeline's
orchestration and other code that never runs inside Sphinx stay out, so
editing them does not make Sphinx read the whole book again.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
#: Where Sphinx enters the generator: the extension, and the exercise extension it sets up by name.
ENTRIES = ("textbook.sphinx_ext.extension", "textbook.exercises")


def _module_file(package: Path, name: str) -> Path | None:
    parts = name.split(".")[1:]
    for candidate in (package.joinpath(*parts).with_suffix(".py"), package.joinpath(*parts, "__init__.py")):
        if parts and candidate.is_file():
            return candidate
    return None


@cache
def _imported(source: bytes, top: str) -> frozenset[str]:
    """Names of the package's modules a module's ``source`` imports (``from a import b`` may
    import module a.b); kept by its bytes, as a build runs Sphinx, and so this, several times."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.split(".")[0] == top}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == top:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return frozenset(names)


def reading_modules(package: Path = PACKAGE, entries: tuple[str, ...] = ENTRIES) -> list[Path]:
    """The files of every module reachable by imports from ``entries``, with each package's
    ``__init__.py``, sorted."""
    top = package.name
    seen: set[Path] = set()
    pending = list(entries)
    while pending:
        name = pending.pop()
        names = [".".join(name.split(".")[: i + 1]) for i in range(1, name.count(".") + 1)]
        for path in filter(None, (_module_file(package, n) for n in names)):
            if path not in seen:
                seen.add(path)
                pending.extend(_imported(path.read_bytes(), top))
    return sorted(seen)


def digest(package: Path = PACKAGE, entries: tuple[str, ...] = ENTRIES) -> str:
    """A digest of the modules reachable from ``entries`` and of the data files in their folders."""
    modules = reading_modules(package, entries)
    folders = {path.parent for path in modules}
    data = [path for folder in folders for path in folder.rglob("*")
            if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts]  # fmt: skip
    hasher = hashlib.sha256()
    for path in sorted({*modules, *data}):
        hasher.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()[:16]
