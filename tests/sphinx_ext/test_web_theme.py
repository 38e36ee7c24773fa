"""The HTML edition's logo, favicon and header cells (what the web gate's axe run and favicon check need)."""

import pytest
from bs4 import BeautifulSoup

from textbook.sphinx_ext.web_theme import LOGO, empty_header_cells_as_data


@pytest.mark.sphinx("html", testroot="basic", confoverrides={"html_theme": "sphinx_book_theme"})
def test_every_page_has_the_logo_as_favicon_and_the_title_in_a_landmark(app):
    app.build()
    page = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    assert page.select_one('link[rel="icon"]')["href"] == f"_static/{LOGO}"
    assert (app.outdir / "_static" / LOGO).is_file()
    brand = page.select_one("nav.textbook-brand a.navbar-brand")
    assert brand.img["src"] == f"_static/{LOGO}"
    assert brand.img["alt"].startswith("Logo: ") and app.config.html_title not in brand.img["alt"], "described, not named"
    assert brand.get_text(strip=True) == app.config.html_title


def test_empty_header_cells_become_data_cells():
    context = {"body": '<tr><th></th><th class="head"><p></p></th><th>Count</th><th colspan="2">\n</th></tr>'}
    empty_header_cells_as_data(None, "page", "page.html", context, None)
    assert context["body"] == '<tr><td></td><td class="head"></td><th>Count</th><td colspan="2"></td></tr>'
