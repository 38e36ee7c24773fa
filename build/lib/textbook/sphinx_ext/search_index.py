"""Keep unchanged pages' index entries in the search index of an incremental build.

Sphinx 9 keeps what the search index knows of each page in the environment,
but it records a page's index entries (the glossary's terms, each use of a
term) only while writing the page, after the environment was saved. On the
next build ``IndexBuilder.load`` restores every other part of the index from
``searchindex.js``, but not the index entries. An incremental build would then
drop the entries of every page it does not rewrite, and two builds of the
same sources would differ. We restore them as well, prune them as Sphinx
prunes the rest (for the pages about to be written again), and freeze them
in page order, whichever pages were written last.
"""

from __future__ import annotations

import io

from sphinx.search import IndexBuilder

from textbook.core import patches

_load = IndexBuilder.load
_prune = IndexBuilder.prune
_freeze = IndexBuilder.freeze


def _load_with_index_entries(self: IndexBuilder, stream, format) -> None:
    raw = stream.read()
    _load(self, io.StringIO(raw) if isinstance(raw, str) else io.BytesIO(raw), format)
    frozen = (self.formats[format] if isinstance(format, str) else format).loads(raw)
    docnames = frozen["docnames"]
    restored: dict[str, list[tuple[str, str, str]]] = {}
    for entry, uses in frozen.get("indexentries", {}).items():
        for doc_index, target, main in uses:
            restored.setdefault(docnames[doc_index], []).append((entry, target, "main" if main else ""))
    self._index_entries.clear()
    self._index_entries.update({docname: sorted(entries) for docname, entries in restored.items()})


def _prune_with_index_entries(self: IndexBuilder, docnames) -> None:
    docnames = set(docnames)
    _prune(self, docnames)
    for docname in [d for d in self._index_entries if d not in docnames]:
        del self._index_entries[docname]


def _freeze_in_page_order(self: IndexBuilder):
    ordered = sorted(self._index_entries.items())
    self._index_entries.clear()
    self._index_entries.update(ordered)
    return _freeze(self)


def keep_index_entries() -> None:
    patches.replace(IndexBuilder, "load", _load_with_index_entries)
    patches.replace(IndexBuilder, "prune", _prune_with_index_entries)
    patches.replace(IndexBuilder, "freeze", _freeze_in_page_order)
