"""Keep-together in print: what must not be split by a page break.

The page-layout gate (``textbook/gates/page_layout.py``) fails a build whose
headings are stranded at the foot of a page; kept units are what prevents it.
A ``keep_edge`` pair marks a unit (an exercise's title, prompt and first
block; the module overview box); the print engine (``typst/translator.py``,
the template's ``keep``) starts a new page unless the unit fits on this one
with the room it asks for below it, and lets a unit taller than a page break
(it starts a new page unless a fifth of a page of it fits on this one). The
other editions skip the edges.
"""

from __future__ import annotations

from docutils import nodes


class keep_edge(nodes.General, nodes.Element):
    """Where a kept unit starts (``starts``) or ends; only print reads it (the room a unit keeps
    under it is the answer space that follows it, ``typst/translator.py``)."""


def begin() -> keep_edge:
    """Start a unit kept on one page."""
    return keep_edge(starts=True)


def end() -> keep_edge:
    return keep_edge()


def skip(self, node: nodes.Element) -> None:
    raise nodes.SkipNode


#: The writers that skip a unit's edges (print reads them in its own translator).
VISITORS = {writer: (skip, None) for writer in ("html", "text", "man", "texinfo")}
