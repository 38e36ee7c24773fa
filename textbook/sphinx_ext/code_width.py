"""Code must fit the printed page: flag source lines wider than ``textbook_code_width``.

The PDF would wrap a longer line (Sphinx's ``verbatimforcewraps``) rather
than let it run into the margin, but wrapped code is hard to read and easy to
mistype, so the author is asked to break it. Outputs of executed cells are
not checked: they are what the code printed, and they wrap.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _is_output(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_output" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def _locate(block: nodes.literal_block, chapter: Path, line: str):
    """The file and line that hold ``line``: the block's own source if it is a file
    (an exercise in the bank), else the chapter. Node line numbers of notebook
    cells are not reliable enough to send an author to."""
    for source in (Path(block.source) if block.source else None, chapter):
        if source is not None and source.is_file():
            for number, text in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                if text == line:
                    return f"{source}:{number}"  # a string: Sphinx shows it as it is
    return block


def check_code_width(app: Sphinx, doctree: nodes.document) -> None:
    limit = app.config.textbook_code_width
    chapter = Path(app.env.doc2path(app.env.docname))
    for block in doctree.findall(nodes.literal_block):
        if _is_output(block):
            continue
        for line in block.astext().splitlines():
            if len(line) > limit:
                where = _locate(block, chapter, line)
                logger.warning(
                    "code line of %d characters is wider than the printed page allows (%d); break it",
                    len(line),
                    limit,
                    location=where,
                    type="textbook",
                    subtype="code-width",
                )
