"""Module 04's prediction service, built by a factory.

Module 04 teaches this code piece by piece; later modules serve exactly the
same API with it. ``create_app(load_model)`` returns the FastAPI
application: the schemas below, ``GET /health``, ``GET /version``,
``POST /predict``, ``POST /predict/batch`` and a limit on the request body.
``load_model`` runs in the application's lifespan, once, at startup, and
returns the model and its registry record; ``load_champion`` is Module 04's
loader (the champion from the registry, checked), and ``app_for`` serves a
model already loaded in memory, as the simulations of Modules 10 and 12 do.
"""

from __future__ import annotations

import json
import math
from contextlib import asynccontextmanager
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from .data import CLASS_NAMES
from .features import derived_in, features_for
from .serialization import (ALLOWED_TYPES, CHECKSUM_TAG, ENVIRONMENT_TAG,
                            environment, load_reviewed)
from .service_metrics import instrument
from .tracking import MODEL_NAME, quiet_offline_mlflow

# [schemas]
# A measurement is a finite, non-negative number: negative sizes, NaN and
# infinity are rejected before they can reach the model.
Measurement = Annotated[float, Field(ge=0, allow_inf_nan=False)]
STATISTICS = ("mean", "error", "worst")
MAX_BATCH = 256
MAX_BODY_BYTES = 2**20  # 1 MiB: the largest request body the service reads


class NucleusStatistics(BaseModel):
    """One statistic (mean, standard error or worst) of ten measurements."""

    model_config = ConfigDict(extra="forbid")
    radius: Measurement
    texture: Measurement
    perimeter: Measurement
    area: Measurement
    smoothness: Measurement
    compactness: Measurement
    concavity: Measurement
    concave_points: Measurement
    symmetry: Measurement
    fractal_dimension: Measurement


class Tumour(BaseModel):
    """The 30 features of one tumour, grouped by statistic."""

    model_config = ConfigDict(extra="forbid")
    mean: NucleusStatistics
    error: NucleusStatistics
    worst: NucleusStatistics


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tumours: list[Tumour] = Field(min_length=1, max_length=MAX_BATCH)


class Prediction(BaseModel):
    diagnosis: Literal["malignant", "benign"]
    probability_malignant: float = Field(ge=0, le=1)


class PredictResponse(Prediction):
    model_version: str


class BatchResponse(BaseModel):
    model_version: str
    predictions: list[Prediction]


def column_name(statistic, measurement):
    """The data set's column for a statistic and a measurement."""
    words = measurement.replace("_", " ")
    return f"{words} error" if statistic == "error" else f"{statistic} {words}"


MEASUREMENTS = list(NucleusStatistics.model_fields)
COLUMNS = [column_name(s, m) for s in STATISTICS for m in MEASUREMENTS]
# [/schemas]


def request_body(row):
    """The JSON body of /predict for one row of the data set."""
    return {s: {m: float(row[column_name(s, m)]) for m in MEASUREMENTS}
            for s in STATISTICS}


def load_champion(model_file):
    """The champion and its registry record, refusing any mismatch."""
    mlflow = quiet_offline_mlflow()
    record = mlflow.MlflowClient().get_model_version_by_alias(
        MODEL_NAME, "champion")
    trained_with = json.loads(record.tags[ENVIRONMENT_TAG])
    if trained_with != environment():
        raise RuntimeError(f"model was trained under {trained_with}")
    # Checksum from the registry, allow-list from code: nothing that
    # travels with the file decides whether the file is loaded.
    loaded = load_reviewed(model_file, record.tags[CHECKSUM_TAG],
                           ALLOWED_TYPES)
    # The schema's 30 columns, and any derived feature the model was
    # trained with: the service computes those itself (features_for).
    needed = {*COLUMNS, *derived_in(loaded.feature_names_in_)}
    if set(loaded.feature_names_in_) != needed:
        raise RuntimeError("the model's features do not match the schema")
    return loaded, {"name": record.name, "version": str(record.version),
                    "uri": f"models:/{record.name}/{record.version}",
                    "trained_with": trained_with}


# [endpoints]
router = APIRouter()


def predict_frame(request, tumours):
    """Predictions for a list of Tumour objects, in order."""
    frame = pd.DataFrame([
        {column_name(s, m): value
         for s in STATISTICS
         for m, value in getattr(t, s).model_dump().items()}
        for t in tumours])
    model = request.app.state.model
    proba = model.predict_proba(features_for(model, frame))
    labels = model.classes_[proba.argmax(axis=1)]  # class 0 is malignant
    return [Prediction(diagnosis=CLASS_NAMES[int(label)],
                       probability_malignant=float(p[0]))
            for label, p in zip(labels, proba)]


@router.get("/health")
def health(request: Request) -> dict[str, str]:
    if getattr(request.app.state, "model", None) is None:
        raise HTTPException(status_code=503, detail="model not loaded")
    return {"status": "ok"}


@router.get("/version")
def model_version(request: Request) -> dict[str, str | dict[str, str]]:
    return request.app.state.registered


@router.post("/predict")
def predict(tumour: Tumour, request: Request) -> PredictResponse:
    [prediction] = predict_frame(request, [tumour])
    return PredictResponse(**prediction.model_dump(),
                           model_version=request.app.state.registered["uri"])


@router.post("/predict/batch")
def predict_batch(batch: BatchRequest, request: Request) -> BatchResponse:
    return BatchResponse(predictions=predict_frame(request, batch.tumours),
                         model_version=request.app.state.registered["uri"])
# [/endpoints]


def json_safe(value):
    """``value`` with every NaN or infinite number replaced by its text
    (``"nan"``, ``"inf"``): Python's JSON parser reads them, but JSON
    cannot carry them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


async def validation_error(request: Request, exc: RequestValidationError):
    """FastAPI's own answer to invalid input, a 422 listing every error with
    the ``input`` that failed, except that a rejected NaN or infinity is
    sent as text: FastAPI's handler would fail to encode it and answer 500."""
    errors = json_safe(jsonable_encoder(exc.errors()))
    return JSONResponse(status_code=422, content={"detail": errors})


def create_app(load_model, *, max_body_bytes=MAX_BODY_BYTES,
               title="Breast cancer classifier"):
    """The service: ``load_model()`` returns the model and its record."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Startup: runs once, before the first request is accepted.
        app.state.model, app.state.registered = load_model()
        yield
        # Shutdown: runs once, after the last request.
        app.state.model = None

    app = FastAPI(title=title, lifespan=lifespan,
                  max_body_size=max_body_bytes)
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, validation_error)
    instrument(app)  # GET /metrics: requests and latencies (Module 09)
    return app


def app_for(model, record, **kwargs):
    """The service around a model already in memory, with its ``record``
    (a dict with at least ``"uri"``), for simulations and tests."""
    return create_app(lambda: (model, record), **kwargs)
