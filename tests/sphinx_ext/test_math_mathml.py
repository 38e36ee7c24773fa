"""Math in HTML and the EPUB as MathML: no TeX, no MathJax, the LaTeX as its text alternative,
numbered equations with their number and anchor, and a formula that cannot be written stops the
build naming its file and line."""

import re

import pytest
from bs4 import BeautifulSoup

from textbook.sphinx_ext.math_mathml import MathMLError, mathml

MATHML = "http://www.w3.org/1998/Math/MathML"


def _page(app, docname: str = "00-first") -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(), "html.parser")


@pytest.mark.sphinx("html", testroot="math")
def test_formulas_are_mathml_with_their_latex_as_text_alternative(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = _page(app)
    formulas = page.select("math")
    assert len(formulas) == 5, "three in the text, two displays"
    for formula in formulas:
        assert formula["xmlns"] == MATHML
        assert formula.parent.name in ("span", "div") and "math" in formula.parent["class"]
        annotation = formula.select_one("semantics > annotation")
        assert annotation["encoding"] == "application/x-tex"
        assert " ".join(annotation.get_text().split()) == formula["alttext"]
    inline, *_ = formulas
    assert inline["display"] == "inline" and inline["alttext"] == r"\bar{x} = \frac{1}{n}\sum_i x_i"
    assert inline.select_one("mfrac") and inline.select_one("mover[accent=true]"), "drawn, not shown as source"
    assert formulas[2]["alttext"] == r"a < b \& c", "escaped in the attribute, kept as written"
    assert [f["display"] for f in formulas[3:]] == ["block", "block"]
    scripts = [script.get("src", "") + script.get_text() for script in page.select("script")]
    assert not [script for script in scripts if "mathjax" in script.lower()], "no MathJax, from nowhere"


@pytest.mark.sphinx("html", testroot="math")
def test_a_numbered_equation_keeps_its_number_and_anchor(app):
    app.build()
    page = _page(app)
    block = page.select_one("div.math:has(mi:-soup-contains('PSI'))")
    assert block["id"] == "equation-psi"
    assert block.select_one("span.eqno").get_text(strip=True).startswith("(1)")
    assert block.select_one("span.eqno a.headerlink")["href"] == "#equation-psi"
    reference = page.select_one('a[href="#equation-psi"]:not(.headerlink)')
    assert reference and reference.get_text(strip=True) == "(1)"


@pytest.mark.sphinx("html", testroot="math")
def test_a_display_of_several_equations_is_one_formula_a_row_each(app):
    app.build()
    last = _page(app).select("math")[-1]
    assert [" ".join(row.get_text().split()) for row in last.select("semantics > mtable > mtr")] == ["a=b", "c=d"]


@pytest.mark.sphinx("html", testroot="math")
def test_a_formula_the_converter_cannot_write_stops_the_build_at_its_line(app):
    chapter = app.srcdir / "00-first.md"
    chapter.write_text(chapter.read_text() + "\nA bad one: $\\frac{1}$, and an unknown $\\foo x$.\n")
    app.build()
    warnings = app.warning.getvalue()
    line = len(chapter.read_text().splitlines())
    at = f"00-first.md:{line}: WARNING: the formula "
    assert at + '"\\frac{1}" cannot be written as MathML for the HTML and EPUB editions: a fraction or script' \
        ' missing a part' in warnings, warnings
    assert at + '"\\foo x" cannot be written as MathML for the HTML and EPUB editions: the command \\foo is' \
        ' unknown' in warnings, warnings


@pytest.mark.sphinx("singlehtml", testroot="math")
def test_the_other_html_builders_write_mathml_too(app):
    app.build()
    assert len(_page(app, "index").select("math")) == 5


@pytest.mark.parametrize(
    ("latex", "why"),
    [
        (r"\frac{a}", "missing a part"),
        (r"x^", "cannot be read"),
        (r"\foo x", r"the command \foo is unknown"),
        (r"a & b", "an & outside an alignment environment"),
        (r"\begin{aligned} a &= b \end{aligned}", "an & outside an alignment environment"),
        (r"a }", "an unbalanced brace"),
    ],
)
def test_what_the_converter_would_write_wrong_is_refused(latex, why):
    with pytest.raises(MathMLError, match=re.escape(why)):
        mathml(latex)


def test_latex2mathml_s_output_is_set_as_tex_sets_it():
    display = mathml(r"\mathrm{PSI} = \sum_{i=1}^{B} \ln \frac{a_i}{e_i}", display=True)
    assert "<mi>PSI</mi>" in display, "an upright word is one identifier"
    assert "<munderover><mo>∑</mo>" in display, "limits under and over in a display"
    assert '<munderover><mo movablelimits="true">∑</mo>' in mathml(r"\sum_{i=1}^{B} i"), "beside it in the text"
    assert '<mi>ln</mi><mo rspace="0.1667em">\u2061</mo><mfrac>' in display, "a thin space after a function"
    text = mathml(r"2\arcsin\sqrt{p} - \ln(x)")
    assert '<mn>2</mn><mspace width="0.1667em"></mspace><mi>arcsin</mi>' in text
    assert "<mi>ln</mi><mo>\u2061</mo><mo" in text, "none before a parenthesis"
