"""Turn a bank exercise into docutils nodes for one of three audiences.

* ``questions`` (the book, HTML and PDF, and the handouts): the question only.
* ``workbook`` (students, print): the question with room to write.
* ``key`` (instructors): the question, then the solution (a short answer's
  machine-markable answer first), the checked code and its hidden checks,
  the rubric as a table, grading notes and points.

A code exercise shows its starter code and its public checks in every mode.

A multiple-choice question shows its options lettered, in one seeded order
(``bank/order.py``), with tick boxes in print, and states its scoring rule in
every mode; only ``key`` marks the right options.

Only ``key`` ever reads the secret sections (``schema.SECRET_SECTIONS``);
the other modes cannot put a solution into a page because they never touch
its text.

The words it adds (headings, the line under the title, the scoring rule,
"Correct:") are the course's: a ``Words`` of ``core/messages.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from docutils import nodes

from textbook.bank import content, grading
from textbook.bank.order import lettered, shown_order
from textbook.core.messages import ENGLISH, Words
from textbook.exercises.answer_space import answer_space, asked_room, blank_cell_strut, sized_lines, tick_box
from textbook.bank.bank import Exercise
from textbook.sphinx_ext import keep_together

MODES = ("questions", "workbook", "key")
#: Kinds answered on the page itself: tick boxes, blank table cells.
NO_ANSWER_SPACE = ("multiple-choice", "fill-in-table")

#: parse(text, exercise, section_name) -> nodes, for MyST text from the exercise file.
Parser = Callable[[str, Exercise, str], list[nodes.Node]]


def heading(exercise: Exercise, words: Words = ENGLISH) -> str:
    return words("exercise.heading", number=exercise.number, title=exercise.title)


def meta_text(exercise: Exercise, words: Words = ENGLISH) -> str:
    numbers = ", ".join(str(n) for n in exercise.objective_numbers())
    objectives = words("exercise.objectives", count=len(exercise.objectives), numbers=numbers)
    return words(
        "exercise.meta",
        count=exercise.points,
        kind=words.kind(exercise.kind),
        difficulty=exercise.difficulty,
        minutes=exercise.minutes,
        points=exercise.points,
        objectives=objectives,
    )


def _choices(exercise: Exercise, parse: Parser, mark_correct: bool, seed: int | None) -> nodes.enumerated_list:
    """The lettered options, each with a tick box in print; the key fills the right ones' boxes.

    In a student edition every option is built the same way, whatever its
    correctness: same nodes, classes and attributes.
    """
    options = nodes.enumerated_list(enumtype="upperalpha", prefix="", suffix=".", classes=["exercise-choices"])
    for choice in shown_order(exercise, seed):
        item = nodes.list_item()
        item.extend(parse(choice.text, exercise, "Choices"))
        paragraph = item.next_node(nodes.paragraph) or item
        paragraph.insert(0, tick_box(ticked=mark_correct and choice.correct))
        options += item
    return options


def _correct_letters(exercise: Exercise, seed: int | None, words: Words) -> nodes.paragraph:
    """The answer key's line naming the right options by letter."""
    letters = ", ".join(letter for letter, choice in lettered(exercise, seed) if choice.correct)
    return nodes.paragraph("", "", nodes.strong("", words("exercise.correct", letters=letters)), classes=["exercise-correct"])


def _scoring(exercise: Exercise, key: bool, words: Words) -> nodes.paragraph:
    """The multiple-choice scoring rule, stated under the choices in every edition."""
    text = grading.scoring_text(exercise.scoring, exercise.points, len(exercise.choices), words)
    if key:
        correct = [choice.correct for choice in exercise.choices]
        text += " " + grading.scoring_key_text(exercise.scoring, exercise.points, correct, words)
    return nodes.paragraph("", "", nodes.emphasis("", text), classes=["exercise-scoring"])


def _rubric_table(exercise: Exercise, parse: Parser, words: Words) -> nodes.table:
    """Criterion | Points, one row per criterion and a total row (answer key only)."""
    table = nodes.table(classes=["exercise-rubric", "colwidths-given"])
    group = nodes.tgroup(cols=2)
    table += group
    group += nodes.colspec(colwidth=82)
    group += nodes.colspec(colwidth=18)

    def row(criterion: list[nodes.Node], points: nodes.Node) -> nodes.row:
        cells = nodes.row()
        cells += nodes.entry("", *criterion)
        cells += nodes.entry("", nodes.paragraph("", "", points))
        return cells

    head = nodes.thead()
    head += row([nodes.paragraph("", words("rubric.criterion"))], nodes.Text(words("rubric.points")))
    group += head
    body = nodes.tbody()
    for criterion in exercise.rubric:
        parsed = parse(criterion.text, exercise, "Rubric") or [nodes.paragraph("", criterion.text)]
        body += row(parsed, nodes.Text(grading.format_points(criterion.points)))
    body += row([nodes.paragraph("", "", nodes.strong("", words("rubric.total")))], nodes.strong("", str(exercise.points)))
    group += body
    return table


def _full_width_tables(parsed: list[nodes.Node]) -> None:
    """Give a fill-in table equal columns across the page, so blank columns have room."""
    for node in parsed:
        for table in node.findall(nodes.table):
            colspecs = list(table.findall(nodes.colspec))
            for colspec in colspecs:
                colspec["colwidth"] = 1
            table["classes"].append("colwidths-given")


def _make_blank_cells_writable(question: list[nodes.Node], lines: int) -> None:
    for node in question:
        for entry in node.findall(nodes.entry):
            if content.is_blank_cell(entry.astext()):
                entry.children = [nodes.paragraph("", "", blank_cell_strut(lines))]


def _code_block(code: str, exercise: Exercise, section: str) -> nodes.literal_block:
    """Code from the bank, with the exercise file as its source for messages."""
    block = nodes.literal_block(code, code, language="python")
    block.source, block.line = str(exercise.path), exercise.sections[section].line
    return block


def _public_checks(exercise: Exercise, words: Words) -> list[nodes.Node]:
    """The checks students may run on their own answer, shown in every edition."""
    return [
        nodes.rubric("", words("public_checks.heading")),
        nodes.paragraph("", words("public_checks.note")),
        _code_block(exercise.code("Public checks"), exercise, "Public checks"),
    ]


def answer_text(answer: content.NumericAnswer | content.AcceptedAnswers, words: Words = ENGLISH) -> str:
    """What a quiz system accepts, in words: the key states it above the worked solution."""
    if isinstance(answer, content.NumericAnswer):
        if float(answer.tolerance) == 0:
            return words("answer.exactly", value=answer.value)
        return words("answer.within", value=answer.value, tolerance=answer.tolerance)
    return words("answer.texts", count=len(answer.texts), texts=", ".join(answer.texts))


def _solution(exercise: Exercise, parse: Parser, words: Words) -> nodes.container:
    box = nodes.container(classes=["exercise-solution"])
    box += nodes.rubric("", words("solution.heading"))
    if exercise.answer is not None:
        box += nodes.paragraph("", "", nodes.strong("", answer_text(exercise.answer, words)), classes=["exercise-answer"])
    box.extend(parse(exercise.sections["Solution"].text, exercise, "Solution"))
    if exercise.kind == "code":
        box += nodes.rubric("", words("hidden_checks.heading"))
        box += nodes.paragraph("", words("hidden_checks.note"))
        box += _code_block(exercise.code("Hidden checks"), exercise, "Hidden checks")
    if exercise.rubric:
        box += nodes.rubric("", words("rubric.heading"))
        box += _rubric_table(exercise, parse, words)
    elif exercise.kind == "code":
        box += nodes.paragraph("", words("solution.checks_earn", count=exercise.points, points=exercise.points))
    if "Grading notes" in exercise.sections:
        box += nodes.rubric("", words("grading_notes.heading"))
        box.extend(parse(exercise.sections["Grading notes"].text, exercise, "Grading notes"))
    box += nodes.paragraph("", "", nodes.strong("", words("solution.points", count=exercise.points, points=exercise.points)))
    return box


def _answer_space(exercise: Exercise, words: Words) -> answer_space:
    """The workbook's room to write: a code box, or ruled lines, as many as the exercise's minutes
    call for, ``space`` or what the prompt asks for when more (``answer_space.sized_lines``)."""
    continued = words("exercise.continued", number=exercise.number)
    lines = sized_lines(exercise.kind, exercise.minutes, exercise.space)
    if exercise.kind == "code":
        return answer_space(lines=lines, code=True, continued=continued)
    tenths, asked = asked_room(exercise.sections["Question"].text) if exercise.kind == "essay" else (0, 0)
    return answer_space(lines=max(lines, asked), page_tenths=tenths, continued=continued)


def exercise_nodes(
    exercise: Exercise, mode: str, parse: Parser, seed: int | None = None, words: Words = ENGLISH
) -> nodes.container:
    """The nodes of one exercise for ``mode`` (see the module docstring); ``seed``: an exam variant's;
    ``words``: the course's (``core/messages.py``).

    In print, the title, the prompt and the first block (table, options, starter
    code, first answer lines) are one unit that a page break never splits
    (``keep_together``). Without answer space the public checks belong to it,
    so an opening never ends a page without them; in the workbook they are a
    unit of their own with the code box under them when both fit on a page.
    """
    space = _answer_space(exercise, words) if mode == "workbook" and exercise.kind not in NO_ANSWER_SPACE else None
    question = parse(exercise.sections["Question"].text, exercise, "Question")
    # A question with raw print markup of its own (a page break, say) lays itself out: a
    # page break inside a kept unit would be lost.
    kept = not any(raw.get("format") == "typst" for node in question for raw in node.findall(nodes.raw))
    box = nodes.container(classes=["exercise", f"exercise-{exercise.kind}"])
    if kept:
        box += keep_together.begin()
    box += nodes.rubric("", heading(exercise, words), classes=["exercise-title"])
    box += nodes.paragraph("", meta_text(exercise, words), classes=["exercise-meta"])
    if exercise.kind == "fill-in-table":
        _full_width_tables(question)
        if mode == "workbook":
            _make_blank_cells_writable(question, exercise.space)
    box.extend(question)
    if exercise.kind == "multiple-choice":
        box += _choices(exercise, parse, mark_correct=mode == "key", seed=seed)
        if mode == "key":
            box += _correct_letters(exercise, seed, words)
        box += _scoring(exercise, key=mode == "key", words=words)
    if exercise.kind == "code":
        starter = exercise.code("Starter")
        box += nodes.rubric("", words("starter_code.heading"))
        box += _code_block(starter, exercise, "Starter")
        if "Public checks" in exercise.sections:
            if space is not None:  # the workbook: the checks go with the code box under them
                if kept:
                    box += keep_together.end()
                box += keep_together.begin()
                kept = True
            box += _public_checks(exercise, words)
    if kept:
        box += keep_together.end()
    if space is not None:
        box += space
    if mode == "key":
        box += _solution(exercise, parse, words)
    return box
