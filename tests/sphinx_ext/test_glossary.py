"""Glossary terms used in chapters are indexed where they are used, in HTML and print."""

import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from textbook.sphinx_ext.term_index import entry_name


@pytest.mark.parametrize(
    ("rawtext", "entry"),
    [
        ("{term}`data drift`", "data drift"),
        ("{term}`Data drift`", "data drift"),
        ("{term}`CI/CD`", "CI/CD"),
        ("{term}`PSI <population stability index>`", "population stability index"),
        (":term:`Kolmogorov-Smirnov test`", "Kolmogorov-Smirnov test"),
        ("{term}`behavioural\n  tests <behavioural test>`", "behavioural test"),
    ],
)
def test_the_entry_is_the_term_as_the_glossary_spells_it(rawtext, entry):
    assert entry_name(rawtext) == entry


@pytest.mark.sphinx("html", testroot="glossary")
def test_the_html_index_lists_each_use_beside_the_definition(app):
    app.build()
    assert app.warning.getvalue() == ""
    index = BeautifulSoup((app.outdir / "genindex.html").read_text(), "html.parser")
    entries, named = {}, {}
    for item in index.select("table.indextable li"):
        links = [a["href"] for a in item.find_all("a", recursive=False)]
        name = item.find(string=True).strip().rstrip(",")
        entries[name] = links
        named[name] = [(a.get_text(strip=True), a.strong is not None) for a in item.find_all("a", recursive=False)]
    assert set(entries) == {"blue-green deployment", "data drift", "population stability index"}
    for links in entries.values():
        assert sorted(link.split("#")[0] for link in links) == ["00-first.html", "glossary.html"], links
    for links in named.values():  # each page by its title, not "[1]"; the definition in bold
        assert links == [("Glossary", True), ("0. First module", False)]
    page = BeautifulSoup((app.outdir / "00-first.html").read_text(), "html.parser")
    for link in entries["data drift"]:
        if link.startswith("00-first.html#"):
            assert page.find(id=link.split("#")[1]) is not None


@pytest.mark.sphinx("typst", testroot="glossary")
def test_in_print_each_term_has_one_index_entry_for_its_uses_and_its_definition(app):
    app.build()
    assert app.warning.getvalue() == ""
    typ = (app.outdir / "tiny.typ").read_text()
    terms = re.findall(r'#index-entry\("([^"]+)"', typ)
    assert sorted(set(terms)) == ["blue-green deployment", "data drift", "population stability index"]
    assert "Index" in PdfReader(app.outdir / "tiny.pdf").pages[-1].extract_text(), "the book ends with its index"


def test_the_html_index_links_each_page_once_bold_where_it_defines():
    from textbook.sphinx_ext.web_index import _each_page_once

    links = [(False, "a.html#use-1"), ("main", "g.html#term"), (False, "a.html#use-2"), (False, "g.html#other")]
    assert _each_page_once(links) == [(False, "a.html#use-1"), (True, "g.html#term")]


@pytest.mark.sphinx("typst", testroot="glossary")
def test_in_print_no_entry_repeats_a_page_or_spells_a_term_differently(app):
    """A use of a term inside the glossary adds no entry (the definition's page is indexed, in bold:
    a second entry there printed its number twice, "289, 289"); an entry is placed outside the
    emphasis around a use."""
    app.build()
    assert app.warning.getvalue() == ""
    typ = (app.outdir / "tiny.typ").read_text()
    glossary = typ[typ.index("[Glossary]"):]
    assert glossary.count('#index-entry("data drift"') == 1  # its definition; the use in another term's is not
    assert typ.count('#index-entry("data drift"') == 2
    emphasised = re.findall(r"#emph\[([^\]]*)\]", typ)
    assert any("blue" in text for text in emphasised)
    assert not [text for text in emphasised if "#index-entry" in text]
