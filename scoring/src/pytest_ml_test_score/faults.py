"""Fault registry: named, reversible defects that a project declares against its rubric items.

A fault says which items it must break and how to switch itself on for one test run (through a
`pytest.MonkeyPatch`, so everything it changes is undone at the end). The fault audit
(`ml-test-score audit`) runs the suites once per fault and checks that each claimed item
turned red: a point whose tests stay green under every fault that claims it has no proven teeth.

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


class FaultError(ValueError):
    """A fault declaration or lookup that cannot be honoured (reported in one line)."""


@dataclass(frozen=True)
class Fault:
    """One realistic defect: what it is, which items must catch it, how to switch it on."""

    name: str
    description: str
    breaks: tuple[RubricRef, ...]
    inject: Injector


class FaultRegistry:
    """The faults of one project, in declaration order."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}

    def add(self, name: str, description: str, breaks: Iterable[tuple[str, int]],
            inject: Injector) -> Fault:
        """Register a fault; names are unique and every claimed item must exist."""
        if name in self._faults:
            raise FaultError(f"fault {name!r} is registered twice")
        try:
            refs = tuple(sorted({validate(section, item) for section, item in breaks}))
        except RubricMarkError as exc:
            raise FaultError(f"fault {name!r}: {exc}") from None
        if not refs:
            raise FaultError(f"fault {name!r} claims no rubric item")
        fault = Fault(name, description, refs, inject)
        self._faults[name] = fault
        return fault

    def fault(self, name: str, description: str,
              breaks: Iterable[tuple[str, int]]) -> Callable[[Injector], Injector]:
        """Decorator form of `add` for an injector function."""
        def register(inject: Injector) -> Injector:
            self.add(name, description, breaks, inject)
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
    registry = getattr(module, attribute, None)
    if not isinstance(registry, FaultRegistry):
        raise FaultError(f"fault registry {spec!r}: {attribute} is not a FaultRegistry")
    return registry
