"""A whole edition's doctree as Typst source: content only, the look is the template's (``templates/``).

Numbers (sections, figures, tables, listings) are the ones Sphinx gave the
HTML edition (``env.toc_secnumbers``, ``env.toc_fignumbers``), written out,
so every edition agrees. Every id becomes a label ``<docname:id>`` on an
anchor, and every internal reference a link to one. Math goes through
``math.py`` with its LaTeX source as alt text, figures carry their ``:alt:``:
PDF/UA-1 refuses an image or formula without one. A node this translator
does not know is collected, with its place, and the build fails naming them
all: nothing is silently left out of print.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import admonitionlabels
from sphinx.util.docutils import SphinxTranslator

from textbook.core.config import of_sphinx
from textbook.core.front_matter import module_number
from textbook.core.messages import Words
from textbook.sphinx_ext.term_index import entry_lines
from textbook.typst import highlight, markup
from textbook.typst.math import MathError, typst_math

#: Containers whose content is printed as it is, without anything around it.
_TRANSPARENT = (
    nodes.compound, nodes.container, nodes.inline, nodes.generated, addnodes.compact_paragraph,
    addnodes.desc_content, nodes.legend, nodes.field_list, nodes.field_body,
)
#: Nodes with nothing to print.
_SKIPPED = (
    nodes.comment, nodes.substitution_definition, addnodes.toctree, nodes.system_message,
    addnodes.only, nodes.meta,
)
#: Nodes written as an opening and a closing around their content.
_WRAPPED = {
    "subtitle": ("#emph[", "]\n\n"),
    "block_quote": ("#quote(block: true)[", "]\n\n"),
    "emphasis": ("#emph[", "]"),
    "strong": ("#strong[", "]"),
    "literal_strong": ("#strong[", "]"),
    "literal_emphasis": ("#emph[", "]"),
    "title_reference": ("#emph[", "]"),
    "superscript": ("#super[", "]"),
    "subscript": ("#sub[", "]"),
    "definition": ("[", "]"),
    "field_name": ("#strong[", ":] "),
    "line": ("", " \\\n"),
}
#: A numbered list's kind of number (docutils' ``enumtype``) as Typst's numbering pattern writes it.
_ENUM_NUMBERS = {"arabic": "1", "loweralpha": "a", "upperalpha": "A", "lowerroman": "i", "upperroman": "I"}
#: Highlighting languages as Typst's highlighter names them; None: no highlighting.
_LANGUAGES = {"default": None, "text": None, "none": None, "ipython3": "python", "ipython": "python",
              "python3": "python"}


def _room_for(space: nodes.Element) -> str:
    """The room to keep under the unit before an answer space, as the template's ``keep`` takes it:
    all of it, or (lines filling part of a page) its first lines, a share of the page."""
    if space.get("page_tenths"):
        return "room-share: 0.18"
    if space.get("code"):
        return f"room: {space['lines']} * pitch + 1.5em"
    return f"room: {space['lines']} * pitch + 2em"


#: Inline code longer than this may break after ``_ ( . /`` and spaces (the template's
#: ``code-breaking``): in a table's column it would run past its cell.
_LONG_INLINE_CODE = 24
_BREAK_AFTER = re.compile(r"(?<=[_(./ ])")
#: The spacing above a section's heading (the template's ``keep`` carries it: see ``need``).
_HEADING_ABOVE = "2em"
#: The share of a page kept free under a section's opening (its heading, first paragraphs and first
#: block), so that a heading never lands in the page's last 15% (the page-layout gate's rule).
_HEADING_ROOM = 0.15
#: An opening that ends with its section (nothing but paragraphs in it).
_SECTION_END = object()
#: Where a paragraph comes from, written before it (``visit_paragraph``): a comment, printing nothing.
SOURCE_MARK = re.compile(r"/\* source: (.+?) \*/")
#: Paragraphs an opening holds at most before its first block.
_OPENING_PARAGRAPHS = 2


def _opening_end(section: nodes.section):
    """Where a section's opening ends: its heading, the paragraphs under it (two at most) and the
    first block after them (code, a figure, a table, a kept unit), which the page gate wants on the
    heading's page; not a block holding kept units of its own (a module's exercises). The node
    after it, or ``_SECTION_END``."""
    children = section.children[1:]
    paragraphs, index = 0, 0
    while index < len(children):
        child = children[index]
        if isinstance(child, nodes.section):
            return child
        if isinstance(child, (nodes.target, addnodes.index)):
            index += 1
            continue
        if isinstance(child, nodes.paragraph) and paragraphs < _OPENING_PARAGRAPHS:
            paragraphs += 1
            index += 1
            continue
        if any(type(n).__name__ == "keep_edge" or (isinstance(n, nodes.raw) and n.get("format") == "typst")
               for n in child.findall(nodes.Element, include_self=False)):
            break  # kept units of their own (a module's exercises), or raw print markup (a page break)
        if type(child).__name__ == "keep_edge" and child.get("starts"):  # through the unit's end
            index += next((i for i, c in enumerate(children[index + 1:], 1)
                           if type(c).__name__ == "keep_edge" and not c.get("starts")), 0)
        index += 1
        break
    return children[index] if index < len(children) else _SECTION_END


def _sort_key(term: str) -> str:
    """A term's place in the index, as Sphinx sorts its index: case and accents aside, symbols first."""
    key = unicodedata.normalize("NFD", term.lower()).removeprefix("\N{RIGHT-TO-LEFT MARK}")
    return ("1" if key[:1].isalpha() or key.startswith("_") else "0") + key + "\t" + term


def _sub_sort_key(sub: str) -> str:
    key = unicodedata.normalize("NFD", sub.lower()).removeprefix("\N{RIGHT-TO-LEFT MARK}")
    return chr(127) + key if key[:1].isalpha() or key.startswith("_") else key


def _letter(term: str) -> str | None:
    """The letter a term is listed under, or None: with the symbols."""
    letter = unicodedata.normalize("NFD", term.removeprefix("\N{RIGHT-TO-LEFT MARK}")[:1])[:1].upper()
    return letter if letter.isalpha() or letter == "_" else None


def _holds_answer_space(section: nodes.section) -> bool:
    """Whether a section holds room to write (the workbook's): a worksheet of its own, which opens
    with lines for the student's name, group and date."""
    return any(type(node).__name__ in ("answer_space", "blank_cell") for node in section.findall(nodes.Element))


@dataclass(frozen=True)
class Printed:
    """What a chapter wrote: its text, and whether it holds index entries."""

    text: str
    indexed: bool


class printed_again(nodes.Element):
    """A chapter's place in a document, printed as ``node["printed"]`` (a ``Printed``)."""


class TypstTranslator(SphinxTranslator):
    """Writes ``self.body``; ``unknown`` lists the nodes it could not print."""

    def __init__(self, document: nodes.document, builder) -> None:
        super().__init__(document, builder)
        self.body: list[str] = []
        self.context: list = []  # what each depart writes, pushed by its visit
        self.files: list[str] = [document.get("docname", "")]
        self.labels: set[str] = set()
        self.unknown: list[str] = []
        self.section_level = 0
        self.words = Words.of(of_sphinx(self.config))
        #: Whether the document holds index entries (its end then names the index for the template).
        self.indexed = False
        #: For each open section: the node its kept opening ends before (``_SECTION_END``: with the
        #: section; None: ended).
        self.opening_ends: list = []
        #: Each open kept unit (the template's ``keep``): where its opening is in ``body``.
        self._units: list[int] = []
        #: What each chapter wrote (``Printed``), by docname: the builder keeps it, and prints it
        #: again as it was while the chapter, where it stands and all it shows are unchanged.
        self.printed: dict[str, Printed] = {}
        self._chapters: list[tuple[str, int, bool]] = []  # open chapters: docname, start in body, indexed before

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def docname(self) -> str:
        return self.files[-1]

    def astext(self) -> str:
        return "".join(self.body)

    def _open_unit(self, arguments: str) -> None:
        """A unit kept on one page starts: the template's ``keep``, named when the unit ends."""
        self._units.append(len(self.body))
        self.body.append(f"\n#keep({arguments})[\n")

    def _close_unit(self) -> None:
        """The unit ends: its opening names it by a digest of all it holds (the source places
        aside, which print nothing), so that its height, measured once, is kept (``kept_heights``)."""
        start = self._units.pop()
        self.body.append("]\n")
        key = hashlib.sha256(SOURCE_MARK.sub("", "".join(self.body[start:])).encode()).hexdigest()[:16]
        self.body[start] = self.body[start].replace("#keep(", f'#keep(key: "{key}", ', 1)

    def _place(self, node: nodes.Node) -> str:
        source, line = node.source or self.docname, node.line
        return f"{source}:{line}" if line else str(source)

    def _anchors(self, node: nodes.Element) -> None:
        for identifier in node.get("ids", []):
            self._anchor(self.docname, identifier)

    def _anchor(self, docname: str, identifier: str) -> None:
        label = markup.label(docname, identifier)
        if label not in self.labels:
            self.labels.add(label)
            self.body.append(f"#anchor {label}")

    def _numbers(self, node: nodes.Element) -> str | None:
        """The figure, table or listing number HTML shows, as "Figure 0.1"."""
        domain = self.builder.env.domains.standard_domain
        kind = domain.get_enumerable_node_type(node)
        identifier = (node.get("ids") or [None])[0]
        numbers = self.builder.env.toc_fignumbers.get(self.docname, {}).get(kind, {}).get(identifier)
        if not numbers:
            return None
        return self.config.numfig_format.get(kind, "%s") % ".".join(map(str, numbers))

    def _secnumber(self, section: nodes.Element) -> str:
        numbers = self.builder.env.toc_secnumbers.get(self.docname, {})
        anchor = "#" + section["ids"][0] if section.get("ids") else ""
        number = numbers.get(anchor) or (numbers.get("") if self.section_level == 1 else None)
        return ".".join(map(str, number)) if number else ""

    def unknown_visit(self, node: nodes.Node) -> None:
        self.unknown.append(f"{self._place(node)}: {type(node).__module__}.{type(node).__name__}")
        raise nodes.SkipNode

    def unknown_departure(self, node: nodes.Node) -> None:
        pass

    def dispatch_visit(self, node: nodes.Node) -> None:
        if self.opening_ends and node is self.opening_ends[-1]:
            self._close_unit()  # the section's opening ends before this node
            self.opening_ends[-1] = None
        if isinstance(node, _SKIPPED):
            raise nodes.SkipNode
        if node.tagname in _WRAPPED:
            self.body.append(_WRAPPED[node.tagname][0])
            return
        if isinstance(node, _TRANSPARENT) and not hasattr(self, f"visit_{type(node).__name__}"):
            if isinstance(node, nodes.Element):
                self._anchors(node)
            return
        super().dispatch_visit(node)

    def dispatch_departure(self, node: nodes.Node) -> None:
        if node.tagname in _WRAPPED:
            self.body.append(_WRAPPED[node.tagname][1])
            return
        if isinstance(node, _TRANSPARENT) and not hasattr(self, f"depart_{type(node).__name__}"):
            return
        super().dispatch_departure(node)

    # -- structure -------------------------------------------------------------------------------

    def visit_document(self, node):
        pass

    def depart_document(self, node):
        if self.indexed:  # the template's book prints its index after the last chapter
            self.body.append(f"\n#index-words.update((title: [{markup.text(self.words('print.index'))}], "
                             f"symbols: [{markup.text(self.words('print.index_symbols'))}]))\n")

    def visit_start_of_file(self, node):
        self.files.append(node["docname"])
        self._anchor(node["docname"], ":doc")
        if all(end is None or end is _SECTION_END for end in self.opening_ends):  # no opening to end inside it:
            # what the chapter writes depends on it alone (and on its level, part of its key)
            self._chapters.append((node["docname"], len(self.body), self.indexed))
            self.indexed = False

    def depart_start_of_file(self, node):
        if self._chapters and self._chapters[-1][0] == node["docname"]:
            docname, start, indexed = self._chapters.pop()
            self.printed[docname] = Printed("".join(self.body[start:]), self.indexed)
            self.indexed = indexed or self.indexed
        self.files.pop()

    def visit_printed_again(self, node):
        """A chapter printed as it was last time (``TypstBuilder.assemble``)."""
        self.body.append(node["printed"].text)
        self.indexed = self.indexed or node["printed"].indexed
        raise nodes.SkipNode

    def visit_section(self, node):
        self.section_level += 1
        if self.section_level == 2 and _holds_answer_space(node):  # a module of the workbook
            fields = ", ".join(f"({markup.string(self.words(f'form.{field}'))}, {width})"
                               for field, width in (("name", "40%"), ("group", "15%"), ("date", "15%")))
            self.body.append(f"\n#form-lines({fields})\n")
        if self.section_level > 1:  # its opening kept on one page: see _opening_end
            self.opening_ends.append(_opening_end(node))

    def depart_section(self, node):
        if self.section_level > 1 and self.opening_ends.pop() is _SECTION_END:
            self._close_unit()
        self.section_level -= 1

    def visit_title(self, node):
        parent = node.parent
        if isinstance(parent, nodes.section):
            number = self._secnumber(parent)
            if self.section_level == 1:  # a module opens with its unit label ("Module 4") above its title
                unit = module_number(self.docname)
                label = "none" if unit is None else f"[{markup.text(self.words.unit_number(unit))}]"
                number = "none" if unit is None else f"[{unit}]"  # the contents print it before the title
                self.body.append(f"\n#unit-label.update({label})\n#heading(level: 1, supplement: {number})[")
            else:  # the heading and what opens its section, kept on one page (_opening_end)
                self._open_unit(f"above: {_HEADING_ABOVE}, room-share: {_HEADING_ROOM}")
                self.body.append(f"#heading(level: {self.section_level})[")
                if number:
                    self.body.append(markup.text(number) + " ")
            self.context.append("]\n")
            self.context.append(parent)
        elif isinstance(parent, nodes.table):
            raise nodes.SkipNode  # the table's caption, written by visit_table
        elif isinstance(parent, nodes.Admonition) or isinstance(parent, (nodes.topic, nodes.sidebar)):
            raise nodes.SkipNode  # written by the admonition
        else:
            self.body.append("#strong[")
            self.context.append("]\n\n")
            self.context.append(None)

    def depart_title(self, node):
        section = self.context.pop()
        self.body.append(self.context.pop())
        if section is not None:
            self._anchors(section)
            self.body.append("\n")

    def visit_rubric(self, node):
        """An exercise's title, in its kept opening; the label of one of its parts ("Starter code",
        "Solution"), kept with the first lines of what it labels."""
        self._anchors(node)
        if "exercise-title" in node["classes"]:
            self.body.append("#strong[")
            return
        following = node.parent.children[node.parent.index(node) + 1:]
        blocks = [n for n in following[:3] if isinstance(n, (nodes.literal_block, nodes.container))]
        code = next((b for block in blocks for b in block.findall(nodes.literal_block)), None)
        lines = code.astext().rstrip("\n").count("\n") + 1 if code is not None else 0
        self.body.append(f"\n#part-heading(code-lines: {lines})[")

    def depart_rubric(self, node):
        self.body.append("]\n\n")

    def visit_paragraph(self, node):
        self._anchors(node)
        if node.source and node.line:  # where an error in print is told back to (builder._chapter_place)
            self.body.append(f"/* source: {self._place(node)} */")  # no space: a list item holds no stray text
        first = node.children[0] if node.children else None
        if type(first).__name__ == "choice_box":  # an option: its later lines hang under its text
            self.body.append(f"#ticked-option(ticked: {'true' if first['ticked'] else 'false'})[")
            self.context.append("]\n\n")
        else:
            self.context.append("\n\n")

    def depart_paragraph(self, node):
        self.body.append(self.context.pop())

    def visit_Text(self, node):
        self.body.append(markup.after_code(markup.text(node.astext())))

    def depart_Text(self, node):
        pass

    def visit_target(self, node):
        self._anchors(node)
        if node.get("refid"):
            self._anchor(self.docname, node["refid"])
        raise nodes.SkipNode

    def visit_transition(self, node):
        self.body.append("\n#line(length: 100%)\n")
        raise nodes.SkipNode

    def visit_line_block(self, node):
        pass

    def depart_line_block(self, node):
        self.body.append("\n")



    def visit_index(self, node):
        """Index entries (an author's ``{index}``, a glossary term, a use of one): a marker each, here,
        which the template's index finds and prints with this page's number; sorted and lettered as
        the HTML edition's index (Sphinx's ``IndexEntries``)."""
        for kind, value, _target, main, _key in node["entries"]:
            try:
                lines = entry_lines(kind, value)
            except ValueError as error:
                self.unknown.append(f"{self._place(node)}: {error}")
                continue
            for term, sub, see in lines:
                letter = _letter(term)
                arguments = [
                    markup.string(term), f"key: {markup.string(_sort_key(term))}",
                    f"letter: {markup.string(letter) if letter else 'none'}",
                ]
                if sub:
                    arguments += [f"sub: {markup.string(sub)}", f"sub-key: {markup.string(_sub_sort_key(sub))}"]
                if see:
                    word = self.words("print.index_see" if see[0] == "see" else "print.index_see_also")
                    arguments.append(f"see: ([{markup.text(word)}], {markup.string(see[1])})")
                if main:
                    arguments.append("main: true")
                self.body.append(f"#index-entry({', '.join(arguments)})")
                self.indexed = True
        raise nodes.SkipNode

    # -- inline ----------------------------------------------------------------------------------

    def visit_literal(self, node):
        code = node.astext()
        pieces = _BREAK_AFTER.split(code) if len(code) > _LONG_INLINE_CODE else [code]
        call = "code-breaking" if len(pieces) > 1 else "raw"
        self.body.append(f"#{call}({', '.join(markup.string(piece) for piece in pieces if piece)})")
        raise nodes.SkipNode

    def visit_abbreviation(self, node):
        pass

    def depart_abbreviation(self, node):
        pass

    def visit_reference(self, node):
        self._anchors(node)
        uri = node.get("refuri", "")
        if not uri and node.get("refid"):
            uri = f"%{self.docname}#{node['refid']}"
        if uri.startswith("#"):
            uri = f"%{self.docname}{uri}"
        if uri.startswith("%"):
            docname, _, identifier = uri[1:].partition("#")
            if docname in self.builder.docnames:
                self.body.append(f"#link({markup.label(docname, identifier or ':doc')})[")
            else:  # in another PDF (a handout's reference to another module): its text only
                self.body.append("#[")
        elif uri:
            self.body.append(f"#link({markup.string(uri)})[")
        else:
            self.body.append("#[")
        self.context.append("]")

    def depart_reference(self, node):
        self.body.append(self.context.pop())

    def visit_number_reference(self, node):
        self.visit_reference(node)

    def depart_number_reference(self, node):
        self.depart_reference(node)

    def visit_pending_xref(self, node):
        pass  # left by a reference Sphinx could not resolve to this edition: its text

    def depart_pending_xref(self, node):
        pass

    def visit_footnote_reference(self, node):
        """The footnote's text, where it is referenced: Typst numbers and places it."""
        scope = node  # its document's part of the book: ids repeat across chapters
        while scope.parent is not None and not isinstance(scope, addnodes.start_of_file):
            scope = scope.parent
        footnote = next(scope.findall(lambda n: isinstance(n, nodes.footnote) and node["refid"] in n["ids"]))
        self.body.append("#footnote[")
        for child in footnote.children:
            if not isinstance(child, nodes.label):
                child.walkabout(self)
        self.body[-1] = self.body[-1].rstrip("\n")
        self.body.append("]")
        raise nodes.SkipNode

    def visit_footnote(self, node):
        raise nodes.SkipNode  # printed where it is referenced (visit_footnote_reference)

    def visit_math(self, node):
        latex = node.astext()
        self.body.append(f"#math.equation(alt: {markup.string(latex)}, ${self._math(node, latex)}$)")
        raise nodes.SkipNode

    def visit_math_block(self, node):
        self._anchors(node)
        latex = node.astext()
        self.body.append(f"\n#math.equation(block: true, alt: {markup.string(latex)}, ${self._math(node, latex)}$)\n\n")
        raise nodes.SkipNode

    def _math(self, node, latex: str) -> str:
        try:
            return typst_math(latex)
        except MathError as error:
            self.unknown.append(f"{self._place(node)}: the formula {latex!r}: {error}")
            return '""'

    # -- blocks ----------------------------------------------------------------------------------

    def visit_literal_block(self, node):
        self._anchors(node)
        language = node.get("language") or "none"
        language = _LANGUAGES.get(language, language)
        code = node.astext()
        if language in highlight.LANGUAGES:
            self.body.append(f"\n{highlight.code_block(language, code)}\n\n")
        else:
            lang = "none" if language is None else markup.string(language)
            self.body.append(f"\n#raw(block: true, lang: {lang}, {markup.string(code)})\n\n")
        raise nodes.SkipNode

    visit_doctest_block = visit_literal_block

    def visit_bullet_list(self, node):
        self._anchors(node)
        self.body.append("\n#list(")

    def depart_bullet_list(self, node):
        self.body.append(")\n\n")

    def visit_enumerated_list(self, node):
        self._anchors(node)
        numbering = node.get("prefix", "") + _ENUM_NUMBERS.get(node.get("enumtype"), "1") + node.get("suffix", ".")
        self.body.append(f"\n#enum(start: {node.get('start', 1)}, numbering: {markup.string(numbering)}, ")

    def depart_enumerated_list(self, node):
        self.body.append(")\n\n")

    def visit_list_item(self, node):
        self.body.append("[")
        self._anchors(node)

    def depart_list_item(self, node):
        self.body.append("],")

    def visit_definition_list(self, node):
        self._anchors(node)
        self.body.append("\n#terms(")

    def depart_definition_list(self, node):
        self.body.append(")\n\n")

    def visit_definition_list_item(self, node):
        self.body.append("terms.item(")  # its ids are anchored in its term: here is code, not markup

    def depart_definition_list_item(self, node):
        self.body.append("),")

    def visit_term(self, node):
        self.body.append("[")
        self._anchors(node.parent)
        self._anchors(node)

    def depart_term(self, node):
        self.body.append("], ")

    def visit_classifier(self, node):
        raise nodes.SkipNode

    def visit_glossary(self, node):
        self._anchors(node)

    def depart_glossary(self, node):
        pass

    def visit_field(self, node):
        self._anchors(node)

    def depart_field(self, node):
        self.body.append("\n\n")

    def visit_admonition(self, node):
        self._anchors(node)
        title = next((child for child in node.children if isinstance(child, nodes.title)), None)
        name = title.astext() if title is not None else str(admonitionlabels.get(type(node).__name__, ""))
        self.body.append(f"\n#admonition(title: [{markup.text(name)}])[")

    def depart_admonition(self, node):
        self.body.append("]\n\n")

    def visit_topic(self, node):
        self.visit_admonition(node)

    def depart_topic(self, node):
        self.depart_admonition(node)

    visit_sidebar, depart_sidebar = visit_topic, depart_topic
    visit_Admonition, depart_Admonition = visit_admonition, depart_admonition

    def visit_figure(self, node):
        self._anchors(node)
        self.body.append("\n#numbered-figure(")
        self.context.append(self._numbers(node))

    def depart_figure(self, node):
        self.context.pop()
        self.body.append(")\n\n")

    def visit_image(self, node):
        uri = node["uri"]
        path = posixpath.join("images", posixpath.basename(self.builder.images.get(uri, uri)))
        alt = node.get("alt")
        if not alt:
            self.unknown.append(f"{self._place(node)}: an image without alt text ({uri})")
            alt = ""
        self.body.append(f"picture({markup.string(path)}, alt: {markup.string(alt)})")
        if not isinstance(node.parent, nodes.figure):
            self.body[-1] = "\n#figure(" + self.body[-1] + ")\n\n"
        raise nodes.SkipNode

    def visit_caption(self, node):
        number = self.context[-1]
        self.body.append(", caption: [")
        if number:
            self.body.append(markup.text(number) + ": ")

    def depart_caption(self, node):
        self.body.append("]")

    def visit_table(self, node):
        self._anchors(node)
        title = next((child for child in node.children if isinstance(child, nodes.title)), None)
        number = self._numbers(node)
        caption = ", ".join(filter(None, [number, title.astext() if title is not None else None]))
        self.body.append("\n#numbered-figure(kind: table, ")
        self.context.append(f", caption: [{markup.text(caption)}])\n\n" if caption else ")\n\n")

    def depart_table(self, node):
        self.body.append(self.context.pop())

    def visit_tgroup(self, node):
        columns = [spec.get("colwidth", 1) for spec in node.findall(nodes.colspec)]
        widths = ", ".join(f"{width}fr" for width in columns)
        self.body.append(f"table(columns: ({widths},), align: left, ")

    def depart_tgroup(self, node):
        self.body.append(")")

    def visit_colspec(self, node):
        raise nodes.SkipNode

    def visit_thead(self, node):
        self.body.append("table.header(")

    def depart_thead(self, node):
        self.body.append("),")

    def visit_tbody(self, node):
        pass

    def depart_tbody(self, node):
        pass

    def visit_row(self, node):
        pass

    def depart_row(self, node):
        pass

    def visit_entry(self, node):
        spans = []
        if node.get("morecols"):
            spans.append(f"colspan: {node['morecols'] + 1}")
        if node.get("morerows"):
            spans.append(f"rowspan: {node['morerows'] + 1}")
        self.body.append(f"table.cell({', '.join(spans)})[" if spans else "[")

    def depart_entry(self, node):
        self.body.append("],")

    def visit_keep_edge(self, node):
        """A unit kept on one page (``keep_together.py``): the template's ``keep``, which lets one
        taller than a page break, with room below it for the answer space that follows it."""
        if not node.get("starts"):
            self._close_unit()
            raise nodes.SkipNode
        siblings = node.parent.children[node.parent.index(node) + 1:]
        end = next((i for i, s in enumerate(siblings) if isinstance(s, type(node)) and not s.get("starts")), None)
        after = siblings[end + 1] if end is not None and end + 1 < len(siblings) else None
        if after is None:  # the unit is the whole exercise (a table to fill in): nothing to keep room for
            room = "room: 0pt"
        elif type(after).__name__ == "answer_space":
            room = _room_for(after)
        else:  # a solution, in a key: room for its first lines
            room = "room-share: 0.18"
        self._open_unit(room)
        raise nodes.SkipNode

    def visit_answer_space(self, node):
        """Room to write in the workbook (``exercises/answer_space.py``)."""
        continued = markup.string(node.get("continued", ""))
        if node.get("code"):
            label = markup.string(self.words("workbook.code_box"))
            self.body.append(f"\n#code-box({node['lines']}, label: {label}, continued: {continued})\n\n")
        else:
            tenths = node.get("page_tenths", 0)
            self.body.append(f"\n#answer-lines({node['lines']}, tenths: {tenths}, continued: {continued})\n\n")
        raise nodes.SkipNode

    def visit_choice_box(self, node):
        if node.parent.index(node) > 0 or not isinstance(node.parent, nodes.paragraph):  # else its option's
            self.body.append(f"#choice-box(ticked: {'true' if node['ticked'] else 'false'})")
        raise nodes.SkipNode

    def visit_blank_cell(self, node):
        self.body.append(f"#blank-cell({node['lines']})")
        raise nodes.SkipNode

    def visit_raw(self, node):
        """Raw Typst is printed; raw LaTeX (or any other format print cannot read) is an author's, which
        print cannot print: said, not dropped. Raw HTML is the web editions' alone."""
        formats = node.get("format", "").split()
        if "typst" in formats:
            self.body.append(node.astext() + "\n\n")
        elif "html" not in formats:
            self.unknown.append(f"{self._place(node)}: raw {node.get('format')}, which print cannot show; "
                                "write what it does in Markdown, or give a ```{raw} typst``` block beside it")
        raise nodes.SkipNode
