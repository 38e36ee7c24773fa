"""The ``module-overview`` directive: a module's front matter, checked and rendered.

Each chapter opens with::

    ```{module-overview}
    difficulty: 2
    minutes: 45
    prerequisites:
      - Basic understanding of machine learning concepts
    objectives:
      define-mlops: Define MLOps and explain why production ML needs it
      lifecycle: Describe the ML lifecycle from problem to retraining
    ```

The YAML is validated against ``core.front_matter.MODULE_SCHEMA``; the module number comes from
the file name (``00-introduction.md`` is module 0). The data is kept in
``env.textbook_modules`` for handouts and for exercises, which name the
objectives they practise by id. It renders as an ordinary admonition, so
no edition needs a visitor of its own. Its words, and the
unit label ("Module 0") a module's HTML page opens with, are the course's
(``core/messages.py``).
"""

from __future__ import annotations

from dataclasses import asdict

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from textbook.core.config import of_sphinx
from textbook.core.front_matter import ModuleInfo, OverviewError, module_number, parse_overview
from textbook.core.messages import Words
from textbook.sphinx_ext import keep_together


def _field(name: str, body: nodes.Node) -> nodes.field:
    return nodes.field("", nodes.field_name(name, name), nodes.field_body("", body))


class ModuleOverview(SphinxDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        number = module_number(self.env.docname)
        if number is None:
            raise self.error(
                f"module-overview is only for module chapters named NN-slug.md; "
                f"'{self.env.docname}' is not"
            )
        if self.env.docname in _modules(self.env):
            raise self.error("a chapter has one module-overview; remove the second")
        data = self._parse()
        info = ModuleInfo(
            number=number,
            difficulty=data["difficulty"],
            minutes=data["minutes"],
            prerequisites=tuple(data["prerequisites"]),
            objectives=dict(data["objectives"]),
        )
        _modules(self.env)[self.env.docname] = asdict(info)
        # The box is one unit in print: a handout's first page holds it whole (keep_together).
        return [keep_together.begin(), self._render(info), keep_together.end()]

    def _parse(self) -> dict:
        try:
            return parse_overview("\n".join(self.content))
        except OverviewError as error:
            line = self.content_offset + 1 + error.line
            raise self.error(f"module-overview: {error} (line {line})") from None

    def _render(self, info: ModuleInfo) -> nodes.admonition:
        words = Words.of(of_sphinx(self.config))
        box = nodes.admonition(classes=["module-overview"])
        box += nodes.title("", words("overview.title"))
        fields = nodes.field_list()
        fields += _field(words("overview.difficulty"), nodes.paragraph("", words.difficulty(info.difficulty)))
        minutes = words("overview.minutes", count=info.minutes, minutes=info.minutes)
        fields += _field(words("overview.time"), nodes.paragraph("", minutes))
        prerequisites = nodes.bullet_list()
        for item in info.prerequisites:
            prerequisites += nodes.list_item("", nodes.paragraph("", item))
        fields += _field(words("overview.prerequisites"), prerequisites)
        box += fields
        box += nodes.paragraph("", words("overview.objectives"))
        objectives = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
        for objective_id, text in info.objectives.items():
            objectives += nodes.list_item("", nodes.paragraph("", text), ids=[f"objective-{objective_id}"])
        box += objectives
        return box


def _modules(env: BuildEnvironment) -> dict[str, dict]:
    if not hasattr(env, "textbook_modules"):
        env.textbook_modules = {}
    return env.textbook_modules


def modules(env: BuildEnvironment) -> dict[str, ModuleInfo]:
    """Every module chapter's front matter, by docname, in module order."""
    infos = {doc: ModuleInfo(**{**d, "prerequisites": tuple(d["prerequisites"])}) for doc, d in _modules(env).items()}
    return dict(sorted(infos.items(), key=lambda item: item[1].number))


def label_the_unit_in_html(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, HTML and EPUB: a module's page opens with its unit label and number
    ("Module 3", "Woche 3") above the title, as its chapter opening in print does."""
    if app.builder.format != "html" or docname not in _modules(app.env):
        return
    section = doctree.next_node(nodes.section)
    if section is None:
        return
    label = Words.of(of_sphinx(app.config)).unit_number(_modules(app.env)[docname]["number"])
    section.insert(0, nodes.paragraph("", label, classes=["textbook-unit-label"]))


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _modules(env).pop(docname, None)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    _modules(env).update({doc: info for doc, info in _modules(other).items() if doc in docnames})
