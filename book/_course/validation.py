"""What a batch of the running example's data must look like (Module 05).

The schema is derived from the training split: every feature present, a
float, never missing, and inside the range seen in training widened by a
margin; the target, where there is one, 0 or 1. With ``statistical=True``
it also checks the batch as a whole: each column's mean (for the 0/1
target, the share of benign cases) must lie near its training value.

``write_reference_schema`` writes the per-value schema of the reference
training data to a YAML file once, and ``read_schema`` reads it back: the
fixed, versioned schema that Module 06's pipeline validates every batch
against, instead of one learned from the rows it checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

#: The file in which a pipeline keeps its reference schema.
SCHEMA_FILE = "schema.yaml"

#: How far outside the training range a value may fall, as a share of the range.
RANGE_MARGIN = 0.5
#: A batch mean may be this many standard errors from the training mean ...
MEAN_TOLERANCE_SE = 4.0
#: ... and always at least this many training standard deviations.
MEAN_TOLERANCE_SD = 0.5
#: A mean of fewer values than this is not judged (too noisy for skewed data).
MEAN_MIN_ROWS = 30


def feature_ranges(X_train: pd.DataFrame, margin: float = RANGE_MARGIN):
    """Per feature, the training range widened by ``margin`` of its width,
    but never lowered by more than ``margin`` of the smallest training
    value: a feature never seen at zero keeps a lower bound above zero."""
    low, high = X_train.min(), X_train.max()
    width = high - low
    return ((low - margin * width).clip(lower=(1 - margin) * low),
            high + margin * width)


def mean_tolerance(sd: float, n: int, k: float = MEAN_TOLERANCE_SE,
                   floor: float = MEAN_TOLERANCE_SD) -> float:
    """How far the mean of ``n`` values may be from the training mean."""
    return max(k * sd / np.sqrt(max(n, 1)), floor * sd)


def mean_near(train: pd.Series) -> pa.Check:
    """A check that a column's batch mean is near its training mean.

    The tolerance shrinks with the batch size like a standard error, so a
    small batch is not refused for noise, but never below a fixed share of
    the training spread, so a large batch is not refused for a small drift
    (watching drift is monitoring's job, not the gate's). A batch with
    fewer than ``MEAN_MIN_ROWS`` values passes: its mean says too little.
    """
    mean, sd = float(train.mean()), float(train.std())

    def check(series: pd.Series) -> bool:
        values = series.dropna()
        if len(values) < MEAN_MIN_ROWS:
            return True
        return abs(values.mean() - mean) <= mean_tolerance(sd, len(values))

    return pa.Check(check, name="mean_near",
                    error=f"mean_near(train_mean={mean:.4g}, sd={sd:.4g})",
                    statistics={"train_mean": mean, "train_sd": sd})


def batch_schema(X_train: pd.DataFrame | None = None, *,
                 with_target: bool = False,
                 y_train: pd.Series | None = None,
                 statistical: bool = False) -> pa.DataFrameSchema:
    """The pandera schema of a batch, built from the training data.

    ``statistical=True`` adds a ``mean_near`` check to every feature and,
    with the target and ``y_train`` (or the book's split), to the target.
    """
    if X_train is None:
        from .data import load_split  # scikit-learn, only when needed

        split = load_split()
        X_train, y_train = split.X_train, split.y_train
    low, high = feature_ranges(X_train)
    columns = {}
    for name in X_train.columns:
        # Plain floats of six significant digits: the schema can be
        # written to a file, and reads well there.
        bounds = [float(f"{bound:.6g}") for bound in (low[name], high[name])]
        checks = [pa.Check.in_range(*bounds)]
        if statistical:
            checks.append(mean_near(X_train[name]))
        columns[name] = pa.Column(float, checks, nullable=False)
    if with_target:
        checks = [pa.Check.isin([0, 1])]
        if statistical and y_train is not None:
            checks.append(mean_near(y_train))
        columns["target"] = pa.Column(int, checks, nullable=False)
    return pa.DataFrameSchema(columns, strict=True, ordered=False)


def write_reference_schema(path, X_train: pd.DataFrame | None = None):
    """Write the per-value schema of a labelled batch, built from the
    reference training features ``X_train`` (the book's split if None), as
    YAML to ``path``; return the path. Written once and then kept fixed:
    a change to the file is a change to the rules, to be reviewed."""
    path = Path(path)
    path.write_text(batch_schema(X_train, with_target=True).to_yaml())
    return path


def read_schema(path) -> pa.DataFrameSchema:
    """The schema that ``write_reference_schema`` wrote to ``path``."""
    return pa.DataFrameSchema.from_yaml(path)


def validate_batch(frame: pd.DataFrame,
                   schema: pa.DataFrameSchema | None = None,
                   **kwargs) -> pd.DataFrame:
    """``frame`` if it passes ``schema`` (by default, the schema that
    ``batch_schema(**kwargs)`` builds); otherwise raise
    ``pandera.errors.SchemaErrors`` listing every failure (``lazy=True``),
    not just the first."""
    if schema is None:
        schema = batch_schema(**kwargs)
    return schema.validate(frame, lazy=True)
