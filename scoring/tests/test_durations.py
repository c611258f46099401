"""The clean run's per-test durations, and the longest-first order of the fault runs."""

from __future__ import annotations

import json

import pytest

from pytest_ml_test_score import durations

PLUGIN = durations.__name__
SUITE = ("import time\n\n"
         "def test_slow():\n    time.sleep(0.3)\n\n"
         "def test_quick():\n    pass\n")


def test_longest_first_orders_by_the_clean_seconds_of_each_runs_tests():
    tests_of = {"a": ["t::quick"], "b": ["t::slow", "t::quick"], "c": ["t::unknown"],
                "d": ["t::slow"]}
    seconds = {"t::slow": 5.0, "t::quick": 1.0}
    expected = durations.expected_seconds(["a", "b", "c", "d"], tests_of, seconds)
    assert expected == {"a": 1.0, "b": 6.0, "c": 0.0, "d": 5.0}
    assert durations.longest_first(["a", "b", "c", "d"], expected) == ["b", "d", "a", "c"]


def test_without_durations_nothing_is_expected_and_the_order_is_kept():
    tests_of = {name: ["t::x"] for name in "zyx"}
    assert durations.expected_seconds(["z", "y", "x"], tests_of, {}) == {}
    assert durations.longest_first(["z", "y", "x"], {}) == ["z", "y", "x"]


def test_unreadable_durations_are_none(tmp_path):
    assert durations.read_durations(tmp_path / "missing.json") == {}
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    assert durations.read_durations(tmp_path / "bad.json") == {}
    (tmp_path / "mixed.json").write_text('{"t::a": 1.5, "t::b": "x"}', encoding="utf-8")
    assert durations.read_durations(tmp_path / "mixed.json") == {"t::a": 1.5}


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_run_writes_every_tests_duration(pytester, workers):
    """Under xdist only the controller sees every test; a worker writing would lose some."""
    pytester.makepyfile(test_toy=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", PLUGIN,
                                           "--ml-score-durations=d.json", *workers)
    result.assert_outcomes(passed=2)
    seconds = durations.read_durations(pytester.path / "d.json")
    assert set(seconds) == {"test_toy.py::test_slow", "test_toy.py::test_quick"}
    assert seconds["test_toy.py::test_slow"] >= 0.3 > seconds["test_toy.py::test_quick"]
    assert json.loads((pytester.path / "d.json").read_text(encoding="utf-8")) == seconds


def test_without_the_option_nothing_is_written(pytester):
    pytester.makepyfile(test_toy=SUITE)
    pytester.runpytest("-p", PLUGIN).assert_outcomes(passed=2)
    assert not list(pytester.path.glob("*.json"))
