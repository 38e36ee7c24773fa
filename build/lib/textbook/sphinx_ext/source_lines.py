"""Send an author to the file and line that hold a piece of text.

Node line numbers inside notebook cells are not reliable enough to point an
author at, so the checks that flag text search their sources for it: the
node's own file first (an exercise of the bank), then the chapter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docutils import nodes


def locate(node: nodes.Node, chapter: Path, holds: Callable[[str], bool]):
    """``file:line`` of the first line for which ``holds`` is true, else ``node`` itself
    (Sphinx then reports the node's own, rougher, location)."""
    own = Path(node.source) if getattr(node, "source", None) else None
    for source in (own, chapter):
        if source is not None and source.is_file():
            for number, text in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                if holds(text):
                    return f"{source}:{number}"  # a string: Sphinx shows it as it is
    return node
