"""What print needs from a resolved doctree that the other editions do not.

The printed look itself (paper, title pages, chapter openings, running heads,
code blocks kept on one page) is the print engine's template
(``typst/templates/textbook.typ``); here, a reference's name and number are
joined so that no line or page break separates them.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from textbook.core.config import of_sphinx
from textbook.core.messages import Words

#: The builder format of the print engine (``typst/builder.py``).
PRINT_FORMAT = "typst"


def numbered_name(words: Words, numfig_format: dict[str, str]) -> re.Pattern:
    """A name that a number follows in a reference: Sphinx's (``numfig_format``: "Figure 2.1",
    "Section 3") and the generator's ("Exercise 0.3", "Module 3"), in the course's language."""
    sphinx_names = [text.split("%s")[0].strip() for text in numfig_format.values() if "%s" in text]
    names = sorted({*sphinx_names, *words.numbered_names()} - {""}, key=lambda name: (-len(name), name))
    return re.compile(r"(?<!\w)(%s) (?=\d)" % "|".join(map(re.escape, names)))


def keep_numbers_with_names(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: no line or page break between "Figure" and "2.1" in print
    (a reference split over a page turn reads as "Table" at the foot, "0.1" overleaf)."""
    if app.builder.format != PRINT_FORMAT:
        return
    for reference in doctree.findall(addnodes.number_reference):
        reference["title"] = re.sub(r" (?=%s)", "\u00a0", reference.get("title", "%s"))
    name = numbered_name(Words.of(of_sphinx(app.config)), app.config.numfig_format)
    for reference in doctree.findall(nodes.reference):
        for text in list(reference.findall(nodes.Text)):
            joined = name.sub("\\1\u00a0", text.astext())
            if joined != text.astext():
                text.parent.replace(text, nodes.Text(joined))
