"""The registry's rules (served stack, verification on publish and fetch), on the local backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME
from pipeline.errors import PipelineError
from pipeline.registry.local import LocalRegistry
from pipeline.registry.open import load_model


def test_rollback_restores_the_version_served_before_the_last_promotion(
        tmp_path: Path, packages: list[Path]) -> None:
    registry = LocalRegistry(tmp_path / "reg")
    a, b, c = (registry.publish(p) for p in packages)
    for version in (a, b, c):
        registry.promote(version)
    registry.promote(c)  # re-promoting the served version is not a new step to roll back
    assert [registry.rollback(), registry.rollback()] == [b, a]
    registry.promote(c)
    assert registry.rollback() == a


def test_tampered_artifact_is_refused_on_publish(tmp_path: Path, make_package) -> None:
    package = make_package(tmp_path / "pkg", c=5.0)
    with open(package / ARTIFACT_NAME, "ab") as handle:
        handle.write(b"\0")
    registry = LocalRegistry(tmp_path / "reg")
    with pytest.raises(PipelineError, match="does not match the metadata"):
        registry.publish(package)
    assert registry.versions() == []
    assert not (tmp_path / "reg" / "versions").exists() or not any(
        (tmp_path / "reg" / "versions").iterdir()), "nothing half-published"


def test_tampered_store_is_refused_on_fetch_and_load(
        tmp_path: Path, packages: list[Path]) -> None:
    registry = LocalRegistry(tmp_path / "reg")
    version = registry.publish(packages[0])
    registry.promote(version)
    stored = tmp_path / "reg" / "versions" / version
    good = (stored / ARTIFACT_NAME).read_bytes()

    (stored / ARTIFACT_NAME).write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(PipelineError, match="does not match the metadata"):
        registry.fetch(version, tmp_path / "out")
    assert not (tmp_path / "out").exists(), "a refused fetch leaves no directory behind"
    with pytest.raises(PipelineError, match="does not match the metadata"):
        load_model(registry=str(tmp_path / "reg"))

    # Swapping artifact *and* metadata together is caught by the index's record of the sha256.
    other = packages[1]
    (stored / ARTIFACT_NAME).write_bytes((other / ARTIFACT_NAME).read_bytes())
    metadata = json.loads((other / METADATA_NAME).read_text())
    metadata["version"] = version
    (stored / METADATA_NAME).write_text(json.dumps(metadata))
    with pytest.raises(PipelineError, match="registry's record"):
        registry.fetch(version, tmp_path / "out2")

    (stored / ARTIFACT_NAME).write_bytes(good)
    (stored / METADATA_NAME).write_bytes((packages[0] / METADATA_NAME).read_bytes())
    model, metadata = load_model(registry=str(tmp_path / "reg"))
    assert metadata["version"] == version
    assert list(model.predict([[0.0, 1.0], [1.0, 0.0]])) == [0, 1]
