"""Folding phase reports into outcomes: arrival order and repeated collection never lose data;
unrun tests count as skipped, and a worker's catalogue reaches the controller whole."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally, RunRecord, combine, phase_outcome

DATA_1, MODEL_2 = RubricRef("data", 1), RubricRef("model", 2)


def test_a_teardown_failure_arriving_before_the_call_pass_still_fails_the_test():
    """Under xdist or rerun plugins reports may arrive out of order; a failure must stick."""
    record = RunRecord()
    record.add_collected("t::a", [DATA_1], selected=True)
    record.add_report("t::a", "teardown", "failed")
    record.add_report("t::a", "call", "passed")
    record.add_report("t::a", "teardown", "passed")
    assert record.tallies() == {
        DATA_1: ItemTally(passed=0, failed=1, tests=["t::a"], failing=["t::a"])}


def test_a_setup_skip_then_a_call_pass_counts_as_passed():
    record = RunRecord()
    record.add_collected("t::a", [DATA_1], selected=True)
    record.add_report("t::a", "setup", "skipped")
    record.add_report("t::a", "call", "passed")
    assert record.tallies()[DATA_1] == ItemTally(passed=1, tests=["t::a"])


def test_outcomes_of_different_tests_do_not_mix():
    record = RunRecord()
    record.add_collected("t::bad", [DATA_1], selected=True)
    record.add_collected("t::good", [DATA_1], selected=True)
    record.add_report("t::bad", "call", "failed")
    record.add_report("t::good", "call", "passed")
    assert record.tallies()[DATA_1] == ItemTally(
        passed=1, failed=1, tests=["t::bad", "t::good"], failing=["t::bad"])


def test_a_test_collected_twice_keeps_the_refs_of_both_collections():
    """The controller merges catalogues of several workers that may each have seen the test."""
    record = RunRecord()
    record.add_collected("t::a", [MODEL_2], selected=False)
    record.add_collected("t::a", [DATA_1], selected=True)
    assert record.catalogue == {"t::a": (DATA_1, MODEL_2)}
    assert record.sections_selected() == {"data", "model"}
    record.merge_message({"catalogue": {"t::a": ["infra:3"]}, "selected": []})
    assert record.catalogue["t::a"] == (DATA_1, RubricRef("infra", 3), MODEL_2)


def test_the_per_test_data_of_a_report_rebuilds_the_record():
    record = RunRecord()
    record.add_collected("t::b", [MODEL_2, DATA_1], selected=True)
    record.add_collected("t::a", [DATA_1], selected=False)
    record.add_report("t::b", "call", "passed")
    assert record.to_tests() == {
        "t::a": {"items": ["data:1"], "selected": False, "outcome": None},
        "t::b": {"items": ["data:1", "model:2"], "selected": True, "outcome": "passed"},
    }
    again = RunRecord()
    again.add_tests(record.to_tests())
    assert again == record
    again.add_outcome("t::b", "failed")
    again.add_outcome("t::unknown", "failed")
    assert again.outcomes == {"t::b": "failed"}


@pytest.mark.parametrize(("phases", "expected"), [
    ([("setup", "passed"), ("call", "passed"), ("teardown", "passed")], "passed"),
    ([("setup", "passed"), ("call", "failed"), ("teardown", "passed")], "failed"),
    ([("setup", "failed"), ("teardown", "passed")], "failed"),
    ([("setup", "passed"), ("call", "passed"), ("teardown", "failed")], "failed"),
    ([("setup", "skipped"), ("teardown", "passed")], "skipped"),
    ([("setup", "passed"), ("call", "skipped"), ("teardown", "passed")], "skipped"),
    ([("setup", "passed"), ("call", "rerun"), ("call", "passed")], "passed"),
    ([("setup", "passed"), ("teardown", "passed")], None),
])
def test_phases_fold_into_one_outcome(phases, expected):
    outcome = None
    for when, result in phases:
        outcome = combine(outcome, phase_outcome(when, result))
    assert outcome == expected


@given(st.lists(st.sampled_from(list(itertools.product(
    ("setup", "call", "teardown"), ("passed", "failed", "skipped"))))))
def test_fold_does_not_depend_on_arrival_order(phases):
    forward = backward = None
    for when, result in phases:
        forward = combine(forward, phase_outcome(when, result))
    for when, result in reversed(phases):
        backward = combine(backward, phase_outcome(when, result))
    assert forward == backward


def test_run_record_counts_unrun_and_deselected_tests_as_skipped():
    record = RunRecord()
    record.add_collected("a", [RubricRef("data", 1)], selected=True)
    record.add_collected("b", [RubricRef("data", 1), RubricRef("model", 1)], selected=False)
    record.add_report("a", "call", "passed")
    record.add_report("unmarked", "call", "failed")
    tallies = record.tallies()
    assert tallies[RubricRef("data", 1)] == ItemTally(1, 0, 1, ["a", "b"], [])
    assert tallies[RubricRef("model", 1)] == ItemTally(0, 0, 1, ["b"], [])
    assert record.sections_selected() == {"data"}
    assert "unmarked" not in record.outcomes


def test_selected_tests_without_an_outcome_are_unfinished():
    record = RunRecord()
    for nodeid, selected in (("ran", True), ("skipped", True), ("never", True), ("off", False)):
        record.add_collected(nodeid, [RubricRef("data", 1)], selected=selected)
    record.add_report("ran", "call", "passed")
    record.add_report("skipped", "setup", "skipped")
    assert record.unfinished() == {"never"}  # deselected tests are not the run's to finish


def test_worker_message_round_trip():
    worker = RunRecord()
    worker.add_collected("a", [RubricRef("infra", 3)], selected=False)
    worker.add_collected("b", [RubricRef("data", 1)], selected=True)
    controller = RunRecord()
    controller.merge_message(worker.to_message())
    assert controller.catalogue == worker.catalogue
    assert controller.selected == {"b"}
