"""Module 02's registry code, and its end state rebuilt on demand.

``log_candidate`` is how every model version in the book is logged and
registered, ``load_checked`` how a registered model is loaded without
trusting the list of types its own files declare safe, and
``rebuild_champion`` repeats the steps that leave Module 02 with the
recipe as ``@champion``.
"""

from __future__ import annotations

from pathlib import Path

import sklearn
import skops

from .data import data_sha256, load_split, training_frame
from .model import CHOSEN_C, held_out_metrics, make_model
from .tracking import EXPERIMENT, MODEL_NAME, quiet_offline_mlflow

#: Types outside skops' defaults that a model of this project may contain:
#: the trees of a random forest. Kept in code, reviewed like code.
ALLOWED_TYPES = frozenset({"sklearn.tree._tree.Tree"})
#: The packages a logged model needs, pinned to the versions it was made with.
REQUIREMENTS = [f"scikit-learn=={sklearn.__version__}",
                f"skops=={skops.__version__}"]


def log_candidate(run_name, model, params, *, trusted=(), register=True):
    """Fit, evaluate and log a model; by default register it as well."""
    mlflow = quiet_offline_mlflow()
    from mlflow.models import infer_signature

    split = load_split()
    with mlflow.start_run(run_name=run_name):
        mlflow.log_params(params | {
            "train_sha256": data_sha256(training_frame(split)),
            "train_rows": len(split.X_train)})
        model.fit(split.X_train, split.y_train)
        mlflow.log_metrics(held_out_metrics(model, split.X_test,
                                            split.y_test))
        return mlflow.sklearn.log_model(
            model,
            name="model",
            registered_model_name=MODEL_NAME if register else None,
            signature=infer_signature(split.X_train,
                                      model.predict(split.X_train)),
            serialization_format="skops",
            skops_trusted_types=list(trusted),
            pip_requirements=REQUIREMENTS,
        )


class UntrustedModelError(Exception):
    """A model file needs, or its MLmodel declares, a type not allowed."""


def check_model_folder(folder, allowed=ALLOWED_TYPES):
    """The skops file in a downloaded MLflow model, and the types it needs,
    if both the MLmodel's list and the file itself stay within `allowed`."""
    import skops.io
    import yaml

    mlmodel = yaml.safe_load(Path(folder, "MLmodel").read_text())
    flavor = mlmodel["flavors"]["sklearn"]
    if flavor.get("serialization_format") != "skops":
        raise UntrustedModelError("not in skops format")
    declared = set(flavor.get("skops_trusted_types") or [])
    file = Path(folder, flavor["pickled_model"])
    needed = set(skops.io.get_untrusted_types(file=file))
    refused = (declared | needed) - set(allowed)
    if refused:
        raise UntrustedModelError(f"not on the allow-list: {sorted(refused)}")
    return file, sorted(needed)


def load_checked(model_uri, allowed=ALLOWED_TYPES):
    """Download an MLflow scikit-learn model and load it with skops, trusting
    only types on `allowed`, never the list written in the model itself."""
    mlflow = quiet_offline_mlflow()
    import skops.io

    folder = mlflow.artifacts.download_artifacts(model_uri)
    file, needed = check_model_folder(folder, allowed)
    return skops.io.load(file, trusted=needed)


def rebuild_champion():
    """Module 02's end state in the current tracking store: the recipe with
    ``CHOSEN_C``, logged and registered by ``log_candidate`` in the book's
    experiment, tagged as validated and pointed to by ``@champion``.

    Returns the registered ModelVersion.
    """
    mlflow = quiet_offline_mlflow()
    mlflow.set_experiment(EXPERIMENT)
    logged = log_candidate(f"logreg-C={CHOSEN_C:g}", make_model(CHOSEN_C),
                           {"model": "logreg", "C": CHOSEN_C})
    client = mlflow.MlflowClient()
    version = logged.registered_model_version
    client.update_model_version(
        MODEL_NAME, version,
        description=f"Logistic regression with C={CHOSEN_C:g}, the "
                    "configuration chosen by the cross-validated sweep "
                    "of Module 01.")
    client.set_model_version_tag(MODEL_NAME, version, "validation_status",
                                 "passed")
    client.set_registered_model_alias(MODEL_NAME, "champion", version)
    return client.get_model_version(MODEL_NAME, version)
