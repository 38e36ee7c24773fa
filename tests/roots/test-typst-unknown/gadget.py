"""A node only HTML knows how to draw, for the Typst engine to refuse."""

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


class gadget(nodes.General, nodes.Element):
    pass


class Gadget(SphinxDirective):
    def run(self):
        node = gadget()
        self.set_source_info(node)
        return [node]


def setup(app):
    app.add_node(gadget, html=(lambda self, node: None, lambda self, node: None))
    app.add_directive("gadget", Gadget)
    return {"parallel_read_safe": True}
