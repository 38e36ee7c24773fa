"""The exercise bank: validation, chapter exercises, the workbook and the answer key.

A Sphinx extension of its own, set up by ``textbook``'s ``setup()``. The bank
is read and checked once per Sphinx run, before any document is read; an
invalid bank stops the build before anything is written.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from textbook.exercises import answer_space, starter_downloads, tracking
from textbook.bank.bank import BankError, load_bank
from textbook.exercises.checks import code_checker
from textbook.exercises.directive import ExerciseReference, Exercises
from textbook.core.layout import KEY as KEY_DOC
from textbook.core.layout import MODULE_KEYS
from textbook.core.layout import WORKBOOK as WORKBOOK_DOC
from textbook.core.problems import carrying
from textbook.core.config import of_sphinx
from textbook.core.front_matter import module_number
from textbook.core.messages import Words


def load_exercise_bank(app: Sphinx) -> None:
    """Read and check the bank; start running its code exercises in the background."""
    try:
        project = of_sphinx(app.config)
        # The book's chapters are the Sphinx sources; the workbook's and an exam's project read them.
        chapters = Path(app.srcdir) if app.config.textbook_edition == "book" else project.chapters_dir
        bank = load_bank(project.exercises_dir, chapters, shown_from=Path(app.confdir),
                         cache=project.cache_dir / "bank.pickle")  # fmt: skip
    except BankError as error:
        raise carrying(ExtensionError(str(error)), error.problems) from None
    app.env.textbook_bank = bank
    # The code exercises run (in subprocesses) while Sphinx reads and executes the
    # chapters; their verdict is awaited before anything is written.
    # Each program runs in a folder of its own under the cache, with its own MLflow store.
    cache = of_sphinx(app.config).cache_dir
    checker = code_checker(cache / "exercise-checks.json", scratch=cache / "exercise-runs")
    code = [exercise for exercise in bank.exercises.values() if exercise.kind == "code"]
    _code_checks[id(app)] = ThreadPoolExecutor(max_workers=1).submit(checker, code)


def await_code_checks(app: Sphinx, env) -> None:
    """Fail before writing if a code exercise's solution or starter is wrong."""
    pending = _code_checks.pop(id(app), None)
    problems = pending.result() if pending else []
    if problems:
        raise carrying(ExtensionError(str(BankError(problems))), problems)


#: Code checks running in the background, by Sphinx application.
_code_checks: dict[int, Future] = {}


#: The theme of a printed document (a ``latex_documents`` entry) that is an instructor's: every
#: page of it carries the notice that it is not for students (``typst/builder.py``).
INSTRUCTOR_THEME = "instructor"


def module_key_pdf(docname: str) -> str:
    """The PDF of a module's key as printed (published as ``keys/<docname>.pdf``)."""
    return f"{KEY_DOC}-{docname}.pdf"


def configure_exercise_edition(app: Sphinx, config) -> None:
    """The workbook and keys are a project of their own: the workbook, the whole key, a key
    per module (one for each source ``editions.py`` wrote into ``keys/``); every key in the
    instructor theme, so each of its pages says it is not for students."""
    if config.textbook_edition != "exercises":
        return
    words = Words.of(of_sphinx(config))
    config.root_doc = WORKBOOK_DOC
    module_keys = sorted(Path(app.srcdir, MODULE_KEYS).glob("*.md"))
    config.latex_documents = [
        (WORKBOOK_DOC, f"{WORKBOOK_DOC}.pdf", words("workbook.document"), config.author, "howto"),
        (KEY_DOC, f"{KEY_DOC}.pdf", words("key.document"), config.author, INSTRUCTOR_THEME),
    ] + [
        (
            f"{MODULE_KEYS}/{source.stem}",
            module_key_pdf(source.stem),
            words("module_key.document", number=module_number(source.stem)),
            config.author,
            INSTRUCTOR_THEME,
        )
        for source in module_keys
    ]


def setup(app: Sphinx) -> dict:
    app.add_config_value("textbook_edition", "book", "env", types=[str])

    # config-inited: the exercise edition's documents.
    app.connect("config-inited", configure_exercise_edition)
    # builder-inited: read and check the bank before any document is read.
    app.connect("builder-inited", load_exercise_bank)
    # env-updated: every document is read; the code exercises' verdict must be in.
    app.connect("env-updated", await_code_checks)
    # env-get-outdated: re-read documents whose exercises changed or were renumbered.
    app.connect("env-get-outdated", tracking.outdated_by_bank)
    # env-purge-doc / env-merge-info: keep the use records parallel-safe.
    app.connect("env-purge-doc", tracking.purge_doc)
    app.connect("env-merge-info", tracking.merge_info)
    # env-check-consistency: every module with exercises shows them.
    app.connect("env-check-consistency", tracking.check_every_module_lists_its_exercises)

    # doctree-resolved / build-finished: a module's starter notebook, linked before its exercises.
    app.connect("doctree-resolved", starter_downloads.link_starter_notebook)
    app.connect("build-finished", starter_downloads.write_starter_notebooks)

    for node, visitors in answer_space.VISITORS.items():
        app.add_node(node, **visitors)
    app.add_directive("exercises", Exercises)
    app.add_role("ex", ExerciseReference())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
