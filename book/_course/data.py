"""The data set and the split every module uses.

The Wisconsin diagnostic breast-cancer data ships with scikit-learn, so
the book needs no download. Class 0 is malignant, class 1 benign.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

#: Every random number in the running example comes from this seed.
SEED = 42
#: A quarter of the rows are held out: 426 training rows, 143 test rows.
TEST_SIZE = 0.25
#: Class names by label.
CLASS_NAMES = {0: "malignant", 1: "benign"}
#: ``data_sha256`` of the training frame the split gave when it was made.
#: Tests compare the split with it: a split compared only with another made
#: in the same process would not notice a change in scikit-learn's
#: splitting, in the bundled data or in pandas' CSV output.
TRAIN_SHA256 = (
    "9b4f75f135c8e62eb6c8aab5b35210ffad36eb1183d94ce1aef1aeac79f24062")


class Split(NamedTuple):
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def load_data() -> tuple[pd.DataFrame, pd.Series]:
    """The 569 rows: 30 numeric features and the 0/1 target."""
    cancer = load_breast_cancer(as_frame=True)
    return cancer.data, cancer.target


def split_data(X: pd.DataFrame, y: pd.Series) -> Split:
    """The book's split: stratified by class, seeded."""
    return Split(*train_test_split(X, y, test_size=TEST_SIZE,
                                   random_state=SEED, stratify=y))


def load_split() -> Split:
    return split_data(*load_data())


def training_frame(split: Split) -> pd.DataFrame:
    """Training features and labels in one frame, as a model saw them."""
    return split.X_train.assign(target=split.y_train)


def data_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 of a DataFrame's values, written as CSV in a fixed form.

    Columns in sorted order, no index, ``\\n`` line endings and pandas'
    shortest round-trip float format: anyone with pandas can recompute it.
    """
    csv_text = frame[sorted(frame.columns)].to_csv(lineterminator="\n",
                                                   index=False)
    digest = hashlib.sha256(csv_text.encode("utf-8"))
    return digest.hexdigest()
