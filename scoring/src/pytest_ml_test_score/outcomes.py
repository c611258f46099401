"""Fold pytest's per-phase reports into one outcome per test and one tally per rubric item.

A test counts as passed only when its call passed and no phase failed: an error in setup or
teardown is a failure (contract section 2). Expected failures are not passes (pytest reports
them as skipped); a non-strict XPASS is reported by pytest as passed and counts as passed; a
strict XPASS is reported as failed. Tests that never ran (deselected, interrupted) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pytest_ml_test_score.marks import RubricRef

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
_RANK = {None: 0, SKIPPED: 1, PASSED: 2, FAILED: 3}


def phase_outcome(when: str, outcome: str) -> str | None:
    """What one phase report says about its test, or None when it says nothing.

    A passing setup or teardown says nothing (the call decides); other outcomes of plugins
    (such as ``rerun``) are ignored.
    """
    if outcome == FAILED:
        return FAILED
    if outcome == SKIPPED and when in ("setup", "call"):
        return SKIPPED
    if outcome == PASSED and when == "call":
        return PASSED
    return None


def combine(previous: str | None, new: str | None) -> str | None:
    """Failure dominates a pass, which dominates a skip, in whatever order phases arrive."""
    return new if _RANK[new] > _RANK[previous] else previous


@dataclass
class ItemTally:
    """How the tests of one item fared in a run."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    tests: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)


@dataclass
class RunRecord:
    """Everything the score needs from a run, fed by hooks (serial) or worker messages (xdist).

    ``catalogue`` maps every collected rubric test (selected or not) to its refs; ``selected``
    holds the node ids that were not deselected; ``outcomes`` the folded outcome per node id.
    """

    catalogue: dict[str, tuple[RubricRef, ...]] = field(default_factory=dict)
    selected: set[str] = field(default_factory=set)
    outcomes: dict[str, str | None] = field(default_factory=dict)

    def add_collected(self, nodeid: str, refs: Iterable[RubricRef], selected: bool) -> None:
        """Record one collected rubric test."""
        self.catalogue[nodeid] = tuple(sorted(set(self.catalogue.get(nodeid, ())) | set(refs)))
        if selected:
            self.selected.add(nodeid)

    def add_report(self, nodeid: str, when: str, outcome: str) -> None:
        """Fold one phase report of a rubric test (reports of other tests are ignored)."""
        self.add_outcome(nodeid, phase_outcome(when, outcome))

    def to_message(self) -> dict[str, object]:
        """Plain data for ``config.workeroutput`` (execnet only carries builtins)."""
        return {
            "catalogue": {nodeid: [str(ref) for ref in refs]
                          for nodeid, refs in self.catalogue.items()},
            "selected": sorted(self.selected),
        }

    def merge_message(self, message: Mapping[str, object]) -> None:
        """Add a worker's collection catalogue (see ``to_message``)."""
        selected = set(message.get("selected", ()))  # type: ignore[call-overload]
        catalogue: Mapping[str, list[str]]
        catalogue = message.get("catalogue", {})  # type: ignore[assignment]
        for nodeid, refs in catalogue.items():
            self.add_collected(nodeid, [RubricRef.parse(ref) for ref in refs],
                               selected=nodeid in selected)

    def add_outcome(self, nodeid: str, outcome: str | None) -> None:
        """Fold an already folded outcome (of another shard) into this record's."""
        if outcome is not None and nodeid in self.catalogue:
            self.outcomes[nodeid] = combine(self.outcomes.get(nodeid), outcome)

    def to_tests(self) -> dict[str, dict[str, object]]:
        """Per collected test: its items, whether it was selected and its folded outcome.

        This is what a report carries so that shards can be merged (``from_tests``).
        """
        return {nodeid: {"items": [str(ref) for ref in self.catalogue[nodeid]],
                         "selected": nodeid in self.selected,
                         "outcome": self.outcomes.get(nodeid)}
                for nodeid in sorted(self.catalogue)}

    def add_tests(self, tests: Mapping[str, Mapping[str, object]]) -> None:
        """Fold the ``to_tests`` data of a shard into this record; refs must be valid."""
        for nodeid, entry in tests.items():
            items: list[str] = entry["items"]  # type: ignore[assignment]
            refs = [RubricRef.parse(str(ref)) for ref in items]
            self.add_collected(nodeid, refs, selected=bool(entry["selected"]))
            outcome = entry.get("outcome")
            if outcome not in _RANK:
                raise ValueError(f"{nodeid}: outcome {outcome!r} is not one of passed, failed, "
                                 "skipped or null")
            self.add_outcome(nodeid, outcome)  # type: ignore[arg-type]

    def unfinished(self) -> set[str]:
        """Selected tests that reached no outcome: the run stopped before them (``-x``)."""
        return {nodeid for nodeid in self.selected if self.outcomes.get(nodeid) is None}

    def sections_selected(self) -> set[str]:
        """Sections with at least one selected test: a run is complete when all four are."""
        return {ref.section for nodeid in self.selected for ref in self.catalogue.get(nodeid, ())}

    def tallies(self) -> dict[RubricRef, ItemTally]:
        """Per item: how many of its tests passed, failed or did not run to a result."""
        result: dict[RubricRef, ItemTally] = {}
        for nodeid in sorted(self.catalogue):
            outcome = self.outcomes.get(nodeid) or SKIPPED
            for ref in self.catalogue[nodeid]:
                tally = result.setdefault(ref, ItemTally())
                setattr(tally, outcome, getattr(tally, outcome) + 1)
                tally.tests.append(nodeid)
                if outcome == FAILED:
                    tally.failing.append(nodeid)
        return result
