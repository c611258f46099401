"""When a faulted run has shown all it can: every claimed item has a failing test.

The audit only asks, per item a fault claims, whether at least one of the item's tests failed
under it. Once each claimed item (that has tests in the run) has one, the remaining tests can
only add names to the list of tests that caught it, at the cost of the slowest part of the
audit; so the audit stops such a run there (ML_TEST_SCORE_FAULT_STOP=1, which it sets; a run
by hand goes to the end and shows every failure).

For the same reason such a run starts the tests carrying one of the audit's ``run_last``
markers (ML_TEST_SCORE_FAULT_LAST, comma-separated; e.g. the project's ``slow``) only after the
others: a cheap test that catches the fault spares the expensive ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from pytest_ml_test_score.marks import RubricRef

STOP_ENV = "ML_TEST_SCORE_FAULT_STOP"
LAST_ENV = "ML_TEST_SCORE_FAULT_LAST"
Item = TypeVar("Item")


def last_markers(value: str | None) -> frozenset[str]:
    """The marker names in ML_TEST_SCORE_FAULT_LAST's VALUE."""
    return frozenset(name.strip() for name in (value or "").split(",") if name.strip())


def expensive_last(items: Sequence[Item], markers_of: Callable[[Item], Iterable[str]],
                   last: frozenset[str]) -> list[Item]:
    """ITEMS in their order, except that those carrying a marker in LAST come after the rest."""
    return sorted(items, key=lambda item: not last.isdisjoint(markers_of(item)))


class CatchWatch:
    """The claimed items still waiting for a failing test, over the tests a run collected."""

    def __init__(self, claimed: Iterable[RubricRef],
                 collected: Mapping[str, Iterable[RubricRef]]) -> None:
        self.refs = {nodeid: frozenset(refs) for nodeid, refs in collected.items()}
        present = frozenset().union(*self.refs.values()) if self.refs else frozenset()
        self.pending = set(claimed) & present

    def failed(self, nodeid: str) -> bool:
        """Note a failed test; True once no claimed item waits any more."""
        if not self.pending:
            return False  # nothing claimed is in this run: there is nothing to stop early for
        self.pending -= self.refs.get(nodeid, frozenset())
        return not self.pending
