"""Plot code: cells tagged ``plot-code`` show their figure everywhere, their code only on the web.

The code that draws a figure (axes, colours, labels) teaches little and
fills printed pages. In HTML such a cell's input is collapsed, as MyST-NB's
``hide-input`` does, and the reader can open it; in print (the book and the
handouts) the input is replaced by one line saying where the code is. The
output, the figure, stays in both.

MyST-NB's collapsed input is a ``<summary>`` whose ``aria-label`` ("Toggle
hidden content") differs from its visible text ("Show code cell source"),
which axe-core reports as label-content-name-mismatch: speech users say what
they see. Our visitor writes the same markup without that label.
"""

from __future__ import annotations

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxTranslator

from textbook.core.messages import ENGLISH
from textbook.sphinx_ext import web_address
from textbook.sphinx_ext.print_matter import PRINT_FORMAT

TAG = "plot-code"
#: The note in English; a course's own is in its language (``core/messages.py``).
PRINT_NOTE = ENGLISH("print.plot_code")


def _plot_cells(document: nodes.Node):
    for node in document.findall(nodes.container):
        if node.get("nb_element") == "cell_code" and TAG in node.get("cell_metadata", {}).get("tags", []):
            yield node


def _source(cell: nodes.container) -> nodes.container | None:
    return next((child for child in cell.children if child.get("nb_element") == "cell_code_source"), None)


def collapse_in_html(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: mark plot cells as MyST-NB marks ``hide-input`` cells (HTML only reads it)."""
    for cell in _plot_cells(doctree):
        if not cell.get("hide_mode"):
            cell["hide_mode"] = "input"
            cell["prompt_show"] = app.config.nb_code_prompt_show
            cell["prompt_hide"] = app.config.nb_code_prompt_hide


class NoteInPrint(SphinxPostTransform):
    """In print, a plot cell's code becomes one italic line pointing to the HTML edition (its page)."""

    default_priority = 199
    formats = (PRINT_FORMAT,)

    def run(self, **kwargs) -> None:
        for cell in list(_plot_cells(self.document)):
            source = _source(cell)
            if source is not None:
                note = web_address.note_in_print(self.config, web_address.chapter_of(cell, self.env.docname))
                cell.replace(source, nodes.paragraph("", "", nodes.emphasis("", "", *note)))


def visit_collapsed(self: SphinxTranslator, node: HideCodeCellNode) -> None:
    """MyST-NB's markup for a collapsed input, without the mismatched ``aria-label``.

    The EPUB's XHTML allows no paragraph in a ``<summary>``: there the prompts
    are spans (styled by the EPUB's own stylesheet, see ``epub.CELL_STYLE``).
    """
    classes = " ".join(node["classes"])
    tag = "span" if self.builder.name == "epub" else "p"
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    for state, prompt in (("collapsed", node["prompt_show"]), ("expanded", node["prompt_hide"])):
        self.body.append(f'<{tag} class="{state} admonition-title">{self.encode(prompt)}</{tag}>\n')
    self.body.append("</summary>\n")


def register(app: Sphinx) -> None:
    """Read plot cells, note them in print, draw their collapsed input."""
    app.connect("doctree-read", collapse_in_html)
    app.add_post_transform(NoteInPrint)
    app.add_node(HideCodeCellNode, override=True, html=(visit_collapsed, depart_HideCellInput))
