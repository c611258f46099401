"""Pure scoring: statuses, points, section sums and the final score (contract section 2).

No pytest in here: the gate, the audit and the CLI build on these functions and on the JSON they
produce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_ml_test_score.catalogue import (
    CATALOGUE,
    ITEM_NUMBERS,
    MAX_SCORE,
    POINTS,
    SECTIONS,
    interpret,
)
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally

SCHEMA_VERSION = 1


def item_status(tally: ItemTally | None, manual: bool) -> str:
    """Status of one item from its tally and whether valid manual evidence exists.

    A failure always wins (manual evidence cannot cover a red test); a pass wins over manual
    evidence; manual evidence lifts a skipped or missing item to half a point.
    """
    if tally is not None and tally.failed:
        return "failed"
    if tally is not None and tally.passed:
        return "automated"
    if manual:
        return "manual"
    if tally is not None and tally.tests:
        return "skipped"
    return "missing"


def is_scored(item: Mapping[str, Any]) -> bool:
    """Whether a report item earned points (half a point for manual evidence counts)."""
    return item["points"] > 0


def section_score(items: Iterable[Mapping[str, Any]]) -> float:
    """A section's score: the sum of its items' points, so every item weighs the same."""
    return float(sum(item["points"] for item in items))


def final_score(section_scores: Iterable[float]) -> float:
    """The paper's final score: the weakest section decides."""
    return float(min(section_scores))


def build_report(
    tallies: Mapping[RubricRef, ItemTally],
    manual: Mapping[RubricRef, Mapping[str, Any]],
    complete: bool,
) -> dict[str, Any]:
    """The schema-1 report (contract section 3) as plain, deterministically ordered data.

    ``manual`` holds only valid, unexpired evidence; an entry for an item whose tests passed or
    failed is not used, and the item carries no ``evidence`` key.
    """
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        items: dict[str, Any] = {}
        for number in ITEM_NUMBERS:
            ref = RubricRef(section, number)
            tally = tallies.get(ref) or ItemTally()
            status = item_status(tally, ref in manual)
            entry: dict[str, Any] = {
                "title": CATALOGUE[(section, number)].title,
                "points": POINTS[status],
                "status": status,
                "passed": tally.passed,
                "failed": tally.failed,
                "skipped": tally.skipped,
                "tests": sorted(tally.tests),
            }
            if tally.failing:
                entry["failing"] = sorted(tally.failing)
            if status == "manual":
                entry["evidence"] = dict(manual[ref])
            items[str(number)] = entry
        sections[section] = {
            "score": section_score(items.values()),
            "items": items,
        }
    score = final_score(body["score"] for body in sections.values())
    return {
        "schema": SCHEMA_VERSION,
        "score": score,
        "max": MAX_SCORE,
        "complete": complete,
        "interpretation": interpret(score),
        "sections": sections,
    }


def unused_evidence(report: Mapping[str, Any],
                    manual: Mapping[RubricRef, Mapping[str, Any]]) -> list[str]:
    """Valid manual entries that earned nothing because the item has an automated result."""
    notes = []
    for ref in sorted(manual):
        status = report["sections"][ref.section]["items"][str(ref.item)]["status"]
        if status != "manual":
            notes.append(f"{ref}: not used, the item is {status} by its tests")
    return notes
