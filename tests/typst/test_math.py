"""LaTeX math in Typst: every formula of the book and its bank converts, and Typst prints it as PDF/UA-1."""

import re
from pathlib import Path

import pytest
import typst

from textbook.typst.math import MathError, _string, typst_math

REPO = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)", re.S)


def formulas() -> list[str]:
    """Every ``$...$`` and ``$$...$$`` in the chapters and the bank, outside code."""
    found = []
    for path in sorted([*REPO.glob("book/*.md"), *REPO.glob("exercises/*/*.md")]):
        text = _FENCE.sub("", path.read_text(encoding="utf-8"))
        text = re.sub(r"`[^`\n]*`", "", text)
        found += [(block or inline).strip() for block, inline in _MATH.findall(text)]
    return found


@pytest.mark.parametrize(("latex", "expected"), [
    (r"k\,s/\sqrt{n}", r"k thin s \/ sqrt(n)"),
    (r"\frac{a_i}{e_i}", "frac(attach(a, b: i), attach(e, b: i))"),
    (r"\mathrm{KL}", "upright(K) upright(L)"),
    (r"\ln 2", 'op("ln") 2'),
    (r"\hat{y} \le 1", "hat(y) ≤ 1"),
    (r"\text{if } x", '"if " x'),
    (r"\sum_{i=1}^{B} x_i", r"attach(∑, b: i \= 1, t: B) attach(x, b: i)"),
])
def test_formulas_in_typst(latex, expected):
    assert typst_math(latex) == expected


def test_what_cannot_be_written_is_refused_by_name():
    with pytest.raises(MathError, match="<mfrac> with 1 parts instead of 2"):
        typst_math(r"\frac{a}")
    with pytest.raises(MathError, match=r"cannot be read \(MissingSuperScriptOrSubscriptError\)"):
        typst_math("x^")
    with pytest.raises(MathError, match=r"the command \\unknown, which the converter does not know"):
        typst_math(r"\unknown{x}")


def test_every_formula_of_the_book_prints_as_tagged_typst(tmp_path):
    found = formulas()
    assert len(found) > 40
    body = "\n\n".join(f"#math.equation(alt: {_string(latex)}, ${typst_math(latex)}$)" for latex in found)
    source = tmp_path / "all.typ"
    source.write_text('#set document(title: "Formulas")\n#set text(lang: "en")\n' + body, encoding="utf-8")
    typst.compile(source, output=tmp_path / "all.pdf", pdf_standards=["ua-1"])
