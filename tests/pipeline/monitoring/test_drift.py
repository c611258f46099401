"""Prediction drift of the logged labels against the share recorded at training."""

from __future__ import annotations

import pytest

from pipeline.errors import PipelineError
from pipeline.monitoring.drift import check_drift, recorded_positives
from pipeline.monitoring.stats import detectable_shift

# 55 of 100 held-out reviews predicted positive (columns are the predicted labels)
METRICS = {"confusion_matrix": [[40, 10], [5, 45]]}


@pytest.fixture(name="monitoring")
def fixture_monitoring(project_config):
    """The project's monitoring settings."""
    return project_config.monitoring


def _logged(positive: int, negative: int) -> list[dict]:
    labels = [1] * positive + [0] * negative
    return [{"label": label, "review": f"review {index}"} for index, label in enumerate(labels)]


def test_recorded_share_is_the_predicted_column_of_the_confusion_matrix():
    """Red when: true labels (rows) are read as the model's predictions."""
    assert recorded_positives(METRICS) == (55, 100)
    for broken in ({}, {"confusion_matrix": [[1, 2]]}, {"confusion_matrix": [[0, 0], [0, 0]]}):
        with pytest.raises(PipelineError, match="confusion_matrix"):
            recorded_positives(broken)


def test_a_large_shift_alerts_and_the_same_share_does_not(monitoring):
    """Red when: the logged labels are not compared with the recorded share."""
    drifted = check_drift(_logged(10, 190), METRICS, monitoring)
    assert drifted["alert"] and drifted["shift"] == pytest.approx(0.05 - 0.55)
    same = check_drift(_logged(110, 90), METRICS, monitoring)
    assert not same["alert"] and same["shift"] == pytest.approx(0.0)


def test_the_report_states_the_shift_this_batch_can_show(monitoring):
    """Red when: the detectable shift is missing or not the statistics' figure for this n."""
    small = check_drift(_logged(55, 45), METRICS, monitoring)
    large = check_drift(_logged(550, 450), METRICS, monitoring)
    assert small["detectable_shift"] == detectable_shift(0.55, 100, 100, monitoring.drift_alpha,
                                                         monitoring.power)
    assert large["detectable_shift"]["down"] < small["detectable_shift"]["down"]


def test_a_review_logged_twice_counts_once(monitoring):
    """Red when repeats of one review count as independent observations: the batch would look
    twice as large and its detectable shift smaller than it is."""
    once = check_drift(_logged(55, 45), METRICS, monitoring)
    twice = check_drift(_logged(55, 45) * 2, METRICS, monitoring)
    assert (twice["batch_reviews"], twice["distinct_reviews"]) == (200, 100)
    assert twice["detectable_shift"] == once["detectable_shift"]
    assert twice["p_value"] == once["p_value"]


def test_an_empty_log_is_a_user_error(monitoring):
    """No logged predictions of the version: nothing to compare, said in one line."""
    with pytest.raises(PipelineError, match="no logged predictions"):
        check_drift([], METRICS, monitoring)
