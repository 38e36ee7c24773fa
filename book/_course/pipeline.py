"""Module 06's training pipeline: five steps that DVC runs from one config.

``write_pipeline(folder, config)`` writes a self-contained pipeline into
``folder``: ``params.yaml`` (the config), ``dvc.yaml`` (the stages, each
with the files and parameters it depends on), one script per step in
``steps/`` and a copy of the shared modules the steps import in
``_course/``, so that DVC can hash the code it runs. ``run_pipeline(folder)``
runs ``dvc repro`` there and returns the metrics, the paths of the outputs
and which stages ran. ``run_manifest(folder)`` describes a finished run (the
config, the digest of the code, the data hash, the package versions) for
``log_run`` to record in MLflow, and ``read_manifest`` to read back.
Module 12 retrains with these functions.

The steps: ``load`` (the data set and the seeded split), ``validate`` (both
halves against the schema of Module 05, built from the training half),
``featurize`` (the derived columns), ``train`` (the recipe) and
``evaluate`` (the held-out metrics). The model file is a joblib pickle,
written and read only by the pipeline's own steps, which check its SHA-256
before loading it; a model that leaves the pipeline is logged in skops
format, as Module 02 does.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import yaml

from .data import SEED, TEST_SIZE
from .model import CHOSEN_C

#: The config every run starts from: the book's split and recipe.
DEFAULT_CONFIG = {"seed": SEED, "data": {"test_size": TEST_SIZE},
                  "train": {"C": CHOSEN_C}}
#: The stages in the order they run.
STAGES = ("load", "validate", "featurize", "train", "evaluate")
#: The shared modules the steps import, copied next to them.
COURSE_FILES = ("__init__.py", "data.py", "validation.py", "features.py",
                "model.py")
#: Packages whose versions a run manifest records.
PACKAGES = ("dvc", "joblib", "numpy", "pandas", "pandera", "scikit-learn",
            "scipy")

_STEPS = {
    "load": '''\
"""Load the data set and split it with the configured seed and test size."""
from pathlib import Path

import yaml
from sklearn.model_selection import train_test_split

from _course.data import load_data

params = yaml.safe_load(Path("params.yaml").read_text())
X, y = load_data()
frame = X.assign(target=y)
train, test = train_test_split(frame, test_size=params["data"]["test_size"],
                               random_state=params["seed"],
                               stratify=frame["target"])
Path("data/raw").mkdir(parents=True, exist_ok=True)
train.to_csv("data/raw/train.csv", index=False)
test.to_csv("data/raw/test.csv", index=False)
print(f"load: {len(train)} training rows, {len(test)} test rows")
''',
    "validate": '''\
"""Check both halves against the schema built from the training half."""
from pathlib import Path

import pandas as pd

from _course.validation import validate_batch

train = pd.read_csv("data/raw/train.csv")
test = pd.read_csv("data/raw/test.csv")
features = train.drop(columns="target")
Path("data/valid").mkdir(parents=True, exist_ok=True)
for name, frame in [("train", train), ("test", test)]:
    checked = validate_batch(frame, X_train=features, with_target=True)
    checked.to_csv(f"data/valid/{name}.csv", index=False)
print("validate: both halves pass the schema")
''',
    "featurize": '''\
"""Append the derived features to both halves."""
from pathlib import Path

import pandas as pd

from _course.features import add_features

Path("data/features").mkdir(parents=True, exist_ok=True)
for name in ["train", "test"]:
    frame = pd.read_csv(f"data/valid/{name}.csv")
    add_features(frame).to_csv(f"data/features/{name}.csv", index=False)
print("featurize: derived columns added")
''',
    "train": '''\
"""Fit the recipe with the configured C; save it for the evaluate step."""
import hashlib
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import yaml

from _course.model import make_model

params = yaml.safe_load(Path("params.yaml").read_text())
train = pd.read_csv("data/features/train.csv")
model = make_model(params["train"]["C"])
model.set_params(logisticregression__random_state=params["seed"])
model.fit(train.drop(columns="target"), train["target"])

# What the model learned, hashed: every fitted array of every step.
learned = hashlib.sha256()
for name, step in model.steps:
    for attr in sorted(vars(step)):
        value = getattr(step, attr)
        if attr.endswith("_") and isinstance(value, np.ndarray):
            learned.update(f"{name}.{attr}".encode())
            if value.dtype == object:  # names, not numbers
                learned.update("|".join(map(str, value)).encode())
            else:
                learned.update(np.ascontiguousarray(value).tobytes())

# joblib (a pickle) only because this pipeline writes and reads the file
# itself; its checksum goes with it, and evaluate checks it before loading.
Path("models").mkdir(exist_ok=True)
joblib.dump(model, "models/model.joblib")
file_sha256 = hashlib.sha256(
    Path("models/model.joblib").read_bytes()).hexdigest()
record = {"file_sha256": file_sha256, "learned_sha256": learned.hexdigest()}
Path("models/model.json").write_text(json.dumps(record, indent=2))
print(f"train: C={params['train']['C']}, {len(train)} rows")
''',
    "evaluate": '''\
"""Score the saved model on the held-out rows."""
import hashlib
import json
from pathlib import Path

import joblib
import pandas as pd

from _course.model import held_out_metrics

# Loading a pickle runs code: load only the file the train step wrote,
# and only if its bytes are the ones it recorded.
record = json.loads(Path("models/model.json").read_text())
data = Path("models/model.joblib").read_bytes()
if hashlib.sha256(data).hexdigest() != record["file_sha256"]:
    raise SystemExit("models/model.joblib is not the file train wrote")
model = joblib.load("models/model.joblib")
test = pd.read_csv("data/features/test.csv")
metrics = held_out_metrics(model, test.drop(columns="target"),
                           test["target"])
Path("metrics.json").write_text(json.dumps(metrics, indent=2))
print("evaluate:", {k: round(v, 4) for k, v in metrics.items()})
''',
}

_DVC_YAML = """\
stages:
  load:
    cmd: python steps/load.py
    deps: [steps/load.py, _course/data.py]
    params: [seed, data.test_size]
    outs: [data/raw]
  validate:
    cmd: python steps/validate.py
    deps: [steps/validate.py, _course/validation.py, data/raw]
    outs: [data/valid]
  featurize:
    cmd: python steps/featurize.py
    deps: [steps/featurize.py, _course/features.py, data/valid]
    outs: [data/features]
  train:
    cmd: python steps/train.py
    deps: [steps/train.py, _course/model.py, data/features/train.csv]
    params: [seed, train.C]
    outs: [models]
  evaluate:
    cmd: python steps/evaluate.py
    deps: [steps/evaluate.py, _course/model.py, models,
           data/features/test.csv]
    metrics:
      - metrics.json:
          cache: false
"""


_BIN = Path(sys.executable).parent
_DVC = str(_BIN / "dvc")


def _env(folder):
    """DVC's environment: no usage reports; ``python`` is this Python, and
    the steps import the shared modules copied into ``folder``."""
    return {**os.environ, "DVC_NO_ANALYTICS": "1", "PYTHONPATH": str(folder),
            "PATH": f"{_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def dvc(folder, *args, check=True) -> subprocess.CompletedProcess:
    """Run the ``dvc`` command installed next to this Python in ``folder``,
    offline (no usage reports), with the steps importing ``folder/_course``."""
    folder = Path(folder).resolve()
    return subprocess.run([_DVC, *args], cwd=folder, env=_env(folder),
                          capture_output=True, text=True, check=check)


def write_params(folder, config) -> Path:
    """Write ``config`` as the pipeline's ``params.yaml``."""
    path = Path(folder) / "params.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def write_pipeline(folder, config=None) -> Path:
    """Write the pipeline into ``folder`` (created if needed): ``params.yaml``
    from ``config`` (``DEFAULT_CONFIG`` if None), ``dvc.yaml``, the step
    scripts and the shared modules they import; initialise DVC there
    without Git the first time. Returns the folder."""
    folder = Path(folder)
    (folder / "steps").mkdir(parents=True, exist_ok=True)
    (folder / "_course").mkdir(exist_ok=True)
    for name in COURSE_FILES:
        shutil.copyfile(Path(__file__).with_name(name),
                        folder / "_course" / name)
    for stage, code in _STEPS.items():
        (folder / "steps" / f"{stage}.py").write_text(code)
    (folder / "dvc.yaml").write_text(_DVC_YAML)
    write_params(folder, copy.deepcopy(config or DEFAULT_CONFIG))
    if not (folder / ".dvc").exists():
        dvc(folder, "init", "--no-scm", "--quiet")
        # Usage reports off; DVC's bookkeeping stays inside the folder.
        with open(folder / ".dvc" / "config", "a") as config:
            config.write("    analytics = false\n"
                         "    site_cache_dir = .dvc/site-cache\n")
    return folder


#: What ``dvc repro`` prints for a stage, and what it means.
_MESSAGES = {"Running stage '{}'": "ran",
             "Stage '{}' didn't change": "skipped",
             "Stage '{}' is cached": "restored"}


def run_pipeline(folder, *args) -> dict:
    """Run ``dvc repro`` (with extra ``args``, such as ``--force``) in
    ``folder`` and return what happened:

    - ``metrics``: the held-out metrics in ``metrics.json``;
    - ``outputs``: paths of the model, its record, the metrics, the lock file;
    - ``stages``: for each stage, its ``status`` (``"ran"``, ``"skipped"``
      as unchanged, or ``"restored"`` from DVC's run cache) and its seconds;
    - ``seconds``: the whole ``dvc repro``; ``log``: DVC's output.
    """
    folder = Path(folder).resolve()
    start = time.perf_counter()
    process = subprocess.Popen(
        [_DVC, "repro", *args], cwd=folder, env=_env(folder),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, events = [], []  # (seconds since start, stage, status)
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        for stage in STAGES:
            for message, status in _MESSAGES.items():
                if message.format(stage) in line:
                    events.append((time.perf_counter() - start, stage,
                                   status))
    process.wait()
    seconds = time.perf_counter() - start
    log = "\n".join(lines)
    if process.returncode:
        raise RuntimeError(f"dvc repro failed:\n{log}")
    stages = {}
    for i, (at, stage, status) in enumerate(events):
        until = events[i + 1][0] if i + 1 < len(events) else seconds
        stages[stage] = {"status": status, "seconds": until - at}
    return {
        "metrics": json.loads((folder / "metrics.json").read_text()),
        "outputs": {"model": folder / "models" / "model.joblib",
                    "model_record": folder / "models" / "model.json",
                    "metrics": folder / "metrics.json",
                    "lock": folder / "dvc.lock"},
        "stages": stages, "seconds": seconds, "log": log,
    }


def code_digest(folder) -> dict[str, str]:
    """SHA-256 of every file of code the steps run, by path, and of all of
    them together (``"all"``): the same code gives the same digests."""
    folder = Path(folder)
    files = sorted([*folder.glob("steps/*.py"), *folder.glob("_course/*.py")])
    digests = {str(p.relative_to(folder)): hashlib.sha256(
        p.read_bytes()).hexdigest() for p in files}
    together = hashlib.sha256("".join(
        f"{path} {digest}\n" for path, digest in digests.items()).encode())
    return {**digests, "all": together.hexdigest()}


def run_manifest(folder) -> dict:
    """What a finished run in ``folder`` was made of: its config, the digest
    of its code, the SHA-256 of its training data (``data_sha256`` of the
    validated training frame), the model's hashes, and the versions of
    Python and of the packages in ``PACKAGES``."""
    import pandas as pd

    from .data import data_sha256

    folder = Path(folder)
    train = pd.read_csv(folder / "data" / "valid" / "train.csv")
    return {
        "config": yaml.safe_load((folder / "params.yaml").read_text()),
        "code_sha256": code_digest(folder)["all"],
        "train_sha256": data_sha256(train),
        "model": json.loads((folder / "models" / "model.json").read_text()),
        "python": sys.version.split()[0],
        "packages": {name: version(name) for name in PACKAGES},
    }


def _flatten(config, prefix=""):
    for key, value in config.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def log_run(folder, result, run_name="pipeline") -> str:
    """Log a finished run to MLflow's current experiment: the config as
    parameters, the metrics, the manifest's hashes as tags, and the manifest
    and ``dvc.lock`` as artifacts. Returns the run's id."""
    from .tracking import quiet_offline_mlflow

    mlflow = quiet_offline_mlflow()
    manifest = run_manifest(folder)
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_params(dict(_flatten(manifest["config"])))
        mlflow.log_metrics(result["metrics"])
        mlflow.set_tags({
            "code_sha256": manifest["code_sha256"],
            "train_sha256": manifest["train_sha256"],
            "learned_sha256": manifest["model"]["learned_sha256"],
            "python": manifest["python"]})
        mlflow.log_dict(manifest, "manifest.json")
        mlflow.log_artifact(str(Path(folder) / "dvc.lock"))
    return run.info.run_id


def read_manifest(run_id) -> dict:
    """The manifest that ``log_run`` logged with the MLflow run ``run_id``."""
    from .tracking import quiet_offline_mlflow

    mlflow = quiet_offline_mlflow()
    return mlflow.artifacts.load_dict(f"runs:/{run_id}/manifest.json")
