"""Package metadata and the quality floor, field by field (no model needed)."""

from __future__ import annotations

import platform
from importlib import metadata as importlib_metadata

import pytest

import pipeline
from pipeline.errors import PipelineError
from pipeline.serving.environment import installed_versions
from pipeline.serving.packaging import build_metadata, check_min_accuracy

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
