"""The model quality gates of the running example (Module 07).

A trained candidate must pass every gate before it may be registered or
promoted (Module 08's CI gate step runs ``quality_gates``, Module 12 calls
``check_gates``). There are two kinds:

- *quality gates* on the held-out rows: ROC AUC and the recall of malignant
  masses, each judged by the lower end of a 95% interval rather than by its
  point estimate, because 143 rows (53 malignant) leave a wide margin of
  chance. Recall is a rate, found out of malignant, so its interval is
  Wilson's binomial interval; ROC AUC is not a count of independent
  successes, so its interval comes from a bootstrap of the rows. With 53
  malignant cases, a recall gate at 0.90 forgives at most one missed mass;
- *behavioural gates*: an invariance test (noise below the precision of the
  measurements flips no prediction), directional tests (a larger
  ``worst radius`` or ``worst concave points`` never lowers the probability
  of malignancy) and a minimum-functionality test (clear-cut tumours are
  classified right, with confidence).

Every gate returns a ``GateResult``; ``quality_gates`` runs them all and
``check_gates`` raises ``GateFailure`` naming every gate that failed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .data import SEED, Split
from .stats import auc, malignant_found, paired_bootstrap, rate_interval

#: Lowest acceptable lower end of the 95% bootstrap interval of held-out
#: ROC AUC.
MIN_AUC = 0.95
#: Lowest acceptable lower end of the 95% Wilson interval of malignant
#: recall.
MIN_MALIGNANT_RECALL = 0.90
#: Largest relative change of a measurement that must not matter (0.1%).
NOISE = 0.001
#: Features whose increase must never lower the probability of malignancy.
DIRECTIONAL_FEATURES = ("worst radius", "worst concave points")
#: How far a directional test raises a feature, in training standard
#: deviations, and in how many steps.
DIRECTIONAL_RANGE, DIRECTIONAL_STEPS = 3.0, 7
#: Probability of its own class that a clear-cut case must receive.
MIN_CONFIDENCE = 0.9


class GateResult(NamedTuple):
    name: str
    passed: bool
    value: float       # what was measured
    threshold: float   # what it was compared with
    detail: str


class GateFailure(AssertionError):
    """A candidate failed one or more gates; ``failures`` lists them."""

    def __init__(self, failures: list[GateResult]):
        self.failures = failures
        super().__init__("; ".join(f"{r.name}: {r.detail}"
                                   for r in failures))


def lower_bound(y_true, outputs, metric, no_skill) -> float:
    """Lower end of the 95% bootstrap interval of ``metric(y_true, outputs)``,
    for a metric that is not a rate, such as ROC AUC.

    ``paired_bootstrap`` resamples the rows and compares ``outputs`` with
    ``no_skill``, outputs whose metric is the same on every resample (0.5
    for the AUC of constant scores); adding that constant back turns the
    interval of the gain into an interval of the metric itself.
    """
    y_true = np.asarray(y_true)
    _, low, _ = paired_bootstrap(y_true, no_skill, outputs, metric,
                                 seed=SEED)
    return low + metric(y_true, no_skill)


def auc_gate(model, split: Split, minimum=MIN_AUC) -> GateResult:
    scores = model.predict_proba(split.X_test)[:, 1]
    low = lower_bound(split.y_test, scores, auc, np.zeros(len(scores)))
    point = auc(split.y_test, scores)
    return GateResult("auc", low >= minimum, low, minimum,
                      f"ROC AUC {point:.4f}, 95% bootstrap lower bound "
                      f"{low:.4f} (needs {minimum})")


def recall_gate(model, split: Split,
                minimum=MIN_MALIGNANT_RECALL) -> GateResult:
    """Malignant recall is a rate, found out of malignant: the lower end of
    its 95% Wilson interval must reach ``minimum``."""
    found, malignant = malignant_found(split.y_test,
                                       model.predict(split.X_test))
    low = float(rate_interval(found, malignant)[0])
    return GateResult("malignant_recall", low >= minimum, low, minimum,
                      f"recall {found}/{malignant} = {found / malignant:.4f}"
                      f", 95% Wilson lower bound {low:.4f} (needs {minimum})")


def invariance_gate(model, split: Split, noise=NOISE) -> GateResult:
    """Multiply every measurement by a random factor within 1 +/- ``noise``:
    no held-out prediction may change."""
    rng = np.random.default_rng(SEED)
    X = split.X_test
    noisy = X * rng.uniform(1 - noise, 1 + noise, size=X.shape)
    flipped = int((model.predict(noisy) != model.predict(X)).sum())
    shift = np.abs(model.predict_proba(noisy)[:, 0]
                   - model.predict_proba(X)[:, 0]).max()
    return GateResult("invariance", flipped == 0, flipped, 0,
                      f"{flipped} of {len(X)} predictions flipped by "
                      f"{noise:.1%} noise (P moved <= {shift:.4f})")


def malignancy_curves(model, split: Split, feature: str,
                      span=DIRECTIONAL_RANGE,
                      steps=DIRECTIONAL_STEPS) -> pd.DataFrame:
    """P(malignant) of every held-out row as ``feature`` is raised from its
    value by 0 to ``span`` training standard deviations: one row per test
    row, one column per step."""
    offsets = np.linspace(0, span, steps) * split.X_train[feature].std()
    columns = []
    for offset in offsets:
        changed = split.X_test.assign(
            **{feature: split.X_test[feature] + offset})
        columns.append(model.predict_proba(changed)[:, 0])
    return pd.DataFrame(np.column_stack(columns), index=split.X_test.index,
                        columns=np.round(offsets, 6))


def directional_gate(model, split: Split, feature: str) -> GateResult:
    """Raising ``feature`` must never lower P(malignant) of any test row."""
    curves = malignancy_curves(model, split, feature).to_numpy()
    drops = np.diff(curves, axis=1) < -1e-9
    broken = int(drops.any(axis=1).sum())
    return GateResult(f"directional[{feature}]", broken == 0, broken, 0,
                      f"P(malignant) fell somewhere for {broken} of "
                      f"{len(curves)} rows as {feature} rose")


def clear_cut_cases(X_train, y_train) -> pd.DataFrame:
    """Four textbook tumours built from the training rows: each class's
    median profile, a larger malignant one (its 75th percentiles) and a
    smaller benign one (its 25th percentiles), with their true labels."""
    malignant, benign = X_train[y_train == 0], X_train[y_train == 1]
    cases = pd.DataFrame([malignant.median(), malignant.quantile(0.75),
                          benign.median(), benign.quantile(0.25)],
                         index=["typical malignant", "large malignant",
                                "typical benign", "small benign"])
    return cases.assign(label=[0, 0, 1, 1])


def minimum_functionality_gate(model, split: Split,
                               confidence=MIN_CONFIDENCE) -> GateResult:
    """Each clear-cut case must get at least ``confidence`` for its class."""
    cases = clear_cut_cases(split.X_train, split.y_train)
    proba = model.predict_proba(cases.drop(columns="label"))
    own = proba[np.arange(len(cases)), cases["label"]]
    wrong = [name for name, p in zip(cases.index, own) if p < confidence]
    return GateResult("minimum_functionality", not wrong, float(own.min()),
                      confidence,
                      f"lowest confidence in its own class {own.min():.4f}"
                      + (f"; failed: {', '.join(wrong)}" if wrong else ""))


def quality_gates(model, split: Split) -> list[GateResult]:
    """Every gate, in order, for a fitted ``model`` and the book's split."""
    return [auc_gate(model, split), recall_gate(model, split),
            invariance_gate(model, split),
            *[directional_gate(model, split, feature)
              for feature in DIRECTIONAL_FEATURES],
            minimum_functionality_gate(model, split)]


def check_gates(model, split: Split) -> list[GateResult]:
    """All gate results if every gate passes; otherwise raise GateFailure."""
    results = quality_gates(model, split)
    failures = [r for r in results if not r.passed]
    if failures:
        raise GateFailure(failures)
    return results
