"""The log side of Monitor 5: unusable outputs in what serving wrote."""

from __future__ import annotations

from pipeline.monitoring import stability
from pipeline.serving.logreader import ReadStats
from tests.pipeline.monitoring.conftest import VERSION


def test_clean_records_raise_no_alert(records_of):
    """Red when: the serving path's own records are called unusable."""
    records = records_of(["Great food!", "Cold fries."])
    result = stability.check_logged_outputs(records, ReadStats(lines=2))
    assert not result["alert"] and result["records"] == 2


def test_refused_lines_and_contradicting_labels_are_counted(records_of):
    """Red when: a reason the reader counted, or a label on the wrong side of 0.5, is dropped."""
    records = records_of(["Great food!", "Cold fries."])
    records[0]["label"] = 1 - records[0]["label"]
    stats = ReadStats(lines=2, invalid_lines=3, problems={"probability not finite": 3})
    result = stability.check_logged_outputs(records, stats)
    assert result["alert"] and result["inconsistent_examples"] == ["req#0"]
    assert result["problems"] == {"probability not finite": 3,
                                  "label not the probability's side of 0.5": 1}


def test_served_stability_adds_the_hostile_inputs_per_version(tiny_model, records_of):
    """Red when: the hostile-input check of the logged versions is skipped."""
    result = stability.check_served_stability({VERSION: tiny_model}, records_of(["Fine."]),
                                              ReadStats(lines=1))
    assert not result["alert"], result["message"]
    assert set(result["hostile"][VERSION]["inputs"]) == set(stability.HOSTILE_INPUTS)
