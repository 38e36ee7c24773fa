"""The generator's own words, in the course's language: message catalogues.

Every word the generator puts before a reader or an instructor (headings such
as "Exercise 0.1", "Answer key", the instructor notice, the scoring rules,
the coverage report) is a message in a catalogue, ``locale/<language>.json``,
chosen by the project's ``language`` (Sphinx's setting, ``"en"`` by default).
A regional code falls back to its language (``de_AT`` to ``de``), and a
language without a catalogue to English. Sphinx translates its own words
("Figure", "Contents" in its templates, "Index") itself.

A catalogue maps a key to a ``str.format`` text, or, for a text that depends
on a number, to its forms ``{"one": ..., "other": ...}`` (``one`` for a
number above 0 and at most 1: "1 point", "1/2 point"). A language may give
forms where English gives one text. Every message may also use ``{unit}``,
the course's unit label (``textbook_unit_label``, else the catalogue's
``unit``: "Module", "Modul"), and ``{unit_lower}``, the same in running text
("module"); the other placeholders are what the caller passes, the same in
every catalogue (``tests/core/test_languages.py`` checks it).

Messages for authors (the bank's and the gates' problems) stay English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from string import Formatter

from textbook.core.config import ProjectConfig

LOCALE = Path(__file__).parent / "locale"
FALLBACK = "en"
#: Placeholders every message may use, filled in from the unit label.
AMBIENT = frozenset({"unit", "unit_lower"})
_SPLIT = "\x00"


def catalogue_language(language: str) -> str:
    """The catalogue for ``language``: its own, its language's (``de_AT``, ``de-AT``: ``de``), else English."""
    code = (language or FALLBACK).replace("-", "_")
    for candidate in (code, code.split("_")[0].lower()):
        if (LOCALE / f"{candidate}.json").is_file():
            return candidate
    return FALLBACK


def languages() -> list[str]:
    """Every language with a catalogue."""
    return sorted(path.stem for path in LOCALE.glob("*.json"))


@cache
def catalogue(language: str) -> dict[str, str | dict[str, str]]:
    """The messages of one catalogue (``language`` as ``catalogue_language`` returns it)."""
    return json.loads((LOCALE / f"{language}.json").read_text(encoding="utf-8"))


def placeholders(message: str | dict[str, str]) -> set[str]:
    """The names a message's text (all its forms) formats in."""
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for _, name, _, _ in Formatter().parse(text) if name}


def _in_running_text(label: str) -> str:
    """"Module" as it reads inside a sentence ("module"); "CI Lab" keeps its acronym ("CI lab")."""
    return " ".join(word.lower() if word[1:].islower() else word for word in label.split(" "))


class Words:
    """The generator's words in one language, with the course's unit label.

    ``words("exercise.heading", number="0.1", title="...")`` is "Exercise 0.1: ...";
    a message with forms takes ``count``, which it may also show as ``{count}``.
    """

    def __init__(self, language: str = FALLBACK, unit_label: str = ""):
        self.language = catalogue_language(language)
        self._messages = catalogue(self.language)
        #: What a numbered chapter is called: "Module", "Modul", or the course's own label.
        self.unit = unit_label or self._messages["unit"]

    @classmethod
    def of(cls, project: ProjectConfig) -> Words:
        """The words of a course: its ``language`` and ``textbook_unit_label``."""
        return cls(project.language, project.unit_label)

    def __call__(self, key: str, count=None, **values) -> str:
        message = self._messages[key]
        if isinstance(message, dict):
            if count is None:
                raise TypeError(f"the message {key!r} depends on a number: pass count=")
            message = message["one" if 0 < count <= 1 else "other"]
        if count is not None:
            values.setdefault("count", count)
        return message.format(unit=self.unit, unit_lower=_in_running_text(self.unit), **values)

    def around(self, key: str, name: str, count=None, **values) -> tuple[str, str]:
        """The text before and after the placeholder ``name`` (a link, LaTeX set apart)."""
        before, _, after = self(key, count, **{name: _SPLIT}, **values).partition(_SPLIT)
        return before, after

    def unit_number(self, number) -> str:
        """"Module 3", "Woche 3": a unit and its number."""
        return self("unit.number", number=number)

    def kind(self, kind: str) -> str:
        """An exercise kind as a heading names it: "Short answer"."""
        return self(f"kind.{kind}")

    def kind_in_list(self, kind: str) -> str:
        """An exercise kind inside a list or sentence: "short answer"."""
        return self(f"kind_in_list.{kind}")

    def difficulty(self, level: int) -> str:
        """A module's difficulty: "Introductory (1 of 3)"."""
        return self("difficulty.text", name=self(f"difficulty.{level}"), difficulty=level)

    def points(self, amount, shown: str | None = None) -> str:
        """"3 points", "1/2 point": ``amount`` decides the form, ``shown`` is how it is written."""
        return self("points.amount", count=amount, amount=str(amount) if shown is None else shown)

    def numbered_names(self) -> list[str]:
        """The generator's names that a number follows: the unit label, "Exercise", "Question"."""
        return [self.unit, self("exercise.word"), self("question.word")]


#: English, with the unit label "Module": the words of a course that sets neither.
ENGLISH = Words()
