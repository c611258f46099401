"""The suites' computed-once studies: one computation per run, the same JSON form everywhere."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ml_tests.support.once import computed_once


class _Request:
    """The part of a fixture request `computed_once` reads: the config, and the run's temp dir."""

    def __init__(self, factory: pytest.TempPathFactory, worker: bool) -> None:
        self.config = SimpleNamespace(workerinput={"workerid": "gw0"}) if worker \
            else SimpleNamespace()
        self._factory = factory

    def getfixturevalue(self, name: str):
        assert name == "tmp_path_factory", name
        return self._factory


def _counting(calls: list[int]):
    def compute():
        calls.append(1)
        return {"gain": (0.5, 1), "nan": float("nan")}
    return compute


def test_a_second_worker_reads_the_first_ones_result(tmp_path_factory, tmp_path):
    """Red when each worker recomputes the study (the cost it exists to save), or when the
    computing worker sees other types than the reading one."""
    calls: list[int] = []
    name = f"study-{tmp_path.name}"
    request = _Request(tmp_path_factory, worker=True)
    first = computed_once(request, name, _counting(calls))
    second = computed_once(request, name, _counting(calls))
    assert calls == [1]
    assert first["gain"] == second["gain"] == [0.5, 1]


def test_outside_a_worker_every_call_computes(tmp_path_factory, tmp_path,
                                              monkeypatch: pytest.MonkeyPatch):
    """Red when a run in one process (the fault audit's runs, or a pytest started inside a
    worker, which inherits its environment) reads a stored result instead of computing: each
    such run must compute its study under its own fault."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    calls: list[int] = []
    request = _Request(tmp_path_factory, worker=False)
    for _ in range(2):
        result = computed_once(request, f"study-{tmp_path.name}", _counting(calls))
    assert calls == [1, 1]
    assert result["gain"] == [0.5, 1]


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "one-process"])
def test_the_computing_process_writes_the_report(tmp_path_factory, tmp_path, worker):
    """Red when the study's report under reports/ is not written, or holds something other
    than what the tests were given."""
    report = tmp_path / "reports" / "study.json"
    report.parent.mkdir()
    result = computed_once(_Request(tmp_path_factory, worker), f"study-{tmp_path.name}",
                           _counting([]), report=report)
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["gain"] == result["gain"] == [0.5, 1]
