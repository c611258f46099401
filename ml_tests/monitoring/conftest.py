"""Fixtures of the Monitoring suite: the served package, editable copies of it, and a runner for
`python -m pipeline monitor` that returns the exit code and the JSON report it wrote."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline import __main__ as entry
from pipeline import artifact
from pipeline.config import Config
from pipeline.data import sources
from pipeline.fileio import write_json_atomic


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
