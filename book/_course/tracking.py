"""MLflow set-up and the names the running example uses in it."""

from __future__ import annotations

import logging
import os
import warnings

#: The experiment that training runs of the running example are logged to.
EXPERIMENT = "breast-cancer"
#: The registered model that holds its versions.
MODEL_NAME = "breast-cancer-classifier"


def quiet_offline_mlflow():
    """Import MLflow with its usage reports off and its chatter dropped.

    MLflow reads ``MLFLOW_DISABLE_TELEMETRY`` when it is imported, and sets up
    its logger then too, so both steps belong around the import. Progress
    bars for artifact downloads are off as well: in a notebook they print
    timings that change on every run. MLflow imports ``tqdm.auto``, which
    warns in a notebook without ipywidgets; with the bars off, the warning
    says nothing that matters here.
    """
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    warnings.filterwarnings("ignore", message="IProgress not found")
    import mlflow

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    return mlflow
