"""``ml_score_map``: rubric items for existing tests by pattern, so a project adopts the score
without editing its tests.

Each line of the ini option is ``PATTERN = SECTION:ITEM [SECTION:ITEM ...]``::

    [pytest]
    ml_score_map =
        tests/test_schema.py::* = data:1
        test_*_privacy* = data:5
        tests/serving/* = infra:3 monitoring:2

A pattern is an ``fnmatch`` glob, case-sensitive, matched against the test's node id
(``tests/test_schema.py::TestX::test_y[1]``) and against its name without parameters
(``test_y``). A mapped test counts exactly as if it carried the ``rubric`` marks. Entries are
validated like marks: a malformed line is a usage error naming the line and the valid values;
a pattern that matched no collected test is reported in the summary.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.marks import RubricMarkError, RubricRef, validate

INI_NAME = "ml_score_map"
VALID_LINES = (
    f"expected lines PATTERN = SECTION:ITEM [SECTION:ITEM ...] with section one of "
    f"{', '.join(SECTIONS)} and item an integer {ITEM_NUMBERS[0]}-{ITEM_NUMBERS[-1]}"
)
_REF = re.compile(r"^(?P<section>[^:\s]+):(?P<item>\S+)$")


class MapError(ValueError):
    """A line of ``ml_score_map`` that does not map a pattern to rubric items."""


@dataclass(frozen=True)
class MapEntry:
    """One configured line: a glob and the items its tests implement."""

    pattern: str
    refs: tuple[RubricRef, ...]

    def matches(self, nodeid: str, name: str) -> bool:
        """Whether the test with this node id and (parameterless) name is mapped."""
        return fnmatch.fnmatchcase(nodeid, self.pattern) or fnmatch.fnmatchcase(name,
                                                                                self.pattern)


def parse_line(line: str) -> MapEntry:
    """One ``PATTERN = SECTION:ITEM ...`` line; ``MapError`` names the line and the valid form."""
    pattern, equals, targets = line.rpartition("=")
    pattern = pattern.strip()
    try:
        if not equals or not pattern:
            raise RubricMarkError("no PATTERN = before the items")
        words = targets.replace(",", " ").split()
        if not words:
            raise RubricMarkError("no SECTION:ITEM after =")
        refs: set[RubricRef] = set()
        for word in words:
            match = _REF.match(word)
            if match is None:
                raise RubricMarkError(f"{word!r} is not SECTION:ITEM")
            item = match["item"]
            refs.add(validate(match["section"], int(item) if item.isdigit() else item))
    except RubricMarkError as exc:
        raise MapError(f"{INI_NAME}: invalid entry {line.strip()!r}: {exc}; {VALID_LINES}") \
            from None
    return MapEntry(pattern, tuple(sorted(refs)))


def parse_map(lines: Iterable[str]) -> tuple[MapEntry, ...]:
    """Every non-blank line of the ini option, in order (``#`` starts a comment line)."""
    return tuple(parse_line(line) for line in lines
                 if line.strip() and not line.strip().startswith("#"))


def mapped_refs(entries: Sequence[MapEntry], nodeid: str, name: str) -> tuple[RubricRef, ...]:
    """The items all matching entries give the test (sorted, without duplicates)."""
    return tuple(sorted({ref for entry in entries if entry.matches(nodeid, name)
                         for ref in entry.refs}))


def unmatched_patterns(entries: Sequence[MapEntry],
                       tests: Iterable[tuple[str, str]]) -> list[str]:
    """Patterns that matched none of the (node id, name) pairs, in configuration order."""
    remaining = list(entries)
    for nodeid, name in tests:
        remaining = [entry for entry in remaining if not entry.matches(nodeid, name)]
        if not remaining:
            break
    return list(dict.fromkeys(entry.pattern for entry in remaining))


@dataclass
class MapUse:
    """Which patterns matched in this run: in this process's collection, or on xdist workers."""

    entries: tuple[MapEntry, ...]
    local: list[str] | None = None
    workers: list[list[str]] = field(default_factory=list)

    def unmatched(self) -> list[str] | None:
        """Patterns that matched no collected test; None when no map is configured.

        Each xdist worker collects the whole suite, so a pattern is unmatched when it is so on
        every worker.
        """
        if not self.entries:
            return None
        if self.local is not None:
            return self.local
        return [pattern for pattern in dict.fromkeys(entry.pattern for entry in self.entries)
                if all(pattern in unmatched for unmatched in self.workers)]
