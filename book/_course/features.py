"""Derived features of the running example (Module 06's featurize step).

Two ratios a pathologist would recognise: how much larger the largest
nuclei are than the average one, and how irregular the average nucleus's
outline is (a circle has the smallest perimeter for its area). They are
computed from the raw measurements, so training and serving apply the same
function to the same 30 columns.

Which of them a model uses is a choice of the pipeline's config
(``featurize.derived`` in ``params.yaml``): the champion's recipe uses none,
only the 30 measurements. ``featurize`` is what the pipeline's featurize
step runs; ``features_for`` runs it for a fitted model, with the derived
columns the model was trained with, which is how Module 04's service and
the promotion rule turn the 30 measurements into any model's input.
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


def featurize(X: pd.DataFrame, derived=()) -> pd.DataFrame:
    """``X`` with the derived columns named in ``derived`` appended, in
    that order; with none, ``X`` as it is."""
    unknown = sorted(set(derived) - set(DERIVED))
    if unknown:
        raise ValueError(f"no such derived feature: {unknown}")
    if not derived:
        return X
    return add_features(X)[[*X.columns, *derived]]


def derived_in(columns) -> list[str]:
    """The derived columns among ``columns`` (say, a model's
    ``feature_names_in_``), in their order there."""
    return [name for name in columns if name in DERIVED]


def features_for(model, X: pd.DataFrame) -> pd.DataFrame:
    """The input of a fitted ``model`` made from the 30 measurements in
    ``X``: the derived columns it was trained with appended by
    ``featurize``, every column in the order of ``feature_names_in_``."""
    columns = list(model.feature_names_in_)
    return featurize(X, derived_in(columns))[columns]
