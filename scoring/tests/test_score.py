"""Statuses, points, section sums and the final score: examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from run_strategies import EVIDENCE, REFS, report_of, runs, tally

from pytest_ml_test_score.catalogue import interpret
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.reportfile import validate_report
from pytest_ml_test_score.score import (
    build_report,
    final_score,
    is_scored,
    item_status,
    section_score,
    unused_evidence,
)


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


@given(runs)
def test_final_is_min_of_section_sums_and_points_are_halves(run):
    report = report_of(run)
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
    before = report_of(({**tallies, ref: (passed, failed, skipped)}, manual))
    after = report_of(({**tallies, ref: (passed + 1, failed - 1, skipped)}, manual))
    assert after["score"] >= before["score"]
    assert after["sections"][ref.section]["score"] >= before["sections"][ref.section]["score"]


@given(runs, st.sampled_from(REFS))
def test_manual_evidence_never_lowers_and_adds_at_most_half_a_point(run, ref):
    tallies, manual = run
    before = report_of((tallies, manual - {ref}))
    after = report_of((tallies, manual | {ref}))
    gain = after["sections"][ref.section]["score"] - before["sections"][ref.section]["score"]
    assert gain in (0.0, 0.5)
