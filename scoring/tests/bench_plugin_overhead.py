"""Measure what the ml_test_score plugin adds to a pytest run (not collected as a test).

Usage: python tests/bench_plugin_overhead.py [--tests N] [--repeat R] [--suite DIR]

Runs the same suite R times with the distribution's plugins and R times without them (``-p
no:ml_test_score -p no:ml_test_score_faults``: what installing it costs a project),
interleaved so that machine load affects both alike, and prints for wall time and CPU time (user
+ sys of the pytest process) the ratio of the medians, the median of the ratios of adjacent
pairs and the ratio of the minima (the least load-sensitive estimate on a busy machine).
Without ``--suite`` it generates N rubric-marked tests (parametrized, several marks, some
unmarked) in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECTIONS = ("data", "model", "infra", "monitoring")
INI = """[pytest]
markers =
    rubric(section, item): rubric item
    data: section
    model: section
    infra: section
    monitoring: section
"""


def write_suite(root: Path, tests: int) -> None:
    """N tests over four modules, most marked, a fifth parametrized, some with two marks."""
    (root / "pytest.ini").write_text(INI)
    per_module = tests // len(SECTIONS)
    for index, section in enumerate(SECTIONS):
        lines = ["import pytest", ""]
        for number in range(per_module):
            if number % 5 == 4:
                lines += ["@pytest.mark.parametrize('x', range(5))",
                          f"@pytest.mark.rubric('{section}', {number % 7 + 1})",
                          f"def test_{number}(x): assert x >= 0", ""]
            elif number % 7 == 6:
                lines += [f"def test_{number}(): assert {number} > 0", ""]
            else:
                lines += [f"@pytest.mark.rubric('{section}', {number % 7 + 1})",
                          f"@pytest.mark.rubric('{SECTIONS[(index + 1) % 4]}', 1)",
                          f"def test_{number}(): assert {number} >= 0", ""]
        (root / f"test_{section}.py").write_text("\n".join(lines))


def run_once(suite: Path, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one pytest process."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, str(suite)]
    start = time.perf_counter()
    with subprocess.Popen(command, cwd=suite, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as process:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"pytest exited {process.returncode}: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(suite: Path, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Interleaved runs with and without the plugin (one warm-up of each first)."""
    variants = {"with": [], "without": ["-p", "no:ml_test_score", "-p", "no:ml_test_score_faults"]}
    for extra in variants.values():
        run_once(suite, extra)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(repeat):
        for name, extra in variants.items():
            results[name].append(run_once(suite, extra))
    return results


def main(argv: list[str] | None = None) -> int:
    """Print medians and the with/without ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--suite", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        suite = args.suite or Path(tmp)
        if args.suite is None:
            write_suite(suite, args.tests)
        results = measure(suite, args.repeat)
    for index, label in ((0, "wall"), (1, "cpu")):
        with_ = [run[index] for run in results["with"]]
        without = [run[index] for run in results["without"]]
        paired = statistics.median(a / b for a, b in zip(with_, without, strict=True))
        print(f"{label:>4}: with {statistics.median(with_):.3f} s / without "
              f"{statistics.median(without):.3f} s (medians of {args.repeat}); ratio of medians "
              f"{statistics.median(with_) / statistics.median(without):.3f}, median of paired "
              f"ratios {paired:.3f}, ratio of minima {min(with_) / min(without):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
