"""The reviewed spec: read from git HEAD (or a named file), compared key by key, hashed for the
release record, and required of every version the server loads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.analysis import spec
from pipeline.errors import PipelineError

SPEC = {"model": {"C": 8.0, "family": "logistic_regression"}, "seed": 0}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Owner", "-c", "user.email=owner@example.invalid",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git repository whose committed params.yaml is SPEC."""
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "params.yaml")
    _git(tmp_path, "commit", "-q", "-m", "spec")
    return tmp_path


def test_the_reviewed_spec_is_the_committed_one_not_the_working_copy(checkout: Path) -> None:
    edited = {**SPEC, "seed": 1}
    (checkout / "params.yaml").write_text(yaml.safe_dump(edited), encoding="utf-8")
    reviewed = spec.reviewed_spec(checkout / "params.yaml")
    assert reviewed.params == SPEC and "git HEAD" in reviewed.source
    with pytest.raises(spec.SpecNotReviewed, match=r"abc: .*git HEAD\) at seed; refused"):
        reviewed.require({"version": "abc", "params": edited})
    reviewed.require({"version": "abc", "params": SPEC})


def test_without_git_the_reviewed_file_must_be_named(tmp_path: Path) -> None:
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    with pytest.raises(PipelineError, match="--reviewed-spec FILE"):
        spec.reviewed_spec(tmp_path / "params.yaml")
    named = spec.reviewed_spec(tmp_path / "params.yaml", tmp_path / "params.yaml")
    assert named.params == SPEC and named.source == str(tmp_path / "params.yaml")


def test_the_spec_hash_ignores_key_order_but_not_types() -> None:
    assert spec.spec_sha256({"seed": 0, "model": {"family": "logistic_regression", "C": 8.0}}) \
        == spec.spec_sha256(SPEC) == spec.ReviewedSpec(SPEC, "x").sha256
    assert spec.spec_sha256({**SPEC, "model": {**SPEC["model"], "C": 8}}) != \
        spec.spec_sha256(SPEC)


def test_the_server_requires_the_spec_its_release_recorded() -> None:
    metadata = {"version": "abc", "params": SPEC}
    spec.require_released(metadata, spec.spec_sha256(SPEC))
    with pytest.raises(spec.SpecNotReviewed, match="abc: no release recorded"):
        spec.require_released(metadata, None)
    with pytest.raises(spec.SpecNotReviewed, match="not the reviewed spec its release recorded"):
        spec.require_released({**metadata, "params": {**SPEC, "seed": 1}},
                              spec.spec_sha256(SPEC))


def test_estimator_differences_names_the_constructor_parameters_the_spec_does_not_build(
        tiny_model, project_config) -> None:
    recorded = project_config.as_mapping()
    assert not spec.estimator_differences(tiny_model, recorded)
    doubled = project_config.with_overrides(
        {"model.logistic_regression.C": project_config.model.logistic_regression.C * 2})
    assert spec.estimator_differences(tiny_model, doubled.as_mapping()) == ["classifier__C"]
    with pytest.raises(spec.SpecNotReviewed, match="estimator parameters classifier__C differ"):
        spec.require_built_from_recorded_spec(tiny_model, {"version": "v",
                                                           "params": doubled.as_mapping()})
