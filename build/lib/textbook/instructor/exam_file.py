"""Read an exam file (``exams/<name>.yml``): what an exam holds, checked with a JSON Schema.

An exam names its exercises either explicitly (``exercises: [id, ...]``) or
by a selection rule (``select:`` modules, objectives, kinds and a points or
minutes budget). Every problem is reported as ``file:line: message``, the
line taken from PyYAML's node marks, so an instructor can go straight to it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from textbook.bank.schema import KINDS
from textbook.core.problems import ProblemsError

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}

EXAM_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 3},
        "date": {"type": "string"},
        "instructions": {"type": "string"},
        "exercises": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _ID},
        "select": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "modules": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "integer"}},
                "objectives": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _ID},
                "kinds": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(KINDS)}},
                "points": {"type": "integer", "minimum": 1},
                "minutes": {"type": "integer", "minimum": 1},
            },
            # One budget: the selection's points, or its minutes, add up to it exactly.
            "oneOf": [{"required": ["points"]}, {"required": ["minutes"]}],
        },
    },
    "oneOf": [{"required": ["exercises"]}, {"required": ["select"]}],
}


class ExamFileError(ProblemsError):
    """The exam file has problems; ``problems`` lists them as ``path:line: message``."""

    what = "the exam file"


@dataclass(frozen=True)
class Selection:
    """``select:``: which exercises may be drawn, and the budget they must meet."""

    modules: tuple[int, ...] = ()
    objectives: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    budget: str = "points"  # "points" or "minutes"
    total: int = 0


@dataclass(frozen=True)
class ExamFile:
    path: Path
    shown: str  # the path as messages name it
    name: str  # the file's stem: the exam's folder under _build/exams/
    title: str
    date: str = ""
    instructions: str = ""
    exercise_ids: tuple[str, ...] = ()
    selection: Selection | None = None
    lines: dict[tuple, int] = field(default_factory=dict)  # (key, index...) -> 1-based line

    def line(self, *path) -> int:
        """The line of a value in the file, or of its nearest enclosing one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def _node_lines(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    """Every value's 1-based line, by its path of keys and list indexes."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[(*path, key.value)] = key.start_mark.line + 1
            lines.update({p: n for p, n in _node_lines(value, (*path, key.value)).items() if p != (*path, key.value)})
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_node_lines(item, (*path, index)))
    return lines


def _plain(data):
    """YAML reads ``date: 2026-12-01`` as a date; the exam prints it as written."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and not error.path:
        return "an exam lists its exercises ('exercises: [id, ...]') or selects them ('select:'), exactly one of the two"
    if error.validator == "oneOf":
        return "'select' needs exactly one budget: 'points: N' or 'minutes: N'"
    where = "'" + ".".join(str(p) for p in error.path) + "': " if error.path else ""
    return f"{where}{error.message}"


def read_exam_file(path: Path, folder: str, shown: str | None = None) -> ExamFile:
    """Read and check the exam file at ``path``; raise ExamFileError naming every problem.
    ``folder``: where the course keeps its exam files (``textbook_exams``), for the message."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExamFileError([f"{shown}:1: no such exam file; exam files live in {folder}/, e.g. {folder}/midterm.yml"]) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ExamFileError([f"{shown}:{line}: the file is not UTF-8; save it as UTF-8"]) from None
    try:
        node = yaml.compose(text)
        data = _plain(yaml.safe_load(text))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or error
        raise ExamFileError([f"{shown}:{mark.line + 1 if mark else 1}: malformed YAML: {problem}"]) from None
    if not isinstance(data, dict) or node is None:
        raise ExamFileError([f"{shown}:1: an exam file is a YAML mapping: 'title:', then 'exercises:' or 'select:'"])
    lines = _node_lines(node)
    errors = sorted(jsonschema.Draft202012Validator(EXAM_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        problems = [f"{shown}:{lines.get(tuple(e.path), 1)}: {_schema_message(e)}" for e in errors]
        raise ExamFileError(problems)
    select = data.get("select")
    selection = None
    if select is not None:
        budget = "points" if "points" in select else "minutes"
        selection = Selection(
            tuple(select.get("modules", ())),
            tuple(select.get("objectives", ())),
            tuple(select.get("kinds", ())),
            budget,
            select[budget],
        )
    return ExamFile(
        path=path,
        shown=shown,
        name=path.stem,
        title=data["title"],
        date=data.get("date", ""),
        instructions=data.get("instructions", ""),
        exercise_ids=tuple(data.get("exercises", ())),
        selection=selection,
        lines=lines,
    )
