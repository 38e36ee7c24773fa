"""Module 04's service, measured from inside, in the Prometheus format.

``instrument(app)`` gives an application a ``CollectorRegistry`` of its own
(so that two applications, or two runs of a cell, never share or collide on
a metric), a middleware that records every request, and ``GET /metrics``,
which serves the registry in Prometheus's text format. Two metrics:

- ``prediction_requests_total``: a counter of requests, by endpoint and
  outcome (``success``, ``rejected`` for a 4xx answer such as invalid input,
  ``error`` for a 5xx answer or an exception);
- ``prediction_request_duration_seconds``: a histogram of the time the
  application took to answer, by endpoint, in ``LATENCY_BUCKETS``.

Module 04 instruments the service; Module 09 scrapes it and alerts on it.
``bucket_quantile`` estimates a percentile from a histogram's buckets as
Prometheus's ``histogram_quantile`` does; Module 10 reads each version's
latency that way.
"""

from __future__ import annotations

import math
import time

from fastapi import Response
from prometheus_client import (CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry,
                               Counter, Histogram, generate_latest)
from prometheus_client.parser import text_string_to_metric_families

REQUESTS = "prediction_requests"  # a counter: exposed with the suffix _total
LATENCY = "prediction_request_duration_seconds"
# [buckets]
#: Upper bounds of the latency buckets, in seconds (Prometheus adds +Inf).
#: Steps of 1 to 2.5 ms up to 10 ms, where Module 04 measured most single
#: requests; coarser to 50 ms, for the slow tail and large batches; then
#: 100 ms, 250 ms, 500 ms and 1 s for stalls, with the latency objectives of
#: Modules 09 (100 ms) and 10 (500 ms) on bucket boundaries.
LATENCY_BUCKETS = (0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02,
                   0.03, 0.05, 0.1, 0.25, 0.5, 1.0)
# [/buckets]


def outcome(status: int) -> str:
    """The outcome of an answer with HTTP status ``status``."""
    if status >= 500:
        return "error"
    return "rejected" if status >= 400 else "success"


# [middleware]
class ServiceMetrics:
    """The metrics of one application, in a registry of their own."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            REQUESTS, "Requests answered, by endpoint and outcome",
            ["endpoint", "outcome"], registry=self.registry)
        self.latency = Histogram(
            LATENCY, "Time to answer a request, in seconds, by endpoint",
            ["endpoint"], buckets=LATENCY_BUCKETS, registry=self.registry)

    def record(self, endpoint, status, seconds):
        self.requests.labels(endpoint, outcome(status)).inc()
        self.latency.labels(endpoint).observe(seconds)


class MeasureRequests:
    """ASGI middleware: time every request and count it by its outcome."""

    def __init__(self, app, metrics: ServiceMetrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] == "/metrics":
            return await self.app(scope, receive, send)
        status = 500  # what the client gets if the application raises

        async def send_noting_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            # The template of the API route (/predict), never the raw path:
            # a label must take few values, or every path becomes a series.
            endpoint = getattr(scope.get("route"), "path", "other")
            self.metrics.record(endpoint, status,
                                time.perf_counter() - start)


def instrument(app):
    """Measure every request of ``app`` and serve the metrics at /metrics."""
    metrics = app.state.metrics = ServiceMetrics()
    app.add_middleware(MeasureRequests, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def metrics_page():
        return Response(generate_latest(metrics.registry),
                        media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return metrics
# [/middleware]


def samples(text: str) -> dict:
    """Every sample of an exposition text, ``{(name, labels): value}`` with
    ``labels`` a sorted tuple of pairs; ``_created`` times are left out."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples if not s.name.endswith("_created")}


def increase(after: dict, before: dict) -> dict:
    """What each counter (and bucket) gained between two scrapes, as
    Prometheus's ``increase()`` computes over a window."""
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


def requests_by_outcome(values: dict, endpoint: str) -> dict:
    """``{outcome: requests}`` of one endpoint, from ``samples``."""
    return {dict(labels)["outcome"]: value
            for (name, labels), value in values.items()
            if name == REQUESTS + "_total"
            and dict(labels)["endpoint"] == endpoint}


def latency_buckets(values: dict, endpoint: str) -> list:
    """One endpoint's histogram, from ``samples``: sorted pairs of a
    bucket's upper bound in seconds and its cumulative count."""
    return sorted((float(dict(labels)["le"]), value)
                  for (name, labels), value in values.items()
                  if name == LATENCY + "_bucket"
                  and dict(labels)["endpoint"] == endpoint)


# [quantile]
def bucket_quantile(q: float, buckets) -> float:
    """The ``q`` quantile estimated from cumulative buckets, as PromQL's
    ``histogram_quantile`` does for a classic histogram.

    ``buckets`` are pairs (upper bound, observations at or below it), the
    last bound +Inf. The estimate finds the bucket that holds the rank
    ``q * total`` and interpolates linearly inside it, as if its
    observations were spread evenly; the lowest bucket starts at 0. A rank
    in the +Inf bucket gets the highest finite bound. The observation of
    that rank lies in the same bucket, so the estimate is off by at most
    the bucket's width.
    """
    bounds, counts = zip(*sorted(buckets))
    if not math.isinf(bounds[-1]) or counts[-1] == 0:
        return math.nan
    rank = q * counts[-1]
    b = next(i for i, count in enumerate(counts) if count >= rank)
    if b == len(bounds) - 1:
        return bounds[-2]
    lower, below = (bounds[b - 1], counts[b - 1]) if b > 0 else (0.0, 0.0)
    return lower + (bounds[b] - lower) * (rank - below) / (counts[b] - below)
# [/quantile]


def enclosing_bucket(value: float, bounds) -> tuple:
    """The bucket ``(lower, upper]`` of upper ``bounds`` that holds
    ``value``, the lowest bucket starting at 0: the interval within which
    ``bucket_quantile`` knows a quantile."""
    upper = min(bound for bound in bounds if bound >= value)
    lower = max((bound for bound in bounds if bound < value), default=0.0)
    return lower, upper
