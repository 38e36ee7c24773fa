"""Module 12's retraining loop: the layers of Modules 02 to 10, joined.

Nothing here is new technique; every stage calls the module that taught it:

- ``production_traffic``: Module 09's ``simulate_traffic`` draws each day's
  batch from the held-out rows; the change of measurement is Module 09's
  (the three concavity features read lower), except that it is rolled out
  over ``CHANGE_DAYS`` days and then stays, like a software release,
  instead of growing for ever. Each row carries the ``tumour`` it came from.
- ``split_tumours``: which held-out tumours may be used for training once
  labelled, and which are kept for judging models (never trained on).
- ``daily_psi`` / ``calibrate_psi``: Module 09's drift report per day, and
  its threshold calibrated on undrifted batches.
- ``write_retraining_pipeline``: Module 06's pipeline, its five steps as
  they are, with a config whose ``data.export`` points the ``load`` step at
  the exported training and evaluation rows (``export_rows``), and one step
  added, ``package``, which turns the pipeline's checked joblib file into a
  skops file for the registry. The ``validate`` step checks the rows
  against the pipeline's fixed reference schema, and ``featurize`` adds
  the derived features the config names: none by default, so the model
  takes the 30 measurements that Module 04's service receives.
- ``register_pipeline_model``: logs the run (Module 06's ``log_run``) and
  the packaged model (Module 02's registry, skops format) in one MLflow run.
- ``champion_loader``: the service's loader (Module 04's ``create_app``):
  the version ``@champion`` points to, loaded with Module 02's
  ``load_checked``.
- ``Timeline``: the loop's event log, one row per event.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .data import SEED, load_split
from .monitoring import SHIFTED, drift_report, simulate_traffic
from .pipeline import DEFAULT_CONFIG, write_pipeline

#: The day the new image-analysis release starts to roll out ...
CHANGE_START = 8
#: ... how much lower it measures concavity each day of the roll-out ...
CHANGE_PER_DAY = 0.2
#: ... and how many days the roll-out takes: from day 11 on, the three
#: concavity features read 20% of their old value, and stay there.
CHANGE_DAYS = 4
#: Share of the held-out tumours kept for judging models (never trained on).
JUDGING_SHARE = 0.6
#: Days between a request and its label (the pathology report).
LABEL_DELAY = 2


def measurement_factor(day) -> np.ndarray:
    """What the new release multiplies the concavity features by on ``day``."""
    done = np.clip(np.asarray(day) - CHANGE_START + 1, 0, CHANGE_DAYS)
    return 1 - CHANGE_PER_DAY * done


def production_traffic(days: int = 30, batch_size: int = 100,
                       seed: int = SEED) -> pd.DataFrame:
    """Daily batches of simulated production traffic with the measurement
    change applied, one row per request: the 30 features, ``target``,
    ``day`` and ``tumour`` (the index of the held-out row it was drawn
    from, found by the 27 features the change leaves alone)."""
    split = load_split()
    traffic = simulate_traffic(days=days, batch_size=batch_size,
                               drift_start=None, seed=seed)
    factor = measurement_factor(traffic["day"].to_numpy())
    for column in SHIFTED:
        traffic[column] = traffic[column] * factor
    keys = [c for c in split.X_test.columns if c not in SHIFTED]
    ids = split.X_test[keys].reset_index(names="tumour")
    matched = traffic.merge(ids, on=keys, how="left",
                            validate="many_to_one")
    traffic["tumour"] = matched["tumour"].to_numpy()
    return traffic


def split_tumours(share: float = JUDGING_SHARE, seed: int = SEED):
    """The held-out tumours in two groups, stratified by class: those whose
    labelled requests may be trained on, and those kept for judging."""
    from sklearn.model_selection import train_test_split

    split = load_split()
    trainable, judging = train_test_split(
        split.X_test.index, test_size=share, random_state=seed,
        stratify=split.y_test)
    return set(trainable), set(judging)


def daily_psi(traffic: pd.DataFrame, reference: pd.DataFrame) -> pd.Series:
    """Per day, the largest PSI of the features against ``reference``."""
    columns = list(reference.columns)
    return traffic.groupby("day").apply(
        lambda batch: drift_report(reference, batch[columns])["psi"].max())


def calibrate_psi(reference: pd.DataFrame, days: int = 200,
                  quantile: float = 0.95, seed: int = SEED + 1) -> float:
    """Module 09's threshold: the ``quantile`` of the largest PSI over
    ``days`` undrifted daily batches."""
    quiet = simulate_traffic(days=days, drift_start=None, seed=seed)
    return float(daily_psi(quiet, reference).quantile(quantile))


#: Where ``export_rows`` writes the rows the retraining pipeline loads.
EXPORT = "data/export"
#: Module 06's default config, with the load step reading the export.
RETRAINING_CONFIG = {**DEFAULT_CONFIG, "data": {"export": EXPORT}}

# The one step the retraining pipeline adds to Module 06's five.
_PACKAGE = '''\
"""Check the trained model's file, then write it in skops format."""
import hashlib
import json
from pathlib import Path

import joblib
import skops.io

record = json.loads(Path("models/model.json").read_text())
data = Path("models/model.joblib").read_bytes()
if hashlib.sha256(data).hexdigest() != record["file_sha256"]:
    raise SystemExit("models/model.joblib is not the file train wrote")
model = joblib.load("models/model.joblib")
Path("package").mkdir(exist_ok=True)
skops.io.dump(model, "package/model.skops")
sha256 = hashlib.sha256(Path("package/model.skops").read_bytes())
Path("package/model.json").write_text(
    json.dumps({"skops_sha256": sha256.hexdigest()}, indent=2))
print("package: package/model.skops")
'''


def write_retraining_pipeline(folder, config=None) -> Path:
    """Module 06's pipeline in ``folder``, run with ``config``
    (``RETRAINING_CONFIG`` if None: the load step reads ``EXPORT``), and a
    ``package`` stage after train (see the module docstring)."""
    folder = write_pipeline(folder, config or RETRAINING_CONFIG)
    (folder / "steps" / "package.py").write_text(_PACKAGE)
    dvc_yaml = yaml.safe_load((folder / "dvc.yaml").read_text())
    stages = dvc_yaml["stages"]
    stages["package"] = {"cmd": "python steps/package.py",
                         "deps": ["steps/package.py", "models"],
                         "outs": ["package"]}
    (folder / "dvc.yaml").write_text(yaml.safe_dump(dvc_yaml,
                                                    sort_keys=False))
    return folder


def export_rows(folder, train: pd.DataFrame, test: pd.DataFrame) -> None:
    """Write the rows the pipeline trains and evaluates on, the 30 features
    and ``target``, into ``folder/EXPORT``."""
    export = Path(folder) / EXPORT
    export.mkdir(parents=True, exist_ok=True)
    columns = list(load_split().X_train.columns) + ["target"]
    train[columns].to_csv(export / "train.csv", index=False)
    test[columns].to_csv(export / "test.csv", index=False)


def register_pipeline_model(folder, result, run_name: str):
    """Log the finished run (Module 06's ``log_run``) and, in the same MLflow
    run, the packaged model in skops format, registered under the book's
    model name after its checksum is checked. Returns the ModelVersion."""
    import json

    from .pipeline import log_run
    from .registry import REQUIREMENTS
    from .serialization import load_reviewed
    from .tracking import MODEL_NAME, quiet_offline_mlflow

    mlflow = quiet_offline_mlflow()
    from mlflow.models import infer_signature

    folder = Path(folder)
    run_id = log_run(folder, result, run_name=run_name)
    record = json.loads((folder / "package" / "model.json").read_text())
    model = load_reviewed(folder / "package" / "model.skops",
                          record["skops_sha256"])
    train = pd.read_csv(folder / "data" / "features" / "train.csv")
    X = train.drop(columns="target")
    with mlflow.start_run(run_id=run_id):
        logged = mlflow.sklearn.log_model(
            model, name="model", registered_model_name=MODEL_NAME,
            signature=infer_signature(X, model.predict(X)),
            serialization_format="skops", pip_requirements=REQUIREMENTS)
    client = mlflow.MlflowClient()
    return client.get_model_version(MODEL_NAME,
                                    logged.registered_model_version)


def champion_loader(alias: str = "champion"):
    """A ``load_model`` for Module 04's ``create_app``: the version ``alias``
    points to when the service starts, loaded with ``load_checked``."""
    from .registry import load_checked
    from .tracking import MODEL_NAME, quiet_offline_mlflow

    def load():
        mlflow = quiet_offline_mlflow()
        record = mlflow.MlflowClient().get_model_version_by_alias(
            MODEL_NAME, alias)
        uri = f"models:/{MODEL_NAME}/{record.version}"
        return load_checked(uri), {"name": MODEL_NAME,
                                   "version": str(record.version),
                                   "uri": uri}

    return load


def serve_day(client, batch: pd.DataFrame) -> pd.DataFrame:
    """Send one day's requests to the service as one ``/predict/batch`` call;
    the answers, one row per request, with the version that gave them."""
    from .serving import request_body

    body = {"tumours": [request_body(row) for _, row in batch.iterrows()]}
    response = client.post("/predict/batch", json=body)
    response.raise_for_status()
    answer = response.json()
    frame = pd.DataFrame(answer["predictions"], index=batch.index)
    return frame.assign(version=answer["model_version"].rsplit("/", 1)[-1])


class Timeline:
    """The loop's event log: what happened on which day, and why."""

    def __init__(self):
        self.events = []

    def log(self, day: int, kind: str, detail: str = "") -> None:
        self.events.append({"day": int(day), "event": kind,
                            "detail": detail})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.events, columns=["day", "event", "detail"])


__all__ = ["CHANGE_DAYS", "CHANGE_PER_DAY", "CHANGE_START", "EXPORT",
           "JUDGING_SHARE", "LABEL_DELAY", "RETRAINING_CONFIG", "Timeline",
           "calibrate_psi",
           "champion_loader", "daily_psi", "export_rows",
           "measurement_factor", "production_traffic",
           "register_pipeline_model", "serve_day", "split_tumours",
           "write_retraining_pipeline"]
