"""Module 10's traffic routing: a seeded router, a request log and a canary.

Every request of a simulated rollout goes through a real service (the
application of ``_course.serving``, reached with FastAPI's TestClient); what
is simulated is only who sends it and which version it is routed to. The
router draws from a seeded generator, so a rollout replays exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .data import SEED


class Router:
    """Send each request to one version, at random, by weight."""

    def __init__(self, weights, seed=SEED):
        self.rng = np.random.default_rng(seed)
        self.set_weights(weights)

    def set_weights(self, weights):
        total = sum(weights.values())
        self.names = list(weights)
        self.shares = np.array([weights[n] / total for n in self.names])

    def choose(self):
        return self.names[self.rng.choice(len(self.names), p=self.shares)]


def send(client, body, path="/predict"):
    """POST ``body`` to a service; the status, latency in ms and answer."""
    start = time.perf_counter()
    response = client.post(path, json=body)
    latency_ms = 1000 * (time.perf_counter() - start)
    answer = response.json() if response.status_code == 200 else None
    return response.status_code, latency_ms, answer


@dataclass
class RollbackRule:
    """Roll the canary back when it spends its error budget or is slow.

    ``max_error_rate`` is the budget (the share of requests allowed to fail);
    ``min_errors`` keeps a single unlucky failure from firing the rule;
    ``max_p95_ms`` is the latency objective.
    """

    max_error_rate: float = 0.005
    min_errors: int = 2
    max_p95_ms: float = 250.0

    def reasons(self, log):
        """Why the canary's requests in ``log`` break the rule, if they do."""
        n = len(log)
        if n == 0:
            return []
        errors = int((log["status"] >= 500).sum())
        p95 = float(np.percentile(log["latency_ms"], 95))
        found = []
        if errors >= self.min_errors and errors / n > self.max_error_rate:
            found.append(f"{errors} errors in {n} requests "
                         f"({errors / n:.1%} > {self.max_error_rate:.1%})")
        if p95 > self.max_p95_ms:
            found.append(f"p95 {p95:.0f} ms > {self.max_p95_ms:.0f} ms")
        return found


@dataclass
class Canary:
    """A canary rollout: raise the new version's share stage by stage,
    checking the rule every ``check_every`` requests, and roll back at once
    when it fires."""

    clients: dict  # {"stable": client, "canary": client}
    rule: RollbackRule
    stages: tuple = (0.05, 0.25, 0.5, 1.0)
    requests_per_stage: int = 300
    check_every: int = 50
    seed: int = SEED
    events: list = field(default_factory=list)

    def run(self, bodies):
        """Serve ``bodies`` in order; the request log as a DataFrame."""
        router = Router({"stable": 1, "canary": 0}, seed=self.seed)
        records, stage, rolled_back = [], 0, False
        for i, body in enumerate(bodies):
            if i % self.requests_per_stage == 0 and not rolled_back:
                stage = min(i // self.requests_per_stage,
                            len(self.stages) - 1)
                share = self.stages[stage]
                router.set_weights({"stable": 1 - share, "canary": share})
                self.events.append((i, f"canary at {share:.0%}"))
            version = router.choose()
            status, ms, _ = send(self.clients[version], body)
            records.append({"request": i, "version": version,
                            "share": 0.0 if rolled_back else share,
                            "status": status, "latency_ms": ms})
            if (i + 1) % self.check_every == 0 and not rolled_back:
                log = pd.DataFrame(records)
                reasons = self.rule.reasons(log[log["version"] == "canary"])
                if reasons:
                    rolled_back = True
                    router.set_weights({"stable": 1, "canary": 0})
                    self.events.append((i + 1, "ROLLBACK: "
                                        + "; ".join(reasons)))
        if not rolled_back:
            self.events.append((len(bodies), "canary takes all traffic"))
        return pd.DataFrame(records)
