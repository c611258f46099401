"""Monitor 6: a candidate model is not slower or hungrier than the served one.

Absolute times say more about the machine than the model, so both models are measured in the
same process and run, interleaved round by round in a seeded random order after a warm-up, and
compared as ratios (candidate / served) of medians: latency of one review, latency of a batch,
throughput, and the tracemalloc peak of a batch prediction.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.params import get



@dataclass(frozen=True)
class Plan:
    """How much to measure: timed rounds, untimed warm-up calls, single reviews per round."""

    rounds: int
    warmup: int
    singles: int
    seed: int

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Plan:
        """The plan of `monitoring.performance_*` in params.yaml, seeded by `seed`."""
        return cls(rounds=int(get(params, "monitoring.performance_rounds")),
                   warmup=int(get(params, "monitoring.performance_warmup")),
                   singles=int(get(params, "monitoring.performance_single_reviews")),
                   seed=int(get(params, "seed")))


def _seconds(model: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    model.predict_proba(texts)
    return time.perf_counter() - start


def _peak_bytes(model: Any, texts: list[str]) -> int:
    tracemalloc.start()
    try:
        model.predict_proba(texts)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(models: dict[str, Any], texts: Sequence[str],
            plan: Plan) -> dict[str, dict[str, float]]:
    """Median batch and single-review latency, throughput and peak memory of each model."""
    texts = list(texts)
    order = random.Random(plan.seed)
    names = list(models)
    for _ in range(plan.warmup):
        for name in names:
            _seconds(models[name], texts)
    batch: dict[str, list[float]] = {name: [] for name in names}
    single: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(plan.rounds):
        order.shuffle(names)
        for name in names:
            batch[name].append(_seconds(models[name], texts))
        for text in order.sample(texts, min(plan.singles, len(texts))):
            order.shuffle(names)
            for name in names:
                single[name].append(_seconds(models[name], [text]))
    figures = {}
    for name in models:
        batch_seconds = statistics.median(batch[name])
        figures[name] = {
            "single_latency_ms": 1000 * statistics.median(single[name]),
            "batch_latency_ms": 1000 * batch_seconds,
            "throughput_per_s": len(texts) / batch_seconds,
            "peak_memory_bytes": min(_peak_bytes(models[name], texts) for _ in range(2)),
        }
    return figures


def check_performance(candidate: Any, served: Any, texts: Sequence[str],
                      params: dict[str, Any]) -> dict[str, Any]:
    """Alert when the candidate's latency or memory exceeds the served model's by the tolerance."""
    max_latency = float(get(params, "monitoring.max_latency_ratio"))
    max_memory = float(get(params, "monitoring.max_memory_ratio"))
    figures = measure({"candidate": candidate, "served": served}, texts,
                      Plan.from_params(params))
    new, old = figures["candidate"], figures["served"]
    ratios = {
        "single_latency": new["single_latency_ms"] / old["single_latency_ms"],
        "batch_latency": new["batch_latency_ms"] / old["batch_latency_ms"],
        # served / candidate, so that above 1 means worse like the others (it mirrors the
        # batch latency; reported because capacity planning reads throughput)
        "throughput": old["throughput_per_s"] / new["throughput_per_s"],
        "peak_memory": new["peak_memory_bytes"] / max(old["peak_memory_bytes"], 1),
    }
    limits = {"single_latency": max_latency, "batch_latency": max_latency,
              "throughput": max_latency, "peak_memory": max_memory}
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
        "candidate": new,
        "served": old,
    }
