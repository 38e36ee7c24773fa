"""Module 06's training pipeline: five steps that DVC runs from one config.

``write_pipeline(folder, config)`` writes a self-contained pipeline into
``folder``: ``params.yaml`` (the config), ``schema.yaml`` (the reference
schema of Module 05), ``dvc.yaml`` (the stages, each with the files and
parameters it depends on), one script per step in ``steps/`` and a copy of
the shared modules the steps import in ``_course/``, so that DVC can hash
the code it runs. ``run_pipeline(folder)`` runs ``dvc repro`` there and
returns the metrics, the paths of the outputs and which stages ran, with
what each printed. ``run_manifest(folder)`` describes a finished run (the
config, the digest of the code, the hashes of the data and of the schema,
the package versions) for ``log_run`` to record in MLflow, and
``read_manifest`` to read back. Module 12 retrains with these functions.

The steps: ``load`` (the data set and the seeded split or, with
``data.export`` in the config, rows exported by another system),
``validate`` (both halves against the fixed reference schema in
``schema.yaml``, never one learned from the rows it checks), ``featurize``
(the derived columns that ``featurize.derived`` names; none for the
champion's recipe), ``train`` (the recipe) and ``evaluate`` (the held-out
metrics). The model file is a joblib pickle, written and read only by the
pipeline's own steps, which check its SHA-256 before loading it; a model
that leaves the pipeline is logged in skops format, as Module 02 does.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import yaml

from .data import SEED, TEST_SIZE
from .model import CHOSEN_C
from .validation import SCHEMA_FILE, write_reference_schema

#: The config every run starts from: the book's split and the champion's
#: recipe, the 30 measurements and no derived feature.
DEFAULT_CONFIG = {"seed": SEED, "data": {"test_size": TEST_SIZE},
                  "featurize": {"derived": []}, "train": {"C": CHOSEN_C}}
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
"""Load the data set and split it with the configured seed and test size,
or take the training and test rows exported to the folder data.export."""
from pathlib import Path

import pandas as pd
import yaml

params = yaml.safe_load(Path("params.yaml").read_text())
export = params["data"].get("export")
if export:  # rows another system exported, taken as they are
    train = pd.read_csv(f"{export}/train.csv")
    test = pd.read_csv(f"{export}/test.csv")
else:  # the data set, split here (scikit-learn is imported only here)
    from sklearn.model_selection import train_test_split

    from _course.data import load_data

    X, y = load_data()
    frame = X.assign(target=y)
    train, test = train_test_split(
        frame, test_size=params["data"]["test_size"],
        random_state=params["seed"], stratify=frame["target"])
Path("data/raw").mkdir(parents=True, exist_ok=True)
train.to_csv("data/raw/train.csv", index=False)
test.to_csv("data/raw/test.csv", index=False)
print(f"load: {len(train)} training rows, {len(test)} test rows")
''',
    "validate": '''\
"""Check both halves against the reference schema in schema.yaml, a fixed
file: never a schema learned from the rows it checks."""
from pathlib import Path

import pandas as pd
from pandera.errors import SchemaErrors

from _course.validation import read_schema, validate_batch

schema = read_schema("schema.yaml")
Path("data/valid").mkdir(parents=True, exist_ok=True)
refused = []
for name in ["train", "test"]:
    frame = pd.read_csv(f"data/raw/{name}.csv")
    try:
        checked = validate_batch(frame, schema)
    except SchemaErrors as error:
        cases = error.failure_cases
        counts = cases.groupby(["column", "check"]).size()
        refused.append(f"{name}: {len(cases)} failure cases\\n"
                       + counts.to_string(header=False))
        continue
    checked.to_csv(f"data/valid/{name}.csv", index=False)
if refused:
    raise SystemExit("validate: refused by the reference schema\\n"
                     + "\\n".join(refused))
print("validate: both halves pass the reference schema")
''',
    "featurize": '''\
"""Append the derived columns the config names to both halves."""
from pathlib import Path

import pandas as pd
import yaml

from _course.features import featurize

params = yaml.safe_load(Path("params.yaml").read_text())
derived = params["featurize"]["derived"]
Path("data/features").mkdir(parents=True, exist_ok=True)
for name in ["train", "test"]:
    frame = featurize(pd.read_csv(f"data/valid/{name}.csv"), derived)
    frame.to_csv(f"data/features/{name}.csv", index=False)
print(f"featurize: {len(frame.columns) - 1} features,",
      "derived:", ", ".join(derived) or "none")
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
print(f"train: C={params['train']['C']}, {len(train)} rows,",
      f"{model.n_features_in_} features")
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
    {load_inputs}
    outs: [data/raw]
  validate:
    cmd: python steps/validate.py
    deps: [steps/validate.py, _course/validation.py, schema.yaml,
           data/raw]
    outs: [data/valid]
  featurize:
    cmd: python steps/featurize.py
    deps: [steps/featurize.py, _course/features.py, data/valid]
    params: [featurize.derived]
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
#: What the load stage reads: the book's data set, split with the seed and
#: test size, or (with ``data.export`` in the config) an exported folder.
_LOAD_INPUTS = {
    False: "deps: [steps/load.py, _course/data.py]\n"
           "    params: [seed, data.test_size]",
    True: "deps: [steps/load.py, _course/data.py, {export}]\n"
          "    params: [data.export]",
}


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
    from ``config`` (``DEFAULT_CONFIG`` if None), the reference schema
    ``schema.yaml`` (Module 05's, of the book's training split),
    ``dvc.yaml``, the step scripts and the shared modules they import;
    initialise DVC there without Git the first time. If the config's
    ``data.export`` names a folder, the load stage takes its rows from
    there and declares the folder as a dependency. Returns the folder."""
    folder = Path(folder)
    config = copy.deepcopy(config or DEFAULT_CONFIG)
    (folder / "steps").mkdir(parents=True, exist_ok=True)
    (folder / "_course").mkdir(exist_ok=True)
    for name in COURSE_FILES:
        shutil.copyfile(Path(__file__).with_name(name),
                        folder / "_course" / name)
    for stage, code in _STEPS.items():
        (folder / "steps" / f"{stage}.py").write_text(code)
    write_reference_schema(folder / SCHEMA_FILE)
    export = config["data"].get("export")
    load_inputs = _LOAD_INPUTS[bool(export)].replace("{export}", str(export))
    (folder / "dvc.yaml").write_text(
        _DVC_YAML.replace("{load_inputs}", load_inputs))
    write_params(folder, config)
    if not (folder / ".dvc").exists():
        dvc(folder, "init", "--no-scm", "--quiet")
        # Usage reports off; DVC's bookkeeping stays inside the folder.
        with open(folder / ".dvc" / "config", "a") as config:
            config.write("    analytics = false\n"
                         "    site_cache_dir = .dvc/site-cache\n")
    return folder


#: What ``dvc repro`` prints for a stage, and what it means.
_MESSAGES = {"Running stage '(.+)':": "ran",
             "Stage '(.+)' didn't change": "skipped",
             "Stage '(.+)' is cached": "restored"}
#: Lines of ``dvc repro``'s log that DVC writes itself, not a step.
_DVC_LINES = ("> ", "Generating lock file", "Updating lock file", "ERROR:",
              "Use `dvc push`", "Data and pipelines are up to date")


class PipelineFailed(RuntimeError):
    """``dvc repro`` stopped at a stage that failed; ``stage`` names it,
    ``stages`` and ``log`` are as in ``run_pipeline``'s result."""

    def __init__(self, stage, stages, log):
        super().__init__(f"dvc repro failed at stage {stage!r}:\n{log}")
        self.stage, self.stages, self.log = stage, stages, log


def run_pipeline(folder, *args) -> dict:
    """Run ``dvc repro`` (with extra ``args``, such as ``--force``) in
    ``folder`` and return what happened:

    - ``metrics``: the held-out metrics in ``metrics.json``;
    - ``outputs``: paths of the model, its record, the metrics, the lock file;
    - ``stages``: for each stage, its ``status`` (``"ran"``, ``"skipped"``
      as unchanged, or ``"restored"`` from DVC's run cache), its seconds
      and its ``output``, what the step itself printed;
    - ``seconds``: the whole ``dvc repro``; ``log``: DVC's output.

    If a stage fails, raise ``PipelineFailed`` naming it.
    """
    folder = Path(folder).resolve()
    start = time.perf_counter()
    process = subprocess.Popen(
        [_DVC, "repro", *args], cwd=folder, env=_env(folder),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, events = [], []  # (seconds since start, stage, status)
    printed = {}  # stage -> the lines its step printed
    for line in process.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        for message, status in _MESSAGES.items():
            found = re.match(message, line)
            if found:
                events.append((time.perf_counter() - start,
                               found.group(1), status))
                break
        else:
            if events and line.strip() and not line.startswith(_DVC_LINES):
                printed.setdefault(events[-1][1], []).append(line)
    process.wait()
    seconds = time.perf_counter() - start
    log = "\n".join(lines)
    stages = {}
    for i, (at, stage, status) in enumerate(events):
        until = events[i + 1][0] if i + 1 < len(events) else seconds
        stages[stage] = {"status": status, "seconds": until - at,
                         "output": "\n".join(printed.get(stage, []))}
    if process.returncode:
        failed = events[-1][1] if events else None
        raise PipelineFailed(failed, stages, log)
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
    validated training frame) and of the schema it passed, the model's
    hashes, and the versions of Python and of the packages in
    ``PACKAGES``."""
    import pandas as pd

    from .data import data_sha256

    folder = Path(folder)
    train = pd.read_csv(folder / "data" / "valid" / "train.csv")
    return {
        "config": yaml.safe_load((folder / "params.yaml").read_text()),
        "code_sha256": code_digest(folder)["all"],
        "train_sha256": data_sha256(train),
        "schema_sha256": hashlib.sha256(
            (folder / SCHEMA_FILE).read_bytes()).hexdigest(),
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
            "schema_sha256": manifest["schema_sha256"],
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
