"""Difference of two schema-1 reports: which items were gained or lost, and by how much."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS


def _change(base: float, head: float) -> dict[str, float]:
    return {"base": base, "head": head, "delta": head - base}


def compare_reports(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """Changes of the final score, of every section, and of every item whose status changed."""
    items = []
    for section in SECTIONS:
        for number in ITEM_NUMBERS:
            old = base["sections"][section]["items"][str(number)]
            new = head["sections"][section]["items"][str(number)]
            if old["status"] != new["status"] or old["points"] != new["points"]:
                items.append({
                    "section": section,
                    "item": number,
                    "title": new["title"],
                    "base_status": old["status"],
                    "head_status": new["status"],
                    "delta": new["points"] - old["points"],
                })
    return {
        "score": _change(base["score"], head["score"]),
        "complete": {"base": base["complete"], "head": head["complete"]},
        "sections": {s: _change(base["sections"][s]["score"], head["sections"][s]["score"])
                     for s in SECTIONS},
        "items": items,
    }
