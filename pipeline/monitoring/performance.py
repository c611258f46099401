"""Monitor 6: the served version computes as fast and as lean as it did when it was built.

Absolute times say more about the machine than the model, so every figure is relative to a
reference workload measured in the same process and run: the course baseline
(`measurement.build_reference_model`, fitted on the training split), which shares no code with
the project's preprocessing. The package stage records the served path's figures
(`ServedModel.score`, what the server runs per request) relative to that reference in the
package's metadata (`performance_baseline`, see `release_figures`); this check measures the
version being served now the same way and compares the two. So a slowdown in code every model
shares (a preprocessing step), which a candidate-versus-served comparison cannot see, moves the
served version against its own release figures, while a slower machine moves the reference
alike and cancels.

Figures, per measurement: latency of one review and of the held-out batch (medians of
per-round paired ratios served / reference, both timed back to back in a seeded random order
after a warm-up), throughput (reviews per second of the batch, served / reference, the median
of the same rounds' paired ratios) and the tracemalloc peak of a batch prediction (served /
reference).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.artifact import loads_model
from pipeline.config import Config, MonitoringConfig
from pipeline.data.reviews import Reviews
from pipeline.data.split import split_reviews
from pipeline.errors import PipelineError
from pipeline.perf import measurement
from pipeline.serving.served import ServedModel

Predict = Callable[[list[str]], Any]
SIDES = ("served", "reference")
# Relative figures, each oriented as in the metadata: cost ratios (served / reference), except
# throughput, where served / reference is a speed.
COSTS = ("single_latency", "batch_latency", "peak_memory")
SPEEDS = ("throughput",)


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


@dataclass(frozen=True)
class Workload:
    """The reference and the reviews both sides are timed on, built the same way every time."""

    reference: Predict
    texts: list[str]

    @classmethod
    def from_training(cls, training: Reviews, config: Config) -> Workload:
        """The course baseline fitted on the training split, timed on the held-out split
        repeated `nonfunctional.batch_copies` times (as the non-functional suite times a batch):
        a call long enough that timer and scheduler jitter stay small beside it."""
        train, held_out = split_reviews(training, config.split, config.seed)
        settings = config.nonfunctional
        reference = measurement.build_reference_model(settings.baseline_max_features)
        reference.fit(train.texts, train.labels)
        return cls(reference.predict_proba, list(held_out.texts) * settings.batch_copies)


def _seconds(predict: Predict, texts: list[str]) -> float:
    start = time.perf_counter()
    predict(texts)
    return time.perf_counter() - start


def measure(served: Predict, reference: Predict, texts: Sequence[str],
            plan: Plan) -> dict[str, dict[str, float]]:
    """Each side's figures (medians) and the served path's figures relative to the reference.

    Each round times both sides back to back in a random order, and a ratio is taken per round
    (per review for single latency): load on a shared machine changes between rounds, rarely
    within a pair, so the median of paired ratios is far steadier than a ratio of medians.
    """
    texts = list(texts)
    sides = {"served": served, "reference": reference}
    order = random.Random(plan.seed)
    for _ in range(plan.warmup):
        for predict in sides.values():
            _seconds(predict, texts)
    batch: dict[str, list[float]] = {name: [] for name in sides}
    single: dict[str, list[float]] = {name: [] for name in sides}

    def timed_pair(sample: list[str], into: dict[str, list[float]]) -> None:
        for name in order.sample(SIDES, len(SIDES)):
            into[name].append(_seconds(sides[name], sample))

    with measurement.untraced():
        for _ in range(plan.rounds):
            timed_pair(texts, batch)
            for text in order.sample(texts, min(plan.singles, len(texts))):
                timed_pair([text], single)
    figures = {name: _side_figures(predict, texts, single[name], batch[name])
               for name, predict in sides.items()}
    served_figures, reference_figures = figures["served"], figures["reference"]
    figures["relative"] = {
        **{kind: measurement.paired_ratio(measurement.Timing(tuple(timings["served"])),
                                          measurement.Timing(tuple(timings["reference"])))
           for kind, timings in (("single_latency", single), ("batch_latency", batch))},
        # Reviews per second of the batch, served / reference, per round: a ratio of the two
        # sides' median throughputs would pair one side's quiet round with the other's busy one.
        "throughput": measurement.paired_ratio(measurement.Timing(tuple(batch["reference"])),
                                               measurement.Timing(tuple(batch["served"]))),
        "peak_memory": served_figures["peak_memory_bytes"]
        / max(reference_figures["peak_memory_bytes"], 1),
    }
    return figures


def _side_figures(predict: Predict, texts: list[str], single: list[float],
                  batch: list[float]) -> dict[str, float]:
    """One side's medians, throughput and the tracemalloc peak of one batch after the warm-up.

    One trace is enough: allocation is not timing, and repeated peaks of the same warmed-up
    call agree within 0.2 %, while one trace costs about eight timed rounds of the batch.
    """
    batch_seconds = statistics.median(batch)
    return {
        "single_latency_ms": 1000 * statistics.median(single),
        "batch_latency_ms": 1000 * batch_seconds,
        "throughput_per_s": len(texts) / batch_seconds,
        "peak_memory_bytes": measurement.traced_peak(lambda: predict(texts))[1],
    }


def release_figures(served: ServedModel, workload: Workload, monitoring: MonitoringConfig,
                    seed: int) -> dict[str, Any]:
    """The `performance_baseline` packaging records: relative figures of the served path.

    Measured `monitoring.performance_attempts` times (seeds seed, seed+1, ...) and each figure's
    median kept, so one busy moment of the build machine does not become the version's
    yardstick; the absolute figures of the last attempt are kept to read, not to compare.
    """
    plan = Plan.from_config(monitoring, seed)
    attempts = [measure(served.score, workload.reference, workload.texts,
                        replace(plan, seed=plan.seed + attempt))
                for attempt in range(monitoring.performance_attempts)]
    return {
        "reference": measurement.REFERENCE_NAME,
        "reviews": len(workload.texts),
        "attempts": len(attempts),
        "relative": {name: round(statistics.median(figures["relative"][name]
                                                   for figures in attempts), 6)
                     for name in (*COSTS, *SPEEDS)},
        "served": attempts[-1]["served"],
        "reference_figures": attempts[-1]["reference"],
    }


def release_baseline(artifact_bytes: bytes, metadata: dict[str, Any], training: Reviews,
                     config: Config) -> dict[str, Any]:
    """The metadata field packaging adds: `release_figures` of the artifact being packaged,
    loaded and served as the server will, on the workload of the labelled `training` reviews."""
    served = ServedModel(loads_model(artifact_bytes, str(metadata["artifact"])), metadata)
    return {"performance_baseline": release_figures(
        served, Workload.from_training(training, config), config.monitoring, config.seed)}


def recorded_baseline(metadata: dict[str, Any]) -> dict[str, float]:
    """The relative figures recorded with the package; missing ones are an error to fix."""
    baseline = metadata.get("performance_baseline")
    relative = baseline.get("relative") if isinstance(baseline, dict) else None
    if not isinstance(relative, dict) or any(
            not isinstance(relative.get(name), int | float) or relative[name] <= 0
            for name in (*COSTS, *SPEEDS)):
        raise PipelineError(f"model {metadata.get('version')}: metadata.json has no"
                            " performance_baseline figures; package it with `dvc repro`")
    return {name: float(relative[name]) for name in (*COSTS, *SPEEDS)}


def _comparisons(relative: dict[str, float], recorded: dict[str, float],
                 limits: dict[str, float]) -> list[measurement.Comparison]:
    """Now against the release, oriented so that a ratio above 1 means the version got worse."""
    return [measurement.compare(name, relative[name], recorded[name], limits[name])
            for name in COSTS] + [
        measurement.compare(name, recorded[name], relative[name], limits[name])
        for name in SPEEDS]


def check_performance(served: ServedModel, workload: Workload, monitoring: MonitoringConfig,
                      seed: int) -> dict[str, Any]:
    """Alert when the served version's relative latency, throughput or memory is worse than
    recorded at release by more than monitoring.max_latency_ratio (max_memory_ratio).

    A measurement over a limit is repeated (next seed, up to `monitoring.performance_attempts`
    in all) and only a regression seen every time alerts: a real slowdown persists, a burst of
    load on a shared machine does not.
    """
    recorded = recorded_baseline(served.metadata)
    max_latency, max_memory = monitoring.max_latency_ratio, monitoring.max_memory_ratio
    limits = {"single_latency": max_latency, "batch_latency": max_latency,
              "throughput": max_latency, "peak_memory": max_memory}
    plan = Plan.from_config(monitoring, seed)
    attempts: list[dict[str, dict[str, float]]] = []

    def attempt() -> list[measurement.Comparison]:
        attempts.append(measure(served.score, workload.reference, workload.texts,
                                replace(plan, seed=plan.seed + len(attempts))))
        return _comparisons(attempts[-1]["relative"], recorded, limits)

    best = measurement.confirmed(attempt, monitoring.performance_attempts)
    ratios = {comparison.name: comparison.ratio for comparison in best}
    regressed = sorted(name for name, ratio in ratios.items() if ratio > limits[name])
    return {
        "alert": bool(regressed),
        "message": (f"version {served.version} regressed since release on " + ", ".join(
            f"{name} ({ratios[name]:.2f}x > {limits[name]:g}x)" for name in regressed)
            if regressed else f"version {served.version} within its release figures: "
            + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios.items())),
        "model_version": served.version,
        "reference": measurement.REFERENCE_NAME,
        "reviews": len(workload.texts),
        "ratios": {name: round(ratio, 4) for name, ratio in ratios.items()},
        "limits": limits,
        "regressed": regressed,
        "attempts": len(attempts),
        "recorded": recorded,
        "relative": {name: round(value, 6) for name, value in attempts[-1]["relative"].items()},
        "served": attempts[-1]["served"],
        "reference_figures": attempts[-1]["reference"],
    }


def logged_latency(records: Sequence[dict[str, Any]]) -> dict[str, float | int]:
    """The latencies the server logged for these records: context for a reader, not a verdict
    (they come from another process at another time, so no reference cancels the machine)."""
    latencies = [float(record["latency_ms"]) for record in records]
    return {"reviews": len(latencies), "latency_p50_ms": measurement.percentile(latencies, 50),
            "latency_p99_ms": measurement.percentile(latencies, 99)}
