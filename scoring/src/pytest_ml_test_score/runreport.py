"""The report of a run, from what the run recorded: one function for the plugin and for merge.

The plugin calls ``assemble`` at the end of a session; ``ml-test-score merge`` rebuilds the
record of every shard from its report (``run.tests``), folds them, and calls the same function,
so merged shards give the bytes one full run gives.

Beyond contract schema 1 (additive keys, schema stays 1): ``run`` holds per collected rubric test
its items, whether it was selected and its folded outcome, and the sections selected;
``manual_evidence.valid`` the evidence that was valid in the run; ``map`` (only when
``ml_score_map`` is configured) the patterns that matched no test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_ml_test_score.catalogue import SECTIONS
from pytest_ml_test_score.manual import ManualEvidence
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import RunRecord
from pytest_ml_test_score.score import build_report, unused_evidence


def assemble(record: RunRecord, manual: ManualEvidence, manual_file: str,
             unmatched: Sequence[str] | None = None) -> dict[str, Any]:
    """The schema-1 report of RECORD; ``unmatched`` is None when no ``ml_score_map`` is set."""
    selected = record.sections_selected()
    # A run is the project's score only if it selected all four sections and ran every
    # selected test to an outcome (a run stopped early did not).
    complete = selected == set(SECTIONS) and not record.unfinished()
    report = build_report(record.tallies(), manual.valid, complete=complete)
    report["manual_evidence"] = {
        "file": manual_file,
        "problems": list(manual.problems),
        "unused": unused_evidence(report, manual.valid),
        "valid": {str(ref): dict(manual.valid[ref]) for ref in sorted(manual.valid)},
    }
    if unmatched is not None:
        report["map"] = {"unmatched": list(unmatched)}
    report["run"] = {
        "sections_selected": [section for section in SECTIONS if section in selected],
        "tests": record.to_tests(),
    }
    return report


def manual_from_report(report: Mapping[str, Any]) -> ManualEvidence:
    """The manual evidence as the run saw it (valid entries and problems)."""
    evidence = report.get("manual_evidence") or {}
    valid = {RubricRef.parse(ref): dict(entry)
             for ref, entry in (evidence.get("valid") or {}).items()}
    return ManualEvidence(valid=valid, problems=list(evidence.get("problems") or []))
