"""Package metadata and the quality floor, field by field (no model needed)."""

from __future__ import annotations

import json
import platform
from importlib import metadata as importlib_metadata

import pytest

import pipeline
from pipeline import artifact
from pipeline.data.reviews import format_reviews
from pipeline.data.training_rows import row_hashes
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.serving.environment import installed_versions
from pipeline.serving.packaging import (
    TrainingData,
    build_metadata,
    check_min_accuracy,
    package_model,
    plugin_record,
)

SHA = "ab" * 32


def test_metadata_fields_come_from_their_sources(project_config):
    metrics, spec = {"accuracy": 0.9}, project_config.as_mapping()
    meta = build_metadata(SHA, "cd" * 32, metrics, spec, created_at="2026-01-02T03:04:05")
    assert meta["version"] == SHA[:12]
    assert meta["artifact"] == "model.skops"
    assert meta["sha256"] == SHA
    assert meta["data_sha256"] == "cd" * 32
    assert meta["metrics"] is metrics and meta["params"] is spec
    assert meta["created_at"] == "2026-01-02T03:04:05"
    assert meta["versions"]["python"] == platform.python_version()
    assert meta["versions"]["project"] == pipeline.__version__
    assert meta["versions"]["scikit-learn"] == importlib_metadata.version("scikit-learn")
    assert meta["environment"]["numpy"] == importlib_metadata.version("numpy")


def test_created_at_defaults_to_the_current_utc_second(project_config):
    created = build_metadata(SHA, SHA, {}, project_config.as_mapping())["created_at"]
    assert created.endswith("+00:00") and len(created) == len("2026-01-02T03:04:05+00:00")


def test_installed_versions_names_absent_distributions_none():
    versions = installed_versions(("pytest", "no-such-distribution-xyz"))
    assert versions == {"pytest": importlib_metadata.version("pytest"),
                        "no-such-distribution-xyz": None}


def test_quality_floor_is_inclusive(project_config):
    quality = project_config.with_overrides({"quality.min_accuracy": 0.8}).quality
    check_min_accuracy({"accuracy": 0.8}, quality)
    with pytest.raises(PipelineError) as refused:
        check_min_accuracy({"accuracy": "0.79"}, quality)
    assert str(refused.value) == (
        "reports/metrics.json: accuracy 0.790 is below quality.min_accuracy 0.800; the model "
        "was not packaged and the previous package is unchanged")


CONTRACT_FIELDS = {"version", "artifact", "sha256", "data_sha256", "metrics", "params",
                   "created_at", "versions"}


@pytest.fixture
def trained(tmp_path, tiny_model, tiny_reviews):
    """An artifact, the labelled file it was 'trained' from, and its training reviews."""
    model_path = tmp_path / "model.skops"
    artifact.save_model(tiny_model, model_path)
    data_path = tmp_path / "train.tsv"
    data_path.write_bytes(format_reviews(tiny_reviews))
    return model_path, data_path, tiny_reviews


def test_metadata_holds_the_contract_and_matches_the_artifact(tmp_path, trained, project_config):
    model_path, data_path, reviews = trained
    out = tmp_path / "models"
    metadata = package_model(model_path, {"accuracy": 0.9, "f1": 0.9}, project_config, out,
                             TrainingData.fitted_on(data_path, reviews))
    on_disk = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert on_disk == metadata and CONTRACT_FIELDS <= set(metadata)
    assert metadata["sha256"] == sha256_file(out / metadata["artifact"])
    assert metadata["data_sha256"] == sha256_file(data_path)
    assert metadata["params"] == project_config.as_mapping()
    assert metadata["training_rows"] == row_hashes(reviews.texts)
    text = (out / "metadata.json").read_text(encoding="utf-8")
    assert not any(review in text for review in reviews.texts), "a review reached the metadata"
    assert {"python", "scikit-learn", "project"} <= set(metadata["versions"])
    model, loaded = artifact.load_package(out)
    assert loaded == metadata and hasattr(model, "predict_proba")


def test_below_quality_floor_is_refused_and_previous_package_kept(tmp_path, trained,
                                                                  project_config):
    model_path, data_path, reviews = trained
    out = tmp_path / "models"
    good = package_model(model_path, {"accuracy": 0.9, "f1": 0.9}, project_config, out,
                         TrainingData.fitted_on(data_path, reviews))
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    strict = project_config.with_overrides({"quality.min_accuracy": 0.95})
    with pytest.raises(PipelineError, match="below quality.min_accuracy"):
        package_model(model_path, {"accuracy": 0.9, "f1": 0.9}, strict, out,
                      TrainingData.fitted_on(data_path, reviews))
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert artifact.read_metadata(out)["version"] == good["version"]


def test_plugin_record_maps_each_plugin_to_its_source_sha256(plugin_source):
    name, path = plugin_source
    assert plugin_record([name]) == {artifact.PLUGIN_SOURCES: {name: sha256_file(path)}}
    assert plugin_record([]) == {artifact.PLUGIN_SOURCES: {}}
