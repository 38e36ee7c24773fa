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

The YAML is validated against ``MODULE_SCHEMA``; the module number comes from
the file name (``00-introduction.md`` is module 0). The data is kept in
``env.textbook_modules`` for handouts and for exercises, which name the
objectives they practise by id. It renders as an ordinary admonition, so
HTML and LaTeX need no custom visitors; a raw LaTeX line switches a handout
to ``<module>.<n>`` numbering (see ``numbering.py``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import jsonschema
import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from textbook.sphinx_ext import keep_together

#: libyaml's parser when PyYAML was built with it: the same documents, read five times faster
#: (the bank reads one header per exercise on every build).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DIFFICULTY_NAMES = {1: "Introductory", 2: "Intermediate", 3: "Advanced"}
MODULE_FILE = re.compile(r"^(\d{2})-[a-z0-9-]+$")

MODULE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["difficulty", "minutes", "prerequisites", "objectives"],
    "properties": {
        "difficulty": {"type": "integer", "minimum": 1, "maximum": 3},
        "minutes": {"type": "integer", "minimum": 5, "maximum": 600},
        "prerequisites": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "objectives": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
            "additionalProperties": {"type": "string", "minLength": 1},
        },
    },
}


@dataclass(frozen=True)
class ModuleInfo:
    number: int
    difficulty: int
    minutes: int
    prerequisites: tuple[str, ...]
    objectives: dict[str, str]

    @property
    def difficulty_text(self) -> str:
        return f"{DIFFICULTY_NAMES[self.difficulty]} ({self.difficulty} of 3)"


class OverviewError(ValueError):
    """Front matter that is not valid YAML or fails the schema; ``line`` is 0-based."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


def parse_overview(text: str) -> dict:
    """Parse and validate a module-overview block's YAML."""
    try:
        data = yaml.load(text, Loader=YAML_LOADER) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise OverviewError(f"malformed YAML: {getattr(error, 'problem', error)}", mark.line if mark else 0)
    validator = jsonschema.Draft202012Validator(MODULE_SCHEMA)
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if problems:
        raise OverviewError(
            "; ".join(f"{'.'.join(map(str, p.path)) or 'overview'}: {p.message}" for p in problems)
        )
    return data


_OVERVIEW_BLOCK = re.compile(r"^```\{module-overview\}[^\n]*\n(.*?)^```", re.M | re.S)


def overview_block(text: str) -> tuple[int, str]:
    """A chapter's module-overview block: the line its body starts on, and the body ((0, "") if none)."""
    match = _OVERVIEW_BLOCK.search(text)
    return (text[: match.start(1)].count("\n") + 1, match.group(1)) if match else (0, "")


def chapter_objectives(text: str) -> list[str] | None:
    """The objective ids a chapter's source declares, in order; None if it has no valid overview.

    For readers outside Sphinx (the exercise bank); the directive reports
    invalid front matter when the chapter itself is built.
    """
    match = _OVERVIEW_BLOCK.search(text)
    if not match:
        return None
    try:
        return list(parse_overview(match.group(1))["objectives"])
    except OverviewError:
        return None


def chapter_objective_texts(text: str) -> dict[str, str]:
    """Each objective id a chapter's source declares, with its text, in order; empty if it has no
    valid overview. For readers outside Sphinx (the instructors' coverage report)."""
    match = _OVERVIEW_BLOCK.search(text)
    if not match:
        return {}
    try:
        return dict(parse_overview(match.group(1))["objectives"])
    except OverviewError:
        return {}


def chapter_objective_lines(text: str) -> dict[str, int]:
    """The 1-based line of each objective id in a chapter's module-overview block.

    For messages about an objective (see the exercise bank's coverage rule).
    """
    first, block = overview_block(text)
    lines, in_objectives = {}, False
    for offset, line in enumerate(block.splitlines()):
        if line and not line[0].isspace():
            in_objectives = line.startswith("objectives:")
        elif in_objectives and (key := re.match(r"^\s+([a-z][a-z0-9-]*)\s*:", line)):
            lines.setdefault(key.group(1), first + offset)
    return lines


def module_number(docname: str) -> int | None:
    """Module number from a chapter's file name, or None for other pages."""
    match = MODULE_FILE.match(docname)
    return int(match.group(1)) if match else None


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
        overview = [keep_together.begin(), self._render(info), keep_together.end()]
        return [nodes.raw("", f"\\textbookmodule{{{number}}}\n", format="latex"), *overview]

    def _parse(self) -> dict:
        try:
            return parse_overview("\n".join(self.content))
        except OverviewError as error:
            line = self.content_offset + 1 + error.line
            raise self.error(f"module-overview: {error} (line {line})") from None

    def _render(self, info: ModuleInfo) -> nodes.admonition:
        box = nodes.admonition(classes=["module-overview"])
        box += nodes.title("", "Module at a glance")
        fields = nodes.field_list()
        fields += _field("Difficulty", nodes.paragraph("", info.difficulty_text))
        fields += _field("Estimated time", nodes.paragraph("", f"{info.minutes} minutes"))
        prerequisites = nodes.bullet_list()
        for item in info.prerequisites:
            prerequisites += nodes.list_item("", nodes.paragraph("", item))
        fields += _field("Prerequisites", prerequisites)
        box += fields
        box += nodes.paragraph("", "By the end of this module you will be able to:")
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


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _modules(env).pop(docname, None)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    _modules(env).update({doc: info for doc, info in _modules(other).items() if doc in docnames})
