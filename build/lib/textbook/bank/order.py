"""The one order a multiple-choice question's options are shown in, in every edition.

Seeded by the exercise id (and an exam variant's seed), so the book, the
handouts, the workbook, the key and the Moodle export agree on the letters.
"""

from __future__ import annotations

import hashlib
import random

from textbook.bank import content
from textbook.bank.bank import Exercise


def shown_order(exercise: Exercise, seed: int | None = None) -> list[content.Choice]:
    """The choices in the order every edition shows them: shuffled, seeded by the exercise id.

    Authors tend to write the right options first; shown in that order, the
    position would give the answer away. The same id always gives the same
    order, so the book, handouts, workbook and key agree on the letters. A
    pinned choice keeps its place (see ``arrange``). An exam variant mixes
    its ``seed`` in, so its variants differ in option order.
    """
    key = exercise.id if seed is None else f"{exercise.id}:{seed}"
    return arrange(exercise.choices, random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")))


def arrange(choices: tuple[content.Choice, ...], rng: random.Random) -> list[content.Choice]:
    """Pinned choices at their places ("None of the above" last), the others shuffled into the rest."""
    free = [choice for choice in choices if choice.place is None]
    rng.shuffle(free)
    unpinned = iter(free)
    pinned = {choice.place: choice for choice in choices if choice.place is not None}
    return [pinned[place] if place in pinned else next(unpinned) for place in range(1, len(choices) + 1)]


def lettered(exercise: Exercise, seed: int | None = None) -> list[tuple[str, content.Choice]]:
    """Each choice with the letter it has in every edition (or exam variant): A, B, C... in the shown order."""
    return [(chr(ord("A") + index), choice) for index, choice in enumerate(shown_order(exercise, seed))]
