"""Code must fit the printed page: flag source lines wider than ``textbook_code_width``.

The PDF would wrap a longer line (Sphinx's ``verbatimforcewraps``) rather
than let it run into the margin, but wrapped code is hard to read and easy to
mistype, so the author is asked to break it. Outputs of executed cells are
not checked: they are what the code printed, and they wrap.
"""

from __future__ import annotations

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


def check_code_width(app: Sphinx, doctree: nodes.document) -> None:
    limit = app.config.textbook_code_width
    for block in doctree.findall(nodes.literal_block):
        if _is_output(block):
            continue
        for offset, line in enumerate(block.astext().splitlines()):
            if len(line) > limit:
                where = (block.source, block.line + offset + 1) if block.line else block
                logger.warning(
                    "code line of %d characters is wider than the printed page allows (%d); break it",
                    len(line),
                    limit,
                    location=where,
                    type="textbook",
                    subtype="code-width",
                )
