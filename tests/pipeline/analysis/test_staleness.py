"""The staleness study's trend, its null and the supported age, on hand-made pairs."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.analysis import staleness
from pipeline.analysis.staleness import Pair
from pipeline.data.reviews import Reviews


def test_the_trend_is_fitted_within_blocks():
    """Red when a hard block measured only at large gaps reads as a trend: within each block the
    loss is flat, so the slope is zero however much harder one block is."""
    pairs = [Pair(500, 0, 0.10), Pair(500, 100, 0.10),
             Pair(900, 0, 0.30), Pair(900, 100, 0.30), Pair(900, 200, 0.30)]
    assert staleness.within_block_trend(pairs) == (pytest.approx(0.0), 2)


def test_the_trend_is_the_rise_per_review_and_skips_single_gap_blocks():
    """Red when the slope is not loss per review of gap, or a block seen at one gap counts."""
    pairs = [Pair(400, 0, 0.50), Pair(500, 0, 0.10), Pair(500, 100, 0.11),
             Pair(600, 0, 0.20), Pair(600, 100, 0.21), Pair(600, 200, 0.22)]
    slope, blocks = staleness.within_block_trend(pairs)
    assert slope == pytest.approx(0.0001) and blocks == 2


def test_a_timeline_without_two_gaps_per_block_is_refused():
    """Red when a trend is reported from nothing."""
    with pytest.raises(ValueError, match="two gaps"):
        staleness.within_block_trend([Pair(400, 0, 0.1), Pair(500, 0, 0.2)])


def test_the_null_counts_the_real_order_and_bounds_the_slope_by_its_spread():
    """Red when the p-value ignores the real order (could be 0), or the upper bound is not the
    slope plus z(alpha) null standard deviations."""
    null = [-0.02, -0.01, 0.0, 0.01, 0.02]
    result = staleness.trend_against_null(0.015, null, alpha=0.05)
    assert result["p_value"] == pytest.approx(2 / 6, abs=1e-4)
    assert not result["detected"]
    assert result["upper_slope"] == pytest.approx(0.015 + 1.6449 * np.std(null, ddof=1),
                                                  rel=1e-4)
    assert result["null"]["distinct"] == 5


def test_supported_age_is_where_the_bound_reaches_tolerance_and_never_beyond_the_data():
    """Red when the age ignores the bound, extrapolates past the longest gap, or a flat trend
    yields an unbounded age."""
    assert staleness.supported_age(0.10, 0.0001, 0.10, 500) == 100
    assert staleness.supported_age(0.10, 0.000001, 0.10, 500) == 500
    assert staleness.supported_age(0.10, -0.001, 0.10, 500) == 500


def test_a_permuted_timeline_keeps_every_review_with_its_label():
    """Red when shuffling loses reviews or separates a review from its label."""
    timeline = Reviews([f"review {i}" for i in range(20)], [i % 2 for i in range(20)])
    shuffled = staleness.permuted(timeline, np.random.default_rng(0))
    assert shuffled.texts != timeline.texts
    assert sorted(zip(shuffled.texts, shuffled.labels, strict=True)) == sorted(
        zip(timeline.texts, timeline.labels, strict=True))
