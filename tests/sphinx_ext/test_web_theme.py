"""The HTML edition's logo, favicon and header cells (what the web gate's axe run and favicon check need)."""

import pytest
from bs4 import BeautifulSoup

from textbook.sphinx_ext.numeric_columns import is_number
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


@pytest.mark.sphinx("html", testroot="glossary", confoverrides={"html_theme": "sphinx_book_theme"})
def test_one_search_box_columns_of_numbers_marked_and_each_page_once_in_search_results(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = BeautifulSoup((app.outdir / "00-first.html").read_text(), "html.parser")
    assert not page.select("header.bd-header .search-button__button"), "no search button in the page header"
    search = BeautifulSoup((app.outdir / "search.html").read_text(), "html.parser")
    assert not search.select(".search-button__button"), "the search page's own box is its only one"
    marked = [cell.get_text(strip=True) for cell in page.select("table .textbook-number")]
    assert marked == ["Rows", "AUC", "426", "0.91", "1,426", "0.987"]
    assert "Search._performSearch" in str(search) and "Search._performSearch" not in str(page)


@pytest.mark.parametrize("text", ["426", "1,426", "-0.5", "\u22123", "12 %", "1e-05", "0.0e+00", "+7"])
def test_numbers_as_tables_print_them(text):
    assert is_number(text)


@pytest.mark.parametrize("text", ["", "n/a", "v1.2", "2026-11-26", "1.2.3", "12 kg", "1,23", "-"])
def test_what_is_not_a_number(text):
    assert not is_number(text)
