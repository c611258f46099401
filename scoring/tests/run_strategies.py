"""Hypothesis strategies for runs of the rubric tests, and the schema-1 reports built from them.

Shared by the properties of the score and of the comparison; not a test module itself.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.score import build_report

REFS = [RubricRef(s, n) for s in SECTIONS for n in ITEM_NUMBERS]
EVIDENCE = {"date": "2026-01-01", "summary": "done by hand", "results": "docs/x.md"}


def tally(passed: int = 0, failed: int = 0, skipped: int = 0) -> ItemTally:
    """A tally with as many (fake) test ids as outcomes."""
    tests = [f"t.py::test_{i}" for i in range(passed + failed + skipped)]
    return ItemTally(passed, failed, skipped, tests, tests[passed:passed + failed])


counts = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
# (passed, failed, skipped) counts per item, and the items with valid manual evidence.
runs = st.tuples(st.dictionaries(st.sampled_from(REFS), counts),
                 st.sets(st.sampled_from(REFS)))


def report_of(run: tuple[dict[RubricRef, tuple[int, int, int]], set[RubricRef]]
              ) -> dict[str, Any]:
    """The complete run's report."""
    tallies, manual = run
    return build_report({ref: tally(*c) for ref, c in tallies.items()},
                        dict.fromkeys(manual, EVIDENCE), complete=True)
