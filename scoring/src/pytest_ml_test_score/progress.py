"""Progress of a long audit: fault N of M, elapsed, and an estimate of what remains.

An audit runs one pytest session per fault, for minutes; without a sign of life a CI log looks
hung and a developer cannot tell whether to wait. The estimate is the mean duration of the
faults finished so far spread over the parallel jobs: crude, but it needs nothing the audit
does not already know. Plain lines, not a redrawn bar: they read the same in a terminal and in
a CI log, and the plugin depends on pytest alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
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
        self._lock = threading.Lock()

    def say(self, text: str) -> None:
        """A line of its own, with the elapsed time (the clean run, say)."""
        with self._lock:
            self._write(f"[{clock(self._now() - self._started)}] {text}")

    def finished(self, name: str, seconds: float, outcome: str) -> str:
        """Record one finished fault run and write (and return) its line."""
        with self._lock:
            self._durations.append(seconds)
            done = len(self._durations)
            left = remaining_seconds(self._durations, self.total - done, self.jobs)
            estimate = "" if left is None or done == self.total else f", about {clock(left)} left"
            line = (f"[{clock(self._now() - self._started)}] fault {done} of {self.total}: "
                    f"{name}: {outcome} ({seconds:.0f} s){estimate}")
            self._write(line)
            return line

    def _write(self, line: str) -> None:
        if self.stream is not None:
            print(line, file=self.stream, flush=True)
