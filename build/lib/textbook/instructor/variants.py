"""What makes exam variants differ, all derived from the exam's seed: exercise order,
option order (``bank.order.shown_order``'s seed) and each exercise's parameters.

Seeds are hashed, not added, so variant 2 of seed 1 shares nothing with
variant 1 of seed 2, and the same seed always gives the same variants.
"""

from __future__ import annotations

import hashlib
import random

from textbook.bank.bank import Exercise
from textbook.bank import parameters


def _hashed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def variant_seed(seed: int, number: int) -> int:
    """The seed of variant ``number`` (from 1) of an exam built with ``seed``."""
    return _hashed(f"exam:{seed}:variant:{number}")


def exercise_seed(seed_of_variant: int, exercise_id: str) -> int:
    """The seed an exercise's parameters are drawn with in one variant."""
    return _hashed(f"{seed_of_variant}:{exercise_id}")


def exercise_order(exercises: list[Exercise], seed_of_variant: int) -> list[Exercise]:
    order = list(exercises)
    random.Random(seed_of_variant).shuffle(order)
    return order


def in_variant(exercise: Exercise, seed_of_variant: int) -> Exercise:
    """The exercise as one variant shows it: its parameters drawn for that variant."""
    return parameters.for_seed(exercise, exercise_seed(seed_of_variant, exercise.id))
