"""The printed look of every PDF edition: paper size, title pages, chapter
openings, front and back matter, code blocks kept on one page.

The LaTeX lives in ``latex/textbookprint.sty`` (copied beside every ``.tex``);
this module sets what differs per book (title, copyright, paper) and marks
where front, main and back matter begin in the assembled book.

* Paper: ``textbook_paper = "a4"`` (default) or ``"letter"`` in ``conf.py``
  (checked with the other settings, ``core/config.py``)
  sets the page size of every PDF: book, handouts, workbook, keys and exams,
  which all read the same ``conf.py``.
* Matter: the chapters before the first module (a preface, the licence) and
  after the last one are unnumbered, so "Module 0" is still chapter 0.
* Words: the chapter openings' unit label (``\\textbookunitlabel``), the
  contents heading and the licence line are the course's (``core/messages.py``).
* Metadata: every PDF's title (the document's), author, subject (the book and
  the edition: "Handout: Module 4 ..." names its module) and language
  (Sphinx's ``language``), so viewers and libraries do not show a file name.
* Code: a literal block of up to ``SHORT_CODE_LINES`` lines is never split
  across pages (a ``\\needspace`` of its height before it).
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.texescape import escape

from textbook.core.config import of_sphinx
from textbook.core.front_matter import module_number
from textbook.core.messages import Words

STYLE = Path(__file__).parent / "latex" / "textbookprint.sty"
PAPER_SIZES = {"a4": "a4paper", "letter": "letterpaper"}
SHORT_CODE_LINES = 12
_ADDRESS = re.compile(r"https?://[^\s()]+[^\s().,;:]")


def _licence_line(licence: str, engine: str) -> str:
    """The course's licence line (``textbook_licence``) in LaTeX, each address in it a link."""
    pieces = _ADDRESS.split(licence)
    links = [f"\\url{{{address}}}" for address in _ADDRESS.findall(licence)]
    return "".join(escape(piece, engine) + link for piece, link in zip(pieces, [*links, ""]))


def _pdf_subject(words: Words, engine: str) -> str:
    """The PDF's subject in LaTeX: the book's title and the edition, as the catalogue orders them."""
    text = escape(words("print.pdf_subject", book="\x01", edition="\x02"), engine)
    return text.replace("\x01", r"\textbookbooktitle{}").replace("\x02", r"\textbookpdfedition{}")


def _pdf_language(language: str | None) -> str:
    """Sphinx's ``language`` as a PDF's ``/Lang`` wants it (BCP 47: ``de_AT`` is ``de-AT``)."""
    return (language or "en").replace("_", "-")


def configure_print(app: Sphinx, config) -> None:
    """``config-inited``: the paper size, the title page, the style file and its macros
    (the unit label of the chapter openings among them)."""
    project = of_sphinx(config)
    words = Words.of(project)
    engine = config.latex_engine
    elements = dict(config.latex_elements)
    elements["papersize"] = PAPER_SIZES[config.textbook_paper]
    elements["fncychap"] = ""  # textbookprint.sty draws the chapter openings
    elements.setdefault("maketitle", r"\textbookmaketitle")
    # Sphinx names the contents after the first toctree's caption ("About this book").
    contents = escape(words("print.contents"), engine)
    elements.setdefault("tableofcontents", f"\\renewcommand{{\\contentsname}}{{{contents}}}\\sphinxtableofcontents")
    elements["preamble"] = (
        f"\\newcommand{{\\textbookbooktitle}}{{{escape(config.project, engine)}}}\n"
        f"\\newcommand{{\\textbookcopyright}}{{\\textcopyright\\ {escape(config.copyright or config.author, engine)}}}\n"
        f"\\newcommand{{\\textbooklicenceline}}{{{_licence_line(project.licence, engine)}}}\n"
        f"\\newcommand{{\\textbookunitlabel}}{{{escape(words.unit, engine)}}}\n"
        f"\\newcommand{{\\textbookbookedition}}{{{escape(words('print.book_edition'), engine)}}}\n"
        f"\\newcommand{{\\textbookpdfsubject}}{{{_pdf_subject(words, engine)}}}\n"
        f"\\newcommand{{\\textbookpdflang}}{{{_pdf_language(config.language)}}}\n" + elements.get("preamble", "")
    )
    config.latex_elements = elements
    config.latex_additional_files = [*config.latex_additional_files, str(STYLE)]


def _top_level_files(doctree: nodes.document) -> list[addnodes.start_of_file]:
    return [
        node
        for node in doctree.findall(addnodes.start_of_file)
        if not any(isinstance(parent, addnodes.start_of_file) for parent in _ancestors(node))
    ]


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


#: The class of raw LaTeX the generator writes for the LaTeX route's own layout (chapter
#: counters, front and back matter): another print engine lays these out its own way.
LATEX_LAYOUT = "textbook-latex-layout"


def latex_layout(text: str) -> nodes.raw:
    """Raw LaTeX that only arranges the LaTeX route's pages, marked so (``LATEX_LAYOUT``)."""
    return nodes.raw("", text, format="latex", classes=[LATEX_LAYOUT])


def mark_front_and_back_matter(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` of the assembled book: the chapters before the first module
    are front matter, those after the last are back matter, both unnumbered."""
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    files = _top_level_files(doctree)
    is_module = [module_number(node["docname"]) is not None for node in files]
    if not any(is_module):
        return
    first, last = is_module.index(True), len(is_module) - 1 - is_module[::-1].index(True)
    for position, node in enumerate(files):
        if position < first:
            node.insert(0, latex_layout(r"\textbookfrontmatter"))
        elif position == first:
            node.insert(0, latex_layout(r"\textbookmainmatter"))
        elif position == last + 1:
            node.insert(0, latex_layout(r"\textbookbackmatter"))


def keep_short_code_together(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: a code block of a few lines starts on a new page rather than
    breaking; longer ones break as Sphinx lets them (they could not fit anyway)."""
    if app.builder.format != "latex":
        return
    for block in list(doctree.findall(nodes.literal_block)):
        if any(isinstance(parent, (nodes.table, nodes.footnote)) for parent in _ancestors(block)):
            continue
        lines = block.astext().rstrip("\n").count("\n") + 1
        if lines > SHORT_CODE_LINES:
            continue
        captioned = isinstance(block.parent, nodes.container) and block.parent.get("literal_block")
        target = block.parent if captioned else block
        height = lines + (4 if captioned else 2)  # the frame's padding, and a caption's line
        target.parent.insert(target.parent.index(target), latex_layout(f"\\needspace{{{height}\\baselineskip}}"))


def numbered_name(words: Words, numfig_format: dict[str, str]) -> re.Pattern:
    """A name that a number follows in a reference: Sphinx's (``numfig_format``: "Figure 2.1",
    "Section 3") and the generator's ("Exercise 0.3", "Module 3"), in the course's language."""
    sphinx_names = [text.split("%s")[0].strip() for text in numfig_format.values() if "%s" in text]
    names = sorted({*sphinx_names, *words.numbered_names()} - {""}, key=lambda name: (-len(name), name))
    return re.compile(r"(?<!\w)(%s) (?=\d)" % "|".join(map(re.escape, names)))


def keep_numbers_with_names(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: no line or page break between "Figure" and "2.1" in print
    (a reference split over a page turn reads as "Table" at the foot, "0.1" overleaf)."""
    if app.builder.format != "latex":
        return
    for reference in doctree.findall(addnodes.number_reference):
        reference["title"] = re.sub(r" (?=%s)", "\u00a0", reference.get("title", "%s"))
    name = numbered_name(Words.of(of_sphinx(app.config)), app.config.numfig_format)
    for reference in doctree.findall(nodes.reference):
        for text in list(reference.findall(nodes.Text)):
            joined = name.sub("\\1\u00a0", text.astext())
            if joined != text.astext():
                text.parent.replace(text, nodes.Text(joined))
