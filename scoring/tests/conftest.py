"""Small, self-made project trees and reports for the command tests."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.render import to_json
from pytest_ml_test_score.score import build_report

PYPROJECT = """\
[tool.ml_test_score.gates]
reports = "reports"
pylint_paths = ["pkg"]
bandit_paths = ["pkg"]
sources = ["pkg", "tests"]

[tool.ml_test_score.badges]
dir = "badges"
readme = "README.md"
"""


def _ml_report(score: float, complete: bool = True) -> dict[str, Any]:
    """A schema-1 report whose weakest section scores SCORE (whole points)."""
    sections = {}
    for index, section in enumerate(SECTIONS):
        passing = int(score) if index == 0 else 7
        items = {
            str(number): {
                "title": f"{section} {number}",
                "points": 1.0 if number <= passing else 0.0,
                "status": "automated" if number <= passing else "missing",
                "passed": 1 if number <= passing else 0, "failed": 0, "skipped": 0,
                "tests": [f"tests/test_{section}.py::test_{number}"] if number <= passing else [],
            }
            for number in ITEM_NUMBERS
        }
        sections[section] = {"score": float(sum(i["points"] for i in items.values())),
                             "items": items}
    return {"schema": 1, "score": float(score), "max": 7, "complete": complete,
            "interpretation": "set by the test", "sections": sections}


def _age(path: Path, seconds: float) -> None:
    """Make PATH look SECONDS older than it is."""
    stat = path.stat()
    os.utime(path, (stat.st_atime - seconds, stat.st_mtime - seconds))


# Installed beside the plugin in this project's environment (by dvc, fastapi and the suites
# here), never used by a toy project: each costs every pytest process a test starts its import,
# 0.44 s of CPU of 0.70 s for a bare run, and the plugin's tests start about eighty.
UNUSED_PLUGINS = ("hydra_pytest", "anyio", "hypothesispytest")


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytest's `pytester`, with the installed plugins no toy project uses blocked in every run
    it starts, in process or not (`-p no:NAME` is harmless where NAME is not installed)."""
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p no:{name}" for name in UNUSED_PLUGINS))
    return pytester


@pytest.fixture(name="ml_report")
def ml_report_fixture() -> Callable[..., dict[str, Any]]:
    """Builds schema-1 reports with a chosen final score."""
    return _ml_report


@pytest.fixture(name="age")
def age_fixture() -> Callable[[Path, float], None]:
    """Backdates a file's modification time."""
    return _age


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny project: one package, fresh test reports newer than its sources."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('"""A package."""\n', encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_pkg.py").write_text("def test_x():\n    pass\n", "utf-8")
    for source in [pkg / "__init__.py", tmp_path / "tests" / "test_pkg.py"]:
        _age(source, 60)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "coverage.json").write_text(
        json.dumps({"totals": {"percent_covered": 93.456}}), encoding="utf-8")
    (reports / "ml_test_score.json").write_text(json.dumps(_ml_report(7)), encoding="utf-8")
    return tmp_path


ALL_FIRST_ITEMS = {RubricRef(s, 1): ItemTally(1, 0, 0, [f"t.py::test_{s}"], [])
                   for s in ("data", "model", "infra", "monitoring")}


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, Path]:
    """A base report at 1.0 and a head report where Model 1 broke and Data 2 was added."""
    base = build_report(ALL_FIRST_ITEMS, {}, complete=True)
    head_tallies = {**ALL_FIRST_ITEMS,
                    RubricRef("model", 1): ItemTally(0, 1, 0, ["t.py::test_model"],
                                                     ["t.py::test_model"]),
                    RubricRef("data", 2): ItemTally(2, 0, 0, ["t.py::a", "t.py::b"], [])}
    head = build_report(head_tallies, {}, complete=True)
    paths = {}
    for name, report in (("base", base), ("head", head)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(to_json(report))
    return paths
