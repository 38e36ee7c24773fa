"""Columns of numbers marked for the web editions, which align them on the right.

A column of amounts read left-aligned puts units under thousands; every
table's column whose body cells are all numbers ("426", "1,426", "0.987",
"-3", "12 %", "1e-05"; empty cells aside) gets the class ``textbook-number`` on
its cells, header included, which ``static/textbook.css`` sets right-aligned
with room on both sides. A table with spanning cells is left as it is: its
columns are not one cell per row.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

CLASS = "textbook-number"
#: A number as a table prints it: sign, thousands separators, decimals, exponent, percent.
NUMBER = re.compile(r"[+\-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+\-]?\d+)?\s?%?")


def is_number(text: str) -> bool:
    text = text.strip()
    return any(c.isdigit() for c in text) and NUMBER.fullmatch(text) is not None


def _rows(group: nodes.tgroup, part: type[nodes.Element]) -> list[list[nodes.entry]]:
    """The entries of each row of ``group``'s head or body (not of a table nested in a cell)."""
    return [
        [entry for entry in row.children if isinstance(entry, nodes.entry)]
        for section in group.children if isinstance(section, part)
        for row in section.children if isinstance(row, nodes.row)
    ]


def mark_number_columns(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: in HTML and the EPUB, mark every column of numbers."""
    if app.builder.format != "html":
        return
    for group in doctree.findall(nodes.tgroup):
        body = _rows(group, nodes.tbody)
        rows = _rows(group, nodes.thead) + body
        if not body or any(entry.get("morecols") or entry.get("morerows") for row in rows for entry in row):
            continue
        for column in range(group["cols"]):
            cells = [row[column].astext() for row in body if column < len(row)]
            if any(is_number(text) for text in cells) and all(is_number(t) or not t.strip() for t in cells):
                for row in rows:
                    if column < len(row):
                        row[column]["classes"].append(CLASS)
