"""A student's answers in one file: the code cells the starter notebook marked, or a whole ``.py``.

In a notebook, the answer to an exercise is the code cell(s) whose metadata
names it (``{"textbook": {"exercise": "<id>", "part": "answer"}}``, written
by ``starter_notebooks.py``), wherever the student moved them; several such
cells are joined in order. A cell deleted, or its metadata lost, leaves the
exercise without an answer. IPython lines (``%magic``, ``!shell``) become
comments. A ``.py`` file is the answer to every exercise graded.

Standard library only, and the marker is an argument: the Gradescope
autograder (``autograder.py``) ships this module as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

SUFFIXES = (".ipynb", ".py")


def ipython_free(code: str) -> str:
    """IPython's ``%magic`` and ``!shell`` lines as comments, so the code is Python."""
    return "\n".join(f"# {line}" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


def notebook_answers(text: str, exercise_ids: list[str], marker: str, part: str) -> dict[str, str]:
    """Each exercise's answer in a notebook's JSON text; raise ValueError saying why it is no notebook."""
    if not text.strip():
        raise ValueError("the file is empty")
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not a notebook: invalid JSON (line {error.lineno}: {error.msg})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError("not a notebook: it has no list of cells")
    found: dict[str, list[str]] = {}
    others = set()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        mark = (cell.get("metadata") or {}).get(marker)
        if not isinstance(mark, dict) or mark.get("part") != part:
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if mark.get("exercise") in exercise_ids:
            found.setdefault(mark["exercise"], []).append(ipython_free(source))
        else:
            others.add(str(mark.get("exercise")))
    if not found and others:
        raise ValueError(f"a notebook for other exercises ({', '.join(sorted(others))}), not for these")
    return {exercise: "\n\n".join(parts) + "\n" for exercise, parts in found.items()}


def file_answers(path: Path, exercise_ids: list[str], marker: str, part: str) -> dict[str, str]:
    """Each exercise's answer in the file ``path``; raise ValueError saying why the file cannot be graded."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    except OSError as error:
        raise ValueError(f"the file cannot be read ({error.strerror})") from None
    if path.suffix.lower() == ".py":
        if not text.strip():
            raise ValueError("the file is empty")
        return {exercise: ipython_free(text) + "\n" for exercise in exercise_ids}
    return notebook_answers(text, exercise_ids, marker, part)


def newest(files: list[Path]) -> tuple[Path, list[Path]]:
    """The file graded when a student sent several (the last by name, as the newest of files named by
    date or version), and those left out."""
    files = sorted(files, key=lambda p: p.name)
    return files[-1], files[:-1]
