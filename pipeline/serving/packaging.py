"""Writing a package directory: the artifact beside a metadata.json that says what it is.

A model below `quality.min_accuracy` is refused and the previous package stays as it was: the
artifact and its metadata are only replaced once everything has been checked. Figures measured
on the artifact itself (the package stage's performance baseline) join the metadata before
anything is written, so a package never holds an artifact without them.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pipeline
from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME
from pipeline.config import Config, QualityConfig
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_bytes, sha256_file, write_bytes_atomic, write_json_atomic
from pipeline.layout import METRICS
from pipeline.serving.environment import installed_versions


def build_metadata(artifact_sha256: str, data_sha256: str, metrics: dict[str, Any],
                   params: dict[str, Any], created_at: str | None = None) -> dict[str, Any]:
    """Everything a reviewer or a server needs to know about a packaged model.

    `params` is the spec as params.yaml holds it (`Config.as_mapping`), recorded whole.
    """
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


def check_min_accuracy(metrics: dict[str, Any], quality: QualityConfig) -> None:
    """Refuse to package a model whose held-out accuracy is below the configured floor."""
    floor = quality.min_accuracy
    accuracy = float(metrics["accuracy"])
    if accuracy < floor:
        raise PipelineError(
            f"{METRICS}: accuracy {accuracy:.3f} is below quality.min_accuracy {floor:.3f}; "
            "the model was not packaged and the previous package is unchanged"
        )


def prepare_package(model_path: Path, metrics: dict[str, Any], config: Config,
                    data_path: Path) -> tuple[bytes, dict[str, Any]]:
    """Check the model against the floor, then its artifact bytes and their metadata.

    The whole config is the spec the metadata records; `data_path` is the labelled file the model
    was trained from, recorded by its sha256. Nothing is written yet: the caller may add fields
    measured on these very bytes before `write_package`.
    """
    check_min_accuracy(metrics, config.quality)
    data = model_path.read_bytes()
    return data, build_metadata(sha256_bytes(data), sha256_file(data_path), metrics,
                                config.as_mapping())


def write_package(out_dir: Path, data: bytes, metadata: dict[str, Any]) -> None:
    """Write the artifact and its metadata, each atomically."""
    write_bytes_atomic(out_dir / ARTIFACT_NAME, data)
    write_json_atomic(out_dir / METADATA_NAME, metadata)


def package_model(model_path: Path, metrics: dict[str, Any], config: Config,
                  out_dir: Path, data_path: Path) -> dict[str, Any]:
    """Check, then write the artifact and its metadata atomically; returns the metadata."""
    data, metadata = prepare_package(model_path, metrics, config, data_path)
    write_package(out_dir, data, metadata)
    return metadata
