"""The model recipe: a scaled logistic regression, and how it is scored."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

#: The regularisation strength that Module 01's sweep chose: the most
#: regularised C whose cross-validated log loss is within one standard error
#: of the best.
CHOSEN_C = 0.3


def make_model(C: float = CHOSEN_C) -> Pipeline:
    """Standardise the 30 features, then fit a logistic regression."""
    return make_pipeline(StandardScaler(),
                         LogisticRegression(C=C, max_iter=5000))


def held_out_metrics(model, X_test, y_test) -> dict[str, float]:
    """ROC AUC and the recall of malignant masses (class 0) on held-out rows."""
    return {
        "test_auc": float(roc_auc_score(y_test,
                                        model.predict_proba(X_test)[:, 1])),
        "test_malignant_recall": float(recall_score(
            y_test, model.predict(X_test), pos_label=0)),
    }
