"""Print and EPUB point to the HTML edition by its address, when the course says where it is hosted.

A printed page cannot be clicked: "the HTML edition" is only useful with an
address. With ``textbook_html_url`` set, the plot-code note in print gives
the chapter's page (``plot_code.py`` asks ``note_in_print``), and the role
``{html-edition}`the HTML edition``` in prose is followed, in print and in
the EPUB, by the home page's address. The HTML edition itself shows the
role's text only, and without the setting every edition does.

The doctrees are shared by every builder, so the role leaves a marked inline
node and a post-transform, which knows the builder, decides.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxRole

from textbook.core.config import of_sphinx
from textbook.core.messages import Words

ROLE = "html-edition"
_CLASS = "textbook-html-edition"


def _link(address: str) -> nodes.reference:
    return nodes.reference(address, address, refuri=address)


def note_in_print(config, docname: str) -> list[nodes.Node]:
    """The plot-code note for a cell of ``docname``: with the chapter's address when it is known."""
    project = of_sphinx(config)
    words = Words.of(project)
    address = project.html_address(docname)
    if not address:
        return [nodes.Text(words("print.plot_code"))]
    before, after = words.around("print.plot_code_at", "url")
    return [nodes.Text(before), _link(address), nodes.Text(after)]


def chapter_of(node: nodes.Node, default: str) -> str:
    """The document a node came from in an assembled print tree: Sphinx marks each included
    document's sections with its name (their parent is not always the ``start_of_file``)."""
    while node is not None:
        if isinstance(node, addnodes.start_of_file) or (isinstance(node, nodes.section) and "docname" in node):
            return node["docname"]
        node = node.parent
    return default


class HtmlEditionRole(SphinxRole):
    """``{html-edition}`text```: the text, marked for ``GiveTheAddress``."""

    def run(self):
        return [nodes.inline(self.text, self.text, classes=[_CLASS])], []


class GiveTheAddress(SphinxPostTransform):
    """Outside the HTML edition, the role's text is followed by the home page's address."""

    default_priority = 200
    builders = ("typst", "epub")  # in HTML the role's text stays as it is, in a span of its class

    def run(self, **kwargs) -> None:
        address = of_sphinx(self.config).html_address()
        for node in list(self.document.findall(lambda n: isinstance(n, nodes.inline) and _CLASS in n["classes"])):
            shown = [nodes.Text(node.astext())]
            if address:
                shown += [nodes.Text(" ("), _link(address), nodes.Text(")")]
            node["classes"].remove(_CLASS)  # else docutils keeps it on what replaces the node
            node.replace_self(shown)


def register(app: Sphinx) -> None:
    app.add_role(ROLE, HtmlEditionRole())
    app.add_post_transform(GiveTheAddress)
