"""Packaging: the contract's metadata, and a refused model leaves the previous package intact."""

from __future__ import annotations

import json

import pytest

from pipeline.data.reviews import format_reviews
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.serving import artifact
from pipeline.serving.packaging import package_model

CONTRACT_FIELDS = {"version", "artifact", "sha256", "data_sha256", "metrics", "params",
                   "created_at", "versions"}


@pytest.fixture
def trained(tmp_path, tiny_model, tiny_reviews):
    """An artifact and the labelled file it was 'trained' from."""
    model_path = tmp_path / "model.skops"
    artifact.save_model(tiny_model, model_path)
    data_path = tmp_path / "train.tsv"
    data_path.write_bytes(format_reviews(tiny_reviews))
    return model_path, data_path


def test_metadata_holds_the_contract_and_matches_the_artifact(tmp_path, trained, project_config):
    model_path, data_path = trained
    out = tmp_path / "models"
    metadata = package_model(model_path, {"accuracy": 0.9, "f1": 0.9}, project_config, out,
                             data_path)
    on_disk = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert on_disk == metadata and CONTRACT_FIELDS <= set(metadata)
    assert metadata["sha256"] == sha256_file(out / metadata["artifact"])
    assert metadata["data_sha256"] == sha256_file(data_path)
    assert metadata["params"] == project_config.as_mapping()
    assert {"python", "scikit-learn", "project"} <= set(metadata["versions"])
    model, loaded = artifact.load_package(out)
    assert loaded == metadata and hasattr(model, "predict_proba")


def test_below_quality_floor_is_refused_and_previous_package_kept(tmp_path, trained,
                                                                  project_config):
    model_path, data_path = trained
    out = tmp_path / "models"
    good = package_model(model_path, {"accuracy": 0.9, "f1": 0.9}, project_config, out,
                         data_path)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    strict = project_config.with_overrides({"quality.min_accuracy": 0.95})
    with pytest.raises(PipelineError, match="below quality.min_accuracy"):
        package_model(model_path, {"accuracy": 0.9, "f1": 0.9}, strict, out, data_path)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert artifact.read_metadata(out)["version"] == good["version"]
