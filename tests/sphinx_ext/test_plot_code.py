"""Cells tagged plot-code: collapsed input in HTML, a one-line note instead of the code in print."""

import pytest
from bs4 import BeautifulSoup

from textbook.sphinx_ext.plot_code import PRINT_NOTE

TAUGHT, PLOT, OUTPUT = "taught = sum(range(10))", 'styling = "drawn " * 3', "the figure, drawn drawn drawn"


@pytest.mark.sphinx("html", testroot="plot-code")
def test_html_collapses_the_plot_code_and_shows_the_rest(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = BeautifulSoup((app.outdir / "00-plot.html").read_text(), "html.parser")
    taught, plot = page.select("div.cell")
    assert not taught.select("details") and TAUGHT in taught.get_text()
    collapsed = plot.select_one("details.hide.above-input")
    assert PLOT in collapsed.select_one(".cell_input").get_text()
    assert collapsed.summary.get_text(" ", strip=True).startswith("Show code cell source")
    assert not collapsed.summary.has_attr("aria-label")  # its name is its visible text
    assert OUTPUT in plot.select_one(".cell_output").get_text()
    assert PRINT_NOTE not in page.get_text()


@pytest.mark.sphinx("typst", testroot="plot-code")
def test_print_has_the_note_and_the_output_but_not_the_plot_code(app):
    app.build()
    assert app.warning.getvalue() == ""
    printed = (app.outdir / "abookwithplotcode.typ").read_text().replace("\\", "")  # markup escapes aside
    assert PRINT_NOTE in printed and OUTPUT in printed
    assert "styling" not in printed
    assert "taught" in printed  # code without the tag stays
