"""A module chapter's front matter, read without Sphinx.

Each module chapter opens with a ``module-overview`` block of YAML (difficulty,
minutes, prerequisites, objectives by id); its module number comes from the
file name (``00-introduction.md`` is module 0). The Sphinx directive
(``sphinx_ext/module_overview.py``) renders it; the exercise bank and the
coverage report read the objectives from the chapter's source here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jsonschema
import yaml

#: libyaml's parser when PyYAML was built with it: the same documents, read five times faster
#: (the bank reads one header per exercise on every build).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
