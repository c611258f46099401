"""The report of a run: the additive keys merge needs, and the evidence read back from them."""

from __future__ import annotations

from pytest_ml_test_score.catalogue import SECTIONS
from pytest_ml_test_score.manual import ManualEvidence
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import RunRecord
from pytest_ml_test_score.reportfile import validate_report
from pytest_ml_test_score.runreport import assemble, manual_from_report

DATA_1, MODEL_2 = RubricRef("data", 1), RubricRef("model", 2)
EVIDENCE = {"date": "2026-01-01", "summary": "by hand", "results": "docs/m2.md"}


def _record(selected_sections: tuple[str, ...]) -> RunRecord:
    record = RunRecord()
    for section in SECTIONS:
        nodeid = f"t.py::test_{section}"
        record.add_collected(nodeid, [RubricRef(section, 1)], section in selected_sections)
        if section in selected_sections:
            record.add_report(nodeid, "call", "passed")
    return record


def test_a_run_of_every_section_is_complete_and_carries_its_tests():
    report = assemble(_record(SECTIONS), ManualEvidence(), "manual.toml")
    assert validate_report(report) is None
    assert report["complete"] is True
    assert report["run"]["sections_selected"] == list(SECTIONS)
    assert report["run"]["tests"]["t.py::test_data"] == {
        "items": ["data:1"], "selected": True, "outcome": "passed"}
    assert "map" not in report


def test_a_partial_run_is_incomplete_and_keeps_its_deselected_tests():
    report = assemble(_record(("model", "data")), ManualEvidence(), "manual.toml", [])
    assert report["complete"] is False
    assert report["run"]["sections_selected"] == ["data", "model"]  # in rubric order
    assert report["run"]["tests"]["t.py::test_infra"] == {
        "items": ["infra:1"], "selected": False, "outcome": None}
    assert report["map"] == {"unmatched": []}


def test_manual_evidence_is_recorded_and_read_back_as_the_run_saw_it():
    manual = ManualEvidence(valid={MODEL_2: EVIDENCE, DATA_1: EVIDENCE},
                            problems=["manual.toml: [infra.9]: item must be 1-7"])
    report = assemble(_record(SECTIONS), manual, "manual.toml")
    assert report["manual_evidence"] == {
        "file": "manual.toml",
        "problems": ["manual.toml: [infra.9]: item must be 1-7"],
        "unused": ["data:1: not used, the item is automated by its tests"],
        "valid": {"data:1": EVIDENCE, "model:2": EVIDENCE},
    }
    assert report["sections"]["model"]["items"]["2"]["status"] == "manual"
    assert manual_from_report(report) == manual


def test_a_report_without_manual_evidence_reads_back_empty():
    assert manual_from_report({}) == ManualEvidence()
    assert manual_from_report({"manual_evidence": {"valid": None, "problems": None}}) == \
        ManualEvidence()
