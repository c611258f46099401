"""Model 1: model specs are reviewed and submitted.

The spec is params.yaml. "Reviewed and submitted" here means: it is under version control, a
change to it requests a review from named owners with a template that asks for the spec
review, and the packaged model records exactly the spec it was trained from, so a model built
from an edited, unsubmitted spec is detectable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.analysis import spec
from pipeline.artifact import METADATA_NAME
from pipeline.config import merge_overrides

SPEC_PATHS = ("params.yaml", "pipeline/model.py")


@pytest.mark.rubric("model", 1)
def test_spec_is_version_controlled(project_root: Path):
    """Red when params.yaml (or the model code) is not tracked by git: it was never submitted.

    Uncommitted edits are allowed (a working tree in development); untracked is not.
    """
    assert spec.untracked_files(project_root, SPEC_PATHS) == []


@pytest.mark.rubric("model", 1)
def test_packaged_model_records_its_spec(packaged_model: Path, config):
    """Red when packaging records a spec other than the one trained from (or none at all)."""
    metadata = json.loads((packaged_model / METADATA_NAME).read_text(encoding="utf-8"))
    assert spec.spec_differences(metadata, config.as_mapping()) == []


@pytest.mark.rubric("model", 1)
def test_a_changed_spec_is_detected(packaged_model: Path, config):
    """Red when spec_differences misses a changed hyperparameter, a type change or a new key."""
    metadata = json.loads((packaged_model / METADATA_NAME).read_text(encoding="utf-8"))
    edited = merge_overrides(config.as_mapping(), {
        "model.logistic_regression.C": config.model.logistic_regression.C * 2,
        "features.stem": int(config.features.stem),
        "model.unreviewed_setting": True,
    })
    found = spec.spec_differences(metadata, edited)
    assert [line.split(":")[0] for line in found] == [
        "features.stem", "model.logistic_regression.C", "model.unreviewed_setting"]
    assert spec.spec_differences({}, config.as_mapping()) != []


@pytest.mark.rubric("model", 1)
def test_spec_changes_require_owner_review(project_root: Path):
    """Red when CODEOWNERS or the PR template is missing, or no longer covers the spec."""
    codeowners = project_root / ".github" / "CODEOWNERS"
    template = project_root / ".github" / "pull_request_template.md"
    assert spec.untracked_files(project_root, [".github/CODEOWNERS",
                                               ".github/pull_request_template.md"]) == []
    rules = spec.codeowners_rules(codeowners.read_text(encoding="utf-8"))
    catch_all = spec.owners_of("README.md", rules)
    for path in (*SPEC_PATHS, "pipeline/stages/train.py", "dvc.yaml"):
        owners = spec.owners_of(path, rules)
        assert owners and all(owner.startswith("@") for owner in owners), path
        assert owners != catch_all, f"{path} has no spec owners beyond the catch-all"
    text = template.read_text(encoding="utf-8")
    assert "params.yaml" in text and "- [ ]" in text and "spec" in text.lower()
