"""Math in the HTML edition and the EPUB as MathML, written with the page.

``latex2mathml`` converts each formula's LaTeX (no TeX installation, no
MathJax, nothing fetched: the pages work offline); browsers draw MathML
Core (Chromium, Firefox, Safari) and so do EPUB 3 reading systems. Every
formula carries its LaTeX twice, for a reader that cannot use the MathML: as
the ``alttext`` of ``<math>`` and as an ``application/x-tex`` annotation.
Registered with Sphinx as the HTML math renderer ``mathml``
(``html_math_renderer``, chosen when ``conf.py`` chooses none), so every
HTML-family builder (html, dirhtml, singlehtml, epub) writes it.

A formula the converter cannot read, or reads as something else than LaTeX
means (a command it does not know written as its name, a fraction or script
missing a part, a stray ``&`` or brace), is a warning naming its file, line
and formula, which fails the build (``-W``); the formula is never shown wrong.

latex2mathml's output, adjusted to look as TeX sets it:

* a function's name (``\\ln``, ``\\arcsin``) is followed by the
  function-application operator and a thin space before what it applies to
  (none before a parenthesis), and preceded by a thin space after a number or
  letter (``2\\arcsin``), as TeX spaces its operators;
* the limits of ``\\sum``, ``\\prod``, ``\\lim`` or ``\\max`` go under and over
  (``munderover``, with movable limits: beside the operator in a formula in
  the text, under and over in a display, as in TeX);
* upright letters from ``\\mathrm{PSI}`` are one identifier, read as a word
  rather than spelled out;
* ``\\bar`` and the other accents are accents (set close to their letter);
* a slash has no space around it (``1/n``), and neither has an operator in
  a script or limit (``z_{1-\\alpha/2}``, ``i=1`` under a sum).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

from textbook.sphinx_ext.source_lines import locate

logger = logging.getLogger(__name__)

NAME = "mathml"
NS = "http://www.w3.org/1998/Math/MathML"
_NS = "{" + NS + "}"
TEX = "application/x-tex"
THIN = "0.1667em"
#: Multi-letter names LaTeX sets as functions (``\ln x``), spaced from what they apply to.
FUNCTIONS = frozenset(
    "arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim liminf limsup "
    "ln log max min Pr sec sin sinh sup tan tanh".split()
)
#: Operators whose limits TeX sets under and over in a display.
LIMITS = frozenset("\u2211\u220f\u2210\u22c0\u22c1\u22c2\u22c3\u2a00\u2a01\u2a02\u2a04\u2a06") | frozenset(
    "lim liminf limsup max min sup inf det gcd Pr argmax argmin".split()
)
#: Scripts as limits: the script element, and the one that sets the same parts under and over.
UNDER_OVER = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}
#: The characters latex2mathml writes for LaTeX's accents (``\bar``, ``\hat``, ``\tilde``...).
ACCENTS = frozenset("^~`\u00af\u00a8\u00b4\u02c6\u02c7\u02d8\u02d9\u02dc\u203e\u2192\u20d7")
#: Layout elements with a fixed number of parts (a fraction: numerator and denominator).
PARTS = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3}
#: Opening delimiters: a function's name is set close to them (``\ln(x)``).
OPENING = frozenset("([{\u27e8\u2308\u230a|\u2016")
#: Closing delimiters: a function's name after one is set a thin space apart (``(a - e) \ln x``).
CLOSING = frozenset(")]}\u27e9\u2309\u230b")
#: Elements whose parts after the first are scripts (or limits), set without spaces around operators.
SCRIPTED = frozenset(UNDER_OVER) | frozenset(UNDER_OVER.values())
_ALIGNMENT_TAB = re.compile(r"(?<!\\)&")


class MathMLError(ValueError):
    """A formula that cannot be written as MathML; the message says why."""


def _tag(element: ElementTree.Element) -> str:
    return element.tag.removeprefix(_NS)


def _element(tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.Element(_NS + tag, attributes)
    element.text = text
    return element


def _converted(latex: str, display: bool) -> ElementTree.Element:
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises its own and Python's exceptions for bad LaTeX
        detail = f"{type(error).__name__}{f': {error}' if str(error) else ''}"
        raise MathMLError(f"the LaTeX cannot be read ({detail})") from None
    try:
        return ElementTree.fromstring(mathml)
    except ElementTree.ParseError as error:  # latex2mathml writes an alignment tab it did not place as is
        if _ALIGNMENT_TAB.search(latex):
            raise MathMLError(
                "an & outside an alignment environment the converter knows (split, align, cases, matrix)"
            ) from None
        raise MathMLError(f"the converter wrote no valid MathML ({error})") from None


def _check(root: ElementTree.Element) -> None:
    """Raise MathMLError for what latex2mathml passes through instead of refusing it."""
    for element in root.iter():
        tag, text = _tag(element), (element.text or "").strip()
        if tag == "mi" and text.startswith("\\"):
            raise MathMLError(f"the command {text} is unknown to the converter (it would show as its name)")
        if tag == "mi" and text in ("{", "}"):
            raise MathMLError(f"an unbalanced brace {text} (write \\{text} for the symbol)")
        if tag in PARTS and len(element) != PARTS[tag]:
            raise MathMLError(f"a fraction or script missing a part (<{tag}> with {len(element)} of {PARTS[tag]})")


def _function_name(element: ElementTree.Element) -> bool:
    """A function's name (``\\ln``), or one with scripts (``\\log_2``)."""
    if _tag(element) in UNDER_OVER and len(element):
        element = element[0]
    return _tag(element) == "mi" and (element.text or "") in FUNCTIONS


def _space_functions(parent: ElementTree.Element) -> None:
    children = list(parent)
    spaced: list[ElementTree.Element] = []
    for index, child in enumerate(children):
        if not _function_name(child):
            spaced.append(child)
            continue
        before = children[index - 1] if index else None
        after = children[index + 1] if index + 1 < len(children) else None
        if before is not None and (_tag(before) not in ("mo", "mspace") or (before.text or "").strip() in CLOSING):
            spaced.append(_element("mspace", width=THIN))
        spaced.append(child)
        if after is not None:
            apply = _element("mo", "\u2061")
            if _tag(after) not in ("mo", "mspace") and not (_opens(after)):
                apply.set("rspace", THIN)
            spaced.append(apply)
    if len(spaced) != len(children):
        parent[:] = spaced


def _opens(element: ElementTree.Element) -> bool:
    """An element that starts with an opening delimiter (``\\left(`` makes an mrow that does)."""
    while _tag(element) == "mrow" and len(element):
        element = element[0]
    return _tag(element) == "mo" and (element.text or "").strip() in OPENING


def _adjusted(root: ElementTree.Element) -> None:
    for element in list(root.iter()):
        tag = _tag(element)
        if tag in UNDER_OVER and len(element) and _tag(element[0]) == "mo" and (element[0].text or "") in LIMITS:
            element.tag = _NS + UNDER_OVER[tag]
            element[0].set("movablelimits", "true")
        elif tag == "mover" and len(element) == 2 and _tag(element[1]) == "mo" and element[1].text in ACCENTS:
            element.set("accent", "true")
        elif (
            tag == "mrow"
            and len(element) > 1
            and all(_tag(c) == "mi" and c.get("mathvariant") == "normal" and len(c.text or "") == 1 for c in element)
        ):
            element[:] = [_element("mi", "".join(c.text for c in element))]  # upright when longer than one letter
    for element in list(root.iter()):
        if len(element) > 1:
            _space_functions(element)
        if _tag(element) == "mo" and (element.text or "").strip() == "/":
            _unspaced(element)  # TeX's slash is an ordinary symbol: 1/n, not 1 / n
        if _tag(element) in SCRIPTED and not element.get("accent"):
            for script in element[1:]:
                for operator in script.iter(_NS + "mo"):
                    _unspaced(operator)  # TeX spaces no operator in a script: z_{1-\alpha/2}, i=1 under a sum


def _unspaced(operator: ElementTree.Element) -> None:
    if operator.text != "\u2061":
        operator.set("lspace", "0")
        operator.set("rspace", "0")


def _presentation(latex: str, display: bool) -> ElementTree.Element:
    """The converted formula's one presentation element (an ``mrow``), checked and adjusted."""
    root = _converted(latex, display)
    _check(root)
    _adjusted(root)
    row = _element("mrow")
    row[:] = list(root)
    return row[0] if len(row) == 1 and _tag(row[0]) == "mrow" else row


def mathml(latex: str, display: bool = False, parts: list[str] | None = None) -> str:
    """``<math>`` for a LaTeX formula, with the LaTeX as its ``alttext`` and annotation.

    ``parts``: a display's equations, one a row (Sphinx's blank-line-separated
    equations of one ``math`` block), in place of converting ``latex`` whole.
    """
    if parts and len(parts) > 1:
        table = _element("mtable", displaystyle="true")
        for part in parts:
            row, cell = _element("mtr"), _element("mtd")
            cell.append(_presentation(part, display))
            row.append(cell)
            table.append(row)
        shown = table
    else:
        shown = _presentation(parts[0] if parts else latex, display)
    semantics = _element("semantics")
    semantics.append(shown)
    semantics.append(_element("annotation", latex, encoding=TEX))
    root = _element("math", xmlns=NS, display="block" if display else "inline", alttext=" ".join(latex.split()))
    root.append(semantics)
    return _serialized(root)


def _serialized(element: ElementTree.Element) -> str:
    """XML without namespace prefixes (the ``xmlns`` is an attribute of ``<math>``), valid in HTML and XHTML."""
    attributes = "".join(f' {name}="{html.escape(value)}"' for name, value in element.items())
    inside = html.escape(element.text or "", quote=False) + "".join(map(_serialized, element))
    tag = _tag(element)
    return f"<{tag}{attributes}>{inside}</{tag}>" + html.escape(element.tail or "", quote=False)


def _equations(node: nodes.math_block) -> tuple[str, list[str] | None]:
    """The block's LaTeX, and its equations as LaTeX sets them (as ``sphinx.util.math.wrap_displaymath``)."""
    latex = node.astext()
    if node.get("no-wrap", node.get("nowrap", False)):
        return latex, None
    parts = [part for part in latex.split("\n\n") if part.strip()]
    return latex, [f"\\begin{{split}}{part}\\end{{split}}" if "\\\\" in part and "\\begin" not in part else part
                   for part in parts]


def _written(translator, node: nodes.Element, display: bool) -> str:
    """The formula's MathML; its LaTeX, escaped, after a warning naming file:line if it cannot be written."""
    latex, parts = _equations(node) if display else (node.astext(), None)
    try:
        return mathml(latex, display, parts)
    except MathMLError as error:
        logger.warning(
            'the formula "%s" cannot be written as MathML for the HTML and EPUB editions: %s',
            " ".join(latex.split()),
            error,
            location=_location(translator, node, latex),
            type="textbook",
            subtype="math",
        )
        return translator.encode(latex)


def _location(translator, node: nodes.Element, latex: str):
    """The formula's ``file:line``: its first line as written between its delimiters, else anywhere."""
    first = next((line.strip() for line in latex.splitlines() if line.strip()), latex)
    chapter = Path(translator.builder.env.doc2path(translator.builder.current_docname))
    delimited = (f"${first}$", f"`{first}`") if first == latex.strip() else (f"${first}", f"`{first}")
    found = locate(node, chapter, lambda line: any(form in line for form in delimited))
    return found if isinstance(found, str) else locate(node, chapter, lambda line: first in line)


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_written(self, node, display=False) + "</span>")
    raise nodes.SkipNode


def visit_math_block(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"]:
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_written(self, node, display=True) + "</div>\n")
    raise nodes.SkipNode


def choose(app, config) -> None:
    """``config-inited``: MathML is the HTML's math renderer unless ``conf.py`` names another."""
    if config.html_math_renderer is None:
        config.html_math_renderer = NAME


def register(app) -> None:
    app.add_html_math_renderer(NAME, (visit_math, None), (visit_math_block, None))
    app.connect("config-inited", choose)
