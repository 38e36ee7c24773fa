"""Every internal of another package that the generator replaces, in one table.

Each replacement leans on code that its package may change in any release
without notice, so each is declared here with the releases it was written
for, and made only through ``replace``, which refuses any other release with
a message that says what to do. A patch not in the table is refused too:
adding one means saying here what it replaces and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

from packaging.specifiers import SpecifierSet
from packaging.version import Version


class PatchError(RuntimeError):
    """A replacement the installed package was not written for."""


@dataclass(frozen=True)
class Patch:
    distribution: str
    written_for: str  # the releases whose internals were read, as a version specifier
    why: str


#: ``module.Owner.attribute`` (or ``module.attribute``) -> what may replace it.
PATCHES = {
    "myst_nb.core.render.coalesce_streams": Patch(
        "myst-nb", ">=1.4,<1.5", "a stream's pieces joined exactly before MyST-NB coalesces them (streams.py)"),
    "sphinx.domains.std.StandardDomain._resolve_numref_xref": Patch(
        "sphinx", ">=9.0,<10", "a {numref} reads its target chapter once per build (numref_targets.py)"),
    "sphinx.search.IndexBuilder.load": Patch(
        "sphinx", ">=9.0,<10", "index entries of unchanged pages kept by an incremental build (search_index.py)"),
    "sphinx.search.IndexBuilder.prune": Patch(
        "sphinx", ">=9.0,<10", "index entries of removed pages dropped (search_index.py)"),
    "sphinx.search.IndexBuilder.freeze": Patch(
        "sphinx", ">=9.0,<10", "index entries in page order, for byte-identical builds (search_index.py)"),
    "sphinx_autobuild.__main__.Builder": Patch(
        "sphinx-autobuild", ">=2024.10,<2026", "each rebuild of the preview in a fresh process (serve.py)"),
    "sphinx_autobuild.__main__.JavascriptInjectorMiddleware": Patch(
        "sphinx-autobuild", ">=2024.10,<2026", "pages sent without a length while Sphinx writes them (serve.py)"),
}  # fmt: skip


def check(name: str) -> Patch:
    """The declared patch ``name``, if the installed package is a release it was written for."""
    patch = PATCHES.get(name)
    if patch is None:
        raise PatchError(f"{name} is replaced but not declared in textbook/core/patches.py; declare it there")
    installed = version(patch.distribution)
    if Version(installed) not in SpecifierSet(patch.written_for):
        raise PatchError(
            f"the generator replaces {name} ({patch.why}), written for {patch.distribution} "
            f"{patch.written_for}, but {patch.distribution} {installed} is installed: install a release "
            f"it was written for (pip install '{patch.distribution}{patch.written_for}'), or read the new "
            "release's code and update the replacement and its range in textbook/core/patches.py"
        )
    return patch


def qualified_name(owner: object, attribute: str) -> str:
    """``module.Owner.attribute`` of a class's attribute, ``module.attribute`` of a module's."""
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__qualname__}.{attribute}"
    return f"{owner.__name__}.{attribute}"


def replace(owner: object, attribute: str, replacement: Callable | type) -> None:
    """Set ``owner.attribute`` (a class's or a module's) to ``replacement``, once checked."""
    name = qualified_name(owner, attribute)
    check(name)
    if not hasattr(owner, attribute):
        raise PatchError(f"{name} no longer exists; the replacement in textbook/core/patches.py needs updating")
    setattr(owner, attribute, replacement)
