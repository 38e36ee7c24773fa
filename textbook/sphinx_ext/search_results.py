"""Each page once in the search results (``static/textbook-search.js``).

Sphinx's search lists a page for its words and again for every index entry on
it (a glossary term's definition, each use of a term), each under the page's
title: searching for a term showed "Glossary" twice. The script wraps the
search's ``Search._performSearch`` (Sphinx 9's ``searchtools.js``, bounded in
``pyproject.toml``) and keeps each page's best-scored result. It is written
into the search page only, so no other page and no EPUB carries a script.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

SCRIPT = Path(__file__).parent / "static" / "textbook-search.js"


def add_script(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``html-page-context``: the script on the search page, after Sphinx's ``searchtools.js``."""
    if pagename == "search" and app.builder.name == "html":
        app.add_js_file(None, body=SCRIPT.read_text(encoding="utf-8"), priority=900)
