"""The HTML edition's own look and markup: the course's logo and favicon, a stylesheet of
our own (``static/textbook.css``, after the theme's), one search box on a page, and header
cells that screen readers can use.

Without a favicon every page load asks the server for ``/favicon.ico`` and
gets a 404; the logo serves as both unless the course names a favicon. The
logo is ``textbook_logo`` (a file, relative to ``conf.py``), else the
generator's own (``static/textbook-logo.svg``). An empty
header cell (a DataFrame's corner, a table whose first column has no title)
announces nothing to a screen reader and is reported by axe-core as
``empty-table-header``: it holds no header, so it is written as a data cell.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from textbook.core.config import of_sphinx
from textbook.core.messages import Words

STATIC = Path(__file__).parent / "static"
LOGO = "textbook-logo.svg"
STYLESHEET = "textbook.css"
#: ``<th>`` holding nothing (or an empty paragraph, as docutils writes an empty cell).
_EMPTY_HEADER_CELL = re.compile(r"<th(\s[^>]*)?>\s*(?:<p>\s*</p>)?\s*</th>")


def add_logo_and_favicon(app: Sphinx, config) -> None:
    """``config-inited``: the logo copied to ``_static/`` and named to the navigation template;
    the favicon is the course's, else the logo."""
    project = of_sphinx(config)
    logo = project.root / project.logo if project.logo else STATIC / LOGO
    alt = project.logo_alt if project.logo else Words.of(project)("web.logo_alt")  # what the generator's logo shows
    if not logo.is_file():
        raise ConfigError(f"{project.root / 'conf.py'}: textbook_logo names {logo}, which does not exist")
    config.html_static_path = [*config.html_static_path, str(logo)]
    config.html_context = {**config.html_context, "textbook_logo": logo.name, "textbook_logo_alt": alt}
    if project.favicon:
        config.html_favicon = str(project.root / project.favicon)
    elif not config.html_favicon:
        config.html_favicon = str(logo)


def add_stylesheet(app: Sphinx, config) -> None:
    """``config-inited``: the generator's stylesheet, linked after the theme's."""
    config.html_static_path = [*config.html_static_path, str(STATIC / STYLESHEET)]
    app.add_css_file(STYLESHEET)


def one_search_box(app: Sphinx) -> None:
    """``builder-inited``, before the theme's own handler: no search button in the page header.
    The PyData theme puts one there unless told otherwise, beside the book theme's own in the
    sidebar: two boxes that do the same, and three on the search page (whose sidebar button
    and icon our templates leave out). Themes without the option are left alone."""
    theme = getattr(app.builder, "theme", None)
    if theme is not None and "navbar_persistent" in theme.get_options({}):
        app.builder.theme_options.setdefault("navbar_persistent", [])


def empty_header_cells_as_data(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``html-page-context``: write empty header cells of the page's body as data cells."""
    if "body" in context:
        context["body"] = _EMPTY_HEADER_CELL.sub(lambda m: f"<td{m.group(1) or ''}></td>", context["body"])
