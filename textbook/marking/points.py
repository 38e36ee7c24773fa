"""Points as they are written everywhere grades leave the grader: exact fractions, shown to 0.01.

Standard library only: the Gradescope autograder ships it (``autograder.py``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def decimal(value: Fraction) -> str:
    """``value`` rounded half up to two places, without trailing zeros: 4/3 is "1.33", 4 is "4"."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")
