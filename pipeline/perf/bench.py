"""`python -m pipeline bench`: latency, throughput, training time, load time and memory.

Reads the packaged model (verified as `predict` loads it) and the labelled data named in
params.yaml, times each figure after warm-up over several repetitions with the helpers the
non-functional suite uses (`measurement`), and writes reports/benchmarks.json. The course
baseline is measured in the same run, so the ratios mean something on any machine; the goals
in params.yaml `nonfunctional.bench_goals` are this project's targets for a 2-core machine.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any

from pipeline import artifact
from pipeline.cli import CommandParser
from pipeline.config import Config, DataConfig, load_config
from pipeline.data.reviews import Reviews, read_reviews
from pipeline.data.sources import DATA_DIR_ENV, file_spec, local_source, raw_file
from pipeline.data.split import split_reviews
from pipeline.errors import PipelineError
from pipeline.fileio import require_sha256, sha256_file, write_json_atomic
from pipeline.layout import MODELS_DIR, REPORTS_DIR
from pipeline.model import predict_labels, train_model
from pipeline.perf import measurement

OUTPUT = REPORTS_DIR / "benchmarks.json"
# Goals met when the figure is at most the goal, except throughput (at least).
HIGHER_IS_BETTER = frozenset({"predict_throughput_per_s"})


def training_data(data: DataConfig) -> Reviews:
    """The labelled training file where the pipeline reads it without downloading, verified.

    That is SENTIMENT_DATA_DIR or the bundled copy, else the download stage's `data.raw_dir`.
    """
    spec = file_spec(data, "training")
    path = raw_file(data, "training", local_source(data))
    if not path.is_file():
        raise PipelineError(f"{path}: training data not found; set {DATA_DIR_ENV} or run "
                            "`python -m pipeline download`")
    require_sha256(sha256_file(path), spec.sha256, path, "params.yaml", "a corrupt copy?")
    return read_reviews(path)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {"cpu_count": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "processor": platform.machine()}


def measure(model_dir: Path, config: Config) -> dict[str, Any]:
    """Every benchmark figure, measured in this process: the model of `data`, `split`,
    `features`, `model` and `seed`, timed as `nonfunctional` says."""
    settings = config.nonfunctional
    warmup, repeats = settings.warmup, settings.repeats
    start = time.perf_counter()
    model, metadata = artifact.load_package(model_dir)
    first_load = time.perf_counter() - start  # includes importing scikit-learn and skops
    loads = measurement.interleaved({"load": lambda: artifact.load_package(model_dir)}, 1, repeats)

    train_split, test_split = split_reviews(training_data(config.data), config.split,
                                            config.seed)
    reference = measurement.build_reference_model(settings.baseline_max_features)
    reference.fit(train_split.texts, train_split.labels)
    speed = {c.name: c for c in measurement.speed_comparisons(
        lambda texts: predict_labels(model, texts), reference.predict_proba,
        test_split.texts, settings)}
    batch_size = len(test_split.texts) * settings.batch_copies
    batch = list(test_split.texts) * settings.batch_copies

    fits = measurement.interleaved(
        {"train": lambda: train_model(train_split, config.model_spec)}, 1, repeats)
    _, train_peak = measurement.traced_peak(lambda: train_model(train_split, config.model_spec))
    _, serve_peak = measurement.traced_peak(lambda: predict_labels(model, batch))
    return {
        "model_version": metadata["version"],
        "predict_latency_p50_ms": round(speed["latency_p50"].candidate * 1e3, 4),
        "predict_latency_p99_ms": round(speed["latency_p99"].candidate * 1e3, 4),
        "predict_throughput_per_s": round(batch_size / speed["batch_seconds"].candidate, 1),
        "batch_size": batch_size,
        "train_seconds": round(fits["train"].median, 4),
        "train_reviews": len(train_split.texts),
        "model_load_seconds": round(loads["load"].median, 4),
        "first_load_seconds_with_imports": round(first_load, 4),
        "train_peak_traced_mb": round(train_peak / 2**20, 3),
        "serve_peak_traced_mb": round(serve_peak / 2**20, 3),
        "peak_rss_mb": round(measurement.peak_rss_mb(), 1),
        "against_baseline": {name: round(c.ratio, 3) for name, c in speed.items()},
        "baseline": measurement.REFERENCE_NAME,
        "warmup": warmup,
        "repeats": repeats,
        "machine": machine(),
    }


def goals_table(figures: dict[str, Any], goals: dict[str, float]) -> list[tuple[str, float, str]]:
    """(figure, value, 'goal ... met/missed') rows for the printed table."""
    rows = []
    for name, goal in goals.items():
        value = figures[name]
        higher = name in HIGHER_IS_BETTER
        met = value >= goal if higher else value <= goal
        rows.append((name, value, f"{'>=' if higher else '<='} {goal:g} "
                                  f"{'met' if met else 'MISSED'}"))
    return rows


def main(argv: list[str]) -> int:
    """Measure, write reports/benchmarks.json and print a table."""
    parser = CommandParser(prog="python -m pipeline bench", description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    config = load_config(args.params)
    goals = config.nonfunctional.bench_goals.model_dump()
    figures = measure(args.model_dir, config)
    rows = goals_table(figures, goals)
    figures["goals"] = {name: {"value": value, "goal": verdict} for name, value, verdict in rows}
    write_json_atomic(args.output, figures)
    spec = figures["machine"]
    print(f"model {figures['model_version']} on {spec['cpu_count']} CPUs, {spec['platform']}, "
          f"Python {spec['python']} ({figures['repeats']} repeats after warm-up)")
    print(f"{'figure':<28}{'value':>12}  goal")
    for name, value, verdict in rows:
        print(f"{name:<28}{value:>12g}  {verdict}")
    print(f"{'predict_latency_p99_ms':<28}{figures['predict_latency_p99_ms']:>12g}")
    first_load = figures["first_load_seconds_with_imports"]
    print(f"{'first_load_seconds_with_imports':<28}{first_load:>9g}")
    ratios = ", ".join(f"{k} {v}x" for k, v in figures["against_baseline"].items())
    print(f"against the course baseline: {ratios}")
    print(f"{args.output}: written")
    return 0
