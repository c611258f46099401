"""`ml-test-score gate`: the project's quality figures, checked against configured thresholds.

The figures are collected once into ``<reports>/quality.json`` so that the badges, the CI summary
and a reviewer all read the same numbers. Pylint and bandit are run here; coverage and the ML Test
Score come from the reports of the last test run, which must be newer than every source file
they describe, else the figure would describe code that no longer exists.

Everything project-specific (paths, thresholds) comes from ``[tool.ml_test_score.gates]`` in
``pyproject.toml``, as ``config`` reads it; the logic is plain functions (collect, check, render)
around two subprocess calls passed in as a runner, so it is testable without running the tools.
"""

from __future__ import annotations

import argparse
import json

# Runs pylint and bandit with argument lists, never through a shell.
import subprocess  # nosec B404
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_ml_test_score.config import (
    PYPROJECT,
    SEVERITIES,
    ConfigError,
    GateConfig,
    add_root_option,
    load,
    project_root,
)
from pytest_ml_test_score.reportfile import JSON_NAME, ReportError, load_report, write_json

QUALITY_NAME = "quality.json"
COVERAGE_NAME = "coverage.json"  # as in the test command: --cov-report=json:reports/coverage.json
QUALITY_SCHEMA = 1
# pylint's exit status is a bit mask; these bits mean it did not produce a score.
_PYLINT_FATAL, _PYLINT_USAGE = 1, 32

Runner = Callable[[list[str], Path], "subprocess.CompletedProcess[str]"]


class GateError(Exception):
    """An input the gate cannot use; the message is one line naming the file and the remedy."""


@dataclass(frozen=True)
class GateResult:
    """One row of the gate table."""

    gate: str
    figure: str
    threshold: str
    passed: bool
    problem: str | None = None


@dataclass
class Quality:
    """The collected figures; a figure that could not be collected has an error instead."""

    figures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def error(self, name: str) -> str | None:
        """Why figure NAME is unavailable, if it is."""
        if name not in self.figures:
            return "not collected"
        return self.figures[name].get("error")


def load_config(pyproject: Path) -> GateConfig:
    """The gate's section of PYPROJECT: what ``main`` checks against, for callers that share it."""
    return load(pyproject).gates


def run_tool(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The one place the gate starts processes."""
    return subprocess.run(  # nosec B603
        command, cwd=cwd, capture_output=True, text=True, check=False)


def _existing(root: Path, paths: Iterable[str], key: str) -> list[str]:
    paths = list(paths)
    if not paths:
        raise GateError(f"[tool.ml_test_score.gates] {key} is not set in pyproject.toml")
    missing = [path for path in paths if not (root / path).exists()]
    if missing:
        raise GateError(f"[tool.ml_test_score.gates] {key}: {missing[0]} does not exist in {root}")
    return paths


def newest_source(root: Path, sources: Iterable[str]) -> Path | None:
    """The most recently modified .py file under the source paths."""
    files = [path for source in sources
             for path in ([root / source] if (root / source).is_file()
                          else (root / source).rglob("*.py"))]
    return max(files, key=lambda path: path.stat().st_mtime, default=None)


def _check_fresh(report: Path, root: Path, sources: Iterable[str]) -> None:
    shown = report.relative_to(root) if report.is_relative_to(root) else report
    if not report.is_file():
        raise GateError(f"{shown} is missing: run the test command first")
    newest = newest_source(root, sources)
    if newest is not None and report.stat().st_mtime < newest.stat().st_mtime:
        raise GateError(f"{shown} is stale: older than {newest.relative_to(root)}; "
                        "rerun the test command")


def collect_pylint(root: Path, paths: Iterable[str], run: Runner = run_tool) -> dict[str, Any]:
    """Pylint's global score (``statistics.score`` of the json2 output)."""
    targets = _existing(root, paths, "pylint_paths")
    result = run([sys.executable, "-m", "pylint", "--output-format=json2", *targets], root)
    if result.returncode & (_PYLINT_FATAL | _PYLINT_USAGE):
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise GateError(f"pylint failed (exit {result.returncode}): {detail}")
    try:
        score = json.loads(result.stdout)["statistics"]["score"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise GateError("pylint printed no json2 report with statistics.score") from None
    return {"score": round(float(score), 2), "paths": targets}


def collect_bandit(root: Path, paths: Iterable[str], run: Runner = run_tool) -> dict[str, Any]:
    """Bandit findings counted by severity, with the configuration from pyproject.toml."""
    targets = _existing(root, paths, "bandit_paths")
    result = run([sys.executable, "-m", "bandit", "-r", *targets, "-f", "json",
                  "-c", "pyproject.toml", "-q"], root)
    try:
        data = json.loads(result.stdout)
        findings = data["results"]
    except (json.JSONDecodeError, KeyError, TypeError):
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise GateError(f"bandit failed (exit {result.returncode}): {detail}") from None
    if data.get("errors"):
        first = data["errors"][0]
        raise GateError(f"bandit could not scan {first.get('filename')}: {first.get('reason')}")
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        severity = str(finding.get("issue_severity", "")).upper()
        if severity in counts:
            counts[severity] += 1
    worst = [f"{f['filename']}:{f['line_number']} {f['test_id']} {f['issue_severity']}"
             for f in findings if f.get("issue_severity") in ("HIGH", "MEDIUM")]
    return {"counts": counts, "paths": targets, "findings": worst}


def collect_coverage(report: Path, root: Path, sources: Iterable[str]) -> dict[str, Any]:
    """``totals.percent_covered`` of coverage.py's JSON report of the last test run."""
    _check_fresh(report, root, sources)
    try:
        percent = json.loads(report.read_text(encoding="utf-8"))["totals"]["percent_covered"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise GateError(f"{report}: not a coverage.py JSON report "
                        "(expected totals.percent_covered)") from None
    return {"percent": float(percent)}


def collect_ml_score(report: Path, root: Path, sources: Iterable[str]) -> dict[str, Any]:
    """Final ML Test Score of the last test run, and whether every section ran."""
    _check_fresh(report, root, sources)
    try:
        data = load_report(report)
    except ReportError as exc:
        raise GateError(str(exc)) from None
    return {"score": float(data["score"]), "max": data["max"], "complete": bool(data["complete"])}


def collect(root: Path, config: GateConfig, run: Runner = run_tool) -> Quality:
    """Every figure; one that cannot be collected records why instead of stopping the others."""
    reports, sources = root / config.reports, config.source_paths()
    collectors: dict[str, Callable[[], dict[str, Any]]] = {
        "pylint": lambda: collect_pylint(root, config.pylint_paths, run),
        "coverage": lambda: collect_coverage(reports / COVERAGE_NAME, root, sources),
        "ml_test_score": lambda: collect_ml_score(reports / JSON_NAME, root, sources),
        "bandit": lambda: collect_bandit(root, config.bandit_paths, run),
    }
    quality = Quality()
    for name, collector in collectors.items():
        print(f"gate: collecting {name}", flush=True)
        try:
            quality.figures[name] = collector()
        except GateError as exc:
            quality.figures[name] = {"error": str(exc)}
    return quality


def _number(value: float) -> str:
    return f"{value:g}"


def _bandit_verdict(figure: dict[str, Any], fail_on: list[str]) -> tuple[str, bool, str | None]:
    passed = not any(figure["counts"][s] for s in fail_on)
    return (", ".join(f"{figure['counts'][s]} {s.lower()}" for s in SEVERITIES), passed,
            None if passed else "; ".join(figure["findings"][:3]))


def check(quality: Quality, config: GateConfig) -> list[GateResult]:
    """Compare each figure with its threshold; an unavailable figure fails its gate."""
    fail_on = [s for s in SEVERITIES if s in config.bandit_fail_on]
    Verdict = tuple[str, bool, str | None]  # figure as shown, passed, problem
    rows: list[tuple[str, str, Callable[[dict[str, Any]], Verdict]]] = [
        ("pylint", f">= {_number(config.pylint)}",
         lambda f: (f"{f['score']:.2f}", f["score"] >= config.pylint, None)),
        ("coverage", f">= {_number(config.coverage)}%",
         lambda f: (f"{f['percent']:.1f}%", f["percent"] >= config.coverage, None)),
        ("ml_test_score", f">= {_number(config.ml_test_score)}, all sections run",
         lambda f: (f"{_number(f['score'])}/{_number(f['max'])}"
                    + ("" if f["complete"] else " (incomplete run)"),
                    f["score"] >= config.ml_test_score and f["complete"], None)),
        ("bandit", "no " + " or ".join(s.lower() for s in fail_on) if fail_on else "report only",
         lambda f: _bandit_verdict(f, fail_on)),
    ]
    results = []
    for gate, threshold, judge in rows:
        problem = quality.error(gate)
        if problem:
            results.append(GateResult(gate, "unavailable", threshold, False, problem))
        else:
            figure, passed, detail = judge(quality.figures[gate])
            results.append(GateResult(gate, figure, threshold, passed, detail))
    return results


def render(results: Iterable[GateResult]) -> str:
    """A fixed-width table, then one line per problem."""
    results = list(results)
    header = ("gate", "figure", "threshold", "result")
    rows = [header] + [(r.gate, r.figure, r.threshold, "pass" if r.passed else "FAIL")
                       for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines += [f"{r.gate}: {r.problem}" for r in results if r.problem]
    return "\n".join(lines)


def quality_document(quality: Quality, config: GateConfig,
                     results: Iterable[GateResult]) -> dict[str, Any]:
    """What quality.json holds: the figures, the thresholds and each gate's verdict."""
    results = list(results)
    return {
        "schema": QUALITY_SCHEMA,
        **quality.figures,
        "thresholds": config.thresholds(),
        "gates": {r.gate: {"figure": r.figure, "threshold": r.threshold, "passed": r.passed}
                  for r in results},
        "passed": all(r.passed for r in results),
    }


def main(argv: list[str] | None = None, run: Runner = run_tool) -> int:
    """Exit 0 when every gate passes, 1 when one fails, 2 on a configuration error."""
    parser = argparse.ArgumentParser(
        prog="ml-test-score gate",
        description="Collect pylint, coverage, ML Test Score and bandit figures into "
                    "<reports>/quality.json and check them against [tool.ml_test_score.gates].")
    add_root_option(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        root = project_root(args.root)
        config = load_config(root / PYPROJECT)
    except ConfigError as exc:
        print(f"ml-test-score gate: error: {exc}", file=sys.stderr)
        return 2
    quality = collect(root, config, run)
    results = check(quality, config)
    target = root / config.reports / QUALITY_NAME
    document = quality_document(quality, config, results)
    write_json(target, document)
    print(render(results))
    verdict = "all gates pass" if document["passed"] else "a gate FAILED"
    print(f"gate: wrote {target.relative_to(root)}; {verdict}")
    return 0 if document["passed"] else 1
