"""Students' submissions: who submitted, and their answer to each exercise.

``--submissions PATH`` is one of:

* a folder with one ``.ipynb`` or ``.py`` file per student: the student is the
  file's name without its suffix (``Zoë Müller.ipynb`` is "Zoë Müller");
* Moodle's "Download all submissions", as its zip file or unpacked: one
  folder per student, ``Full Name_123456_assignsubmission_file_``; the student
  is the name and the participant number (the grades' identifier is
  "Participant 123456", as Moodle's grading worksheet names it), and the
  answer is the ``.ipynb`` or ``.py`` file in that folder.

A student with several files (``a.py`` and ``a.ipynb``; two files in one
Moodle folder) is graded on the last by name, as the newest of files named by
date or version; the output says which were left out. Other files are
ignored.

**Finding an answer.** In a notebook, the answer to an exercise is the code
cell(s) whose metadata names it (``{"textbook": {"exercise": "<id>", "part":
"answer"}}``, written by ``starter_notebooks.py``), wherever the student moved
them; several such cells are joined in order. A cell deleted, or its metadata
lost, leaves the exercise without an answer (0 points, said so). IPython lines
(``%magic``, ``!shell``) become comments. A ``.py`` file is the answer to every
exercise graded: grade one exercise by its id to mark ``.py`` submissions.

A file that cannot be read (empty, not JSON, not a notebook, a notebook of
other exercises) is reported with its reason and graded 0; the other students
are graded all the same.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from textbook.exercises.starter_notebooks import MARKER, PART

SUFFIXES = (".ipynb", ".py")
_MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<number>\d+)_assignsubmission_\w*?_?$")


@dataclass
class Submission:
    identifier: str  # the grades' identifier: the file's stem, or "Participant 123456"
    name: str  # the student's name as given
    path: Path | None = None  # the file graded
    answers: dict[str, str] = field(default_factory=dict)  # exercise id -> code
    problem: str | None = None  # why the file could not be read
    notes: list[str] = field(default_factory=list)  # e.g. files left out
    count: int = 1  # files submitted


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _ipython_free(code: str) -> str:
    """IPython's ``%magic`` and ``!shell`` lines as comments, so the code is Python."""
    return "\n".join(f"# {line}" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


def notebook_answers(text: str, exercise_ids: list[str]) -> dict[str, str]:
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
        marker = (cell.get("metadata") or {}).get(MARKER)
        if not isinstance(marker, dict) or marker.get("part") != PART:
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if marker.get("exercise") in exercise_ids:
            found.setdefault(marker["exercise"], []).append(_ipython_free(source))
        else:
            others.add(str(marker.get("exercise")))
    if not found and others:
        raise ValueError(f"a notebook for other exercises ({', '.join(sorted(others))}), not for these")
    return {exercise: "\n\n".join(parts) + "\n" for exercise, parts in found.items()}


def _read(submission: Submission, exercise_ids: list[str]) -> None:
    path = submission.path
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        submission.problem = "the file is not UTF-8 text"
        return
    except OSError as error:
        submission.problem = f"the file cannot be read ({error.strerror})"
        return
    if path.suffix == ".py":
        if not text.strip():
            submission.problem = "the file is empty"
        else:
            submission.answers = {exercise: _ipython_free(text) + "\n" for exercise in exercise_ids}
        return
    try:
        submission.answers = notebook_answers(text, exercise_ids)
    except ValueError as error:
        submission.problem = str(error)


def _newest(files: list[Path], submission: Submission) -> None:
    files = sorted(files, key=lambda p: p.name)
    submission.path, submission.count = files[-1], len(files)
    if len(files) > 1:
        left = ", ".join(p.name for p in files[:-1])
        submission.notes.append(f"{len(files)} submissions: graded {files[-1].name}, the last by name; left out {left}")


def unpack(path: Path, folder: Path) -> Path:
    """A zip file's contents in ``folder`` (emptied first), refusing names that leave it; a folder as it is."""
    if path.is_dir():
        return path
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: submissions are a folder or a zip file (Moodle's 'Download all submissions')")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            target = (folder / member.filename).resolve()
            if not target.is_relative_to(folder.resolve()):
                raise ValueError(f"{path}: {member.filename} would be unpacked outside its folder")
        archive.extractall(folder)
    return folder


def read_submissions(folder: Path, exercise_ids: list[str]) -> list[Submission]:
    """Every student's submission in ``folder`` (see the module's docstring), in the order of their identifiers."""
    students: dict[str, Submission] = {}
    moodle = [p for p in folder.iterdir() if p.is_dir() and _MOODLE_FOLDER.match(_nfc(p.name))]
    if moodle:
        for student in sorted(moodle):
            match = _MOODLE_FOLDER.match(_nfc(student.name))
            submission = Submission(f"Participant {match['number']}", match["name"])
            files = [p for p in student.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES]
            if files:
                _newest(files, submission)
                _read(submission, exercise_ids)
            else:
                submission.problem = "no .ipynb or .py file in the submission"
            students[submission.identifier] = submission
    else:
        by_stem: dict[str, list[Path]] = {}
        for path in folder.iterdir():
            if path.is_file() and path.suffix.lower() in SUFFIXES:
                by_stem.setdefault(_nfc(path.stem), []).append(path)
        for stem, files in by_stem.items():
            submission = Submission(stem, stem)
            _newest(files, submission)
            _read(submission, exercise_ids)
            students[stem] = submission
    return [students[key] for key in sorted(students)]
