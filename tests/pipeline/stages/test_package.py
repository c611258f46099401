"""Stage `package`: models/ holds the trained artifact and metadata that names it."""

from __future__ import annotations

import json

from pipeline.artifact import load_package
from pipeline.fileio import sha256_file
from pipeline.layout import METRICS, MODELS_DIR, TRAINED_MODEL


def test_the_package_is_the_trained_artifact_with_its_metrics_and_spec(stage_project):
    """Red when: packaging ships other bytes than training wrote, or metadata that does not
    describe them (metrics, the whole params.yaml spec, release figures measured as the params
    say)."""
    root = stage_project.root
    _, metadata = load_package(root / MODELS_DIR)
    assert metadata["sha256"] == sha256_file(root / TRAINED_MODEL)
    assert metadata["metrics"] == json.loads((root / METRICS).read_text())
    assert metadata["params"] == stage_project.config.as_mapping()
    assert metadata["version"] in stage_project.printed["package"]
    baseline = metadata["performance_baseline"]
    assert baseline["attempts"] == stage_project.config.monitoring.performance_attempts
    assert all(ratio > 0 for ratio in baseline["relative"].values()), baseline
