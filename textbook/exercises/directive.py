"""The ``exercises`` directive and the ``ex`` role.

In a chapter, at its end::

    ## Exercises

    ```{exercises}
    ```

lists the module's exercises from the bank, questions only. The generated
workbook and answer key use the same directive with ``:mode: workbook`` or
``:mode: key``; those modes are refused in the book itself, so a solution can
never be rendered into a page of the book or its search index.

Anywhere in the book, ``{ex}`exercise-id` `` renders "Exercise 0.3" (in the
course's language), linked to the exercise in HTML and PDF.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

from textbook.exercises import render, tracking
from textbook.bank.bank import Exercise
from textbook.core.config import of_sphinx
from textbook.core.messages import Words
from textbook.sphinx_ext.prose_numbers import GENERATED_NUMBER


@contextmanager
def _source_swapped(renderer, path: Path):
    """Report problems in nested text against the exercise file, as MyST's include does."""
    document, reporter = renderer.document, renderer.reporter
    saved = document["source"], reporter.source, getattr(reporter, "get_source_and_line", None)
    document["source"] = reporter.source = str(path)
    reporter.get_source_and_line = lambda line: (str(path), line)
    try:
        yield
    finally:
        document["source"], reporter.source = saved[0], saved[1]
        if saved[2] is not None:
            reporter.get_source_and_line = saved[2]
        else:
            del reporter.get_source_and_line


class Exercises(SphinxDirective):
    optional_arguments = 1  # the module's chapter; default: the current document
    option_spec = {"mode": lambda value: directives.choice(value, render.MODES)}

    def run(self) -> list[nodes.Node]:
        mode = self.options.get("mode", "questions")
        if mode != "questions" and self.config.textbook_edition != "exercises":
            raise self.error(
                f"':mode: {mode}' is only for the workbook and answer key that 'textbook build workbook key' "
                "generates; in the book, exercises show their questions only"
            )
        renderer = getattr(self.state, "_renderer", None)
        if renderer is None:
            raise self.error("the exercises directive works in MyST Markdown (.md) documents only")
        module = self.arguments[0] if self.arguments else self.env.docname
        bank = tracking.bank(self.env)
        exercises = bank.for_module(module)
        if not exercises:
            raise self.error(
                f"the exercise bank has no exercises for '{module}'; add them under exercises/{module}/"
            )
        tracking.record_list(self.env, module)

        def parse(text: str, exercise: Exercise, section: str) -> list[nodes.Node]:
            holder = nodes.container()
            with _source_swapped(renderer, exercise.path), renderer.current_node_context(holder):
                renderer.nested_render_text(text, exercise.sections[section].line - 1)
            return list(holder.children)

        result: list[nodes.Node] = []
        words = Words.of(of_sphinx(self.config))
        for exercise in exercises:
            tracking.record_use(self.env, exercise)
            box = render.exercise_nodes(exercise, mode, parse, words=words)
            if mode == "questions":
                target = nodes.target("", "", ids=[exercise.label], names=[exercise.label])
                self.state.document.note_explicit_target(target)
                result.append(target)
            result.append(box)
        return result


class ExerciseReference(SphinxRole):
    """``{ex}`id` ``: "Exercise <number>", a link where the exercise is shown."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        bank = tracking.bank(self.env)
        exercise_id = self.text.strip()
        exercise = bank.exercises.get(exercise_id)
        if exercise is None:
            message = self.inliner.reporter.error(
                f"unknown exercise id '{exercise_id}'; the bank's ids are in the 'id:' field of "
                f"each exercises/<module>/*.md file",
                line=self.lineno,
            )
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        tracking.record_use(self.env, exercise)
        text = Words.of(of_sphinx(self.config))("exercise.name", number=exercise.number)
        if self.config.textbook_edition != "book":
            return [nodes.Text(text)], []
        reference = addnodes.pending_xref(
            self.rawtext,
            nodes.inline(text, text, classes=["xref", "std", "std-ref"]),
            refdomain="std",
            reftype="ref",
            reftarget=exercise.label,
            refexplicit=True,
            refwarn=True,
            refdoc=self.env.docname,
        )
        reference[GENERATED_NUMBER] = True  # its number is the bank's, not typed in the chapter
        self.set_source_info(reference)
        return [reference], []
