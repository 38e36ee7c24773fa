"""Exercise parameters: numbers drawn by a seeded generator that fill the question and the solution.

An exercise may have a ``## Parameters`` section holding one ``python`` block.
It runs with ``rng = random.Random(seed)`` (and ``math`` and ``statistics``)
and defines names; every ``{{name}}`` in the question, choices, solution,
rubric and grading notes is replaced by the value's text. The book, workbook
and answer key use the values of ``DEFAULT_SEED``; each exam variant draws its
own. The block runs in a separate process (``parameter_worker.py``) twice,
under two hash seeds: a block that raises, or whose two runs disagree, is an
error at its line in the exercise file.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from textbook.bank import content

DEFAULT_SEED = 0
SECTION = "Parameters"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")
_WORKER = Path(__file__).with_name("parameter_worker.py")
_HASH_SEEDS = ("1", "2")  # two runs that share nothing but the code and the seed


class ParameterError(ValueError):
    """A generator that cannot be used; ``line`` is the 1-based line in the exercise file."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _code_line(exercise) -> int:
    """The file line of the first line of code in the Parameters block (after its fence)."""
    section = exercise.sections[SECTION]
    return section.line + section.lead + 1


def generator_code(exercise) -> str:
    try:
        code = content.single_python_block(exercise.sections[SECTION].text, SECTION)
    except content.ContentError as error:
        raise ParameterError(str(error), exercise.sections[SECTION].line - 1) from None
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise ParameterError(f"the parameter generator is not valid Python: {error.msg}",
                             _code_line(exercise) + (error.lineno or 1) - 1) from None  # fmt: skip
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ParameterError(
                "a parameter generator imports nothing: it has 'rng' (random.Random(seed)), 'math' and "
                "'statistics'", _code_line(exercise) + node.lineno - 1,
            )  # fmt: skip
    return code


def _run(code: str, seeds: list[int], hash_seed: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(_WORKER)],
        input=json.dumps({"code": code, "seeds": seeds}),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["the generator crashed"])[-1]
        return {"error": last, "line": 0}
    return json.loads(result.stdout)


#: Values already drawn, by generator code and seeds: in this process (the bank is read more than
#: once per build, and each draw costs two fresh processes), and by earlier builds (``keep_draws``).
_drawn: dict[tuple[str, tuple[int, ...]], list[dict[str, str]]] = {}


def _drawing_stamp() -> str:
    """What a draw's values depend on besides its code and seeds: the worker and the interpreter."""
    return hashlib.sha256(_WORKER.read_bytes() + sys.version.encode() + repr(_HASH_SEEDS).encode()).hexdigest()


@contextmanager
def keep_draws(cache_file: Path | None):
    """Reading a bank, with the values earlier builds drew kept in ``cache_file``: after an edit
    to one exercise, the others' generators are not run again (two processes each)."""
    try:  # missing or half written (a build killed): nothing kept
        kept = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file is not None else {}
    except (OSError, ValueError):
        kept = {}
    if kept.get("stamp") == _drawing_stamp():
        for code, seeds, values in kept["draws"]:
            _drawn.setdefault((code, tuple(seeds)), values)
    yield
    if cache_file is not None:
        draws = [[code, list(seeds), values] for (code, seeds), values in _drawn.items()]
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({"stamp": _drawing_stamp(), "draws": draws}), encoding="utf-8")


def draw_values(exercise, seeds: list[int]) -> list[dict[str, str]]:
    """The parameters' values for each seed; raise ParameterError if the generator raises
    or is not deterministic (two runs in fresh processes give different values)."""
    code = generator_code(exercise)
    if (code, tuple(seeds)) not in _drawn:
        _drawn[code, tuple(seeds)] = _checked_draw(exercise, code, seeds)
    return [dict(values) for values in _drawn[code, tuple(seeds)]]


def _checked_draw(exercise, code: str, seeds: list[int]) -> list[dict[str, str]]:
    with ThreadPoolExecutor(max_workers=len(_HASH_SEEDS)) as runs:  # the two processes side by side
        first, second = runs.map(lambda hash_seed: _run(code, seeds, hash_seed), _HASH_SEEDS)
    if "error" in first:
        line = _code_line(exercise) + max(first["line"], 1) - 1
        raise ParameterError(f"the parameter generator raised {first['error']}; fix the '## Parameters' block", line)
    if first != second:
        seed, a, b = next((s, a, b) for s, a, b in zip(seeds, first["values"], second["values"]) if a != b)
        name = next(n for n in sorted(set(a) | set(b)) if a.get(n) != b.get(n))
        raise ParameterError(
            f"the parameter generator is not deterministic: with seed {seed}, '{name}' was {a.get(name)!r} in one run "
            f"and {b.get(name)!r} in another; draw every random value from 'rng'",
            exercise.sections[SECTION].line - 1,
        )
    return first["values"]


def _fill(text: str, values: dict[str, str], exercise, section: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            offset = text[: match.start()].count("\n")
            known = ", ".join(sorted(values)) or "none"
            raise ParameterError(
                f"'{{{{{name}}}}}' names no parameter; the '## Parameters' block defines: {known}",
                exercise.sections[section].line + exercise.sections[section].lead + offset,
            )
        return values[name]

    return PLACEHOLDER.sub(replace, text)


def instantiate(exercise, values: dict[str, str]):
    """``exercise`` with every ``{{name}}`` filled in from ``values``; ``template`` keeps the original."""
    sections = {
        name: dataclasses.replace(section, text=_fill(section.text, values, exercise, name)) if name != SECTION else section
        for name, section in exercise.sections.items()
    }
    choices = tuple(
        dataclasses.replace(choice, text=_fill(choice.text, values, exercise, "Choices")) for choice in exercise.choices
    )
    rubric = tuple(
        dataclasses.replace(criterion, text=_fill(criterion.text, values, exercise, "Rubric"))
        for criterion in exercise.rubric
    )
    return dataclasses.replace(exercise, sections=sections, choices=choices, rubric=rubric, template=exercise)


def for_seed(exercise, seed: int):
    """``exercise`` (from the bank) with its parameters drawn for ``seed``; unchanged if it has none."""
    template = exercise.template or exercise
    if SECTION not in template.sections:
        return exercise
    return instantiate(template, draw_values(template, [seed])[0])
