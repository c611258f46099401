"""Live accuracy of logged predictions against their delayed labels."""

from __future__ import annotations

import pytest

from pipeline.errors import PipelineError
from pipeline.monitoring.live_quality import QualityLimits, check_live_quality, served_metrics
from pipeline.monitoring.stats import detectable_drop

LIMITS = QualityLimits(alpha=0.001, power=0.8, max_drop=0.02, floor=0.8)


def _records(right: int, wrong: int, unlabelled: int = 0) -> list[dict]:
    """Logged predictions of label 1: `right` with label 1, `wrong` with 0, the rest unlabelled."""
    answer = {"label": 1, "probability": 0.9}
    return ([{**answer, "true_label": 1}] * right + [{**answer, "true_label": 0}] * wrong
            + [{**answer, "true_label": None}] * unlabelled)


def test_accuracy_is_that_of_the_logged_labels_against_the_delayed_ones():
    """Red when: unlabelled predictions count, or accuracy is not computed from the log."""
    result = check_live_quality(_records(85, 15, unlabelled=40), LIMITS, recorded_accuracy=0.85)
    assert (result["logged"], result["labelled"]) == (140, 100)
    assert result["served_accuracy"] == pytest.approx(0.85)
    assert not result["alert"], result["message"]


def test_served_metrics_score_the_logged_answers_of_the_labelled_records():
    """Red when: unlabelled records count, accuracy is not the logged label's, or the Brier
    score is not that of the logged positive-class probability."""
    records = [{"label": 1, "probability": 0.8, "true_label": 1},
               {"label": 1, "probability": 0.6, "true_label": 0},
               {"label": 0, "probability": 0.3, "true_label": None}]
    served = served_metrics(records)
    assert served["labelled"] == 2
    assert served["accuracy"] == pytest.approx(0.5)
    assert served["brier"] == pytest.approx((0.2 ** 2 + 0.6 ** 2) / 2)


def test_served_metrics_need_a_label():
    """Red when: a log without any label yields figures instead of a one-line error."""
    with pytest.raises(PipelineError, match="none of the 1 logged predictions"):
        served_metrics([{"label": 1, "probability": 0.9, "true_label": None}])


def test_a_significant_and_material_drop_alerts():
    """Red when: a drop well past the detectable one is not flagged, or a small one is."""
    assert check_live_quality(_records(60, 40), LIMITS, recorded_accuracy=0.85)["alert"]
    assert not check_live_quality(_records(84, 16), LIMITS, recorded_accuracy=0.85)["alert"]
    floor_only = check_live_quality(_records(60, 40), LIMITS)
    assert floor_only["alert"] and "min_accuracy" in floor_only["message"]


def test_the_report_states_the_drop_this_batch_can_show():
    """Red when: the detectable drop is missing, not the statistics' figure for this n, or not
    smaller for a larger batch."""
    small = check_live_quality(_records(85, 15), LIMITS, recorded_accuracy=0.85)
    large = check_live_quality(_records(850, 150), LIMITS, recorded_accuracy=0.85)
    assert small["detectable"]["drop"] == detectable_drop(0.85, 100, 0.001, 0.8)
    assert large["detectable"]["drop"] < small["detectable"]["drop"]
    assert small["detectable"]["alarm_accuracy"] == pytest.approx(
        0.85 - small["detectable"]["drop"])
    assert f"{small['detectable']['drop']:.3f}" in small["message"]
    assert check_live_quality(_records(85, 15), LIMITS)["detectable"]["reference"] == 0.8


def test_no_label_yet_is_a_user_error():
    """A monitor without labels has nothing to say about accuracy, and says so."""
    with pytest.raises(PipelineError, match="--labels"):
        check_live_quality(_records(0, 0, unlabelled=5), LIMITS)
