"""Parse and validate ``@pytest.mark.rubric(section, item)`` marks.

Validation is strict so that a typo (``"Data"``, ``item=8``, ``"3"``) fails loudly at collection
instead of silently leaving an item "missing" in the score.
"""

from __future__ import annotations

import functools

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_ml_test_score.catalogue import ITEM_NUMBERS, SECTIONS

MARK_NAME = "rubric"
VALID_VALUES = (
    f"expected @pytest.mark.{MARK_NAME}(section, item) with section one of "
    f"{', '.join(SECTIONS)} and item an integer {ITEM_NUMBERS[0]}-{ITEM_NUMBERS[-1]}"
)


class RubricMarkError(ValueError):
    """A rubric mark that does not name an item of the rubric."""


@dataclass(frozen=True, order=True)
class RubricRef:
    """A reference from a test to one rubric item; ``str()`` gives ``data:3``."""

    section: str
    item: int

    def __str__(self) -> str:
        return f"{self.section}:{self.item}"

    @classmethod
    def parse(cls, text: str) -> RubricRef:
        """Inverse of ``str()``, used for refs carried through test reports."""
        section, _, item = text.partition(":")
        return validate(section, int(item) if item.isdigit() else item)


def validate(section: Any, item: Any) -> RubricRef:
    """Check one (section, item) pair; raise ``RubricMarkError`` describing what is wrong."""
    if not isinstance(section, str) or section not in SECTIONS:
        raise RubricMarkError(f"unknown section {section!r}")
    if isinstance(item, bool) or not isinstance(item, int) or item not in ITEM_NUMBERS:
        raise RubricMarkError(f"item {item!r} of section {section!r} is not an integer 1-7")
    return RubricRef(section, item)


def parse_mark_args(args: Sequence[Any], kwargs: Mapping[str, Any]) -> RubricRef:
    """Turn the arguments of one mark into a ref; accepts positional or keyword form."""
    unknown = sorted(set(kwargs) - {"section", "item"})
    if unknown:
        raise RubricMarkError(f"unexpected keyword argument(s) {', '.join(unknown)}")
    values = list(args)
    for name in ("section", "item")[len(values):]:
        if name in kwargs:
            values.append(kwargs[name])
    if len(values) != 2 or len(args) + len(kwargs) != 2:
        raise RubricMarkError(f"takes exactly 2 arguments, got {len(args) + len(kwargs)}")
    return validate(values[0], values[1])


@functools.lru_cache(maxsize=4096)
def _parse_hashable(args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...],
                    types: tuple[type, ...]) -> RubricRef:
    del types  # part of the key only: 1 and True hash alike, and only one is a valid item
    return parse_mark_args(args, dict(kwargs))


def _parsed(args: Sequence[Any], kwargs: Mapping[str, Any]) -> RubricRef:
    """`parse_mark_args`, remembered: a suite repeats the same few marks on thousands of tests
    (parametrized copies, class marks), and each is read at collection and again at the end of
    it."""
    try:
        pairs = tuple(sorted(kwargs.items()))
        return _parse_hashable(tuple(args), pairs,
                               tuple(type(value) for value in (*args, *kwargs.values())))
    except TypeError:  # an unhashable argument: parse it as it is, for its error message
        return parse_mark_args(args, kwargs)


_BY_MARK: dict[int, tuple[Any, RubricRef]] = {}
_BY_MARK_SIZE = 4096


def _ref_of(mark: Any) -> RubricRef:
    """`_parsed` by the mark object itself: pytest hands the same ``Mark`` to every parametrized
    copy of a test and to each pass over the items, so most reads need no key built at all.

    The entry holds the mark, so its id cannot be reused by another object while it is cached.
    """
    entry = _BY_MARK.get(id(mark))
    if entry is not None and entry[0] is mark:
        return entry[1]
    ref = _parsed(mark.args, mark.kwargs)
    if len(_BY_MARK) >= _BY_MARK_SIZE:
        _BY_MARK.clear()
    _BY_MARK[id(mark)] = (mark, ref)
    return ref


def refs_from_marks(marks: Iterable[Any], nodeid: str) -> tuple[RubricRef, ...]:
    """Sorted, de-duplicated refs of a test's ``rubric`` marks (``Mark`` objects or lookalikes).

    The error message names the test and the valid values so that it is actionable on its own.
    """
    refs: set[RubricRef] = set()
    for mark in marks:
        try:
            refs.add(_ref_of(mark))
        except RubricMarkError as exc:
            raise RubricMarkError(
                f"{nodeid}: invalid rubric mark {_describe(mark)}: {exc}; {VALID_VALUES}"
            ) from None
    return tuple(sorted(refs)) if len(refs) > 1 else tuple(refs)


def _describe(mark: Any) -> str:
    parts = [repr(arg) for arg in mark.args]
    parts += [f"{key}={value!r}" for key, value in mark.kwargs.items()]
    return f"{MARK_NAME}({', '.join(parts)})"
