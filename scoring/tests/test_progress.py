"""The audit's progress lines: counts, the clock format and the estimate of what remains."""

from __future__ import annotations

import io
import threading

from pytest_ml_test_score.progress import Progress, clock, expected_remaining, remaining_seconds


def test_clock_reads_like_a_log_duration():
    assert [clock(s) for s in (0, 59.6, 61, 3599, 3600, 3725)] == [
        "0:00", "1:00", "1:01", "59:59", "1:00:00", "1:02:05"]


def test_remaining_is_the_mean_pace_spread_over_the_jobs():
    assert remaining_seconds([], 5, 2) is None
    assert remaining_seconds([10.0, 30.0], 4, 2) == 40.0
    assert remaining_seconds([10.0], 3, 0) == 30.0  # no jobs reads as one


def test_expected_runs_take_their_clean_seconds_plus_the_median_overhead():
    assert expected_remaining([], [5.0], 2) is None
    # Overheads 1, 2 and 9: the median, 2, is added to each run to come.
    assert expected_remaining([(3.0, 2.0), (4.0, 2.0), (10.0, 1.0)], [6.0, 0.0], 2) == 5.0
    # Runs that stopped at their first failure took less than expected: no negative overhead.
    assert expected_remaining([(30.0, 40.0)], [1.0, 3.0], 1) == 4.0


def test_longest_first_runs_do_not_inflate_the_estimate_when_runs_are_expected():
    """Runs start longest first: the mean of the first finished ones, spread over the many
    short runs to come, would promise most of the audit again."""
    ticks = iter([0.0, 40.0])
    progress = Progress(3, 1, io.StringIO(), now=lambda: next(ticks))
    progress.expect({"long": 38.0, "short": 1.0, "tiny": 0.0})
    assert progress.finished("long", 40.0, "1 test(s) failed").endswith("about 0:05 left")


def test_an_unexpected_run_falls_back_to_the_mean_pace():
    ticks = iter([0.0, 10.0])
    progress = Progress(3, 1, io.StringIO(), now=lambda: next(ticks))
    progress.expect({"a": 1.0})
    assert progress.finished("a", 10.0, "nothing failed").endswith("about 0:20 left")


def test_each_finished_run_gets_a_line_with_count_and_estimate():
    ticks = iter([0.0, 12.0, 30.0])
    out = io.StringIO()
    progress = Progress(3, 1, out, now=lambda: next(ticks))
    assert progress.finished("a", 12.0, "2 test(s) failed") == (
        "[0:12] fault 1 of 3: a: 2 test(s) failed (12 s), about 0:24 left")
    last = progress.finished("b", 18.0, "nothing failed")
    assert last.startswith("[0:30] fault 2 of 3: b: nothing failed (18 s)")
    assert out.getvalue().splitlines() == [
        "[0:12] fault 1 of 3: a: 2 test(s) failed (12 s), about 0:24 left", last]


def test_without_a_stream_it_counts_silently():
    assert Progress(2, 1, None, now=lambda: 1.0).finished("a", 1.0, "ok").startswith(
        "[0:00] fault 1 of 2")


def test_the_last_run_promises_no_more_time():
    progress = Progress(1, 2, io.StringIO(), now=lambda: 5.0)
    assert "left" not in progress.finished("only", 5.0, "1 test(s) failed")


def test_counts_stay_exact_across_worker_threads():
    out = io.StringIO()
    progress = Progress(40, 4, out)

    def ten_runs() -> None:
        for _ in range(10):
            progress.finished("f", 1.0, "ok")

    workers = [threading.Thread(target=ten_runs) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    counts = [int(line.split("fault ")[1].split(" of")[0]) for line in out.getvalue().splitlines()]
    assert sorted(counts) == list(range(1, 41))
