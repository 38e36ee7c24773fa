"""The HTML index page names where each link leads (``templates/genindex.html``).

Sphinx's index shows an entry's uses after the first as "[1] [2] [3]"; a
reader cannot tell a definition from a passing use, nor one chapter from
another. The template links each page that uses an entry once, by the page's
title as the navigation shows it (with its number), the definition in bold.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _page_titles(app: Sphinx) -> dict[str, str]:
    """Each page's address (as index links give it) and its title, numbered as in the navigation."""
    titles = {}
    for docname, title in app.env.titles.items():
        number = app.env.toc_secnumbers.get(docname, {}).get("")
        prefix = ".".join(map(str, number)) + ". " if number else ""
        titles[app.builder.get_target_uri(docname)] = prefix + title.astext()
    return titles


def _each_page_once(links: list) -> list[tuple[bool, str]]:
    """An entry's links, one a page: its first, bold when any link to that page is a definition."""
    pages: dict[str, list] = {}
    for main, link in links:
        page = pages.setdefault(link.split("#")[0], [False, link])
        page[0] = page[0] or bool(main)
    return [(main, link) for main, link in pages.values()]


def add_page_titles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``html-page-context``: what the index template needs to name each page it links."""
    if pagename == "genindex":
        context["textbook_index_pages"] = _page_titles(app)
        context["textbook_index_links"] = _each_page_once
