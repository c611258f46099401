"""Fixtures of the registry tests: tiny real packages, a stand-in Hub, and the lifecycle rules
every backend must share (the local and the Hub tests both run them)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression

from ml_tests.support.hub_stub import HubStub
from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME, save_model
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file, write_json_atomic
from pipeline.registry.base import Registry
from pipeline.registry.card import CARD_NAME
from pipeline.serving.packaging import build_metadata

ROWS = [[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.1, 0.7], [0.8, 0.3]]
LABELS = [0, 1, 0, 1, 0, 1]


def build_package(directory: Path, c: float = 1.0) -> Path:
    """A tiny but real package: a fitted LogisticRegression (C decides the bytes) + metadata."""
    directory.mkdir(parents=True, exist_ok=True)
    model = LogisticRegression(C=c, random_state=0).fit(ROWS, LABELS)
    sha = save_model(model, directory / ARTIFACT_NAME)
    metadata = build_metadata(sha, "d" * 64, {"accuracy": 0.9, "f1": 0.88 + c / 1000},
                              {"model": {"C": c}, "seed": 0})
    write_json_atomic(directory / METADATA_NAME, metadata)
    return directory


def version_of(package: Path) -> str:
    """The version a package directory's metadata names."""
    return json.loads((package / METADATA_NAME).read_text())["version"]


def exercise_lifecycle(registry: Registry, packages: list[Path], tmp_path: Path) -> None:
    """The behaviour every backend must share."""
    first, second = (registry.publish(p) for p in packages[:2])
    assert [first, second] == [version_of(p) for p in packages[:2]]
    assert registry.publish(packages[0]) == first, "re-publishing is idempotent"
    assert registry.versions() == [first, second]
    assert registry.served() is None

    registry.promote(first)
    registry.promote(second)
    assert registry.served() == second
    assert registry.rollback() == first
    assert registry.served() == first
    with pytest.raises(PipelineError, match="cannot roll back"):
        registry.rollback()
    assert [(e["action"], e["version"]) for e in registry.index()["events"]] == [
        ("publish", first), ("publish", second), ("promote", first), ("promote", second),
        ("rollback", first)]

    fetched = registry.fetch(second, tmp_path / "fetched")
    assert sha256_file(fetched / ARTIFACT_NAME) == sha256_file(packages[1] / ARTIFACT_NAME)
    card = (fetched / CARD_NAME).read_text()
    assert second in card and "## Limitations" in card and "0.8820" in card
    with pytest.raises(PipelineError, match="unknown version"):
        registry.promote("0123456789ab")
    with pytest.raises(PipelineError, match="not an empty directory"):
        registry.fetch(second, fetched)

    assert registry.released_spec(first) is None, "published is not released"
    registry.record_release(first, "a" * 64)
    assert (registry.released_spec(first), registry.released_spec(second)) == ("a" * 64, None)
    assert registry.index()["events"][-1]["action"] == "release"
    with pytest.raises(PipelineError, match="unknown version"):
        registry.record_release("0123456789ab", "a" * 64)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three packages of differently regularised tiny models (three versions)."""
    root = tmp_path_factory.mktemp("packages")
    return [build_package(root / f"p{i}", c=c) for i, c in enumerate((1.0, 2.0, 3.0))]


@pytest.fixture(scope="session")
def make_package() -> Callable[..., Path]:
    """`make_package(directory, c=1.0)`: write a package directory, return it."""
    return build_package


@pytest.fixture(scope="session")
def lifecycle() -> Callable[[Registry, list[Path], Path], None]:
    """`lifecycle(registry, packages, tmp_path)`: assert the rules every backend shares."""
    return exercise_lifecycle


@pytest.fixture
def hub() -> Iterator[HubStub]:
    """A stand-in Hub on 127.0.0.1, empty, for one test."""
    with HubStub() as server:
        yield server
