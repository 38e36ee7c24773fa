"""Module 02's end state, rebuilt on demand: the recipe registered as ``@champion``."""

from __future__ import annotations

import sklearn
import skops

from .data import data_sha256, load_split, training_frame
from .model import CHOSEN_C, held_out_metrics, make_model
from .tracking import EXPERIMENT, MODEL_NAME, quiet_offline_mlflow

#: skops refuses every type it is not told to trust; the recipe needs none.
TRUSTED_TYPES: list[str] = []


def rebuild_champion():
    """Train the recipe on the book's split, log it with its data hash and
    held-out metrics, register it and point ``@champion`` at it.

    Uses the current tracking store. Returns the registered ModelVersion.
    """
    mlflow = quiet_offline_mlflow()
    from mlflow.models import infer_signature

    split = load_split()
    model = make_model().fit(split.X_train, split.y_train)
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=f"logreg-C={CHOSEN_C:g}"):
        mlflow.log_params({"model": "logreg", "C": CHOSEN_C,
                           "train_sha256": data_sha256(training_frame(split)),
                           "train_rows": len(split.X_train)})
        mlflow.log_metrics(held_out_metrics(model, split.X_test, split.y_test))
        logged = mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=MODEL_NAME,
            signature=infer_signature(split.X_train,
                                      model.predict(split.X_train)),
            serialization_format="skops",
            skops_trusted_types=TRUSTED_TYPES,
            pip_requirements=[f"scikit-learn=={sklearn.__version__}",
                              f"skops=={skops.__version__}"],
        )
    client = mlflow.MlflowClient()
    version = logged.registered_model_version
    client.set_registered_model_alias(MODEL_NAME, "champion", version)
    return client.get_model_version(MODEL_NAME, version)
