"""LaTeX math, as chapters write it, in Typst's math syntax, through MathML.

``latex2mathml`` parses the LaTeX (no TeX installation needed) and this
module writes the MathML tree as Typst: ``mfrac`` as ``frac(a, b)``, scripts
through ``attach``, accents as ``hat(y)``, text as strings. Every ASCII
punctuation mark is escaped, so nothing in a formula reads as Typst syntax
(``/`` would be a fraction, ``a_i`` a script, ``<=`` an arrow). A construct
this module does not know raises ``MathError`` naming it: a formula is
printed right or the build stops.
"""

from __future__ import annotations

import string
import xml.etree.ElementTree as ElementTree

from latex2mathml.converter import convert

_NS = "{http://www.w3.org/1998/Math/MathML}"
#: Multi-letter identifiers Typst knows as operators (upright, spaced as functions).
OPERATORS = frozenset("arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd inf ker lg lim liminf "
                      "limsup ln log max min mod Pr sec sin sinh sup tan tanh".split())
#: Accents ``mover`` carries, by the character LaTeX's command gives.
ACCENTS = {"^": "hat", "\u02c6": "hat", "~": "tilde", "\u02dc": "tilde", "\u00af": "overline", "\u203e": "overline",
           "\u02d9": "dot", "\u00a8": "dot.double", "\u2192": "arrow", "\u20d7": "arrow", "\u02c7": "caron",
           "\u02d8": "breve", "\u00b4": "acute", "`": "grave"}
#: ``mspace`` widths (em) and Typst's names for them.
SPACES = {0.167: "thin", 0.222: "med", 0.278: "thick", 1.0: "quad", 2.0: "wide"}
#: Layout elements with a fixed number of parts (a fraction: numerator, denominator), as Typst writes them.
LAYOUTS = {
    "mfrac": "frac({0}, {1})",
    "mroot": "root({1}, {0})",
    "msub": "attach({0}, b: {1})",
    "msup": "attach({0}, t: {1})",
    "msubsup": "attach({0}, b: {1}, t: {2})",
    "mover": "attach(limits({0}), t: {1})",
    "munder": "attach(limits({0}), b: {1})",
    "munderover": "attach(limits({0}), b: {1}, t: {2})",
}


class MathError(ValueError):
    """A formula this module cannot write as Typst; the message names the construct."""


def _escaped(text: str) -> str:
    return "".join(f"\\{c}" if c in string.punctuation else c for c in text)


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _space(element) -> str:
    width = element.get("width", "0em")
    try:
        em = float(width.removesuffix("em"))
    except ValueError:
        raise MathError(f"a space of width {width!r}") from None
    if em <= 0:
        return ""
    return SPACES.get(round(em, 3), "thin")


def _identifier(text: str, variant: str | None) -> str:
    if text.startswith("\\") and len(text) > 1:
        raise MathError(f"the command {text}, which the converter does not know")
    if len(text) > 1:
        return f"op({_string(text)})" if text in OPERATORS else _string(text)
    if variant == "normal" and text.isalpha():
        return f"upright({text})"
    if variant == "bold":
        return f"bold({_escaped(text)})"
    return _escaped(text)


def _typst(element) -> str:
    tag = element.tag.removeprefix(_NS)
    text = element.text or ""
    if tag in ("math", "mrow", "mstyle", "mpadded", "semantics", "menclose", "mtd"):
        return " ".join(part for part in map(_typst, element) if part)
    if tag == "mi":
        return _identifier(text, element.get("mathvariant"))
    if tag == "mn":
        return _escaped(text)
    if tag == "mo":
        return _escaped(text) if text.strip() else ""
    if tag == "mtext":
        return _string(text.replace("\u00a0", " ")) if text else ""
    if tag == "mspace":
        return _space(element)
    if tag == "mphantom":
        return ""
    if tag == "msqrt":
        return f"sqrt({' '.join(_typst(child) for child in element)})"
    if tag == "mover" and element.get("accent") == "true":
        accent = (element[1].text or "").strip() if len(element) == 2 else ""
        if accent not in ACCENTS:
            raise MathError(f"an accent {accent!r}")
        return f"{ACCENTS[accent]}({_typst(element[0])})"
    if tag in LAYOUTS:
        parts = [_typst(child) or '""' for child in element]
        wanted = LAYOUTS[tag].count("{")
        if len(parts) != wanted:
            raise MathError(f"<{tag}> with {len(parts)} parts instead of {wanted} (a \\frac or script missing a group?)")
        return LAYOUTS[tag].format(*parts)
    if tag == "mtable":
        rows = "; ".join(", ".join(_typst(cell) or '""' for cell in row) for row in element)
        return f"mat(delim: #none, {rows})"
    raise MathError(f"the MathML element <{tag}>")


def typst_math(latex: str) -> str:
    """The Typst math (without the ``$`` around it) for a LaTeX formula; MathError if it cannot be written."""
    try:
        mathml = convert(latex)
    except Exception as error:  # latex2mathml raises its own and Python's exceptions for bad LaTeX
        raise MathError(f"the LaTeX cannot be read ({type(error).__name__}{f': {error}' if str(error) else ''})") from None
    return _typst(ElementTree.fromstring(mathml))
