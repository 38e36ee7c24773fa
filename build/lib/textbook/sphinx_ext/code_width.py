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

from textbook.sphinx_ext.source_lines import locate

logger = logging.getLogger(__name__)


def _is_output(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_output" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def check_code_width(app: Sphinx, doctree: nodes.document) -> None:
    limit = app.config.textbook_code_width
    chapter = Path(app.env.doc2path(app.env.docname))
    for block in doctree.findall(nodes.literal_block):
        if _is_output(block):
            continue
        for line in block.astext().splitlines():
            if len(line) > limit:
                where = locate(block, chapter, line.__eq__)
                logger.warning(
                    "code line of %d characters is wider than the printed page allows (%d); break it",
                    len(line),
                    limit,
                    location=where,
                    type="textbook",
                    subtype="code-width",
                )
