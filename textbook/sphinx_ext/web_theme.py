"""The HTML edition's own look and markup: the book's logo and favicon, and header cells
that screen readers can use.

Without a favicon every page load asks the server for ``/favicon.ico`` and
gets a 404; the book's logo (``static/textbook-logo.svg``, drawn for this
book) serves as both, unless ``conf.py`` names another favicon. An empty
header cell (a DataFrame's corner, a table whose first column has no title)
announces nothing to a screen reader and is reported by axe-core as
``empty-table-header``: it holds no header, so it is written as a data cell.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "static"
LOGO = "textbook-logo.svg"
#: ``<th>`` holding nothing (or an empty paragraph, as docutils writes an empty cell).
_EMPTY_HEADER_CELL = re.compile(r"<th(\s[^>]*)?>\s*(?:<p>\s*</p>)?\s*</th>")


def add_logo_and_favicon(app: Sphinx, config) -> None:
    """``config-inited``: our static folder is copied to ``_static/``; the logo is the favicon."""
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    if not config.html_favicon:
        config.html_favicon = str(STATIC / LOGO)


def empty_header_cells_as_data(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``html-page-context``: write empty header cells of the page's body as data cells."""
    if "body" in context:
        context["body"] = _EMPTY_HEADER_CELL.sub(lambda m: f"<td{m.group(1) or ''}></td>", context["body"])
