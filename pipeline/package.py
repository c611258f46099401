"""Stage `package`: the servable model directory, `models/model.skops` + `models/metadata.json`.

A model below `quality.min_accuracy` is refused here and the previous package stays as it was:
the artifact and its metadata are only replaced once everything has been checked.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pipeline
from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME
from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_bytes, sha256_file, write_bytes_atomic, write_json_atomic
from pipeline.layout import METRICS, MODELS_DIR, TRAINED_MODEL
from pipeline.params import get, load_params
from pipeline.sources import raw_file

# The installed distributions whose versions can change what the model computes; recorded at
# packaging so that monitoring can tell when serving runs on a different stack.
RECORDED_DISTRIBUTIONS = ("scikit-learn", "numpy", "scipy", "skops", "nltk", "joblib", "pandas")


def installed_versions(names: tuple[str, ...] = RECORDED_DISTRIBUTIONS) -> dict[str, str | None]:
    """Versions of the given distributions in the running environment (None when absent)."""
    from importlib import metadata  # pylint: disable=import-outside-toplevel

    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def build_metadata(artifact_sha256: str, data_sha256: str, metrics: dict[str, Any],
                   params: dict[str, Any], created_at: str | None = None) -> dict[str, Any]:
    """Everything a reviewer or a server needs to know about a packaged model."""
    import sklearn  # pylint: disable=import-outside-toplevel

    return {
        "version": artifact_sha256[:12],
        "artifact": ARTIFACT_NAME,
        "sha256": artifact_sha256,
        "data_sha256": data_sha256,
        "metrics": metrics,
        "params": params,
        "created_at": created_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "project": pipeline.__version__,
        },
        "environment": installed_versions(),
    }


def check_quality(metrics: dict[str, Any], params: dict[str, Any]) -> None:
    """Refuse to package a model whose held-out accuracy is below the configured floor."""
    floor = float(get(params, "quality.min_accuracy"))
    accuracy = float(metrics["accuracy"])
    if accuracy < floor:
        raise PipelineError(
            f"{METRICS}: accuracy {accuracy:.3f} is below quality.min_accuracy {floor:.3f}; "
            "the model was not packaged and the previous package is unchanged"
        )


def package_model(model_path: Path, metrics: dict[str, Any], params: dict[str, Any],
                  out_dir: Path, data_path: Path) -> dict[str, Any]:
    """Check, then write the artifact and its metadata atomically; returns the metadata.

    `data_path` is the labelled file the model was trained from, recorded by its sha256.
    """
    check_quality(metrics, params)
    data = model_path.read_bytes()
    metadata = build_metadata(sha256_bytes(data), sha256_file(data_path), metrics, params)
    write_bytes_atomic(out_dir / ARTIFACT_NAME, data)
    write_json_atomic(out_dir / METADATA_NAME, metadata)
    return metadata


def main(argv: list[str]) -> int:
    """Package data/model/model.skops with reports/metrics.json into models/."""
    parser = CommandParser(prog="python -m pipeline package", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    params = load_params(args.params)
    metrics = json.loads(METRICS.read_text(encoding="utf-8"))
    metadata = package_model(TRAINED_MODEL, metrics, params, args.out,
                             raw_file(params, "training"))
    print(f"{args.out / ARTIFACT_NAME}: version {metadata['version']}, "
          f"accuracy {metrics['accuracy']:.3f}")
    return 0
