"""The exam edition's Sphinx side: the ``exam-exercises`` directive, one printed document per source.

Loaded only into the exam's own Sphinx project (``textbook exam`` adds it to
the extensions), never into the book's. Each generated source is one
student exam or one key; the directive renders the listed exercises, in the
variant's order, with the variant's option order and parameter values, and
numbers them "Question 1", "Question 2"... in the order shown (in the course's language).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from textbook.exercises import INSTRUCTOR_THEME, render, tracking
from textbook.exercises.answer_space import answer_space
from textbook.bank.bank import Exercise
from textbook.core.config import of_sphinx
from textbook.core.messages import ENGLISH, Words
from textbook.exercises.directive import _source_swapped
from textbook.instructor import variants

KEY_SUFFIX = "-key"


class ExamExercises(SphinxDirective):
    option_spec = {
        "ids": directives.unchanged_required,
        "seed": directives.nonnegative_int,
        "mode": lambda value: directives.choice(value, ("workbook", "key")),
    }

    def run(self) -> list[nodes.Node]:
        renderer = self.state._renderer
        bank = tracking.bank(self.env)
        seed, mode = self.options["seed"], self.options["mode"]

        def parse(text: str, exercise: Exercise, section: str) -> list[nodes.Node]:
            holder = nodes.container()
            with _source_swapped(renderer, exercise.path), renderer.current_node_context(holder):
                renderer.nested_render_text(text, exercise.sections[section].line - 1)
            return list(holder.children)

        boxes = []
        words = Words.of(of_sphinx(self.config))
        for number, exercise_id in enumerate(self.options["ids"].split(), start=1):
            exercise = bank.exercises[exercise_id]
            tracking.record_use(self.env, exercise)
            box = render.exercise_nodes(variants.in_variant(exercise, seed), mode, parse, seed=seed, words=words)
            heading = "question.key_heading" if mode == "key" else "question.heading"
            text = words(heading, number=number, title=exercise.title, exercise=exercise.number)
            title = next(node for node in box.findall(nodes.rubric) if "exercise-title" in node["classes"])
            title.replace_self(nodes.rubric("", text, classes=["exercise-title"]))
            for space in box.findall(answer_space):
                space["continued"] = words("question.continued", number=number)
            boxes.append(box)
        return boxes


def document_title(exam_title: str, docname: str, words: Words = ENGLISH) -> str:
    """``variant-2`` -> "<exam>, variant 2"; ``variant-2-key`` -> "<exam>, variant 2: key"; the
    space before the number does not break, so a long exam title never leaves it alone."""
    key = docname.endswith(KEY_SUFFIX)
    number = docname.removesuffix(KEY_SUFFIX).rsplit("-", 1)[-1]
    return words("exam.key_title" if key else "exam.title", exam=exam_title, number=number)


def configure_exam_documents(app: Sphinx, config) -> None:
    """One printed document per generated source: each variant (howto) and each key (the
    instructor theme of every key, so each of its pages says it is not for students)."""
    if config.textbook_edition != "exam":
        return
    names = sorted(path.stem for path in Path(app.srcdir).glob("*.md"))
    config.root_doc = names[0]
    words = Words.of(of_sphinx(config))
    config.latex_documents = [
        (name, f"{name}.pdf", document_title(config.textbook_exam_title, name, words), config.author,
         INSTRUCTOR_THEME if name.endswith(KEY_SUFFIX) else "howto")
        for name in names
    ]  # fmt: skip


def setup(app: Sphinx) -> dict:
    app.add_config_value("textbook_exam_title", "", "env", types=[str])
    # config-inited, after the exercise extension's own hook (priority 500).
    app.connect("config-inited", configure_exam_documents, priority=600)
    app.add_directive("exam-exercises", ExamExercises)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
