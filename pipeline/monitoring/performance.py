"""Monitor 6: a candidate model is not slower or hungrier than the served one.

Absolute times say more about the machine than the model, so both models are measured in the
same process and run, interleaved round by round in a seeded random order after a warm-up, and
compared as ratios (candidate / served): latency of one review and of a batch (medians of
paired ratios), throughput, and the tracemalloc peak of a batch prediction.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config import MonitoringConfig
from pipeline.perf import measurement


@dataclass(frozen=True)
class Plan:
    """How much to measure: timed rounds, untimed warm-up calls, single reviews per round."""

    rounds: int
    warmup: int
    singles: int
    seed: int

    @classmethod
    def from_config(cls, monitoring: MonitoringConfig, seed: int) -> Plan:
        """The plan of `monitoring.performance_*` in params.yaml, seeded by `seed`."""
        return cls(rounds=monitoring.performance_rounds, warmup=monitoring.performance_warmup,
                   singles=monitoring.performance_single_reviews, seed=seed)


def _seconds(model: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    model.predict_proba(texts)
    return time.perf_counter() - start


def _peak_bytes(model: Any, texts: list[str]) -> int:
    return measurement.traced_peak(lambda: model.predict_proba(texts))[1]


def measure(candidate: Any, served: Any, texts: Sequence[str],
            plan: Plan) -> dict[str, dict[str, float]]:
    """Medians of each model's figures, and paired latency ratios (candidate / served).

    Each round times both models back to back in a random order, and a ratio is taken per
    round (per review for single latency): load on a shared machine changes between rounds,
    rarely within a pair, so the median of paired ratios is far steadier than a ratio of
    medians (identical models: 0.97-1.05 against 0.88-1.44 on a loaded 2-core box).
    """
    texts = list(texts)
    models = {"candidate": candidate, "served": served}
    order = random.Random(plan.seed)
    for _ in range(plan.warmup):
        for model in models.values():
            _seconds(model, texts)
    batch: dict[str, list[float]] = {name: [] for name in models}
    single: dict[str, list[float]] = {name: [] for name in models}

    def timed_pair(sample: list[str], into: dict[str, list[float]]) -> None:
        for name in order.sample(list(models), len(models)):
            into[name].append(_seconds(models[name], sample))

    for _ in range(plan.rounds):
        timed_pair(texts, batch)
        for text in order.sample(texts, min(plan.singles, len(texts))):
            timed_pair([text], single)
    figures: dict[str, dict[str, float]] = {}
    for name, model in models.items():
        batch_seconds = statistics.median(batch[name])
        figures[name] = {
            "single_latency_ms": 1000 * statistics.median(single[name]),
            "batch_latency_ms": 1000 * batch_seconds,
            "throughput_per_s": len(texts) / batch_seconds,
            "peak_memory_bytes": min(_peak_bytes(model, texts) for _ in range(2)),
        }
    figures["paired"] = {
        kind: measurement.paired_ratio(measurement.Timing(tuple(timings["candidate"])),
                                       measurement.Timing(tuple(timings["served"])))
        for kind, timings in (("single_latency", single), ("batch_latency", batch))
    }
    return figures


def _comparisons(figures: dict[str, dict[str, float]],
                 limits: dict[str, float]) -> list[measurement.Comparison]:
    """Candidate against served, oriented so that a ratio above 1 means the candidate is worse."""
    new, old, paired = figures["candidate"], figures["served"], figures["paired"]
    return [
        measurement.Comparison("single_latency", new["single_latency_ms"], old["single_latency_ms"],
                               limits["single_latency"], paired=paired["single_latency"]),
        measurement.Comparison("batch_latency", new["batch_latency_ms"], old["batch_latency_ms"],
                               limits["batch_latency"], paired=paired["batch_latency"]),
        # time per review: served throughput over candidate throughput
        measurement.compare("throughput", old["throughput_per_s"], new["throughput_per_s"],
                            limits["throughput"]),
        measurement.compare("peak_memory", new["peak_memory_bytes"],
                            max(old["peak_memory_bytes"], 1),
                            limits["peak_memory"]),
    ]


def check_performance(candidate: Any, served: Any, texts: Sequence[str],
                      monitoring: MonitoringConfig, seed: int) -> dict[str, Any]:
    """Alert when the candidate's latency or memory exceeds the served model's by the tolerance.

    A measurement over a limit is repeated (next seed, up to `monitoring.performance_attempts`
    in all) and only a regression seen every time alerts: a real slowdown persists, a burst of
    load on a shared machine does not.
    """
    max_latency = monitoring.max_latency_ratio
    max_memory = monitoring.max_memory_ratio
    limits = {"single_latency": max_latency, "batch_latency": max_latency,
              "throughput": max_latency, "peak_memory": max_memory}
    plan = Plan.from_config(monitoring, seed)
    attempts: list[dict[str, dict[str, float]]] = []

    def attempt() -> list[measurement.Comparison]:
        attempts.append(measure(candidate, served, texts,
                                replace(plan, seed=plan.seed + len(attempts))))
        return _comparisons(attempts[-1], limits)

    best = measurement.confirmed(attempt, monitoring.performance_attempts)
    ratios = {comparison.name: comparison.ratio for comparison in best}
    regressed = sorted(name for name, ratio in ratios.items() if ratio > limits[name])
    return {
        "alert": bool(regressed),
        "message": ("candidate regressed on " + ", ".join(
            f"{name} ({ratios[name]:.2f}x > {limits[name]:g}x)" for name in regressed)
            if regressed else "candidate within "
            + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios.items())),
        "reviews": len(texts),
        "ratios": {name: round(ratio, 4) for name, ratio in ratios.items()},
        "limits": limits,
        "regressed": regressed,
        "attempts": len(attempts),
        "candidate": attempts[-1]["candidate"],
        "served": attempts[-1]["served"],
    }
