"""Stage `package`: the servable model directory, `models/model.skops` + `models/metadata.json`.

A model below `quality.min_accuracy` is refused (`serving.packaging`) and the previous package
stays as it was. The metadata records the hashes of the reviews the train stage fitted, copied
from the record it wrote (`data/model/training_rows.json`), which the release check compares its
holdout with. It also records the served path's computing figures relative to the course
baseline, measured here
(`monitoring.performance.release_baseline`): Monitor 6 compares the version being served with
them, so they must come from the build, never from a check.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.artifact import ARTIFACT_NAME
from pipeline.cli import CommandParser
from pipeline.config import load_config
from pipeline.data.reviews import read_reviews
from pipeline.data.sources import raw_file
from pipeline.data.training_rows import read_training_record
from pipeline.layout import METRICS, MODELS_DIR, TRAINED_MODEL, TRAINING_ROWS_RECORD
from pipeline.monitoring.performance import release_baseline
from pipeline.serving.packaging import TrainingData, prepare_package, write_package


def main(argv: list[str]) -> int:
    """Package data/model/model.skops with reports/metrics.json into models/."""
    parser = CommandParser(prog="python -m pipeline package", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    config = load_config(args.params)
    metrics = json.loads(METRICS.read_text(encoding="utf-8"))
    training = raw_file(config.data, "training")
    data, metadata = prepare_package(
        TRAINED_MODEL, metrics, config,
        TrainingData(training, read_training_record(TRAINING_ROWS_RECORD)))
    metadata.update(release_baseline(data, metadata, read_reviews(training), config))
    write_package(args.out, data, metadata)
    print(f"{args.out / ARTIFACT_NAME}: version {metadata['version']}, "
          f"accuracy {metrics['accuracy']:.3f}")
    return 0
