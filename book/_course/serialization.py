"""Model files of the running example: saved with a checksum, loaded after
review.

``load_reviewed`` loads a released skops file only if two checks pass, both
decided by the loading side and never by a file that travels with the model:

- its SHA-256 must equal the checksum recorded when the file was saved, so a
  file changed by even one byte is refused;
- every type in it that skops does not trust by default must be on an
  allow-list kept in this module's code, reviewed like any other code change.

The file is read once: its checksum, its types and the model all come from
the same bytes, so it cannot be swapped between the checks and the load.
``load_registered`` loads a model from MLflow's registry, which records no
checksum of its files, with the same review of types. ``release_champion``
is Module 03's release step, for chapters that need its result.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import re
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import skops.io as sio

from .tracking import MODEL_NAME, quiet_offline_mlflow

#: skops types that the running example may contain beyond skops's defaults,
#: reviewed by a person. The recipe (a scaler and a logistic regression in a
#: pipeline) needs none; a tree-based model would need its tree type here.
ALLOWED_TYPES: tuple[str, ...] = ()
#: Tags of a registered model version that record its released skops file.
CHECKSUM_TAG = "skops_sha256"
ENVIRONMENT_TAG = "environment"


class RefusedModelFile(ValueError):
    """A model file failed its checksum or holds a type nobody reviewed."""


class Release(NamedTuple):
    name: str
    version: str
    path: Path
    sha256: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def environment() -> dict[str, str]:
    """The Python and library versions that a skops file of the model
    depends on."""
    packages = ["scikit-learn", "numpy", "scipy", "skops"]
    return {"python": ".".join(platform.python_version_tuple()[:2]),
            **{name: version(name) for name in packages}}


def unreviewed_types(data: bytes, allowed_types=ALLOWED_TYPES) -> list[str]:
    """The types in a skops dump that are neither trusted by skops's
    defaults nor on ``allowed_types``, found without building any object."""
    allowed = set(allowed_types)
    return [name for name in sio.get_untrusted_types(data=data)
            if name not in allowed]


def _build(data: bytes, allowed_types, source) -> object:
    unexpected = unreviewed_types(data, allowed_types)
    if unexpected:
        raise RefusedModelFile(
            f"{source} holds types that are not on the allow-list: "
            f"{', '.join(unexpected)}")
    # Trust the reviewed allow-list, never the file's own list of types.
    return sio.loads(data, trusted=list(allowed_types))


#: A skops file's references: memo ids of objects and the names of their entries.
_SKOPS_REFERENCE = re.compile(r'(?<="__id__": )\d+|(?<=")[\w-]+(?=\.(?:npy|bin)")')
#: The time stamped on every entry of a saved file (the zip format's earliest).
_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def reproducible_skops(data: bytes) -> bytes:
    """The same skops file with the same bytes at every save of the same model.

    skops names objects after their memory addresses and stamps each zip
    entry with the time of saving, so two saves of one model differ, and so
    would their checksums. Here the addresses are numbered in order of first
    appearance and every entry gets one fixed time; the model is unchanged.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        numbers: dict[str, str] = {}

        def renumber(match: re.Match) -> str:
            return numbers.setdefault(match.group(0), str(len(numbers)))

        schema = _SKOPS_REFERENCE.sub(renumber, source.read("schema.json").decode())
        saved = io.BytesIO()
        with zipfile.ZipFile(saved, "w", zipfile.ZIP_STORED) as target:
            for name in names:
                stem, _, suffix = name.rpartition(".")
                renamed = name if name == "schema.json" else f"{numbers[stem]}.{suffix}"
                content = schema.encode() if name == "schema.json" else source.read(name)
                target.writestr(zipfile.ZipInfo(renamed, _ENTRY_TIME), content)
    return saved.getvalue()


def save_reviewed(model, path, allowed_types=ALLOWED_TYPES) -> str:
    """Write ``model`` to ``path`` with skops and return the file's SHA-256.

    The same model gives the same file (``reproducible_skops``). Refuses (and
    deletes) a file that ``load_reviewed`` would refuse for its types, so
    that a problem shows up when the model is saved, not served.
    """
    path = Path(path)
    data = reproducible_skops(sio.dumps(model))
    path.write_bytes(data)
    unexpected = unreviewed_types(data, allowed_types)
    if unexpected:
        path.unlink()
        raise RefusedModelFile(
            f"{path} would hold types that are not on the allow-list: "
            f"{', '.join(unexpected)}")
    return sha256_of(data)


def load_reviewed(path, expected_sha256: str, allowed_types=ALLOWED_TYPES):
    """Load the skops file at ``path`` if its SHA-256 is ``expected_sha256``
    and it holds no type beyond skops's defaults and ``allowed_types``.

    Raises RefusedModelFile, naming the problem, otherwise.
    """
    data = Path(path).read_bytes()
    actual = sha256_of(data)
    if actual != expected_sha256:
        raise RefusedModelFile(
            f"{path} does not match its recorded checksum: SHA-256 "
            f"{actual[:12]}... where {expected_sha256[:12]}... was recorded")
    return _build(data, allowed_types, path)


def load_registered(model_uri: str, dst_path, allowed_types=ALLOWED_TYPES):
    """Download a model that MLflow logged in skops format (``models:/...``)
    into ``dst_path`` and load it after reviewing its types against
    ``allowed_types``.

    ``mlflow.sklearn.load_model`` would instead trust the types listed in the
    model's own ``MLmodel`` file, a file that travels with the model.
    """
    import yaml

    mlflow = quiet_offline_mlflow()
    folder = Path(mlflow.artifacts.download_artifacts(model_uri,
                                                      dst_path=str(dst_path)))
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text())
    # model.skops, or model.pkl in MLflow releases before early 2026
    path = folder / mlmodel["flavors"]["sklearn"]["pickled_model"]
    return _build(path.read_bytes(), allowed_types, path)


def release_champion(folder, alias: str = "champion") -> Release:
    """Module 03's release step: load the registered model version that
    ``alias`` points to, after review, save it to ``folder/model.skops`` and
    record the file's SHA-256 and environment as tags of that version.
    """
    mlflow = quiet_offline_mlflow()
    client = mlflow.MlflowClient()
    registered = client.get_model_version_by_alias(MODEL_NAME, alias)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = load_registered(f"models:/{MODEL_NAME}@{alias}",
                            folder / "downloaded")
    path = folder / "model.skops"
    checksum = save_reviewed(model, path)
    client.set_model_version_tag(MODEL_NAME, registered.version,
                                 CHECKSUM_TAG, checksum)
    client.set_model_version_tag(MODEL_NAME, registered.version,
                                 ENVIRONMENT_TAG, json.dumps(environment()))
    return Release(MODEL_NAME, str(registered.version), path, checksum)
