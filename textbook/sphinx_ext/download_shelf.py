"""A place on the HTML edition's home page for the editions to download, filled after the build.

The HTML is built before the PDFs and the EPUB, so it cannot know which of
them a build will publish. The home page (``root_doc``) gets an empty,
hidden element; once every edition of a build is published, the pipeline
(``pipeline/shelf.py``) copies the student editions built with this HTML
into it and fills the element with their links. An HTML edition built alone
keeps the element empty: no link ever points at a file that is not there.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from textbook.sphinx_ext.downloads import offers_downloads

#: What the pipeline looks for in the home page and replaces.
PLACEHOLDER = '<nav id="textbook-downloads" hidden></nav>'


def leave_room(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: the empty element at the end of the home page (HTML only, not the EPUB)."""
    if docname != app.config.root_doc or not offers_downloads(app):
        return
    section = doctree.next_node(nodes.section) or doctree
    section += nodes.raw("", PLACEHOLDER, format="html")
