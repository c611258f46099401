"""When the audit may stop a faulted run: once every claimed item that has tests has a failure."""

from __future__ import annotations

from pytest_ml_test_score.fault_stop import CatchWatch, expensive_last, last_markers
from pytest_ml_test_score.marks import RubricRef

DATA_1, MODEL_2, INFRA_3 = RubricRef("data", 1), RubricRef("model", 2), RubricRef("infra", 3)


def test_stops_only_when_every_claimed_item_has_failed():
    watch = CatchWatch([DATA_1, MODEL_2], {"a": [DATA_1], "b": [DATA_1], "c": [MODEL_2]})
    assert watch.failed("a") is False  # model:2 still waits
    assert watch.failed("b") is False
    assert watch.failed("c") is True


def test_a_test_of_two_items_counts_for_both():
    watch = CatchWatch([DATA_1, MODEL_2], {"both": [DATA_1, MODEL_2], "other": [DATA_1]})
    assert watch.failed("both") is True


def test_claimed_items_without_tests_in_the_run_do_not_hold_it_open():
    watch = CatchWatch([DATA_1, INFRA_3], {"a": [DATA_1]})
    assert watch.pending == {DATA_1}
    assert watch.failed("a") is True


def test_failures_outside_the_claim_never_stop_it():
    watch = CatchWatch([DATA_1], {"a": [DATA_1], "x": [MODEL_2], "unmarked": []})
    assert watch.failed("x") is False and watch.failed("unmarked") is False
    assert watch.failed("a") is True


def test_nothing_claimed_in_the_run_means_no_early_stop():
    watch = CatchWatch([INFRA_3], {"a": [DATA_1]})
    assert watch.failed("a") is False
    assert CatchWatch([DATA_1], {}).failed("a") is False


def test_expensive_tests_move_last_and_the_rest_keep_their_order():
    marks = {"a": {"slow"}, "b": set(), "c": {"slow", "hub"}, "d": {"other"}}
    last = last_markers(" slow, ,hub")
    assert last == {"slow", "hub"} and last_markers(None) == frozenset()
    assert expensive_last(list("abcd"), marks.__getitem__, last) == list("bdac")
    assert expensive_last(list("abcd"), marks.__getitem__, frozenset()) == list("abcd")
