"""Numbered references find their target without unpickling its chapter once per reference.

Sphinx's standard domain resolves each ``{numref}`` by loading the target
document's doctree from its pickle (``env.get_doctree``), every time: the
book's 78 references cost 2.4 s of each print build (which assembles the whole
book) and a tenth of a second per reference in a chapter's HTML. The lookup
only reads the target node's kind and ids, so it reads them from stand-ins kept
with the document's outline in the environment (``figure_numbering.py``), or,
for a document outside the numbered toctree, from one unpickled copy per
document, kept until the document is read again.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

from docutils import nodes
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment

from textbook.core import patches
from textbook.sphinx_ext import figure_numbering

_resolve_numref_xref = StandardDomain._resolve_numref_xref
#: Per environment: docname -> (the time it was read, its doctree, never modified).
_read_only: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, tuple[int, nodes.document]]] = (
    weakref.WeakKeyDictionary()
)


class _Targets(NamedTuple):
    """A document as the resolver reads it: ``ids``, its elements by id (stand-ins that carry what
    it reads of them: their kind and ids), kept with the document's outline in the environment."""

    ids: dict[str, nodes.Element]


class _KeptDoctrees:
    """The environment, as the numref resolver sees it: ``get_doctree`` returns a kept copy."""

    def __init__(self, env: BuildEnvironment):
        self._env = env
        self._kept = _read_only.setdefault(env, {})

    def get_doctree(self, docname: str) -> nodes.document | _Targets:
        stand_ins = figure_numbering.targets(self._env, docname)
        if stand_ins is not None:
            return _Targets(stand_ins)
        read_at = self._env.all_docs.get(docname)
        kept = self._kept.get(docname)
        if kept is None or kept[0] != read_at:
            kept = self._kept[docname] = (read_at, self._env.get_doctree(docname))
        return kept[1]

    def __getattr__(self, name: str):
        return getattr(self._env, name)


def _resolve_with_kept_doctrees(self: StandardDomain, env: BuildEnvironment, *args, **kwargs):
    return _resolve_numref_xref(self, _KeptDoctrees(env), *args, **kwargs)


def keep_target_doctrees() -> None:
    patches.replace(StandardDomain, "_resolve_numref_xref", _resolve_with_kept_doctrees)
