"""Model 4: the impact of model staleness is known.

The data has no timestamps: the historic dump's row order stands in for time and the fresh
batch is the newest data. pipeline.analysis.staleness trains on successive windows of older
reviews, measures the Brier score on newer blocks as the gap grows, and fits the trend of the
loss over the gap within each block. Because row order is only a stand-in for time, the trend
is judged against a null (the same study on seeded shuffles of the rows): the supported age is
where the trend's upper confidence bound, with the null's spread as its noise, raises the fresh
model's loss by `model_checks.staleness.max_loss_increase`. With the assumed arrival rate
`monitoring.reviews_per_day`, that bounds `monitoring.max_model_age_days`, which the monitoring
suite enforces (Monitor 4).
"""

from __future__ import annotations

import pytest

from ml_tests.support.once import computed_once
from pipeline.analysis import staleness
from pipeline.data.reviews import Reviews


@pytest.fixture(scope="session")
def staleness_study(historic, labelled_fresh, config, reports_dir, request):
    """The curve and its null over historic-then-fresh, written to reports/staleness_study.json."""
    timeline = Reviews(historic.texts + labelled_fresh.texts,
                       historic.labels + labelled_fresh.labels)
    return computed_once(request, "staleness_study",
                         lambda: staleness.staleness_report(timeline, config),
                         report=reports_dir / "staleness_study.json")


@pytest.mark.rubric("model", 4)
def test_staleness_curve_is_measured(staleness_study, config):
    """Red when the study cannot measure growing gaps up to the newest data (too few windows or
    blocks), a model scores no better than chance on the data right after its window, or the
    trend rests on fewer than `min_blocks` blocks measured at two gaps or more."""
    curve = staleness_study["curve"]
    block = config.model_checks.staleness.block
    assert [point["gap_reviews"] for point in curve[:3]] == [0, block, 2 * block]
    assert all(point["windows"] >= 1 for point in curve)
    assert curve[0]["loss"] < 0.25  # 0.25 is the Brier score of always answering 0.5
    assert staleness_study["trend"]["blocks"] >= config.model_checks.staleness.min_blocks


@pytest.mark.rubric("model", 4)
def test_the_null_shuffles_the_time_order(staleness_study, config):
    """Red when the null is not a null: fewer shuffles than configured, or shuffles that keep
    one order (every permuted trend the same), so the trend's noise would read as zero."""
    null = staleness_study["trend"]["null_loss_per_block"]
    assert null["permutations"] == config.model_checks.staleness.permutations
    assert null["distinct"] == null["permutations"] and null["sd"] > 0, null


@pytest.mark.rubric("model", 4)
def test_configured_maximum_age_is_supported_by_the_curve(staleness_study):
    """Red when monitoring.max_model_age_days allows a model older than the trend's upper bound
    against the null supports (e.g. 365 days at 10 reviews a day), or when the data changes
    faster than that age assumes: newer reviews that the older windows' models misread raise the
    trend, and the supported age shrinks below the configured one."""
    assert staleness_study["supported_age_reviews"] > 0
    assert staleness_study["max_model_age_days"] <= staleness_study["supported_age_days"], (
        staleness_study)
