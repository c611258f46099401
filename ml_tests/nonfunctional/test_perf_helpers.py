"""Unit tests of the measurement helpers the suite and the benchmark share (pipeline.perf)."""

from __future__ import annotations

import time

import pytest

from pipeline.perf import measurement

pytestmark = pytest.mark.nonfunctional


def test_percentile_interpolates_between_ranks():
    """Red when: the percentile picks the wrong rank (p99 of a tail would be hidden)."""
    values = [float(v) for v in range(1, 101)]
    assert measurement.percentile(values, 50) == pytest.approx(50.5)
    assert measurement.percentile(values, 99) == pytest.approx(99.01)
    assert measurement.percentile([3.0, 1.0, 2.0], 0) == 1.0
    with pytest.raises(ValueError):
        measurement.percentile([], 50)


def test_compare_fails_beyond_the_limit_only():
    """Red when: `compare` passes a cost above its limit or fails one within it."""
    assert measurement.compare("x", 2.9, 1.0, 3.0).passed
    assert not measurement.compare("x", 3.1, 1.0, 3.0).passed
    assert "TOO COSTLY" in measurement.compare("x", 3.1, 1.0, 3.0).describe()
    with pytest.raises(ValueError):
        measurement.compare("x", 1.0, 1.0, 0.0)


def test_interleaved_timing_sees_a_slower_call():
    """Red when: the timer does not time the call it is given (e.g. times the warm-up only)."""
    timings = measurement.interleaved({"fast": lambda: time.sleep(0.001),
                                       "slow": lambda: time.sleep(0.004)}, 1, 5)
    assert len(timings["fast"].samples) == 5
    assert timings["slow"].median > 2 * timings["fast"].median


def test_traced_peak_sees_memory_freed_before_the_end():
    """Red when: memory is read after the work instead of its peak during it."""
    def allocate_and_free():
        block = bytearray(8 * 1024 * 1024)
        del block
        return "done"

    result, peak = measurement.traced_peak(allocate_and_free)
    assert result == "done"
    assert peak >= 8 * 1024 * 1024
    assert measurement.peak_rss_mb() > 0
