"""The age of the version a registry serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME, save_model
from pipeline.errors import PipelineError
from pipeline.fileio import write_json_atomic
from pipeline.monitoring.model_age import check_model_age, check_served_age, served_history
from pipeline.registry.local import LocalRegistry
from pipeline.serving.packaging import build_metadata

BUILT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _package(directory: Path, model, created: datetime) -> Path:
    directory.mkdir(parents=True)
    sha = save_model(model, directory / ARTIFACT_NAME)
    write_json_atomic(directory / METADATA_NAME,
                      build_metadata(sha, "d" * 64, {"accuracy": 0.9}, {"seed": 0},
                                     created_at=created.isoformat(timespec="seconds")))
    return directory


@pytest.fixture(name="served_registry")
def fixture_served_registry(tmp_path: Path, tiny_model) -> LocalRegistry:
    """A registry serving one published and promoted version built at BUILT."""
    store = LocalRegistry(tmp_path / "registry")
    store.promote(store.publish(_package(tmp_path / "package", tiny_model, BUILT)))
    return store


def test_age_is_that_of_the_served_version_with_its_promotion(served_registry, project_config):
    """Red when: the age is not read from the served version's metadata, or the registry's
    publish and promotion times are not reported."""
    limit = project_config.monitoring.max_model_age_days
    young = check_served_age(served_registry, project_config.monitoring,
                             now=BUILT + timedelta(days=limit) - timedelta(hours=1))
    old = check_served_age(served_registry, project_config.monitoring,
                           now=BUILT + timedelta(days=limit) + timedelta(hours=1))
    assert (young["alert"], old["alert"]) == (False, True)
    assert old["model_version"] == served_registry.served()
    assert old["created_at"] == BUILT.isoformat(timespec="seconds")
    assert old["promoted_at"] is not None and old["published_at"] is not None
    assert old["registry"] == served_registry.uri


def test_history_takes_the_last_promotion_of_the_version():
    """A version promoted, rolled back from and promoted again was last promoted the second time."""
    index = {"events": [{"action": "publish", "version": "a", "at": "t0"},
                        {"action": "promote", "version": "a", "at": "t1"},
                        {"action": "promote", "version": "b", "at": "t2"},
                        {"action": "promote", "version": "a", "at": "t3"}]}
    assert served_history(index, "a") == {"published_at": "t0", "promoted_at": "t3"}
    assert served_history(index, "c") == {"published_at": None, "promoted_at": None}


def test_nothing_served_and_a_missing_created_at_are_user_errors(tmp_path, project_config):
    """A registry serving nothing, or metadata without a usable time, is an error to fix."""
    with pytest.raises(PipelineError, match="no version is served"):
        check_served_age(LocalRegistry(tmp_path / "empty"), project_config.monitoring)
    with pytest.raises(PipelineError, match="created_at"):
        check_model_age({"version": "v", "created_at": None}, project_config.monitoring)
    with pytest.raises(PipelineError, match="in the future"):
        check_model_age({"version": "v", "created_at": BUILT.isoformat()},
                        project_config.monitoring, now=BUILT - timedelta(days=1))
