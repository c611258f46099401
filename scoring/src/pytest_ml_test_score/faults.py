"""Fault registry: named, reversible defects that a project declares against its rubric items.

A fault says which items it must break and how to switch itself on for one test run (through a
`pytest.MonkeyPatch`, so everything it changes is undone at the end). The fault audit
(`ml-test-score audit`) runs the suites once per fault and checks that each claimed item
turned red: a point whose tests stay green under every fault that claims it has no proven teeth.

Each fault declares its *kind*: ``code``, ``data``, ``artifact``, ``config`` (a setting the
system computes with) or ``tolerance`` (a threshold that only decides pass or alert). A caught
``tolerance`` fault shows that a test compares with its threshold, not that it would see a real
defect, so only the other kinds prove an item's teeth.

A project registers its faults in a module of its own and points the audit at it, e.g.
``[tool.ml_test_score.audit] faults = "ml_tests.faults:FAULTS"``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pytest

from pytest_ml_test_score.marks import RubricMarkError, RubricRef, validate

FAULT_ENV = "ML_TEST_SCORE_FAULT"
REGISTRY_ENV = "ML_TEST_SCORE_FAULT_REGISTRY"

Injector = Callable[[pytest.MonkeyPatch], None]
KINDS = ("code", "data", "artifact", "config", "tolerance")
TOLERANCE = "tolerance"


class FaultError(ValueError):
    """A fault declaration or lookup that cannot be honoured (reported in one line)."""


@dataclass(frozen=True)
class Fault:
    """One realistic defect: what it is, which items must catch it, how to switch it on."""

    name: str
    description: str
    breaks: tuple[RubricRef, ...]
    inject: Injector
    kind: str = "code"

    @property
    def proves_teeth(self) -> bool:
        """Whether catching this fault shows a test would see a real defect."""
        return self.kind != TOLERANCE


def check_kind(name: str, kind: str | None) -> str:
    """KIND if it is one of KINDS, else a one-line FaultError naming the fault."""
    if kind not in KINDS:
        given = "no kind" if kind is None else f"unknown kind {kind!r}"
        raise FaultError(f"fault {name!r} declares {given}; expected one of {', '.join(KINDS)}")
    return kind


def note(monkeypatch: pytest.MonkeyPatch, how: str, name: str) -> None:
    """Tell the audit about a target a helper changes beyond what MonkeyPatch sees (a params
    key an override helper replaces, a file it writes); a no-op with a plain MonkeyPatch."""
    record = getattr(monkeypatch, "note", None)
    if callable(record):
        record(how, name)


class FaultRegistry:
    """The faults of one project, in declaration order."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}

    def add(self, name: str, description: str, breaks: Iterable[tuple[str, int]],
            inject: Injector, *, kind: str | None = None) -> Fault:
        """Register a fault; names are unique, every claimed item must exist and `kind` (required)
        is one of KINDS."""
        kind = check_kind(name, kind)
        if name in self._faults:
            raise FaultError(f"fault {name!r} is registered twice")
        try:
            refs = tuple(sorted({validate(section, item) for section, item in breaks}))
        except RubricMarkError as exc:
            raise FaultError(f"fault {name!r}: {exc}") from None
        if not refs:
            raise FaultError(f"fault {name!r} claims no rubric item")
        fault = Fault(name, description, refs, inject, kind)
        self._faults[name] = fault
        return fault

    def fault(self, name: str, description: str, breaks: Iterable[tuple[str, int]], *,
              kind: str | None = None) -> Callable[[Injector], Injector]:
        """Decorator form of `add` for an injector function."""
        check_kind(name, kind)  # at the declaration, before the function body is even read

        def register(inject: Injector) -> Injector:
            self.add(name, description, breaks, inject, kind=kind)
            return inject
        return register

    def get(self, name: str) -> Fault:
        """The fault of that name, or a FaultError listing the known ones."""
        try:
            return self._faults[name]
        except KeyError:
            known = ", ".join(self._faults) or "none"
            raise FaultError(f"unknown fault {name!r}; registered: {known}") from None

    def claims(self) -> dict[RubricRef, list[str]]:
        """For each claimed item, the names of the faults that must break it."""
        result: dict[RubricRef, list[str]] = {}
        for fault in self._faults.values():
            for ref in fault.breaks:
                result.setdefault(ref, []).append(fault.name)
        return dict(sorted(result.items()))

    def __iter__(self) -> Iterator[Fault]:
        return iter(self._faults.values())

    def __len__(self) -> int:
        return len(self._faults)


def load_registry(spec: str) -> FaultRegistry:
    """Import `module:attribute` and check that it is a FaultRegistry."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise FaultError(f"fault registry {spec!r}: expected 'module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise FaultError(f"fault registry {spec!r}: cannot import {module_name}: {exc}") from None
    except FaultError as exc:  # a bad declaration while the registry module was imported
        raise FaultError(f"fault registry {spec!r}: {exc}") from None
    registry = getattr(module, attribute, None)
    if not isinstance(registry, FaultRegistry):
        raise FaultError(f"fault registry {spec!r}: {attribute} is not a FaultRegistry")
    return registry
