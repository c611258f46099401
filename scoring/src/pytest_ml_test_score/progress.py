"""Progress of a long audit: fault N of M, elapsed, and an estimate of what remains.

An audit runs one pytest session per fault, for minutes; without a sign of life a CI log looks
hung and a developer cannot tell whether to wait. When the audit knows what each run's tests
took in its clean run, a run to come is expected to take that plus the overhead the finished
runs showed over theirs; without it, the mean duration of the finished runs. Either is spread
over the parallel jobs. The mean alone misleads most when it matters: the runs start longest
first, so the first ones finished are the slowest. Plain lines, not a redrawn bar: they read
the same in a terminal and in a CI log, and the plugin depends on pytest alone.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO


def clock(seconds: float) -> str:
    """Seconds as m:ss (or h:mm:ss), the way a log reader scans durations."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def remaining_seconds(durations: list[float], left: int, jobs: int) -> float | None:
    """The time the LEFT runs still need at the mean pace of DURATIONS over JOBS workers;
    None before any run has finished (there is no pace yet)."""
    if not durations:
        return None
    return sum(durations) / len(durations) * left / max(1, jobs)


def expected_remaining(finished: Sequence[tuple[float, float]], expected_left: Sequence[float],
                       jobs: int) -> float | None:
    """The time runs expected to take EXPECTED_LEFT seconds (their tests' in the clean run) still
    need over JOBS workers, each plus the median overhead of the FINISHED runs, (seconds taken,
    seconds expected) pairs, over what they were expected to take; None before any finished.

    The overhead is pytest's start and the fault's own setup, which the clean run's durations
    do not hold; a run that stopped at its first failure took less than expected, so the
    overhead is never below zero.
    """
    if not finished:
        return None
    overhead = max(0.0, statistics.median(taken - expected for taken, expected in finished))
    return sum(expected + overhead for expected in expected_left) / max(1, jobs)


class Progress:
    """Counts finished fault runs and writes one line for each (none without a STREAM); safe
    across worker threads."""

    def __init__(self, total: int, jobs: int, stream: TextIO | None,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.total = total
        self.jobs = jobs
        self.stream = stream
        self._now = now
        self._started = now()
        self._durations: list[float] = []
        self._expected: dict[str, float] = {}
        self._finished: dict[str, float] = {}
        self._lock = threading.Lock()

    def expect(self, expected: Mapping[str, float]) -> None:
        """Each run's expected seconds, by fault name; the estimate uses them once every run
        has one (and every finished run was one of them)."""
        with self._lock:
            self._expected = dict(expected)

    def _left(self) -> float | None:
        done = len(self._durations)
        if len(self._expected) < self.total or len(self._finished) < done:
            return remaining_seconds(self._durations, self.total - done, self.jobs)
        return expected_remaining(
            [(taken, self._expected[name]) for name, taken in self._finished.items()],
            [seconds for name, seconds in self._expected.items() if name not in self._finished],
            self.jobs)

    def say(self, text: str) -> None:
        """A line of its own, with the elapsed time (the clean run, say)."""
        with self._lock:
            self._write(f"[{clock(self._now() - self._started)}] {text}")

    def finished(self, name: str, seconds: float, outcome: str) -> str:
        """Record one finished fault run and write (and return) its line."""
        with self._lock:
            self._durations.append(seconds)
            if name in self._expected:
                self._finished[name] = seconds
            done = len(self._durations)
            left = self._left()
            estimate = "" if left is None or done == self.total else f", about {clock(left)} left"
            line = (f"[{clock(self._now() - self._started)}] fault {done} of {self.total}: "
                    f"{name}: {outcome} ({seconds:.0f} s){estimate}")
            self._write(line)
            return line

    def _write(self, line: str) -> None:
        if self.stream is not None:
            print(line, file=self.stream, flush=True)
