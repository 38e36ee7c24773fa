"""Derived features of the running example (Module 06's featurize step).

Two ratios a pathologist would recognise: how much larger the largest
nuclei are than the average one, and how irregular the average nucleus's
outline is (a circle has the smallest perimeter for its area). They are
computed from the raw measurements, so training and serving apply the same
function to the same 30 columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The columns ``add_features`` appends.
DERIVED = ("radius_spread", "outline_irregularity")


def add_features(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` with the derived columns appended; raw columns untouched."""
    return X.assign(
        radius_spread=X["worst radius"] / X["mean radius"],
        # perimeter**2 / (4 pi area): 1 for a circle, more if ragged
        outline_irregularity=X["mean perimeter"] ** 2
        / (4 * np.pi * X["mean area"]),
    )
