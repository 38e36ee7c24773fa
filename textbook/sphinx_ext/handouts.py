"""One printable handout per module: extra LaTeX documents next to the book.

Sphinx's LaTeX builder writes every entry of ``latex_documents``. Once the
sources are read we know which chapters are modules, so we append one
``howto`` (article-style) document per module, named ``handout-<docname>.tex``.
The book itself stays the ``conf.py`` entry. The build CLI then compiles the
book, the handouts or both.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from textbook.sphinx_ext.module_overview import modules

HANDOUT_PREFIX = "handout-"


def handout_target(docname: str) -> str:
    return f"{HANDOUT_PREFIX}{docname}.tex"


def add_handout_documents(app: Sphinx, env: BuildEnvironment) -> None:
    if app.builder.format != "latex":
        return
    book = [entry for entry in app.config.latex_documents if not entry[1].startswith(HANDOUT_PREFIX)]
    handouts = [
        (
            docname,
            handout_target(docname),
            f"Module {info.number}: {env.titles[docname].astext()}",
            f"Handout from {app.config.project}",
            "howto",
            False,
        )
        for docname, info in modules(env).items()
    ]
    app.config.latex_documents = book + handouts
