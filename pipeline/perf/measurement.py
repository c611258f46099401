"""Measuring speed and memory, and judging a measurement against a reference from the same run.

Wall-clock limits mean nothing across machines, so every judgement here is a ratio: the model
under test against a reference (the course baseline, or a previous version) measured in the same
process, interleaved so that a busy moment of the machine slows both sides alike. The benchmark
command and the non-functional suite share these helpers, so a slowdown that the benchmark
shows is a slowdown the suite fails on.
"""

from __future__ import annotations

import gc
import math
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config import NonfunctionalConfig

REFERENCE_NAME = "course baseline: CountVectorizer + GaussianNB"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between the two nearest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile {q}; expected 0-100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Timing:
    """Wall-clock samples in seconds, after warm-up."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """The typical cost: robust to the odd slow sample."""
        return percentile(self.samples, 50)

    @property
    def p99(self) -> float:
        """The tail a user waiting on one review meets."""
        return percentile(self.samples, 99)


@contextmanager
def untraced() -> Iterator[None]:
    """Time the code, not a tracer or the garbage collector of a large process.

    Under coverage (or a debugger) every Python line pays for a trace call while C code does not,
    so our Python preprocessing would look 2x slower next to the reference's C vectoriser and every
    ratio would drift with the test command's options. Likewise a collection pass costs in
    proportion to everything the process holds (a whole test session's objects), and only the
    side that allocates many small Python objects triggers it, so the collector is paused while
    timing, as `timeit` does.
    """
    tracer = sys.gettrace()
    collecting = gc.isenabled()
    sys.settrace(None)
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        sys.settrace(tracer)


def interleaved(calls: Mapping[str, Callable[[], Any]], warmup: int,
                repeats: int) -> dict[str, Timing]:
    """Time each call `repeats` times, alternating between them, after `warmup` untimed rounds.

    Alternating (rather than timing one side, then the other) exposes both sides to the same
    machine load, which keeps their ratio stable on a shared 2-core box.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    with untraced():
        for _ in range(repeats):
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                samples[name].append(time.perf_counter() - start)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def item_latencies(predictors: Mapping[str, Callable[[list[str]], Any]], items: Sequence[str],
                   warmup: int, repeats: int) -> dict[str, Timing]:
    """Per-review latency: each predictor called on one review at a time, interleaved per review.

    Every sample is one call on one review, so p99 is the tail over reviews and repetitions.
    """
    for item in items[:warmup]:
        for predict in predictors.values():
            predict([item])
    samples: dict[str, list[float]] = {name: [] for name in predictors}
    with untraced():
        for _ in range(repeats):
            for item in items:
                for name, predict in predictors.items():
                    batch = [item]
                    start = time.perf_counter()
                    predict(batch)
                    samples[name].append(time.perf_counter() - start)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def traced_peak(work: Callable[[], Any]) -> tuple[Any, int]:
    """Run `work` under tracemalloc; return its result and the peak bytes allocated during it.

    Measured while the work runs (Python objects and numpy buffers), so it cannot be fooled by
    memory that is freed before anyone looks.
    """
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, max(0, peak - base)


def peak_rss_mb() -> float:
    """The process's high-water resident set size so far (ru_maxrss: KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass(frozen=True)
class Comparison:
    """One cost of the candidate against the same cost of the reference (higher = worse)."""

    name: str
    candidate: float
    reference: float
    max_ratio: float
    paired: float | None = None  # median of per-round ratios, when both were timed in pairs

    @property
    def ratio(self) -> float:
        """Candidate cost per unit of reference cost (the paired figure when there is one)."""
        if self.paired is not None:
            return self.paired
        if self.reference <= 0:
            return math.inf if self.candidate > 0 else 1.0
        return self.candidate / self.reference

    @property
    def passed(self) -> bool:
        """Within tolerance: the candidate costs at most `max_ratio` times the reference."""
        return self.ratio <= self.max_ratio

    def describe(self) -> str:
        """One line for an assertion message or a report."""
        verdict = "ok" if self.passed else "TOO COSTLY"
        how = " (median of paired ratios)" if self.paired is not None else ""
        return (f"{self.name}: candidate {self.candidate:.6g} vs reference {self.reference:.6g}"
                f" = {self.ratio:.3f}x{how} (limit {self.max_ratio:.3f}x) {verdict}")

    def as_dict(self) -> dict[str, Any]:
        """The figures for reports/*.json."""
        return {"candidate": self.candidate, "reference": self.reference,
                "ratio": round(self.ratio, 4), "paired": self.paired is not None,
                "max_ratio": self.max_ratio, "passed": self.passed}


def compare(name: str, candidate: float, reference: float, max_ratio: float) -> Comparison:
    """Judge a candidate cost against a reference cost measured in the same run."""
    if not max_ratio > 0:
        raise ValueError(f"{name}: max_ratio must be positive, got {max_ratio}")
    return Comparison(name, float(candidate), float(reference), float(max_ratio))


def compare_timings(name: str, candidate: Timing, reference: Timing,
                    max_ratio: float) -> Comparison:
    """Judge interleaved timings by their median paired ratio (medians shown beside it)."""
    comparison = compare(name, candidate.median, reference.median, max_ratio)
    return replace(comparison, paired=paired_ratio(candidate, reference))


def paired_ratio(candidate: Timing, reference: Timing) -> float:
    """The median over rounds of candidate / reference, from timings taken interleaved.

    Sample i of each side was measured back to back, so both saw the same moment of the
    machine: load that comes and goes between rounds cancels within a pair, and the median
    drops the pairs that a burst split. A ratio of medians keeps the noise of both sides.
    """
    if len(candidate.samples) != len(reference.samples) or not candidate.samples:
        raise ValueError("paired timings need the same, non-zero number of rounds")
    return percentile([c / r if r > 0 else math.inf
                       for c, r in zip(candidate.samples, reference.samples, strict=True)], 50)


def confirmed(measure: Callable[[], Sequence[Comparison]], attempts: int) -> list[Comparison]:
    """Comparisons that fail only when every one of up to `attempts` measurements fails them.

    A measurement over a limit is repeated, and each comparison keeps its best (lowest) ratio:
    a real regression is there every time, a burst of load beside the run is not. Passing
    figures are never measured again, so a healthy run costs one measurement.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    best = {comparison.name: comparison for comparison in measure()}
    for _ in range(attempts - 1):
        if all(comparison.passed for comparison in best.values()):
            break
        for comparison in measure():
            if comparison.ratio < best[comparison.name].ratio:
                best[comparison.name] = comparison
    return list(best.values())


def densify(matrix: Any) -> Any:
    """Sparse counts -> dense array, as the course code did with `.toarray()` before GaussianNB."""
    return matrix.toarray()


def build_reference_model(max_features: int = 1420):
    """The course baseline: CountVectorizer(max_features) -> dense -> GaussianNB.

    It shares no code with the project's preprocessing, so a slowdown in the project's feature
    code moves the candidate and not the reference.
    """
    # pylint: disable=import-outside-toplevel
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    return Pipeline([
        ("counts", CountVectorizer(max_features=int(max_features))),
        ("dense", FunctionTransformer(densify, accept_sparse=True)),
        ("classifier", GaussianNB(var_smoothing=1e-9)),
    ])


def load_reference_bytes(data: bytes) -> Any:
    """Deserialise the reference's skops bytes, doing the same work as `artifact.loads_model`.

    The reference holds `densify`, a function the project's loader rightly refuses, so it is
    trusted explicitly here; these bytes are made in the same run, never downloaded.
    """
    import skops.io as sio  # pylint: disable=import-outside-toplevel

    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def speed_comparisons(candidate: Callable[[list[str]], Any], reference: Callable[[list[str]], Any],
                      texts: Sequence[str], settings: NonfunctionalConfig) -> list[Comparison]:
    """Per-review latency (p50, p99) and batch time of a predictor against the reference's.

    `settings` is params.yaml `nonfunctional`: warmup, repeats, batch_copies and max_ratio.
    """
    limits = settings.max_ratio
    warmup, repeats = settings.warmup, settings.repeats
    single = item_latencies({"candidate": candidate, "reference": reference}, list(texts),
                            warmup, max(1, repeats // 2))
    batch = list(texts) * settings.batch_copies
    batched = interleaved({"candidate": lambda: candidate(batch),
                           "reference": lambda: reference(batch)}, 2, repeats)
    return [
        compare_timings("latency_p50", single["candidate"], single["reference"],
                        limits.latency_p50),
        compare("latency_p99", single["candidate"].p99, single["reference"].p99,
                limits.latency_p99),
        compare_timings("batch_seconds", batched["candidate"], batched["reference"],
                        limits.batch_seconds),
    ]
