"""Glossary terms used in chapters are indexed where they are used, in HTML and print."""

import pytest
from bs4 import BeautifulSoup

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


@pytest.mark.sphinx("latex", testroot="glossary")
def test_in_print_each_term_has_one_index_entry_for_its_uses_and_its_definition(app):
    app.build()
    assert app.warning.getvalue() == ""
    tex = (app.outdir / "tiny.tex").read_text()
    keys = [line.split("@")[0] for line in tex.split("\\index{")[1:]]
    assert sorted(set(keys)) == ["blue\\sphinxhyphen{}green deployment", "data drift", "population stability index"]
    terms = [_argument(tex, start + len("\\sphinxlineitem")) for start in _find_all(tex, "\\sphinxlineitem{")]
    terms = [term for term in terms if "glossary:term-" in term]
    assert len(terms) == 3
    assert not [term for term in terms if "\\index{" in term], "an entry in the term's argument is written differently"
    assert "\\renewcommand{\\sphinxstyleindexentry}[1]{#1}" in tex
    assert "\\ifcsname c@chapter\\endcsname\\printindex\\fi" in tex


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def _argument(text: str, brace: int) -> str:
    """The brace-delimited argument that opens at ``text[brace]``."""
    depth = 0
    for end in range(brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return text[brace + 1 : end]
    raise ValueError("unbalanced braces")


def test_the_html_index_links_each_page_once_bold_where_it_defines():
    from textbook.sphinx_ext.web_index import _each_page_once

    links = [(False, "a.html#use-1"), ("main", "g.html#term"), (False, "a.html#use-2"), (False, "g.html#other")]
    assert _each_page_once(links) == [(False, "a.html#use-1"), (True, "g.html#term")]


@pytest.mark.sphinx("latex", testroot="glossary")
def test_in_print_no_entry_repeats_a_page_or_spells_a_term_differently(app):
    """A use of a term inside the glossary adds no entry (the definition's page is indexed, in bold:
    a second entry there printed its number twice, "289, 289"); an entry is placed outside the
    emphasis around a use (inside it LaTeX writes "blue\\sphinxhyphen {}green", a second term)."""
    app.build()
    assert app.warning.getvalue() == ""
    tex = (app.outdir / "tiny.tex").read_text()
    glossary = tex[tex.index("\\chapter{Glossary}"):]
    assert glossary.count("\\index{data drift@") == 1  # its definition; the use in another term's is not
    assert tex.count("\\index{data drift@") == 2
    emphasised = [_argument(tex, start + len("\\sphinxstyleemphasis")) for start in _find_all(tex, "\\sphinxstyleemphasis{")]
    assert any("blue" in text for text in emphasised)
    assert not [text for text in emphasised if "\\index{" in text]
