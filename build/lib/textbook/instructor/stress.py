"""Stress-test parameterised exercises: draw many variants and refuse answers a student could guess.

In the spirit of R/exams' ``stresstest_exercise``: a generator can look
random and still give the answer away. For each exercise with parameters,
``DRAWS`` variants are drawn, as exams draw them, and the exercise fails when
across all of them:

* the right option is always at the same position;
* the right option always has the same text (the parameters never change the answer);
* the right option is always the largest, or always the smallest, number offered;
* (other kinds) the solution, or the ``## Answer`` where there is one, is
  always the same text.

A drawn ``## Answer`` that does not read as one fails too, at its line.
"""

from __future__ import annotations

import re

from textbook.bank import content

from textbook.bank.order import shown_order
from textbook.bank.bank import Exercise
from textbook.bank import parameters

from textbook.instructor import variants
DRAWS = 200
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _number(text: str) -> float | None:
    match = _NUMBER.search(text.replace(",", ""))
    return float(match.group()) if match else None


def _predictable(shown: list[list], correct_texts: list[tuple], solutions: list[str], multiple_choice: bool) -> str:
    """What gives the answer away across the draws, or ''."""
    if not multiple_choice:
        same = len(set(solutions)) == 1
        return "its answer is the same in every draw, so the parameters never change it" if same else ""
    positions = {tuple(i for i, choice in enumerate(order) if choice.correct) for order in shown}
    if len(positions) == 1:
        return f"the right option is always at position {', '.join(str(p + 1) for p in positions.pop())}"
    if len(set(correct_texts)) == 1:
        return f"the right option is always {correct_texts[0][0]!r}"
    numbers = [[_number(choice.text) for choice in order] for order in shown]
    if all(None not in row for row in numbers):
        for extreme, pick in (("largest", max), ("smallest", min)):
            if all(
                all(value == pick(row) for value, choice in zip(row, order) if choice.correct)
                for row, order in zip(numbers, shown)
            ):
                return f"the right option is always the {extreme} number offered"
    return ""


def stress_test(exercise: Exercise, shown_path: str | None = None, draws: int = DRAWS) -> str:
    """'' if ``exercise`` passes, else ``file:line: what gives the answer away`` (exercises
    without parameters pass: their answer does not move); the file is named ``shown_path``."""
    template = exercise.template or exercise
    if parameters.SECTION not in template.sections:
        return ""
    seeds = [variants.variant_seed(0, number) for number in range(1, draws + 1)]
    drawn = parameters.draw_values(template, [variants.exercise_seed(seed, template.id) for seed in seeds])
    shown, correct_texts, solutions = [], [], []
    for seed, values in zip(seeds, drawn):
        instance = parameters.instantiate(template, values)
        order = shown_order(instance, seed)
        shown.append(order)
        correct_texts.append(tuple(choice.text for choice in order if choice.correct))
        answer = instance.sections.get("Answer")
        solutions.append((answer or instance.sections["Solution"]).text)
        try:
            instance.answer
        except content.ContentError as error:
            line = answer.line + answer.lead + error.line
            return f"{shown_path or template.path}:{line}: the '## Answer' of '{template.id}' drawn with seed {seed}: {error}"
    reason = _predictable(shown, correct_texts, solutions, template.kind == "multiple-choice")
    if not reason:
        return ""
    line = template.sections[parameters.SECTION].line - 1
    return (
        f"{shown_path or template.path}:{line}: over {draws} drawn variants of '{template.id}', {reason}; "
        "draw the right option's value and the wrong ones so that any of them can be the right one"
    )
