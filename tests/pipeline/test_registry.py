"""The model registry's rules and its local-directory backend, through the API and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file, write_json_atomic
from pipeline.registry import (
    CARD_NAME,
    INDEX_NAME,
    LocalRegistry,
    Registry,
    load_model,
    main,
    open_registry,
)
from pipeline.serving.artifact import ARTIFACT_NAME, METADATA_NAME, save_model

ROWS = [[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.1, 0.7], [0.8, 0.3]]
LABELS = [0, 1, 0, 1, 0, 1]


def make_package(directory: Path, c: float = 1.0) -> Path:
    """A tiny but real package: a fitted LogisticRegression (C decides the bytes) + metadata."""
    from sklearn.linear_model import LogisticRegression

    from pipeline.serving.packaging import build_metadata

    directory.mkdir(parents=True, exist_ok=True)
    model = LogisticRegression(C=c, random_state=0).fit(ROWS, LABELS)
    sha = save_model(model, directory / ARTIFACT_NAME)
    metadata = build_metadata(sha, "d" * 64, {"accuracy": 0.9, "f1": 0.88 + c / 1000},
                              {"model": {"C": c}, "seed": 0})
    write_json_atomic(directory / METADATA_NAME, metadata)
    return directory


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("packages")
    return [make_package(root / f"p{i}", c=c) for i, c in enumerate((1.0, 2.0, 3.0))]


def version_of(package: Path) -> str:
    return json.loads((package / METADATA_NAME).read_text())["version"]


def exercise_lifecycle(registry: Registry, packages: list[Path], tmp_path: Path) -> None:
    """The behaviour every backend must share; the Hub tests run it too."""
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


def test_local_lifecycle(tmp_path: Path, packages: list[Path]) -> None:
    exercise_lifecycle(LocalRegistry(tmp_path / "reg"), packages, tmp_path)


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


def test_tampered_artifact_is_refused_on_publish(tmp_path: Path, packages: list[Path]) -> None:
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


def test_load_model_reads_the_registry_from_params_and_needs_a_served_version(
        tmp_path: Path, packages: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("params.yaml").write_text("registry:\n  uri: store\n")
    registry = open_registry()
    assert isinstance(registry, LocalRegistry) and registry.root == Path("store")
    version = registry.publish(packages[2])
    with pytest.raises(PipelineError, match="no version is served"):
        load_model()
    registry.promote(version)
    assert load_model()[1]["version"] == version
    assert load_model(version)[1]["sha256"] == sha256_file(packages[2] / ARTIFACT_NAME)


def test_index_is_replaced_atomically_and_a_corrupt_one_is_named(tmp_path: Path,
                                                                 packages: list[Path]) -> None:
    registry = LocalRegistry(tmp_path / "reg")
    registry.publish(packages[0])
    leftovers = [p.name for p in (tmp_path / "reg").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    (tmp_path / "reg" / INDEX_NAME).write_text("{not json")
    with pytest.raises(PipelineError, match=f"{INDEX_NAME}: not valid JSON"):
        registry.versions()


def test_cli_round_trip(tmp_path: Path, packages: list[Path],
                        capsys: pytest.CaptureFixture[str]) -> None:
    uri = ["--registry", str(tmp_path / "reg")]
    assert main(["publish", str(packages[0]), *uri]) == 0
    version = capsys.readouterr().out.strip()
    assert main([*uri, "promote", version]) == 0
    capsys.readouterr()
    assert main([*uri, "list"]) == 0
    assert capsys.readouterr().out.startswith(f"* {version}")
    assert main([*uri, "served"]) == 0
    assert capsys.readouterr().out.strip() == version
    assert main([*uri, "fetch", version, str(tmp_path / "f")]) == 0
    assert (tmp_path / "f" / ARTIFACT_NAME).is_file()


@pytest.mark.parametrize("args, message", [
    (["rollback"], "cannot roll back"),
    (["promote", "feedbeeffeed"], "unknown version 'feedbeeffeed'"),
    (["fetch", "feedbeeffeed", "x"], "unknown version"),
    (["served"], "no version is served"),
    (["publish", "no/such/dir"], "metadata not found"),
    (["frobnicate"], "invalid choice"),
])
def test_cli_user_errors_exit_2_with_one_line(tmp_path: Path, args: list[str],
                                              message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "registry", "--registry", str(tmp_path / "reg"), *args],
        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
