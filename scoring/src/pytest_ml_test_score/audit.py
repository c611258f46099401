"""`ml-test-score audit`: does each scored rubric test have teeth?

The suites first run clean (every item with tests must score); then once per registered fault
(or per `--fault NAME`), with only the tests of the items that fault claims, stopping once each
of those items has a failing test (the rest could only name more catching tests). The fault runs
start longest first, by the durations of their tests in the clean run (`durations`). Each
faulted run records what the fault patched (its targets, in the test process and in every child
process it reached); a fault whose targets all lie in test code or test support is *refused* and
counts as detecting nothing. An item is *detected* when at least one of its tests failed under
one of its faults that was not refused, and has *proven teeth* when such a fault is of a kind
other than `tolerance`. The audit fails unless every scored item has proven teeth.

Configuration, in pyproject.toml:

    [tool.ml_test_score.audit]
    faults = "ml_tests.faults:FAULTS"   # module:attribute of a faults.FaultRegistry
    paths = ["ml_tests"]                # what the clean run collects
    jobs = 2                            # fault runs in parallel
    pytest_args = ["-p", "no:cacheprovider"]
    clean_args = ["-n", "2"]            # added for the clean run only (it runs alone)
    test_paths = ["tests", "conftest.py"]  # test code: dirs/files from the root, or name globs
    test_modules = ["moto"]             # test support outside the project (module names)
    preload = ["numpy", "sklearn"]      # imported once, each run forked from it (`runner`)
    run_last = ["slow"]                 # markers of tests a faulted run starts after the rest
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pytest_ml_test_score import durations as durations_plugin
from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.config import AuditConfig, ConfigError, load
from pytest_ml_test_score.fault_process import TARGETS_ENV
from pytest_ml_test_score.fault_stop import LAST_ENV, STOP_ENV
from pytest_ml_test_score.faults import (
    FAULT_ENV,
    REGISTRY_ENV,
    TOLERANCE,
    Fault,
    FaultError,
    FaultRegistry,
    load_registry,
)
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.progress import Progress
from pytest_ml_test_score.reportfile import JSON_NAME, ReportError, load_report, write_json
from pytest_ml_test_score.runner import (
    ColdRunner,
    Runner,
    make_runner,
    patched_preloaded,
    preloaded_modules,
)
from pytest_ml_test_score.score import final_score, is_scored, section_score
from pytest_ml_test_score.targets import Target, is_test_code, read_targets, refusal

AUDIT_NAME = "fault_audit.json"
SCHEMA_VERSION = 1


class AuditError(Exception):
    """A problem that stops the audit before it can judge (one line, exit 2)."""


@dataclass
class RunResult:
    """What one pytest run produced: the score report and the tests that failed or errored."""

    report: dict[str, Any]
    failed_tests: set[str] = field(default_factory=set)
    seconds: float = 0.0
    returncode: int = 0
    error: str | None = None
    targets: list[Target] | None = None  # None: no process recorded any (or not run)


def failing_tests(report: Mapping[str, Any]) -> set[str]:
    """Node ids of the rubric tests that failed or errored, as the score report lists them."""
    return {test for section in report.get("sections", {}).values()
            for item in section.get("items", {}).values() for test in item.get("failing", [])}


def unfaulted_environment() -> dict[str, str]:
    """This process's environment without the variables that switch a fault on."""
    return {name: value for name, value in os.environ.items()
            if name not in {FAULT_ENV, STOP_ENV, LAST_ENV}}


def run_pytest(targets: list[str], config: AuditConfig, workdir: Path,
               fault: str | None = None, runner: Runner | None = None,
               extra_args: tuple[str, ...] = ()) -> RunResult:
    """One pytest run (by RUNNER: cold by default) writing its score report into `workdir`,
    with `extra_args` after the configured ones.

    A warm run whose fault patched a module its fork had already imported proves nothing about
    the code that bound the original at import; it is repeated cold.
    """
    runner = runner or ColdRunner()
    workdir.mkdir(parents=True, exist_ok=True)
    env = unfaulted_environment()
    targets_file = workdir / "targets.jsonl"
    targets_file.unlink(missing_ok=True)
    # A fault run's failures are what the audit wants, and the score report names them; their
    # tracebacks, each frame's source parsed, would only fill a log. One line each: a tenth of
    # a second of most fault runs (a project's own --tb in pytest_args wins).
    tracebacks: tuple[str, ...] = ()
    if fault is not None:
        tracebacks = ("--tb=line",)
        env[FAULT_ENV] = fault
        env[REGISTRY_ENV] = str(config.faults)
        env[TARGETS_ENV] = str(targets_file)
        env[STOP_ENV] = "1"
        env[LAST_ENV] = ",".join(config.run_last)
    # "=": with a space, pytest (8.0 at least) takes the scratch directory outside the project
    # for a test path and re-roots the run.
    args = [*targets, *tracebacks, *config.pytest_args, *extra_args, "-q",
            f"--ml-score-report={workdir}"]
    started = time.perf_counter()
    done = runner.run(args, env, workdir)
    seconds = time.perf_counter() - started
    try:
        report = load_report(workdir / JSON_NAME)
    except ReportError:
        tail = done.output.strip().splitlines()[-3:]
        raise AuditError(f"pytest ({fault or 'clean run'}) wrote no score report: "
                         f"{' | '.join(tail)}") from None
    recorded = read_targets(targets_file) if fault is not None else None
    if runner.warm and recorded and patched_preloaded(recorded, preloaded_modules(workdir)):
        return run_pytest(targets, config, workdir, fault)
    return RunResult(report, failing_tests(report), seconds, done.returncode, targets=recorded)


def item_tests(report: Mapping[str, Any], ref: RubricRef) -> list[str]:
    """The node ids of the tests behind one item in a score report."""
    return list(report["sections"][ref.section]["items"][str(ref.item)]["tests"])


def scored_items(report: Mapping[str, Any]) -> list[RubricRef]:
    """Items that earned points in the clean run: the ones whose teeth the audit must prove."""
    return [RubricRef(section, number) for section in SECTIONS for number in ITEM_NUMBERS
            if is_scored(report["sections"][section]["items"][str(number)])]


def fault_targets(fault: Fault, report: Mapping[str, Any]) -> list[str]:
    """The tests a fault's run selects: those of every item it claims to break."""
    return sorted({test for ref in fault.breaks for test in item_tests(report, ref)})


def check_clean(report: Mapping[str, Any]) -> None:
    """The audit only means something if the suites pass without faults."""
    red = [f"{section}:{number} {item['status']}" for section in SECTIONS
           for number, item in report["sections"][section]["items"].items()
           if item["status"] in {"failed", "skipped"}]
    if red:
        raise AuditError(f"the clean run is not green ({', '.join(red)}); fix it before auditing")


def fault_refusal(run: RunResult | None, config: AuditConfig, root: Path) -> str | None:
    """Why a fault's run proves nothing whatever failed under it, or None."""
    if run is None or not run.report:
        return None  # not run: it detects nothing anyway, and there is nothing to judge
    if run.targets is None:
        return "no process recorded its targets (was the ml_test_score_faults plugin loaded?)"
    return refusal(run.targets, root, config.test_paths, config.test_modules)


def item_verdict(claiming: list[str], faults: Mapping[str, Fault], tests: set[str],
                 fault_runs: Mapping[str, RunResult], refused: Mapping[str, str | None]
                 ) -> dict[str, Any]:
    """One item: which of its faults (not refused) its tests caught, their kinds, and whether
    one of them proves teeth (a kind other than `tolerance`)."""
    caught = {name: sorted(fault_runs[name].failed_tests & tests)
              for name in claiming if name in fault_runs and not refused.get(name)}
    caught = {name: by for name, by in caught.items() if by}
    kinds = sorted({faults[name].kind for name in caught})
    return {"faults": list(claiming), "detected": bool(caught), "caught_by": caught,
            "kinds": kinds, "proven": any(kind != TOLERANCE for kind in kinds)}


def judge(clean: Mapping[str, Any], registry: FaultRegistry,
          fault_runs: Mapping[str, RunResult], config: AuditConfig | None = None,
          root: Path | None = None) -> dict[str, Any]:
    """Fold the fault runs into the audit document (schema 1)."""
    config = config or AuditConfig()
    root = root or Path.cwd()
    claims = registry.claims()
    faults = {fault.name: fault for fault in registry}
    refused = {name: fault_refusal(fault_runs.get(name), config, root) for name in faults}
    scored = set(scored_items(clean))
    items: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    for section in SECTIONS:
        for number in ITEM_NUMBERS:
            ref = RubricRef(section, number)
            items[section][str(number)] = {
                **item_verdict(claims.get(ref, []), faults, set(item_tests(clean, ref)),
                               fault_runs, refused),
                "scored": ref in scored}
    entries = [(f"{section}:{number}", entry) for section, numbered in items.items()
               for number, entry in numbered.items()]
    return {"schema": SCHEMA_VERSION, "total": len(SECTIONS) * len(ITEM_NUMBERS),
            "detected": sum(entry["detected"] for _, entry in entries),
            "proven": sum(entry["proven"] for _, entry in entries),
            "undetected_scored": [key for key, entry in entries
                                  if entry["scored"] and not entry["detected"]],
            "unproven_scored": [key for key, entry in entries
                                if entry["scored"] and not entry["proven"]],
            "refused": sorted(name for name, reason in refused.items() if reason),
            "items": items,
            "faults": {name: _fault_entry(fault, fault_runs.get(name), refused[name], config,
                                          root) for name, fault in faults.items()}}


def _fault_entry(fault: Fault, run: RunResult | None, refused: str | None,
                 config: AuditConfig, root: Path) -> dict[str, Any]:
    targets = [] if run is None or run.targets is None else run.targets
    # One entry per name: the copies of a module that child processes patched (a project copy
    # that `dvc repro` runs in, say) differ only by file.
    listed = {(target.how, target.name): {
        "how": target.how, "name": target.name,
        "test_code": is_test_code(target, root, config.test_paths, config.test_modules)}
        for target in targets}
    return {"description": fault.description, "kind": fault.kind,
            "breaks": [str(ref) for ref in fault.breaks],
            "targets": list(listed.values()),
            "refused": refused,
            "seconds": round(run.seconds, 1) if run is not None else None,
            "error": run.error if run is not None else "not run"}


def run_outcome(run: RunResult) -> str:
    """What a fault run showed, in a few words for the progress line."""
    if run.error:
        return "crashed"
    if not run.report:
        return "no test claims it"
    return f"{len(run.failed_tests)} test(s) failed" if run.failed_tests else "nothing failed"


def reused_clean(path: Path) -> RunResult:
    """The score report of a run just made on this tree, standing in for the clean run.

    It must be a complete run (all four sections selected and run): the audit takes from it the
    tests behind each item, and a partial run would leave items without the tests to fault.
    """
    try:
        report = load_report(path)
    except ReportError as exc:
        raise AuditError(str(exc)) from None
    if not report.get("complete"):
        raise AuditError(f"{path}: an incomplete run cannot stand in for the clean run")
    return RunResult(report, failing_tests(report))


@dataclass(frozen=True)
class AuditOptions:
    """What one invocation chose: parallel runs, a subset of faults, progress lines, a reused
    clean run."""

    jobs: int | None = None            # None: the configured `jobs`
    only: list[str] | None = None      # fault names; None: every registered fault
    progress: TextIO | None = None     # where the progress lines go; None: nowhere
    clean_report: Path | None = None   # a complete, green score report standing in for the run


def _selected(registry: FaultRegistry, only: list[str] | None) -> list[str]:
    try:
        return ([registry.get(name).name for name in dict.fromkeys(only)] if only
                else [fault.name for fault in registry])
    except FaultError as exc:
        raise AuditError(str(exc)) from None


def audit(config: AuditConfig, workdir: Path,
          options: AuditOptions = AuditOptions()) -> dict[str, Any]:
    """Run the clean suites (or read the clean report), then every selected fault in parallel,
    and judge."""
    if str(Path.cwd()) not in sys.path:  # as for `python -m pytest`: the project root imports
        sys.path.insert(0, str(Path.cwd()))
    if config.faults is None:  # the one setting without a default: only the project knows it
        raise AuditError("[tool.ml_test_score.audit] needs faults = 'module:attr'")
    try:
        registry = load_registry(config.faults)
    except FaultError as exc:
        raise AuditError(str(exc)) from None
    selected = _selected(registry, options.only)
    workers = max(1, options.jobs or config.jobs)
    tracker = Progress(len(selected), workers, options.progress)
    with make_runner(config.preload, unfaulted_environment()) as runner:
        durations: dict[str, float] = {}
        if options.clean_report is not None:
            tracker.say(f"clean run: {options.clean_report}")
            clean = reused_clean(options.clean_report)
        else:
            tracker.say(f"clean run of {', '.join(config.paths)}")
            timed = workdir / "clean" / "durations.json"
            clean = run_pytest(list(config.paths), config, workdir / "clean", runner=runner,
                               extra_args=(*config.clean_args, "-p", durations_plugin.__name__,
                                           f"{durations_plugin.OPTION}={timed}"))
            durations = durations_plugin.read_durations(timed)
        check_clean(clean.report)
        tracker.say(f"clean run green ({clean.seconds:.0f} s); {len(selected)} fault(s), "
                    f"{workers} at a time")
        targets_of = {name: fault_targets(registry.get(name), clean.report) for name in selected}
        expected = durations_plugin.expected_seconds(selected, targets_of, durations)
        tracker.expect(expected)

        def one(fault_name: str) -> tuple[str, RunResult]:
            targets = targets_of[fault_name]
            if not targets:
                run = RunResult(report={})
            else:
                try:
                    run = run_pytest(targets, config, workdir / fault_name, fault_name, runner)
                except AuditError as exc:  # a fault that crashes the run proves nothing
                    run = RunResult(report={}, error=str(exc))
            tracker.finished(fault_name, run.seconds, run_outcome(run))
            return fault_name, run

        # Longest first, so that no long run starts when the other slots are about to idle.
        order = durations_plugin.longest_first(selected, expected)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            runs = dict(pool.map(one, order))
    result = judge(clean.report, registry, runs, config, Path.cwd())
    result["seconds"] = {"clean": round(clean.seconds, 1)}
    return result


def _proven(entry: Mapping[str, Any]) -> bool:
    """An audited item's teeth; an audit written before fault kinds existed only has
    `detected`."""
    return bool(entry.get("proven", entry.get("detected")))


def proven_points(report: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
    """The stricter figure: only points whose item the audit saw fail under a fault count.

    The score's own rule (``score.section_score``, ``score.final_score``), applied to the
    audited points only, so that the two figures can be compared.
    """
    sections = {section: section_score(
        item for number, item in report["sections"][section]["items"].items()
        if _proven(result["items"][section].get(number, {})))
        for section in SECTIONS}
    return {"score": final_score(sections.values()), "sections": sections}


def teeth_markdown(report: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    """A Markdown section for the score report: per item, audited and caught or not."""
    proven = proven_points(report, result)
    lines = ["", f"### Points with proven teeth: {proven['score']:g} / {report['max']}", "",
             "Only points of items whose tests were seen to fail under a registered fault of a "
             "kind other than `tolerance` (`ml-test-score audit`).", "",
             "| Section | Score | Proven |", "|---|---:|---:|"]
    lines += [f"| {section} | {report['sections'][section]['score']:g} | "
              f"{proven['sections'][section]:g} |" for section in SECTIONS]
    scored = [(section, number) for section in SECTIONS
              for number, item in report["sections"][section]["items"].items() if is_scored(item)]
    unproven = [f"{section}:{number}" for section, number in scored
                if not _proven(result["items"][section][number])]
    lines += ["", f"Scored but not proven: {', '.join(unproven) or 'none'}."]
    if any("kinds" in result["items"][section][number] for section, number in scored):
        lines += ["", "| Item | Caught by faults of kind |", "|---|---|"]
        lines += [f"| {section}:{number} | "
                  f"{', '.join(result['items'][section][number].get('kinds', [])) or 'none'} |"
                  for section, number in scored]
    refused = result.get("refused") or []
    if refused:
        lines += ["", f"Refused faults (they patch only test code or test support): "
                      f"{', '.join(refused)}."]
    return "\n".join(lines) + "\n"


def load_audit(path: str | Path) -> dict[str, Any]:
    """A fault_audit.json, checked for the fields the report needs."""
    try:
        result = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AuditError(f"{path}: {exc}") from None
    if not isinstance(result, dict) or result.get("schema") != SCHEMA_VERSION or not all(
            isinstance(result.get("items", {}).get(section), dict) for section in SECTIONS):
        raise AuditError(f"{path}: not a fault audit of schema {SCHEMA_VERSION}")
    return result


def table(result: Mapping[str, Any]) -> list[str]:
    """The terminal table: item, caught or not, the kinds that caught it, faults -> tests."""
    lines = [f"{'item':<13} {'caught':<7} {'kinds':<16} faults -> failing tests"]
    for section, entries in result["items"].items():
        for number, entry in entries.items():
            if entry.get("proven", entry["detected"]):
                mark = "yes"
            elif entry["detected"]:
                mark = "TOL" if entry["scored"] else "tol"  # caught by tolerance faults only
            else:
                mark = "NO" if entry["scored"] else "-"
            by = "; ".join(f"{name} -> {', '.join(t.split('::')[-1] for t in tests)}"
                           for name, tests in entry["caught_by"].items())
            lines.append(f"{section + ':' + number:<13} {mark:<7} "
                         f"{','.join(entry.get('kinds', [])) or '-':<16} "
                         f"{by or ', '.join(entry['faults']) or '(no fault claims it)'}")
    for name, fault in result.get("faults", {}).items():
        if fault.get("refused"):
            lines.append(f"refused {name} ({fault['kind']}): {fault['refused']}")
    lines.append(f"detected {result['detected']} of {result['total']}; undetected scored items: "
                 f"{', '.join(result['undetected_scored']) or 'none'}")
    if "unproven_scored" in result:
        lines.append(f"proven teeth {result['proven']} of {result['total']}; scored items "
                     f"without a caught fault of a kind other than tolerance: "
                     f"{', '.join(result['unproven_scored']) or 'none'}")
    return lines


def main(argv: list[str]) -> int:
    """Entry point of `ml-test-score audit`."""
    parser = argparse.ArgumentParser(prog="ml-test-score audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", metavar="DIR", help=f"write DIR/{AUDIT_NAME}")
    parser.add_argument("--jobs", type=int, default=None, help="fault runs at once")
    parser.add_argument("--config", default="pyproject.toml", type=Path)
    parser.add_argument("--fault", action="append", metavar="NAME", default=None,
                        help="run only this fault (repeatable); the other faults count as not run")
    parser.add_argument("--clean-report", type=Path, metavar="REPORT.json", default=None,
                        help="the score report of a complete, green run just made on this tree, "
                             "instead of running the suites clean first")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress lines on stderr, only the table")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        config = load(args.config).audit
        with tempfile.TemporaryDirectory(prefix="ml-score-audit-") as scratch:
            result = audit(config, Path(scratch), AuditOptions(
                args.jobs, args.fault, None if args.quiet else sys.stderr, args.clean_report))
    except (ConfigError, AuditError) as exc:
        print(f"ml-test-score audit: error: {exc}", file=sys.stderr)
        return 2
    result["seconds"]["total"] = round(time.perf_counter() - started, 1)
    for line in table(result):
        print(line)
    print(f"audit took {result['seconds']['total']} s")
    if args.report:
        write_json(Path(args.report) / AUDIT_NAME, result)
    return 1 if result["unproven_scored"] else 0
