"""What a batch of the running example's data must look like (Module 05).

The schema is derived from the training split: every feature present, a
float, never missing, and inside the range seen in training widened by a
margin; the target, where there is one, 0 or 1.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from .data import load_split

#: How far outside the training range a value may fall, as a share of the range.
RANGE_MARGIN = 0.5


def feature_ranges(X_train: pd.DataFrame, margin: float = RANGE_MARGIN):
    """Per feature, the training range widened by ``margin`` of its width."""
    low, high = X_train.min(), X_train.max()
    width = high - low
    return (low - margin * width).clip(lower=0.0), high + margin * width


def batch_schema(X_train: pd.DataFrame | None = None, *,
                 with_target: bool = False) -> pa.DataFrameSchema:
    """The pandera schema of a batch, built from the training features."""
    if X_train is None:
        X_train = load_split().X_train
    low, high = feature_ranges(X_train)
    columns = {
        name: pa.Column(float, pa.Check.in_range(low[name], high[name]),
                        nullable=False)
        for name in X_train.columns
    }
    if with_target:
        columns["target"] = pa.Column(int, pa.Check.isin([0, 1]))
    return pa.DataFrameSchema(columns, strict=True, ordered=False)


def validate_batch(frame: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """``frame`` if it passes the schema; otherwise ``pandera.errors.SchemaErrors``
    listing every failure (``lazy=True``), not just the first."""
    return batch_schema(**kwargs).validate(frame, lazy=True)
