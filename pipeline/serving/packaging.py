"""Writing a package directory: the artifact beside a metadata.json that says what it is.

A model below `quality.min_accuracy` is refused and the previous package stays as it was: the
artifact and its metadata are only replaced once everything has been checked. Figures measured
on the artifact itself (the package stage's performance baseline) join the metadata before
anything is written, so a package never holds an artifact without them.

The metadata also records what the model was trained on, as `training_rows`: the record the
train stage wrote of the reviews it fitted (`pipeline.data.training_rows`, short hashes, no
review text), so the release check can prove its holdout was unseen. It records each feature
plugin's source sha256 too (`plugin_record`), so a plugin edited after training is refused at
load rather than served.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pipeline
from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME, PLUGIN_SOURCES
from pipeline.config import Config, QualityConfig
from pipeline.data.reviews import Reviews
from pipeline.data.training_rows import training_record
from pipeline.errors import PipelineError
from pipeline.features import plugin_source_sha256
from pipeline.fileio import sha256_bytes, sha256_file, write_bytes_atomic, write_json_atomic
from pipeline.layout import METRICS
from pipeline.serving.environment import installed_versions


@dataclass(frozen=True)
class TrainingData:
    """What a model was fitted on: the labelled file the reviews were drawn from (recorded by its
    sha256) and the record of the reviews themselves (`pipeline.data.training_rows`)."""

    path: Path
    record: dict[str, list[str]]

    @classmethod
    def fitted_on(cls, path: Path, reviews: Reviews) -> TrainingData:
        """The training data of a model fitted, in this process, on `reviews` from `path`."""
        return cls(path, training_record(reviews))


def build_metadata(artifact_sha256: str, data_sha256: str, metrics: dict[str, Any],
                   params: dict[str, Any], created_at: str | None = None) -> dict[str, Any]:
    """Everything a reviewer or a server needs to know about a packaged model, but what it was
    trained on (`TrainingData.record`).

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


def plugin_record(plugins: Iterable[str]) -> dict[str, dict[str, str]]:
    """The metadata field mapping each feature plugin to its module's source sha256, which
    loading compares (`pipeline.artifact.check_plugin_sources`): the model stores only names."""
    return {PLUGIN_SOURCES: {name: plugin_source_sha256(name) for name in plugins}}


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
                    training: TrainingData) -> tuple[bytes, dict[str, Any]]:
    """Check the model against the floor, then its artifact bytes and their metadata.

    The whole config is the spec the metadata records, `training` what the model was fitted on.
    Nothing is written yet: the caller may add fields measured on these very bytes before
    `write_package`.
    """
    check_min_accuracy(metrics, config.quality)
    data = model_path.read_bytes()
    metadata = build_metadata(sha256_bytes(data), sha256_file(training.path), metrics,
                              config.as_mapping())
    return data, {**metadata, **training.record, **plugin_record(config.features.plugins)}


def write_package(out_dir: Path, data: bytes, metadata: dict[str, Any]) -> None:
    """Write the artifact and its metadata, each atomically."""
    write_bytes_atomic(out_dir / ARTIFACT_NAME, data)
    write_json_atomic(out_dir / METADATA_NAME, metadata)


def package_model(model_path: Path, metrics: dict[str, Any], config: Config,
                  out_dir: Path, training: TrainingData) -> dict[str, Any]:
    """Check, then write the artifact and its metadata atomically; returns the metadata."""
    data, metadata = prepare_package(model_path, metrics, config, training)
    write_package(out_dir, data, metadata)
    return metadata
