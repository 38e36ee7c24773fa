"""The packages a piece of code imports, as the distributions a reader installs to run it.

A downloaded notebook says what it needs (a starter notebook, a chapter to
run): the names its code imports, less the standard library and the
course's shared code, found with ``ast`` and mapped to the installed
distributions that provide them.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from importlib.metadata import packages_distributions

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
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def distribution(module_name: str) -> str:
    """The package to install for an import: the one named like it, else the first by name."""
    found = _installed().get(module_name, [module_name])
    same = [d for d in found if d.lower().replace("_", "-") == module_name.lower().replace("_", "-")]
    return (same or sorted(found))[0]


def to_install(names, shared: str) -> list[str]:
    """The distributions for the imported ``names``, less the standard library and ``shared``, sorted."""
    return sorted({distribution(name) for name in names if name not in STANDARD_LIBRARY | {shared}})
