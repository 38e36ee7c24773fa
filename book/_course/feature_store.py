"""A feature store in miniature (Module 11): an offline and an online store.

The running example's 569 cases, recast with entities and time. The time
dimension is simulated (the breast-cancer data has none): each case gets an
id, the day its diagnosis was recorded, the day its nuclei were measured and
a history of imaging exams, all drawn with ``SEED``.

- ``OfflineStore`` keeps every version of every feature row, with its event
  timestamp, as Parquet files in a folder: the history that training sets
  are built from.
- ``point_in_time_join`` attaches to each (entity, time) row the latest
  feature values known *before* that time: ``pandas.merge_asof``, backward,
  by entity, excluding exact matches unless asked.
- ``OnlineStore`` keeps only the latest value per entity, in SQLite, for
  lookups by id at prediction time; ``materialize`` copies it there.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from .data import SEED, load_data

#: The entity key and the timestamp columns of every table.
ENTITY = "case_id"
EVENT_TIME = "event_timestamp"
LABEL_TIME = "diagnosed_at"
#: The time-varying feature: imaging exams on record for the case.
EXAMS = "imaging_exams"
#: The simulated calendar starts on this day.
START = pd.Timestamp("2024-01-01")


def simulate_cases(seed: int = SEED):
    """The simulated timeline of the 569 cases, as three frames.

    ``labels``: one row per case (``case_id``, ``diagnosed_at``, ``target``);
    ``nuclei``: the 30 measurements, stamped with the day they were measured
    (1 to 14 days before the diagnosis); ``exams``: one row per imaging exam,
    with the running count ``imaging_exams`` after it. Screening exams come
    before the measurement, independent of the diagnosis. After a malignant
    diagnosis more exams follow (staging on the day itself, sometimes, and
    follow-ups later): the future that a naive join leaks into training.
    Timestamps are whole days, as in many clinical record systems.
    """
    rng = np.random.default_rng(seed)
    X, y = load_data()
    n = len(X)
    ids = np.arange(n)
    diagnosed = START + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    measured = diagnosed - pd.to_timedelta(rng.integers(1, 15, n), unit="D")
    labels = pd.DataFrame({ENTITY: ids, LABEL_TIME: diagnosed,
                           "target": y.to_numpy()})
    nuclei = X.assign(**{ENTITY: ids, EVENT_TIME: measured})
    nuclei = nuclei[[ENTITY, EVENT_TIME, *X.columns]]

    malignant = y.to_numpy() == 0
    days = []  # (case, day offset from the diagnosis) of every exam
    for case in ids:
        lead = (diagnosed[case] - measured[case]).days
        before = rng.integers(lead + 30, 730, rng.poisson(1.2))
        same_day = rng.random() < (0.6 if malignant[case] else 0.1)
        after = rng.integers(1, 181, rng.poisson(3.0 if malignant[case]
                                                 else 0.4))
        offsets = [*(-before), *([0] if same_day else []), *after]
        days += [(case, int(d)) for d in offsets]
    exams = pd.DataFrame(days, columns=[ENTITY, "offset"])
    exams[EVENT_TIME] = (diagnosed[exams[ENTITY].to_numpy()]
                         + pd.to_timedelta(exams["offset"], unit="D"))
    exams = exams.sort_values([ENTITY, EVENT_TIME], kind="stable")
    exams[EXAMS] = exams.groupby(ENTITY).cumcount() + 1
    exams = exams[[ENTITY, EVENT_TIME, EXAMS]].reset_index(drop=True)
    return labels, nuclei, exams


def point_in_time_join(entities: pd.DataFrame, features: pd.DataFrame, *,
                       time: str = LABEL_TIME, key: str = ENTITY,
                       feature_time: str = EVENT_TIME,
                       allow_exact_matches: bool = False) -> pd.DataFrame:
    """``entities`` with, on each row, the feature values of the same entity
    that were the latest *before* the row's ``time`` (at or before it with
    ``allow_exact_matches=True``); missing where there was none yet.

    Rows keep their order and number. The feature row's own timestamp is
    kept as ``feature_time``, so the join can be audited.
    """
    order = "_row"
    left = entities.assign(**{order: np.arange(len(entities))})
    left = left.sort_values(time, kind="stable")
    right = features.sort_values(feature_time, kind="stable")
    joined = pd.merge_asof(left, right, left_on=time, right_on=feature_time,
                           by=key, direction="backward",
                           allow_exact_matches=allow_exact_matches)
    joined = joined.sort_values(order).drop(columns=order)
    return joined.set_index(entities.index)


class OfflineStore:
    """Feature tables with their full history, one Parquet file each."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.parquet"

    def write(self, name: str, rows: pd.DataFrame) -> None:
        """Append ``rows`` (entity, event timestamp, features) to a table."""
        if self._path(name).exists():
            rows = pd.concat([self.read(name), rows], ignore_index=True)
        rows.to_parquet(self._path(name), index=False)

    def read(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self._path(name))

    def historical(self, entities: pd.DataFrame, names, **join):
        """Training rows: each table joined point-in-time onto ``entities``."""
        frame = entities
        for name in names:
            table = self.read(name)
            frame = point_in_time_join(frame, table, **join).drop(
                columns=EVENT_TIME)
        return frame


def latest(rows: pd.DataFrame, as_of, *, key: str = ENTITY,
           feature_time: str = EVENT_TIME) -> pd.DataFrame:
    """The latest row per entity with a timestamp at or before ``as_of``."""
    known = rows[rows[feature_time] <= pd.Timestamp(as_of)]
    known = known.sort_values([key, feature_time], kind="stable")
    return known.groupby(key, sort=True).tail(1).reset_index(drop=True)


class OnlineStore:
    """The latest feature values per entity, in one SQLite table per view."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path)

    def write(self, name: str, rows: pd.DataFrame) -> int:
        """Insert or replace one row per entity; returns the rows written."""
        features = [c for c in rows.columns if c not in (ENTITY, EVENT_TIME)]
        columns = ", ".join(f'"{c}"' for c in features)
        self.connection.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" ({ENTITY} INTEGER '
            f"PRIMARY KEY, {EVENT_TIME} TEXT, {columns})")
        marks = ", ".join("?" * (len(features) + 2))
        values = [(int(r[0]), r[1].isoformat(),
                   *(v.item() if hasattr(v, "item") else v for v in r[2:]))
                  for r in rows[[ENTITY, EVENT_TIME, *features]].itertuples(
                      index=False)]
        with self.connection:
            self.connection.executemany(
                f'INSERT OR REPLACE INTO "{name}" VALUES ({marks})', values)
        return len(values)

    def get(self, name: str, ids) -> pd.DataFrame:
        """The stored row of each id, in the order asked; missing ids give
        a row of missing values."""
        ids = [int(i) for i in ids]
        marks = ", ".join("?" * len(ids))
        found = pd.read_sql_query(
            f'SELECT * FROM "{name}" WHERE {ENTITY} IN ({marks})',
            self.connection, params=ids)
        found[EVENT_TIME] = pd.to_datetime(found[EVENT_TIME])
        rows = found.set_index(ENTITY).reindex(ids)
        return rows.rename_axis(ENTITY).reset_index()

    def close(self) -> None:
        self.connection.close()


def materialize(offline: OfflineStore, online: OnlineStore, name: str,
                as_of) -> int:
    """Copy the latest value per entity known at ``as_of`` from the offline
    table ``name`` to the online store; returns the number of entities."""
    return online.write(name, latest(offline.read(name), as_of))
