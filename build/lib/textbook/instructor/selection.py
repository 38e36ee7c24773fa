"""Which bank exercises an exam holds: the listed ids, or a seeded draw that meets a budget.

A draw is a function of the exam file, the bank and the seed only, so the
same seed always gives the same exam. Every variant of an exam holds the same
exercises (variants differ in order, option order and parameters), so all
students sit an exam of the same length and weight.
"""

from __future__ import annotations

import random

from textbook.bank.bank import Bank, Exercise
from textbook.instructor.exam_file import ExamFile, ExamFileError, Selection


def _listed(exam: ExamFile, bank: Bank) -> list[Exercise]:
    problems = [
        f"{exam.shown}:{exam.line('exercises', index)}: unknown exercise id '{exercise_id}'; "
        "use the 'id:' of a file in exercises/<module>/"
        for index, exercise_id in enumerate(exam.exercise_ids)
        if exercise_id not in bank.exercises
    ]
    if problems:
        raise ExamFileError(problems)
    return [bank.exercises[exercise_id] for exercise_id in exam.exercise_ids]


def _unknown_filters(exam: ExamFile, rule: Selection, bank: Bank) -> list[str]:
    numbers = sorted(module.number for module in bank.modules.values())
    objectives = sorted({o for module in bank.modules.values() if module.number in (rule.modules or numbers)
                         for o in module.objectives})  # fmt: skip
    problems = [
        f"{exam.shown}:{exam.line('select', 'modules', index)}: unknown module {number}; "
        f"the book's modules are {', '.join(map(str, numbers))}"
        for index, number in enumerate(rule.modules)
        if number not in numbers
    ]
    problems += [
        f"{exam.shown}:{exam.line('select', 'objectives', index)}: unknown objective '{objective}' "
        f"for the selected modules; they declare: {', '.join(objectives)}"
        for index, objective in enumerate(rule.objectives)
        if objective not in objectives
    ]
    return problems


def candidates(rule: Selection, bank: Bank) -> list[Exercise]:
    """The bank's exercises that pass every filter of ``rule``, in number order."""
    return [
        exercise
        for exercise in bank.exercises.values()
        if (not rule.modules or exercise.module.number in rule.modules)
        and (not rule.objectives or set(exercise.objectives) & set(rule.objectives))
        and (not rule.kinds or exercise.kind in rule.kinds)
    ]


def draw(pool: list[Exercise], budget: str, total: int, seed: int) -> list[Exercise] | None:
    """A seeded subset of ``pool`` whose ``budget`` (points or minutes) adds up to ``total``
    exactly, or None when no subset does. Reachable sums are computed back to front, so
    walking the shuffled pool takes each exercise that still leaves the rest reachable."""
    order = list(pool)
    random.Random(seed).shuffle(order)
    weights = [getattr(exercise, budget) for exercise in order]
    reachable = [set() for _ in range(len(order) + 1)]  # sums the exercises from i on can make
    reachable[len(order)] = {0}
    for i in range(len(order) - 1, -1, -1):
        reachable[i] = reachable[i + 1] | {s + weights[i] for s in reachable[i + 1] if s + weights[i] <= total}
    if total not in reachable[0]:
        return None
    chosen, left = [], total
    for i, exercise in enumerate(order):
        if left - weights[i] in reachable[i + 1]:
            chosen.append(exercise)
            left -= weights[i]
    return sorted(chosen, key=list(pool).index)


def select(exam: ExamFile, bank: Bank, seed: int) -> list[Exercise]:
    """The exam's exercises in number order; raise ExamFileError naming the line to fix."""
    if exam.selection is None:
        return _listed(exam, bank)
    rule = exam.selection
    problems = _unknown_filters(exam, rule, bank)
    if problems:
        raise ExamFileError(problems)
    pool = candidates(rule, bank)
    chosen = draw(pool, rule.budget, rule.total, seed)
    if not chosen:
        available = sum(getattr(exercise, rule.budget) for exercise in pool)
        raise ExamFileError([
            f"{exam.shown}:{exam.line('select', rule.budget)}: no selection of the {len(pool)} matching exercises "
            f"adds up to exactly {rule.total} {rule.budget} (together they make {available}); "
            f"change the budget or widen 'modules', 'objectives' or 'kinds'"
        ])
    return chosen
