"""Refuse a MyST role written inside math.

Inside ``$...$`` or ``$$...$$`` MyST does not parse roles, so a
``{term}`...``` there is typeset as its own source (braces, backticks and
all) in every edition. The author is sent to the line, to move the role into
the prose around the formula.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from textbook.sphinx_ext.source_lines import locate

logger = logging.getLogger(__name__)

ROLE = re.compile(r"\{[A-Za-z][\w:.+-]*\}`[^`]*`")


def refuse_roles_in_math(app: Sphinx, doctree: nodes.document) -> None:
    chapter = Path(app.env.doc2path(app.env.docname))
    for formula in doctree.findall(lambda node: isinstance(node, (nodes.math, nodes.math_block))):
        for role in ROLE.findall(formula.astext()):
            logger.warning(
                "the role %s is inside math, where it is typeset as its source; "
                "move it out of the formula into the sentence around it",
                role,
                location=locate(formula, chapter, lambda line, role=role: role in line),
                type="textbook",
                subtype="role-in-math",
            )
