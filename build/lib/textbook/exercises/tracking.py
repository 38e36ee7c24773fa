"""Which documents show which exercises, so an edit to the bank re-reads just them.

Every document that lists exercises or refers to one records, per exercise,
its number and the digest of its file. Before reading, Sphinx asks which
documents are outdated; we add every document whose recorded exercises have
a new number or new content (or no longer exist). This also catches what
file timestamps cannot: renumbering when a file is added or renamed.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from textbook.bank.bank import Bank, Exercise

logger = logging.getLogger(__name__)


def _uses(env: BuildEnvironment) -> dict[str, dict[str, str]]:
    if not hasattr(env, "textbook_exercise_uses"):
        env.textbook_exercise_uses = {}
    return env.textbook_exercise_uses


def _lists(env: BuildEnvironment) -> dict[str, str]:
    """docname -> the module whose exercises it lists with the ``exercises`` directive."""
    if not hasattr(env, "textbook_exercise_lists"):
        env.textbook_exercise_lists = {}
    return env.textbook_exercise_lists


def bank(env: BuildEnvironment) -> Bank:
    return env.textbook_bank


def _stamp(exercise: Exercise) -> str:
    return f"{exercise.number}:{exercise.digest}"


def record_use(env: BuildEnvironment, exercise: Exercise) -> None:
    _uses(env).setdefault(env.docname, {})[exercise.id] = _stamp(exercise)


def record_list(env: BuildEnvironment, module_docname: str) -> None:
    _lists(env)[env.docname] = module_docname


def outdated_by_bank(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    exercises = bank(env).exercises
    return sorted(
        docname
        for docname, used in _uses(env).items()
        if docname not in removed
        and any(i not in exercises or _stamp(exercises[i]) != stamp for i, stamp in used.items())
    )


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _uses(env).pop(docname, None)
    _lists(env).pop(docname, None)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    for docname in docnames:
        if docname in _uses(other):
            _uses(env)[docname] = _uses(other)[docname]
        if docname in _lists(other):
            _lists(env)[docname] = _lists(other)[docname]


def check_every_module_lists_its_exercises(app: Sphinx, env: BuildEnvironment) -> None:
    """A module with exercises in the bank must end with them: warn where a chapter does not."""
    if app.config.textbook_edition != "book":
        return
    listed = set(_lists(env).values())
    for docname, module in bank(env).modules.items():
        if docname in env.all_docs and bank(env).for_module(docname) and docname not in listed:
            logger.warning(
                "module %d has %d exercises in the bank but its chapter does not show them; "
                "end the chapter with a '## Exercises' section holding an exercises block",
                module.number,
                len(bank(env).for_module(docname)),
                location=docname,
            )


def listed_module(env: BuildEnvironment, docname: str) -> str | None:
    """The module whose exercises ``docname`` lists, if it lists any."""
    return _lists(env).get(docname)
