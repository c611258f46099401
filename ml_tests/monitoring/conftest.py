"""Fixtures of the Monitoring suite: traffic answered by the real server for a published and
promoted version (`served_traffic`), the served package, editable copies of it, and a runner for
`python -m pipeline monitor` that returns the exit code and the JSON report it wrote."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ml_tests.support.traffic import (
    Batch,
    ServedTraffic,
    publish_and_promote,
    send,
    serve_registry,
    write_labels,
)
from pipeline import __main__ as entry
from pipeline import artifact
from pipeline.config import Config
from pipeline.data import sources
from pipeline.fileio import write_json_atomic


@pytest.fixture(scope="session")
def served_package(project_root: Path) -> Path:
    """`models/` as `dvc repro` built it before the session; the suite never builds it."""
    package = project_root / "models"
    if not (package / artifact.METADATA_NAME).is_file():
        pytest.skip(f"{package}: no packaged model; run `dvc repro` first")
    return package


@pytest.fixture(scope="session")
def served_traffic(served_package: Path, project_root: Path, config: Config, fresh,
                   labelled_fresh, tmp_path_factory) -> ServedTraffic:
    """The serving batch and the labelled batch's reviews, answered over HTTP on 127.0.0.1.

    `models/` is published to a temporary LocalRegistry and promoted; `python -m pipeline serve
    --registry` serves it and logs every answer; the serving batch goes in requests of
    `serving.max_reviews` reviews, the labelled batch one review per request (so both the batch
    and the single-review path are logged); the labelled requests' delayed labels are written
    as the label file monitoring joins. The server is stopped before any monitor reads the log.
    """
    root = tmp_path_factory.mktemp("served")
    version = publish_and_promote(served_package, root / "registry")
    batches = [Batch("fresh", fresh.texts, config.serving.max_reviews),
               Batch("labelled", labelled_fresh.texts, 1)]
    with serve_registry(project_root, root / "registry", root / "log") as server:
        sent = send(server.url, batches)
    labelled = write_labels(root / "labels" / "labels.jsonl", sent, batches[1],
                            labelled_fresh.labels)
    return ServedTraffic(root / "registry", version, root / "log", root / "labels" / "labels.jsonl",
                         sent, labelled)


@pytest.fixture(scope="session")
def serving_path(data_dir: Path, config: Config) -> Path:
    """The fresh dump as a file, for the command line (the `fresh` fixture holds its rows)."""
    return sources.raw_file(config.data, "serving", data_dir)


@pytest.fixture(scope="session")
def served_model(packaged_model: Path):
    """The packaged artifact loaded as serving loads it (sha256 verified, skops)."""
    return artifact.load_package(packaged_model)[0]


@pytest.fixture
def package_copy(packaged_model: Path, tmp_path: Path) -> Callable[..., Path]:
    """A copy of the package whose metadata fields can be replaced (the artifact is untouched)."""

    def make(name: str = "package", **metadata: Any) -> Path:
        target = tmp_path / name
        shutil.copytree(packaged_model, target)
        if metadata:
            path = target / artifact.METADATA_NAME
            content = json.loads(path.read_text(encoding="utf-8"))
            content.update(metadata)
            write_json_atomic(path, content)
        return target

    return make


@pytest.fixture
def run_monitor(project_root: Path, tmp_path: Path) -> Callable[..., tuple[int, dict[str, Any]]]:
    """Run `python -m pipeline monitor CHECK ARGS` in-process; (exit code, report or {})."""

    def run(check: str, *args: str | Path) -> tuple[int, dict[str, Any]]:
        reports = tmp_path / "reports"
        code = entry.main(["monitor", check, "--params", str(project_root / "params.yaml"),
                           "--reports", str(reports), *map(str, args)])
        report = reports / f"monitor_{check}.json"
        return code, json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}

    return run


@pytest.fixture(scope="session")
def record(reports_dir: Path) -> Callable[[str, dict[str, Any]], None]:
    """Write a check's figures to reports/monitoring_<name>.json for a reviewer."""

    def write(name: str, figures: dict[str, Any]) -> None:
        write_json_atomic(reports_dir / f"monitoring_{name}.json", figures)

    return write


@pytest.fixture
def served_package_copy(served_package: Path, tmp_path: Path) -> Callable[..., Path]:
    """A copy of `models/` (as `dvc repro` built it) whose metadata fields can be replaced, the
    artifact untouched: the served version as a registry would hold it with other records."""

    def make(name: str = "served-package", **metadata: Any) -> Path:
        target = tmp_path / name
        shutil.copytree(served_package, target)
        path = target / artifact.METADATA_NAME
        content = json.loads(path.read_text(encoding="utf-8"))
        write_json_atomic(path, {**content, **metadata})
        return target

    return make
