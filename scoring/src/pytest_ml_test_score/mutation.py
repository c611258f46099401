"""`ml-test-score mutation`: how many deliberately planted bugs do the unit tests catch?

mutmut rewrites the modules named in ``[tool.mutmut]`` (one small change per mutant: an operator,
a constant, a string) and runs, for each mutant, only the tests that call the mutated function.
A mutant is *killed* when a test fails. A high line coverage says the code ran; a high mutation
score says the tests would notice if it computed something else.

The run takes minutes, so it is a documented command and not part of every CI run. Results are
read back through mutmut's own ``mutmut results --all true`` listing (its public interface, not
its cache files), folded per module, printed, and written to ``<reports>/mutation.json``. The
command exits 1 when the score is below ``[tool.ml_test_score.mutation] min_score``.

Score = (killed + timeout) / mutants with a verdict, in percent. A timeout counts as caught (the
mutant made the tests hang); a mutant no selected test reaches counts as *not* caught.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil

# Runs mutmut with an argument list built here, never through a shell.
import subprocess  # nosec B404
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_ml_test_score.config import (
    PYPROJECT,
    ConfigError,
    add_root_option,
    load,
    project_root,
)
from pytest_ml_test_score.reportfile import write_json

MUTATION_NAME = "mutation.json"
SCHEMA_VERSION = 1
# mutmut's status words, grouped into the columns of the report.
KILLED = ("killed", "caught by type check")
TIMEOUT = ("timeout",)
SURVIVED = ("survived",)
NO_TESTS = ("no tests",)
UNCHECKED = ("not checked", "skipped")  # no verdict: left out of the score
COLUMNS = ("killed", "survived", "timeout", "no_tests", "other")
_LINE = re.compile(r"^\s+(?P<name>\S+): (?P<status>[a-z][a-z ]*)$")


class MutationError(Exception):
    """A problem that stops the command before it can judge (one line, exit 2)."""


def parse_results(output: str) -> dict[str, str]:
    """Mutant name -> status from the lines of ``mutmut results --all true``.

    Other lines (warnings, progress) are ignored; a mutant listed twice keeps its last status.
    """
    results = {}
    for line in output.splitlines():
        match = _LINE.match(line)
        if match and "__mutmut_" in match["name"]:
            results[match["name"]] = match["status"].strip()
    return results


def split_name(mutant: str) -> tuple[str, str]:
    """(module, function) of a mutant: ``pipeline.reviews.x_parse_reviews__mutmut_3`` gives
    ``("pipeline.reviews", "parse_reviews")``, ``m.xǁCǁf__mutmut_1`` gives ``("m", "C.f")``."""
    module, _, mangled = mutant.partition("__mutmut_")[0].rpartition(".")
    if module and mangled.startswith("x_"):
        return module, mangled[2:]
    if module and mangled.startswith("xǁ") and mangled.count("ǁ") == 2:
        return module, mangled[2:].replace("ǁ", ".")
    raise MutationError(f"mutmut results: cannot tell the module of mutant {mutant!r}")


def column(status: str) -> str | None:
    """The report column of a mutmut status; None for mutants without a verdict."""
    if status in UNCHECKED:
        return None
    for name, statuses in (("killed", KILLED), ("survived", SURVIVED), ("timeout", TIMEOUT),
                           ("no_tests", NO_TESTS)):
        if status in statuses:
            return name
    return "other"  # suspicious, segfault, interrupted: a verdict, but not a catch


def score(counts: Mapping[str, int]) -> float | None:
    """Percent of the judged mutants that the tests caught; None when nothing was judged."""
    judged = sum(counts[name] for name in COLUMNS)
    if not judged:
        return None
    return round(100.0 * (counts["killed"] + counts["timeout"]) / judged, 1)


def tally(results: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per module: the count of each column, the mutants without a verdict, and the score."""
    modules: dict[str, dict[str, Any]] = {}
    for mutant, status in sorted(results.items()):
        module, _ = split_name(mutant)
        counts = modules.setdefault(module, {**dict.fromkeys(COLUMNS, 0), "unchecked": 0})
        name = column(status)
        counts[name or "unchecked"] += 1
    for counts in modules.values():
        counts["score"] = score(counts)
    return dict(sorted(modules.items()))


def totals(modules: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The sum over modules, with its own score (not a mean of module scores)."""
    summed: dict[str, Any] = {name: sum(counts[name] for counts in modules.values())
                              for name in (*COLUMNS, "unchecked")}
    summed["score"] = score(summed)
    return summed


def is_excluded(mutant: str, patterns: Iterable[str]) -> bool:
    """Whether the mutant's ``module.function`` matches one of the exclusion globs."""
    qualified = ".".join(split_name(mutant))
    return any(fnmatch.fnmatchcase(qualified, pattern) for pattern in patterns)


def build_report(results: Mapping[str, str], min_score: float, seconds: float | None = None,
                 exclude: Sequence[str] = ()) -> dict[str, Any]:
    """The ``mutation.json`` document (schema 1)."""
    excluded = {name for name in results if is_excluded(name, exclude)}
    results = {name: status for name, status in results.items() if name not in excluded}
    modules = tally(results)
    total = totals(modules)
    listed = {kind: [{"name": mutant, "module": split_name(mutant)[0],
                      "function": split_name(mutant)[1]}
                     for mutant, status in sorted(results.items()) if column(status) == kind]
              for kind in ("survived", "no_tests", "other")}
    return {
        "schema": SCHEMA_VERSION,
        "min_score": min_score,
        "passed": total["score"] is not None and total["score"] >= min_score,
        "complete": total["unchecked"] == 0,
        "seconds": None if seconds is None else round(seconds, 1),
        "totals": total,
        "modules": modules,
        "survivors": listed["survived"],
        "no_tests": listed["no_tests"],
        "other": listed["other"],
        "excluded": {"patterns": list(exclude), "mutants": len(excluded)},
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def render(report: Mapping[str, Any]) -> list[str]:
    """The terminal table: one row per module, then the total and the verdict."""
    modules = report["modules"]
    width = max([len("module"), len("total"), *map(len, modules)])
    header = (f"{'module':<{width}} {'killed':>7} {'survived':>8} {'timeout':>7} "
              f"{'no tests':>8} {'other':>6} {'score':>7}")
    lines = [header, "-" * len(header)]
    for name, counts in [*modules.items(), ("total", report["totals"])]:
        if name == "total":
            lines.append("-" * len(header))
        lines.append(f"{name:<{width}} {counts['killed']:>7} {counts['survived']:>8} "
                     f"{counts['timeout']:>7} {counts['no_tests']:>8} {counts['other']:>6} "
                     f"{_percent(counts['score']):>7}")
    total = report["totals"]
    if total["unchecked"]:
        lines.append(f"{total['unchecked']} mutant(s) not checked yet (interrupted run?): "
                     "they are left out of the score")
    excluded = report["excluded"]
    if excluded["mutants"]:
        lines.append(f"{excluded['mutants']} mutant(s) of excluded functions left out: "
                     f"{', '.join(excluded['patterns'])}")
    verdict = "OK" if report["passed"] else "BELOW THE MINIMUM"
    lines.append(f"mutation score {_percent(total['score'])} "
                 f"(minimum {report['min_score']:g}%): {verdict}")
    return lines


def mutmut_command() -> list[str]:
    """mutmut's console script of the running interpreter's environment.

    ``python -m mutmut`` re-executes mutmut's main module, which mutmut warns against.
    """
    beside = Path(sys.executable).parent / "mutmut"
    found = str(beside) if beside.is_file() else shutil.which("mutmut")
    if not found:
        raise MutationError("mutmut is not installed; install the dev extras "
                            "(pip install -e '.[dev]')")
    return [found]


def run_command(max_children: int | None, mutants: Sequence[str]) -> list[str]:
    """The ``mutmut run`` arguments; named mutants (globs allowed) are re-run even if judged."""
    command = ["run"]
    if max_children is not None:
        command += ["--max-children", str(max_children)]
    return command + list(mutants)


def read_results(root: Path) -> dict[str, str]:
    """What mutmut recorded for every mutant of the configured modules."""
    done = subprocess.run([*mutmut_command(), "results", "--all", "true"],  # nosec B603
                          cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        raise MutationError(f"mutmut results failed (exit {done.returncode}): {tail}")
    return parse_results(done.stdout)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ml-test-score mutation",
        description="Run mutmut over the modules of [tool.mutmut], print the mutation score per "
                    "module and write <reports>/mutation.json; exit 1 below "
                    "[tool.ml_test_score.mutation] min_score.")
    add_root_option(parser)
    parser.add_argument("--max-children", type=int, default=None,
                        help="mutants tested at once (mutmut's default: the number of CPUs)")
    parser.add_argument("--no-run", action="store_true",
                        help="only report the results of the last run")
    parser.add_argument("mutants", nargs="*",
                        help="re-run only these mutants (names or globs, as mutmut takes them)")
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Exit 0 at or above the minimum score, 1 below it, 2 when mutmut or the config fails."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    try:
        root = project_root(args.root)
        config = load(root / PYPROJECT).mutation
        seconds = None
        if not args.no_run:
            started = time.perf_counter()
            # mutmut draws its own progress line on the terminal: let it through.
            done = subprocess.run(  # nosec B603
                [*mutmut_command(), *run_command(args.max_children, args.mutants)],
                cwd=root, check=False)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                raise MutationError(f"mutmut run failed (exit {done.returncode}); see its output "
                                    "above")
        results = read_results(root)
        if not results:
            raise MutationError("mutmut recorded no mutants; run without --no-run first")
    except (ConfigError, MutationError) as exc:
        print(f"ml-test-score mutation: error: {exc}", file=sys.stderr)
        return 2
    report = build_report(results, config.min_score, seconds, config.exclude)
    target = root / config.reports / MUTATION_NAME
    write_json(target, report)
    print("\n".join(render(report)))
    print(f"mutation: wrote {target.relative_to(root)}")
    return 0 if report["passed"] else 1
