"""The quality gate: collection, thresholds, rendering, and the real tools on tiny packages."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_ml_test_score import gate

REPO = Path(__file__).resolve().parents[2]
UNTRUSTED = ("import subprocess\n\n\n"
             "def run(user_input):\n"
             "    subprocess.run(user_input, shell=True)\n")


def fake_runner(pylint_score: float = 9.5, pylint_exit: int = 16,
                findings: tuple[str, ...] = ()) -> gate.Runner:
    """Canned pylint json2 and bandit json answers, so collection runs without the tools."""

    def run(command: list[str], _cwd: Path) -> subprocess.CompletedProcess[str]:
        if "pylint" in command:
            body = {"messages": [], "statistics": {"score": pylint_score}}
            return subprocess.CompletedProcess(command, pylint_exit, json.dumps(body), "")
        results = [{"filename": "pkg/a.py", "line_number": 3, "test_id": "B602",
                    "issue_severity": severity} for severity in findings]
        return subprocess.CompletedProcess(
            command, 1 if results else 0, json.dumps({"errors": [], "results": results}), "")

    return run


def results_by_gate(project: Path, run: gate.Runner) -> dict[str, gate.GateResult]:
    config = gate.load_config(project / "pyproject.toml")
    return {r.gate: r for r in gate.check(gate.collect(project, config, run), config)}


def test_all_gates_pass_on_good_figures(project: Path) -> None:
    results = results_by_gate(project, fake_runner(findings=("LOW",)))
    assert all(r.passed for r in results.values()), results
    assert results["coverage"].figure == "93.5%"
    assert results["ml_test_score"].figure == "7/7"
    assert results["bandit"].figure == "0 high, 0 medium, 1 low"


@pytest.mark.parametrize(
    ("runner", "failing"),
    [(fake_runner(pylint_score=8.99), "pylint"),
     (fake_runner(findings=("MEDIUM",)), "bandit"),
     (fake_runner(findings=("HIGH", "LOW")), "bandit")],
)
def test_tool_figure_below_threshold_fails(project: Path, runner: gate.Runner,
                                           failing: str) -> None:
    results = results_by_gate(project, runner)
    assert [g for g, r in results.items() if not r.passed] == [failing]


MlReport = Callable[..., dict[str, Any]]


def test_low_coverage_and_incomplete_score_fail(project: Path, ml_report: MlReport) -> None:
    (project / "reports" / "coverage.json").write_text(
        json.dumps({"totals": {"percent_covered": 89.99}}), encoding="utf-8")
    (project / "reports" / "ml_test_score.json").write_text(
        json.dumps(ml_report(7, complete=False)), encoding="utf-8")
    results = results_by_gate(project, fake_runner())
    assert not results["coverage"].passed
    assert not results["ml_test_score"].passed
    assert results["ml_test_score"].figure == "7/7 (incomplete run)"


def test_score_below_threshold_fails(project: Path, ml_report: MlReport) -> None:
    (project / "reports" / "ml_test_score.json").write_text(
        json.dumps(ml_report(6)), encoding="utf-8")
    assert not results_by_gate(project, fake_runner())["ml_test_score"].passed


def test_missing_report_is_one_clear_line(project: Path) -> None:
    (project / "reports" / "coverage.json").unlink()
    result = results_by_gate(project, fake_runner())["coverage"]
    assert not result.passed
    assert result.problem == "reports/coverage.json is missing: run the test command first"


def test_stale_report_names_the_newer_source(project: Path,
                                             age: Callable[[Path, float], None]) -> None:
    age(project / "reports" / "ml_test_score.json", 120)
    result = results_by_gate(project, fake_runner())["ml_test_score"]
    assert not result.passed
    assert result.problem.startswith("reports/ml_test_score.json is stale: older than ")
    assert "pkg/__init__.py" in result.problem or "tests/test_pkg.py" in result.problem


def test_invalid_ml_report_is_reported(project: Path) -> None:
    (project / "reports" / "ml_test_score.json").write_text('{"schema": 2}', encoding="utf-8")
    result = results_by_gate(project, fake_runner())["ml_test_score"]
    assert "schema: expected 1" in result.problem


def test_pylint_usage_error_is_not_a_score(project: Path) -> None:
    result = results_by_gate(project, fake_runner(pylint_exit=32))["pylint"]
    assert not result.passed
    assert result.problem.startswith("pylint failed (exit 32)")


def test_unset_or_missing_paths_fail_clearly(project: Path) -> None:
    with pytest.raises(gate.GateError, match="pylint_paths is not set"):
        gate.collect_pylint(project, [], fake_runner())
    with pytest.raises(gate.GateError, match="nowhere does not exist"):
        gate.collect_bandit(project, ["nowhere"], fake_runner())


def test_render_lists_every_gate_and_problem() -> None:
    table = gate.render([gate.GateResult("pylint", "9.50", ">= 9", True),
                         gate.GateResult("coverage", "unavailable", ">= 90%", False, "missing")])
    lines = table.splitlines()
    assert lines[0].split() == ["gate", "figure", "threshold", "result"]
    assert lines[2].split() == ["pylint", "9.50", ">=", "9", "pass"]
    assert lines[3].split()[-1] == "FAIL"
    assert lines[-1] == "coverage: missing"


def test_main_writes_quality_and_exit_code(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert gate.main(["--root", str(project)], run=fake_runner()) == 0
    quality = json.loads((project / "reports" / "quality.json").read_text(encoding="utf-8"))
    assert quality["passed"] is True
    assert quality["coverage"]["percent"] == pytest.approx(93.456)
    assert quality["ml_test_score"] == {"score": 7.0, "max": 7, "complete": True}
    assert quality["thresholds"]["pylint"] == 9.0
    assert "all gates pass" in capsys.readouterr().out
    assert gate.main(["--root", str(project)], run=fake_runner(findings=("HIGH",))) == 1
    quality = json.loads((project / "reports" / "quality.json").read_text(encoding="utf-8"))
    assert quality["gates"]["bandit"]["passed"] is False


def test_main_config_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("not toml [", encoding="utf-8")
    assert gate.main(["--root", str(tmp_path)]) == 2
    assert "invalid TOML" in capsys.readouterr().err


# The real tools, on small trees: the same commands the gate runs on the project.

def test_real_pylint_scores_a_package(project: Path) -> None:
    (project / "pkg" / "mod.py").write_text('"""Mod."""\n\nVALUE = 1\n', encoding="utf-8")
    figure = gate.collect_pylint(project, ["pkg"])
    assert figure["score"] == 10.0
    (project / "pkg" / "bad.py").write_text("import os\nx=1\n", encoding="utf-8")
    assert gate.collect_pylint(project, ["pkg"])["score"] < 10.0


def test_untrusted_shell_command_fails_the_bandit_gate(tmp_path: Path) -> None:
    """A copy of the project's first scanned path passes or not; adding a shell=True call to it
    fails the gate under the project's own bandit configuration (its skips and excludes)."""
    config = gate.load_config(REPO / "pyproject.toml")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    scanned = config.bandit_paths[:1]
    shutil.copytree(REPO / scanned[0], tmp_path / scanned[0],
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = gate.collect_bandit(tmp_path, scanned)
    target = tmp_path / scanned[0] / "run_user_command.py"
    target.write_text(UNTRUSTED, encoding="utf-8")
    after = gate.collect_bandit(tmp_path, scanned)
    assert after["counts"]["HIGH"] == before["counts"]["HIGH"] + 1
    quality = gate.Quality({"bandit": after})
    result = next(r for r in gate.check(quality, config) if r.gate == "bandit")
    assert not result.passed
    assert "run_user_command.py:5 B602 HIGH" in result.problem
