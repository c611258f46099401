"""``ml-test-score merge REPORT.json... --out DIR``: shards of one run, scored as one run.

CI often runs the sections (``-m data``, ``-m model``, ...) or subsets of tests as separate
jobs. Each writes its report; merging rebuilds each shard's run record from ``run.tests`` (every
collected rubric test with its items, whether it was selected and its outcome), folds them with
the plugin's own rule (a failure anywhere wins over a pass, a pass over a skip) and builds the
report with the plugin's own function, so the result is what one full run would have written.
The merged run is complete when the shards together selected tests of all four sections.

Reports of another schema or another rubric catalogue, or without per-test outcomes (written
by an older plugin), are refused in one line: their points would not mean the same.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_ml_test_score.catalogue import CATALOGUE, ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.manual import ManualEvidence
from pytest_ml_test_score.outcomes import RunRecord
from pytest_ml_test_score.reportfile import (
    JSON_NAME,
    MARKDOWN_NAME,
    ReportError,
    load_report,
    write_report,
)
from pytest_ml_test_score.runreport import assemble, manual_from_report


class MergeError(ValueError):
    """Reports that cannot be merged; the message is one line naming the file."""


def catalogue_problem(report: Mapping[str, Any]) -> str | None:
    """The first item whose title differs from this plugin's rubric catalogue."""
    for section in SECTIONS:
        for number in ITEM_NUMBERS:
            title = report["sections"][section]["items"][str(number)]["title"]
            if title != CATALOGUE[(section, number)].title:
                return (f"rubric catalogue differs: {section}:{number} is {title!r}, here "
                        f"{CATALOGUE[(section, number)].title!r}")
    return None


def shard_record(report: Mapping[str, Any]) -> RunRecord:
    """The run record a report was built from (``run.tests``)."""
    run = report.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("tests"), dict):
        raise ValueError("no per-test outcomes (run.tests): written by a plugin older than 0.2; "
                         "rerun the shard")
    record = RunRecord()
    try:
        record.add_tests(run["tests"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"run.tests: malformed entry ({exc})") from None
    return record


def merge_manual(shards: Sequence[Mapping[str, Any]]) -> tuple[ManualEvidence, str]:
    """Evidence valid in every shard (shards of one run saw the same file on the same day)."""
    evidences = [manual_from_report(shard) for shard in shards]
    first = evidences[0]
    valid = {ref: entry for ref, entry in first.valid.items()
             if all(other.valid.get(ref) == entry for other in evidences[1:])}
    problems = list(dict.fromkeys(problem for evidence in evidences
                                  for problem in evidence.problems))
    file = str((shards[0].get("manual_evidence") or {}).get("file", ""))
    return ManualEvidence(valid=valid, problems=problems), file


def merge_unmatched(shards: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """``ml_score_map`` patterns that matched no test in any shard; None without a map."""
    lists = [shard["map"].get("unmatched", []) for shard in shards
             if isinstance(shard.get("map"), dict)]
    if not lists:
        return None
    return [pattern for pattern in dict.fromkeys(lists[0])
            if all(pattern in unmatched for unmatched in lists[1:])]


def merge_reports(shards: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The report one run of all the shards' tests would have written."""
    record = RunRecord()
    for shard in shards:
        record.add_tests(shard["run"]["tests"])
    manual, manual_file = merge_manual(shards)
    return assemble(record, manual, manual_file, merge_unmatched(shards))


def load_shards(paths: Sequence[str]) -> list[dict[str, Any]]:
    """Read and check every report; the first unusable one stops the merge."""
    shards = []
    for path in paths:
        try:
            report = load_report(path)
        except ReportError as exc:
            raise MergeError(str(exc)) from None
        problem = catalogue_problem(report)
        if problem is None:
            try:
                shard_record(report)
            except ValueError as exc:
                problem = str(exc)
        if problem:
            raise MergeError(f"{path}: {problem}")
        shards.append(report)
    return shards


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the merged report is written, 2 when a report cannot be merged."""
    parser = argparse.ArgumentParser(
        prog="ml-test-score merge",
        description="Merge the ml_test_score.json reports of shards of one run into the report "
                    "one full run would have written.")
    parser.add_argument("reports", nargs="+", metavar="REPORT.json")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help=f"write DIR/{JSON_NAME} and DIR/{MARKDOWN_NAME}")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    try:
        merged = merge_reports(load_shards(args.reports))
    except MergeError as exc:
        print(f"ml-test-score merge: error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        json_path, markdown_path = write_report(out, merged)
    except OSError as exc:
        print(f"ml-test-score merge: error: {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"merged {len(args.reports)} report(s): final score {merged['score']:.1f} / "
          f"{merged['max']}{'' if merged['complete'] else ' (incomplete run)'}; wrote "
          f"{json_path} and {markdown_path}")
    return 0
