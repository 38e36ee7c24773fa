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

**Finding an answer**: ``answers.py``.

A file that cannot be read (empty, not JSON, not a notebook, a notebook of
other exercises) is reported with its reason and graded 0; the other students
are graded all the same.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from textbook.exercises.starter_notebooks import MARKER, PART
from textbook.marking.answers import SUFFIXES, file_answers, newest
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


def _read(submission: Submission, exercise_ids: list[str]) -> None:
    try:
        submission.answers = file_answers(submission.path, exercise_ids, MARKER, PART)
    except ValueError as error:
        submission.problem = str(error)


def _newest(files: list[Path], submission: Submission) -> None:
    submission.path, left = newest(files)
    submission.count = len(files)
    if left:
        names = ", ".join(p.name for p in left)
        submission.notes.append(f"{len(files)} submissions: graded {submission.path.name}, the last by name; "
                                f"left out {names}")


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
