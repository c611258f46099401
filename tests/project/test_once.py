"""The suites' computed-once studies: one computation per run, the same JSON form everywhere."""

from __future__ import annotations

import pytest

from ml_tests.support.once import computed_once


def _counting(calls: list[int]):
    def compute():
        calls.append(1)
        return {"gain": (0.5, 1), "nan": float("nan")}
    return compute


def test_a_second_worker_reads_the_first_ones_result(tmp_path_factory, tmp_path,
                                                     monkeypatch: pytest.MonkeyPatch):
    """Red when each worker recomputes the study (the cost it exists to save), or when the
    computing worker sees other types than the reading one."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    calls: list[int] = []
    name = f"study-{tmp_path.name}"
    first = computed_once(tmp_path_factory, name, _counting(calls))
    second = computed_once(tmp_path_factory, name, _counting(calls))
    assert calls == [1]
    assert first["gain"] == second["gain"] == [0.5, 1]


def test_without_workers_every_call_computes(tmp_path_factory, tmp_path,
                                             monkeypatch: pytest.MonkeyPatch):
    """Red when a run in one process (the fault audit's runs) reads a stored result instead of
    computing: each such run must compute its study under its own fault."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    calls: list[int] = []
    for _ in range(2):
        result = computed_once(tmp_path_factory, f"study-{tmp_path.name}", _counting(calls))
    assert calls == [1, 1]
    assert result["gain"] == [0.5, 1]
