"""`python -m pipeline monitor <check> ...`: run one monitoring check, write its report, exit.

Each check writes `reports/monitor_<check>.json` atomically and exits 1 on an alert, 2 on a user
error (one line on stderr), 0 otherwise, so CI or a scheduler can run it and page on the code.
The logic lives in pipeline.monitoring (one module per check); this module only wires files,
models and parameters to it.

With `--log URI` (a prediction log directory or `s3://` prefix, read by
pipeline.serving.logreader) a check of LOG_CHECKS reads what serving wrote, and the model of each
version the log names comes from `--registry` (or the `--model-dir` package when the log names
only its version). Without `--log` a check reads the batch files as before.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import artifact, registry
from pipeline.cli import CommandParser
from pipeline.config import Config, DataConfig, load_config
from pipeline.data.reviews import read_reviews
from pipeline.data.sources import raw_file
from pipeline.data.split import split_reviews
from pipeline.errors import PipelineError
from pipeline.fileio import write_json_atomic
from pipeline.layout import MODELS_DIR, REPORTS_DIR, TRAINED_MODEL
from pipeline.serving import logreader

CHECKS = ("deps", "inputs", "skew", "staleness", "stability", "performance", "drift", "quality")
# Checks that accept `--log URI`: they then check the prediction log rather than a batch file.
LOG_CHECKS = ("deps", "inputs", "skew", "stability", "performance", "drift", "quality")
# Of those, the checks that join delayed labels (`--labels URI`) to the log.
LABEL_CHECKS: tuple[str, ...] = ("quality",)


def add_log_arguments(sub: argparse.ArgumentParser, labels: bool = False) -> None:
    """`--log URI` (and `--labels URI`) for a check that can read the prediction log."""
    sub.add_argument("--log", metavar="URI",
                     help="prediction log directory or s3:// prefix: check what serving wrote")
    if labels:
        sub.add_argument("--labels", metavar="URI",
                         help="delayed labels: a JSON-lines file, directory or s3:// prefix")


def read_served_log(args: argparse.Namespace) -> logreader.LogRead:
    """The records under `--log` (labels from `--labels` joined), at least one of them."""
    if getattr(args, "input", None) is not None:
        raise PipelineError("--input and --log: give one of them (a batch file or the log)")
    read = logreader.read_log(args.log, getattr(args, "labels", None))
    if not read.records:
        raise PipelineError(f"{args.log}: no whole prediction record in"
                            f" {len(read.stats.files)} log file(s); nothing to check")
    return read


def logged_models(args: argparse.Namespace,
                  records: list[dict[str, Any]]) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Model and metadata of every version the records name: fetched from `--registry`, or the
    `--model-dir` package when it is the only version logged."""
    versions = sorted({record["version"] for record in records})
    if args.registry:
        return {version: registry.load_model(version, args.registry) for version in versions}
    model, metadata = artifact.load_package(args.model_dir)
    others = [version for version in versions if version != metadata["version"]]
    if others:
        raise PipelineError(f"{args.log}: the log names version(s) {', '.join(others)} but"
                            f" {args.model_dir} holds {metadata['version']}; pass --registry"
                            " to fetch each served version")
    return {metadata["version"]: (model, metadata)}


def serving_file(data: DataConfig) -> Path:
    """The unlabelled batch named by `data.serving`."""
    return raw_file(data, "serving")


def _served(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The served model and metadata: the registry's served version, else a package directory."""
    if args.registry:
        return registry.load_model(None, args.registry)
    return artifact.load_package(args.model_dir)


def _served_metadata(args: argparse.Namespace) -> dict[str, Any]:
    if args.registry:
        return _served(args)[1]
    return artifact.read_metadata(args.model_dir)


def _texts(path: Path | None, data: DataConfig) -> list[str]:
    return read_reviews(path or serving_file(data), labelled=False).texts


def _run_deps(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import deps  # pylint: disable=import-outside-toplevel

    del config
    if args.log:
        records = read_served_log(args).records
        return deps.check_served_versions(
            {version: metadata for version, (_, metadata) in logged_models(args, records).items()})
    return deps.check_dependencies(_served_metadata(args))


def _run_inputs(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import inputs  # pylint: disable=import-outside-toplevel

    if args.log:
        return _logged_inputs(args, config)
    path = args.input or serving_file(config.data)
    if args.score:
        return inputs.score_if_valid(path, config.schema_, _served(args)[0])
    return inputs.check_inputs(path, config.schema_)


def _logged_inputs(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    """Monitor 2 on the log: each version's logged reviews vs the held-out training reviews."""
    from pipeline.monitoring import inputs  # pylint: disable=import-outside-toplevel

    records = read_served_log(args).records
    held_out = split_reviews(read_reviews(raw_file(config.data, "training")), config.split,
                             config.seed)[1].texts
    results = {version: inputs.check_logged_inputs(
        [record for record in records if record["version"] == version], model, held_out,
        config.schema_, config.monitoring.input_alpha)
        for version, (model, _) in logged_models(args, records).items()}
    alerted = [version for version, result in results.items() if result["alert"]]
    shown = alerted or list(results)
    return {"alert": bool(alerted), "rows": len(records), "versions": results,
            "message": "; ".join(f"version {v}: {results[v]['message']}" for v in shown)}


def _run_skew(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import skew  # pylint: disable=import-outside-toplevel

    if args.log:
        records = read_served_log(args).records
        models = {version: model for version, (model, _) in logged_models(args, records).items()}
        return skew.check_logged_skew(models, records, config.monitoring.skew_tolerance)
    try:
        trained_bytes = args.trained.read_bytes()
    except FileNotFoundError:
        raise PipelineError(f"{args.trained}: trained model not found; run `dvc repro`") from None
    trained = artifact.loads_model(trained_bytes, str(args.trained))
    return skew.check_skew(trained, _served(args)[0], _texts(args.input, config.data),
                           config.monitoring.skew_tolerance)


def _run_staleness(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import model_age  # pylint: disable=import-outside-toplevel

    if args.registry:
        return model_age.check_served_age(registry.open_registry(args.registry),
                                          config.monitoring)
    return model_age.check_model_age(_served_metadata(args), config.monitoring)


def _run_stability(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import stability  # pylint: disable=import-outside-toplevel

    del config
    if args.log:
        read = read_served_log(args)
        models = {version: model
                  for version, (model, _) in logged_models(args, read.records).items()}
        return stability.check_served_stability(models, read.records, read.stats)
    return stability.check_stability(_served(args)[0])


def _run_performance(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import performance  # pylint: disable=import-outside-toplevel
    from pipeline.serving.served import ServedModel  # pylint: disable=import-outside-toplevel

    served = ServedModel(*_served(args))
    training = read_reviews(args.training or raw_file(config.data, "training"))
    result = performance.check_performance(
        served, performance.Workload.from_training(training, config), config.monitoring,
        config.seed)
    if args.log:
        result["logged"] = performance.logged_latency(
            _served_records(args, served.version, read_served_log(args)))
    return result


def _served_records(args: argparse.Namespace, version: str,
                    read: logreader.LogRead) -> list[dict[str, Any]]:
    """The log records of the served `version`; a log without any is a user error."""
    records = [record for record in read.records if record["version"] == version]
    if not records:
        logged = sorted({record["version"] for record in read.records})
        raise PipelineError(f"{args.log}: no prediction of the served version {version} in the"
                            f" log (it names {', '.join(logged)})")
    return records


def _scored_batch(args: argparse.Namespace, config: Config, labelled: bool,
                  ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Log-like records of the served model's predictions on `--log`'s served version, or on
    the `--input` batch scored here, with the served version's metadata."""
    from pipeline.model import predict_labels  # pylint: disable=import-outside-toplevel

    if args.log:
        metadata = _served_metadata(args)
        return _served_records(args, metadata["version"], read_served_log(args)), metadata
    model, metadata = _served(args)
    batch = (read_reviews(args.input) if labelled
             else read_reviews(args.input or serving_file(config.data), labelled=False))
    predicted, _ = predict_labels(model, batch.texts)
    truth = batch.labels or [None] * len(predicted)
    return ([{"label": label, "true_label": true} for label, true in zip(
        predicted, truth, strict=True)], metadata)


def _run_drift(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import drift  # pylint: disable=import-outside-toplevel

    records, metadata = _scored_batch(args, config, labelled=False)
    return {"model_version": metadata["version"],
            **drift.check_drift(records, metadata.get("metrics") or {}, config.monitoring)}


def _run_quality(args: argparse.Namespace, config: Config) -> dict[str, Any]:
    from pipeline.monitoring import live_quality  # pylint: disable=import-outside-toplevel

    if not args.log and args.input is None:
        raise PipelineError("quality: give --log (with --labels) or a labelled --input batch")
    records, metadata = _scored_batch(args, config, labelled=True)
    recorded = (metadata.get("metrics") or {}).get("accuracy")
    limits = live_quality.QualityLimits.from_config(config.monitoring, config.quality)
    return {"model_version": metadata["version"], **live_quality.check_live_quality(
        records, limits, recorded_accuracy=None if recorded is None else float(recorded))}


RUNNERS: dict[str, Callable[[argparse.Namespace, Config], dict[str, Any]]] = {
    "deps": _run_deps, "inputs": _run_inputs, "skew": _run_skew, "staleness": _run_staleness,
    "stability": _run_stability, "performance": _run_performance, "drift": _run_drift,
    "quality": _run_quality,
}


def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="python -m pipeline monitor", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="check", required=True, parser_class=CommandParser)
    helps = {
        "deps": "installed versions vs those recorded at packaging (Monitor 1)",
        "inputs": "a serving batch or the log against the training schema (Monitor 2)",
        "skew": "training-path vs serving-path features and predictions (Monitor 3)",
        "staleness": "the served model's age vs monitoring.max_model_age_days (Monitor 4)",
        "stability": "no NaN or infinity on hostile inputs or in the log (Monitor 5)",
        "performance": "served latency, throughput and memory vs its release figures (Monitor 6)",
        "drift": "logged predicted-positive share vs the held-out share at training (Monitor 7)",
        "quality": "logged predictions vs delayed labels: accuracy vs recorded (Monitor 7)",
    }
    for name in CHECKS:
        sub = commands.add_parser(name, help=helps[name])
        sub.add_argument("--params", default="params.yaml")
        sub.add_argument("--reports", type=Path, default=REPORTS_DIR,
                         help="directory of monitor_<check>.json (default: reports)")
        sub.add_argument("--model-dir", type=Path, default=MODELS_DIR,
                         help="the served package directory (default: models)")
        sub.add_argument("--registry", metavar="URI",
                         help="check the registry's served version instead of --model-dir")
        if name in LOG_CHECKS:
            add_log_arguments(sub, labels=name in LABEL_CHECKS)
        if name in {"inputs", "skew", "drift"}:
            sub.add_argument("--input", type=Path,
                             help="unlabelled reviews (default: the data.serving file)")
    commands.choices["inputs"].add_argument(
        "--score", action="store_true", help="score the batch with the served model when valid")
    commands.choices["skew"].add_argument("--trained", type=Path, default=TRAINED_MODEL,
                                          help="the train stage's artifact (the training path)")
    commands.choices["performance"].add_argument(
        "--training", type=Path,
        help="labelled reviews the reference workload is built from (default: the training file)")
    commands.choices["quality"].add_argument("--input", type=Path,
                                             help="labelled reviews (Review, Liked) instead of"
                                                  " --log")
    return parser


def main(argv: list[str]) -> int:
    """Run the check, write its report, print one line; 1 on an alert, 0 when all is well."""
    args = _parser().parse_args(argv)
    result = RUNNERS[args.check](args, load_config(args.params))
    report = {"check": args.check, "at": datetime.now(UTC).isoformat(timespec="seconds"),
              **result}
    target = args.reports / f"monitor_{args.check}.json"
    write_json_atomic(target, report)
    status = "ALERT" if result["alert"] else "ok"
    stream = sys.stderr if result["alert"] else sys.stdout
    print(f"monitor {args.check}: {status}: {result['message']} ({target})", file=stream)
    return 1 if result["alert"] else 0
