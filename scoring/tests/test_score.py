"""Unit tests and properties of the pure parts: catalogue, marks, outcomes, score, compare."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_ml_test_score.catalogue import CATALOGUE, ITEM_NUMBERS, SECTIONS, interpret
from pytest_ml_test_score.compare import compare_reports
from pytest_ml_test_score.marks import RubricMarkError, RubricRef, parse_mark_args, refs_from_marks
from pytest_ml_test_score.outcomes import ItemTally, RunRecord, combine, phase_outcome
from pytest_ml_test_score.reportfile import validate_report
from pytest_ml_test_score.score import (
    build_report,
    final_score,
    is_scored,
    item_status,
    section_score,
    unused_evidence,
)

REFS = [RubricRef(s, n) for s in SECTIONS for n in ITEM_NUMBERS]


def tally(passed: int = 0, failed: int = 0, skipped: int = 0) -> ItemTally:
    """A tally with as many (fake) test ids as outcomes."""
    tests = [f"t.py::test_{i}" for i in range(passed + failed + skipped)]
    return ItemTally(passed, failed, skipped, tests, tests[passed:passed + failed])


EVIDENCE = {"date": "2026-01-01", "summary": "done by hand", "results": "docs/x.md"}


def test_catalogue_has_the_28_items_with_the_rubric_titles():
    assert len(CATALOGUE) == 28
    assert CATALOGUE[("data", 1)].title == "Feature expectations are captured in a schema."
    assert CATALOGUE[("monitoring", 7)].title == "Prediction quality has not regressed."
    assert CATALOGUE[("infra", 3)].title == "The ML pipeline is Integration tested."
    assert all(item.heading and item.hint for item in CATALOGUE.values())


@pytest.mark.parametrize(("score", "start"), [
    (0, "More of a research"), (0.5, "Not totally untested"), (1.0, "Not totally untested"),
    (1.5, "There's been first pass"), (2.0, "There's been first pass"),
    (3.0, "Reasonably tested"), (3.5, "Strong levels"), (5.0, "Strong levels"),
    (5.5, "Exceptional"), (7.0, "Exceptional"),
])
def test_interpretation_bins_close_on_the_right(score, start):
    assert interpret(score).startswith(start)


def test_interpretation_rejects_nan():
    with pytest.raises(ValueError):
        interpret(float("nan"))


@pytest.mark.parametrize(("args", "kwargs"), [
    (("data", 1), {}), (("data",), {"item": 1}), ((), {"section": "data", "item": 1}),
])
def test_mark_forms_accepted(args, kwargs):
    assert parse_mark_args(args, kwargs) == RubricRef("data", 1)


@pytest.mark.parametrize(("args", "kwargs"), [
    (("Data", 1), {}), (("data", 0), {}), (("data", 8), {}), (("data", "1"), {}),
    (("data", True), {}), (("data", 1.0), {}), (("data",), {}), ((), {}),
    (("data", 1, 2), {}), (("data", 1), {"item": 2}), (("data", 1), {"weight": 2}),
    ((1, "data"), {}),
])
def test_malformed_marks_rejected_naming_test_and_valid_values(args, kwargs):
    mark = pytest.mark.rubric(*args, **kwargs).mark
    with pytest.raises(RubricMarkError) as info:
        refs_from_marks([mark], "t.py::test_x")
    message = str(info.value)
    assert message.startswith("t.py::test_x: invalid rubric mark")
    assert "data, model, infra, monitoring" in message and "1-7" in message
    assert "\n" not in message


def test_refs_are_sorted_and_deduplicated():
    marks = [pytest.mark.rubric(s, n).mark for s, n in [("model", 2), ("data", 1), ("data", 1)]]
    assert refs_from_marks(marks, "x") == (RubricRef("data", 1), RubricRef("model", 2))
    assert RubricRef.parse("model:2") == RubricRef("model", 2)


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


def test_worker_message_round_trip():
    worker = RunRecord()
    worker.add_collected("a", [RubricRef("infra", 3)], selected=False)
    worker.add_collected("b", [RubricRef("data", 1)], selected=True)
    controller = RunRecord()
    controller.merge_message(worker.to_message())
    assert controller.catalogue == worker.catalogue
    assert controller.selected == {"b"}


@pytest.mark.parametrize(("counts", "manual", "status"), [
    ((1, 0, 0), False, "automated"), ((1, 0, 3), True, "automated"),
    ((2, 1, 0), True, "failed"), ((0, 1, 0), False, "failed"),
    ((0, 0, 2), False, "skipped"), ((0, 0, 2), True, "manual"),
    (None, True, "manual"), (None, False, "missing"),
])
def test_item_status(counts, manual, status):
    assert item_status(tally(*counts) if counts else None, manual) == status


def test_report_matches_the_contract_example_shape():
    tallies = {RubricRef("data", 1): tally(passed=2)}
    report = build_report(tallies, {RubricRef("model", 2): EVIDENCE}, complete=True)
    assert validate_report(report) is None
    assert list(report) == ["schema", "score", "max", "complete", "interpretation", "sections"]
    item = report["sections"]["data"]["items"]["1"]
    assert item == {"title": "Feature expectations are captured in a schema.", "points": 1.0,
                    "status": "automated", "passed": 2, "failed": 0, "skipped": 0,
                    "tests": ["t.py::test_0", "t.py::test_1"]}
    assert report["sections"]["model"]["items"]["2"]["evidence"] == EVIDENCE
    assert report["sections"]["model"]["score"] == 0.5
    assert report["score"] == 0.0 and report["max"] == 7


def test_manual_evidence_never_covers_a_failure_and_is_reported_unused():
    ref = RubricRef("data", 1)
    report = build_report({ref: tally(failed=1)}, {ref: EVIDENCE}, complete=True)
    assert report["sections"]["data"]["items"]["1"]["points"] == 0.0
    assert unused_evidence(report, {ref: EVIDENCE}) == [
        "data:1: not used, the item is failed by its tests"]


def test_sections_sum_their_points_and_an_item_with_any_points_is_scored():
    items = [{"points": 1.0}, {"points": 0.5}, {"points": 0.0}]
    assert section_score(items) == 1.5 and isinstance(section_score([]), float)
    assert [is_scored(item) for item in items] == [True, True, False]
    assert final_score([3, 1.5, 7]) == 1.5


counts = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
runs = st.tuples(st.dictionaries(st.sampled_from(REFS), counts),
                 st.sets(st.sampled_from(REFS)))


def _report(run):
    tallies, manual = run
    return build_report({ref: tally(*c) for ref, c in tallies.items()},
                        dict.fromkeys(manual, EVIDENCE), complete=True)


@given(runs)
def test_final_is_min_of_section_sums_and_points_are_halves(run):
    report = _report(run)
    sums = []
    for body in report["sections"].values():
        points = [item["points"] for item in body["items"].values()]
        assert set(points) <= {0.0, 0.5, 1.0}
        assert body["score"] == sum(points)
        sums.append(body["score"])
    assert report["score"] == final_score(sums) == min(sums)
    assert 0 <= report["score"] <= 7
    assert report["interpretation"] == interpret(report["score"])
    assert validate_report(report) is None


@given(runs, st.sampled_from(REFS))
def test_turning_a_failure_into_a_pass_never_lowers_the_score(run, ref):
    tallies, manual = run
    passed, failed, skipped = tallies.get(ref, (0, 1, 0))
    if not failed:
        failed = 1
    before = _report(({**tallies, ref: (passed, failed, skipped)}, manual))
    after = _report(({**tallies, ref: (passed + 1, failed - 1, skipped)}, manual))
    assert after["score"] >= before["score"]
    assert after["sections"][ref.section]["score"] >= before["sections"][ref.section]["score"]


@given(runs, st.sampled_from(REFS))
def test_manual_evidence_never_lowers_and_adds_at_most_half_a_point(run, ref):
    tallies, manual = run
    before = _report((tallies, manual - {ref}))
    after = _report((tallies, manual | {ref}))
    gain = after["sections"][ref.section]["score"] - before["sections"][ref.section]["score"]
    assert gain in (0.0, 0.5)


@given(runs, runs)
def test_compare_accounts_for_every_point(base_run, head_run):
    base, head = _report(base_run), _report(head_run)
    diff = compare_reports(base, head)
    assert diff["score"]["delta"] == head["score"] - base["score"]
    for section, change in diff["sections"].items():
        moved = sum(c["delta"] for c in diff["items"] if c["section"] == section)
        assert change["delta"] == moved
    assert compare_reports(head, head)["items"] == []
