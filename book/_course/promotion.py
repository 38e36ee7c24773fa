"""Module 02's promotion rule, as code that a pipeline can call.

A challenger becomes the champion only if, on the held-out rows, the lower
end of the 95% paired-bootstrap interval of its gain in malignant recall is
above zero and the lower end of the interval of its ROC AUC gain is above
``-AUC_TOLERANCE``. Both outcomes are written to the registry: the
challenger's ``validation_status`` tag (``passed`` or ``rejected``) and a
``gate_evidence`` tag with the two intervals. A promotion first points
``previous-champion`` at the version it replaces, so that ``roll_back`` is
one alias move. Module 08 runs the rule in a CI pipeline, Module 12 in an
automated retraining loop.
"""

from __future__ import annotations

from typing import NamedTuple

from .data import load_split
from .registry import load_checked
from .stats import auc, malignant_recall, paired_bootstrap

#: Largest loss of held-out ROC AUC that a promotion accepts.
AUC_TOLERANCE = 0.005
#: Aliases the rule reads and moves.
CHAMPION, CHALLENGER, PREVIOUS = "champion", "challenger", "previous-champion"


class Decision(NamedTuple):
    """What the rule decided, and the evidence it decided on."""

    champion: str
    challenger: str
    #: metric name -> (mean gain, low end, high end of the 95% interval)
    gains: dict[str, tuple[float, float, float]]
    promoted: bool

    @property
    def evidence(self) -> str:
        return "; ".join(
            f"{metric} gain {mean:+.4f} [{low:+.4f}, {high:+.4f}]"
            for metric, (mean, low, high) in self.gains.items())

    def report(self) -> str:
        lines = [f"Challenger {self.challenger} vs champion "
                 f"{self.champion}, gain with 95% interval:"]
        lines += [f"  {metric:<17}{mean:+.4f}  [{low:+.4f}, {high:+.4f}]"
                  for metric, (mean, low, high) in self.gains.items()]
        lines.append("  -> " + ("promoted" if self.promoted
                                else "rejected"))
        return "\n".join(lines)


def gains(model_name, champion_version, challenger_version, X_test=None,
          y_test=None):
    """Mean and 95% interval of the challenger's gain in each metric, both
    versions loaded with the checked loader and scored on the same rows."""
    if X_test is None:
        split = load_split()
        X_test, y_test = split.X_test, split.y_test
    models = [load_checked(f"models:/{model_name}/{version}")
              for version in (champion_version, challenger_version)]
    labels = [model.predict(X_test) for model in models]
    scores = [model.predict_proba(X_test)[:, 1] for model in models]
    return {"malignant_recall": paired_bootstrap(y_test, *labels,
                                                 malignant_recall),
            "auc": paired_bootstrap(y_test, *scores, auc)}


def passes(gain) -> bool:
    """The rule itself, on the output of ``gains``."""
    return (gain["malignant_recall"][1] > 0
            and gain["auc"][1] > -AUC_TOLERANCE)


def evaluate_challenger(client, model_name, challenger_version, X_test=None,
                        y_test=None) -> Decision:
    """Compare ``challenger_version`` with the version ``@champion`` points
    to, record the decision on the challenger and, if the rule passes, move
    ``@champion`` to it (keeping the old one as ``@previous-champion``).
    A ``@challenger`` alias on the evaluated version is removed: it has
    been evaluated."""
    challenger_version = str(challenger_version)
    in_service = client.get_model_version_by_alias(model_name,
                                                   CHAMPION).version
    gain = gains(model_name, in_service, challenger_version, X_test, y_test)
    decision = Decision(str(in_service), challenger_version, gain, passes(gain))
    client.set_model_version_tag(model_name, challenger_version,
                                 "validation_status",
                                 "passed" if decision.promoted
                                 else "rejected")
    client.set_model_version_tag(model_name, challenger_version,
                                 "gate_evidence", decision.evidence)
    registered = client.get_registered_model(model_name)
    if str(registered.aliases.get(CHALLENGER)) == challenger_version:
        client.delete_registered_model_alias(model_name, CHALLENGER)
    if decision.promoted:
        client.set_registered_model_alias(model_name, PREVIOUS, in_service)
        client.set_registered_model_alias(model_name, CHAMPION,
                                          challenger_version)
    return decision


def roll_back(client, model_name, reason) -> tuple[str, str]:
    """Point ``@champion`` back at ``@previous-champion``, tag the withdrawn
    version with ``reason`` and drop the alias that no longer applies.
    Returns the version numbers (withdrawn, restored)."""
    current = client.get_model_version_by_alias(model_name, CHAMPION)
    previous = client.get_model_version_by_alias(model_name, PREVIOUS)
    client.set_registered_model_alias(model_name, CHAMPION,
                                      previous.version)
    client.delete_registered_model_alias(model_name, PREVIOUS)
    client.set_model_version_tag(model_name, current.version, "rolled_back",
                                 reason)
    return str(current.version), str(previous.version)
