"""Monitoring the running example: simulated traffic, drift metrics, alerts.

Module 09 teaches what is here; Module 12 reuses it to trigger retraining.

The breast-cancer data has no dates, so production traffic is simulated on
top of it: each day's batch is drawn from the held-out test rows, and from a
chosen day on, the batches are changed on purpose (see ``simulate_traffic``).
The drift is ours, not the data's.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
from prometheus_client import CollectorRegistry, Gauge
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp

from .data import SEED, load_split

#: Features that the simulated data drift changes: a new image-analysis
#: release that measures the irregularity of nuclei lower than the old one.
SHIFTED = ("worst concave points", "mean concave points", "worst concavity")
#: The feature whose relation to the label the simulated concept drift changes.
RELABELLED = "worst area"
#: Smallest share a histogram bin is given in PSI, so that an empty bin gives
#: a large but finite term instead of an infinite one.
PSI_FLOOR = 1e-4
#: A Jensen-Shannon distance in base 2 (``js``) per unit of the same distance
#: in natural logarithms (scipy's default): 1 / sqrt(ln 2).
JS_PER_NAT_DISTANCE = 1 / np.sqrt(np.log(2))


def simulate_traffic(days: int = 30, batch_size: int = 100, *,
                     drift_start: int | None = 10,
                     shift_per_day: float = 0.03,
                     shifted=SHIFTED,
                     concept_start: int | None = None,
                     relabel_per_day: float = 0.02,
                     seed: int = SEED) -> pd.DataFrame:
    """Daily batches of simulated production traffic, one row per request.

    Every day, ``batch_size`` rows are drawn without replacement from the
    143 held-out test rows (so the model never scores its training rows).

    *Data drift*: from day ``drift_start`` on, the ``shifted`` features are
    multiplied by ``1 - shift_per_day * (day - drift_start + 1)``: the
    measurement changes, the masses and their labels do not.

    *Concept drift*: from day ``concept_start`` on, benign rows whose
    ``RELABELLED`` value lies in the top ``relabel_per_day * (day -
    concept_start + 1)`` share of the benign test rows are labelled malignant
    (0): the inputs keep their distribution, the relation to the label moves.

    Returns the feature columns, ``target`` and ``day``.
    """
    split = load_split()
    columns = list(split.X_test.columns)
    X = split.X_test.to_numpy(float)
    y = split.y_test.to_numpy()
    if not 0 < batch_size <= len(y):
        raise ValueError(f"batch_size must be between 1 and {len(y)}")
    shifted_at = [columns.index(name) for name in shifted]
    relabel_at = columns.index(RELABELLED)
    benign_values = X[y == 1, relabel_at]
    rng = np.random.default_rng(seed)
    rows_x, rows_y = [], []
    for day in range(days):
        rows = rng.choice(len(y), size=batch_size, replace=False)
        bx, by = X[rows].copy(), y[rows].copy()
        if drift_start is not None and day >= drift_start:
            factor = 1 - shift_per_day * (day - drift_start + 1)
            bx[:, shifted_at] *= max(factor, 0.0)
        if concept_start is not None and day >= concept_start:
            share = min(relabel_per_day * (day - concept_start + 1), 1.0)
            cutoff = np.quantile(benign_values, 1 - share)
            # The recorded value before any data drift decides the label.
            by[(by == 1) & (X[rows, relabel_at] >= cutoff)] = 0
        rows_x.append(bx)
        rows_y.append(by)
    traffic = pd.DataFrame(np.concatenate(rows_x), columns=columns)
    traffic["target"] = np.concatenate(rows_y)
    traffic["day"] = np.repeat(np.arange(days), batch_size)
    return traffic


def _bin_counts(expected: np.ndarray, actual: np.ndarray, bins: int):
    """Counts of two 2-D samples (rows x columns) in ``bins`` bins per column,
    cut at the quantiles of ``expected`` and widened to the whole real line.

    Tied quantiles give bins that stay empty in both samples; they add
    nothing to PSI or JS, as if the bins had been merged.
    """
    inner = np.quantile(expected, np.linspace(0, 1, bins + 1)[1:-1], axis=0)

    def count(sample):
        return np.stack([
            np.bincount(np.searchsorted(inner[:, j], sample[:, j], "right"),
                        minlength=bins)
            for j in range(sample.shape[1])], axis=1)

    return count(expected), count(actual)


def _psi_from_counts(e_counts, a_counts):
    e = np.maximum(e_counts / e_counts.sum(axis=0), PSI_FLOOR)
    a = np.maximum(a_counts / a_counts.sum(axis=0), PSI_FLOOR)
    return np.sum((a - e) * np.log(a / e), axis=0)


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


def psi(expected, actual, bins: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected``.

    Bins are cut at the quantiles of ``expected`` (deciles for ``bins=10``),
    widened to the whole real line. Shares below ``PSI_FLOOR`` are raised to
    it, so an empty bin gives a finite value.
    PSI = sum over bins of (a - e) * ln(a / e).
    """
    counts = _bin_counts(_column(expected), _column(actual), bins)
    return float(_psi_from_counts(*counts)[0])


def ks(expected, actual) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value (scipy)."""
    result = ks_2samp(expected, actual)
    return float(result.statistic), float(result.pvalue)


def js(expected, actual, bins: int = 10) -> float:
    """Jensen-Shannon *distance* (base 2, between 0 and 1) of the two
    samples' histograms, on the same bins as ``psi``.

    scipy's ``jensenshannon`` returns the square root of the divergence, in
    natural logarithms unless given a base. A distance in base 2 is
    1 / sqrt(ln 2), about 1.20, times the natural-log distance, so a
    threshold set for natural logarithms must be multiplied by that factor
    before it is compared with this one (``JS_PER_NAT_DISTANCE``).
    """
    e_counts, a_counts = _bin_counts(_column(expected), _column(actual), bins)
    return float(jensenshannon(e_counts, a_counts, base=2, axis=0)[0])


def drift_report(reference: pd.DataFrame, batch: pd.DataFrame,
                 bins: int = 10) -> pd.DataFrame:
    """One row per column of ``reference``: psi, ks_stat, ks_p and js.

    Both frames must be numeric and free of missing values (validate a batch
    first, as in Module 05).
    """
    columns = list(reference.columns)
    expected = reference[columns].to_numpy(float)
    actual = batch[columns].to_numpy(float)
    e_counts, a_counts = _bin_counts(expected, actual, bins)
    # One vectorised call tests every column (scipy's axis argument).
    tests = ks_2samp(expected, actual, axis=0)
    report = pd.DataFrame({
        "psi": _psi_from_counts(e_counts, a_counts),
        "ks_stat": tests.statistic, "ks_p": tests.pvalue,
        "js": jensenshannon(e_counts, a_counts, base=2, axis=0),
    }, index=columns)
    report.index.name = "feature"
    return report


@dataclass(frozen=True)
class AlertRule:
    """Fire when a daily value breaches ``threshold`` on ``consecutive``
    days in a row: above it, or below it when ``below`` is true."""

    name: str
    threshold: float
    consecutive: int = 1
    below: bool = False

    def breaches(self, values) -> np.ndarray:
        """Per day, whether the value breaches the threshold (NaN never)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return (values < self.threshold if self.below
                    else values > self.threshold)

    def firing(self, values) -> np.ndarray:
        """Per day, whether the last ``consecutive`` days all breached."""
        run, out = 0, []
        for breached in self.breaches(values):
            run = run + 1 if breached else 0
            out.append(run >= self.consecutive)
        return np.array(out, dtype=bool)

    def first_firing(self, values) -> int | None:
        """The first day the rule fires, or None if it never does."""
        days = np.flatnonzero(self.firing(values))
        return int(days[0]) if days.size else None


#: Gauges already created per registry, so export_metrics can be called
#: once a day on the same registry.
_GAUGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Report column -> (metric name, help text).
METRICS = {
    "psi": ("model_feature_psi",
            "PSI, feature vs training data"),
    "ks_p": ("model_feature_ks_pvalue",
             "KS p-value, feature vs training data"),
    "js": ("model_feature_js_distance",
           "JS distance (base 2), feature vs training data"),
}


def export_metrics(registry: CollectorRegistry,
                   report: pd.DataFrame) -> dict[str, Gauge]:
    """Set one labelled gauge per metric in ``METRICS`` from a drift report.

    The gauges (label ``feature``) are created in ``registry`` on the first
    call and updated on later ones. Returns them by report column.
    """
    gauges = _GAUGES.get(registry)
    if gauges is None:
        gauges = {column: Gauge(name, text, ["feature"], registry=registry)
                  for column, (name, text) in METRICS.items()}
        _GAUGES[registry] = gauges
    for feature, row in report.iterrows():
        for column, gauge in gauges.items():
            gauge.labels(feature=feature).set(float(row[column]))
    return gauges
