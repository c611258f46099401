"""The fault registry keeps what a project declared and says which faults exist when asked."""

from __future__ import annotations

import pytest

from pytest_ml_test_score.faults import FaultError, FaultRegistry, load_registry
from pytest_ml_test_score.marks import RubricRef


def _noop(monkeypatch: pytest.MonkeyPatch) -> None:
    del monkeypatch


def test_both_declaration_forms_keep_the_description_the_audit_prints():
    registry = FaultRegistry()
    registry.add("shuffled-labels", "labels are permuted before training", [("data", 2)], _noop)

    @registry.fault("stale-model", "serving loads last month's model", [("monitoring", 4)])
    def stale(monkeypatch: pytest.MonkeyPatch) -> None:
        del monkeypatch

    assert [(f.name, f.description, f.breaks, f.inject) for f in registry] == [
        ("shuffled-labels", "labels are permuted before training", (RubricRef("data", 2),),
         _noop),
        ("stale-model", "serving loads last month's model", (RubricRef("monitoring", 4),),
         stale),
    ]


def test_an_unknown_fault_lists_every_registered_name():
    registry = FaultRegistry()
    for name in ("a", "b", "c"):
        registry.add(name, name, [("infra", 1)], _noop)
    with pytest.raises(FaultError) as caught:
        registry.get("d")
    assert str(caught.value) == "unknown fault 'd'; registered: a, b, c"


def test_an_unknown_fault_in_an_empty_registry_says_none_are_registered():
    with pytest.raises(FaultError) as caught:
        FaultRegistry().get("d")
    assert str(caught.value) == "unknown fault 'd'; registered: none"


def test_a_registry_spec_naming_an_absent_attribute_is_a_one_line_error():
    with pytest.raises(FaultError) as caught:
        load_registry("pytest_ml_test_score.faults:NO_SUCH_REGISTRY")
    assert str(caught.value) == ("fault registry 'pytest_ml_test_score.faults:NO_SUCH_REGISTRY': "
                                 "NO_SUCH_REGISTRY is not a FaultRegistry")
