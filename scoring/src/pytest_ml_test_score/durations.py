"""pytest plugin the audit loads into its clean run (``-p pytest_ml_test_score.durations``):
how long each test took, so that the fault runs can start longest first.

Fault runs of very different lengths share a few parallel slots; started in registry order,
a long one that comes late leaves the other slots idle at the end. The clean run is the only
measurement of the tests each fault will run, so its per-test durations (setup, call and
teardown) are written to ``--ml-score-durations=PATH`` when the session ends. Not part of the
score report: that report must not differ between two runs of the same tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from pytest_ml_test_score.reportfile import write_json

OPTION = "--ml-score-durations"


def read_durations(path: Path) -> dict[str, float]:
    """The durations a clean run wrote; empty when it wrote none (a run cut short)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(nodeid): float(value) for nodeid, value in found.items()
            if isinstance(value, int | float)}


def expected_seconds(names: Sequence[str], tests_of: Mapping[str, Sequence[str]],
                     durations: Mapping[str, float]) -> dict[str, float]:
    """What a run of each name's tests cost in the clean run; empty without durations.

    A session fixture's cost lands on the first test that needed it on its worker, so a run
    whose tests shared a fixture with other items' tests in the clean run is underestimated.
    """
    if not durations:
        return {}
    return {name: sum(durations.get(test, 0.0) for test in tests_of[name]) for name in names}


def longest_first(names: Sequence[str], expected: Mapping[str, float]) -> list[str]:
    """NAMES ordered by their EXPECTED seconds, longest first; ties (every name, without
    expectations) keep their order."""
    return sorted(names, key=lambda name: -expected.get(name, 0.0))


def pytest_addoption(parser: pytest.Parser) -> None:
    """The one option: where to write the durations."""
    parser.addoption(OPTION, metavar="PATH", default=None,
                     help="write each test's duration in seconds to PATH (JSON)")


def pytest_configure(config: pytest.Config) -> None:
    """Record only where asked to, and only in the process that sees every report (an xdist
    worker sees its own tests' only)."""
    path = config.getoption(OPTION)
    if path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(DurationRecorder(Path(path)), "ml_test_score_durations")


class DurationRecorder:
    """Adds up each test's phase durations; writes them once the session is over."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Setup, call and teardown alike."""
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        """Written whole even for a session that stopped early: the tests that ran count."""
        write_json(self.path, {nodeid: round(value, 3) for nodeid, value in self.seconds.items()})
