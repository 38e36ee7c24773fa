"""The packages a piece of code imports, as the distributions a reader installs to run it.

A downloaded notebook says what it needs (a starter notebook, a chapter to
run): the names its code imports, less the standard library and the
course's shared code, found with ``ast`` and mapped to the installed
distributions that provide them.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from textbook.core.installed import installed_distributions

#: Imported names that are no package to install (besides the course's shared code).
STANDARD_LIBRARY = frozenset(sys.stdlib_module_names)
#: IPython's magics and shell escapes, which are not Python.
_NOT_PYTHON = re.compile(r"^\s*[%!].*$", re.M)


def imported(code: str) -> set[str]:
    """The top-level names of the modules ``code`` imports (a cell that is not Python imports nothing)."""
    try:
        tree = ast.parse(_NOT_PYTHON.sub("", code))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@cache
def _installed(cache_file: Path | None) -> dict[str, list[str]]:
    """Import names to the distributions providing them. ``packages_distributions`` reads every
    distribution's list of files (half a second); ``cache_file`` keeps its answer for as long as
    the same distributions are installed."""
    listing = installed_distributions()
    kept = _read_kept(cache_file)
    if kept.get("installed") == listing:
        return kept["providers"]
    providers = packages_distributions()
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({"installed": listing, "providers": providers}), encoding="utf-8")
    return providers


def _read_kept(cache_file: Path | None) -> dict:
    """What ``cache_file`` keeps; nothing if it is missing or half written (a build killed)."""
    try:
        return json.loads(cache_file.read_text(encoding="utf-8")) if cache_file is not None else {}
    except (OSError, ValueError):
        return {}


def distribution(module_name: str, cache_file: Path | None = None) -> str:
    """The package to install for an import: the one named like it, else the first by name."""
    found = _installed(cache_file).get(module_name, [module_name])
    same = [d for d in found if d.lower().replace("_", "-") == module_name.lower().replace("_", "-")]
    return (same or sorted(found))[0]


def to_install(names, shared: str, cache_file: Path | None = None) -> list[str]:
    """The distributions for the imported ``names``, less the standard library and ``shared``,
    sorted; ``cache_file`` keeps which distribution provides what (``_installed``)."""
    return sorted({distribution(name, cache_file) for name in names if name not in STANDARD_LIBRARY | {shared}})
