"""The fault registry: declarations, claims, lookups and loading a registry by name."""

from __future__ import annotations

import pytest

from pytest_ml_test_score.faults import KINDS, FaultError, FaultRegistry, load_registry, note
from pytest_ml_test_score.marks import RubricRef


def _noop(monkeypatch):  # pylint: disable=unused-argument
    """An injector that changes nothing (registry tests only)."""


def test_registry_records_claims_in_order():
    registry = FaultRegistry()
    registry.add("a", "first", [("data", 2), ("data", 1)], _noop, kind="code")
    registry.fault("b", "second", [("data", 1)], kind="data")(_noop)
    assert [fault.name for fault in registry] == ["a", "b"] and len(registry) == 2
    assert registry.get("a").breaks == (RubricRef("data", 1), RubricRef("data", 2))
    assert registry.claims() == {RubricRef("data", 1): ["a", "b"], RubricRef("data", 2): ["a"]}


@pytest.mark.parametrize(("breaks", "message"), [
    ([("Data", 1)], "unknown section 'Data'"),
    ([("data", 8)], "not an integer 1-7"),
    ([], "claims no rubric item"),
])
def test_bad_declarations_are_refused(breaks, message):
    with pytest.raises(FaultError, match=message):
        FaultRegistry().add("x", "bad", breaks, _noop, kind="code")


def test_duplicates_and_unknown_names():
    registry = FaultRegistry()
    registry.add("x", "one", [("infra", 1)], _noop, kind="code")
    with pytest.raises(FaultError, match="registered twice"):
        registry.add("x", "again", [("infra", 1)], _noop, kind="code")
    with pytest.raises(FaultError, match="unknown fault 'y'; registered: x"):
        registry.get("y")


@pytest.mark.parametrize(("spec", "message"), [
    ("nocolon", "expected 'module:attribute'"),
    ("no_such_module_here:FAULTS", "cannot import"),
    ("pytest_ml_test_score.faults:FAULT_ENV", "is not a FaultRegistry"),
])
def test_load_registry_errors(spec, message):
    with pytest.raises(FaultError, match=message):
        load_registry(spec)


def test_both_declaration_forms_keep_the_description_the_audit_prints():
    registry = FaultRegistry()
    registry.add("shuffled-labels", "labels are permuted before training", [("data", 2)], _noop,
                 kind="data")

    @registry.fault("stale-model", "serving loads last month's model", [("monitoring", 4)],
                    kind="artifact")
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
        registry.add(name, name, [("infra", 1)], _noop, kind="code")
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


def test_every_fault_declares_one_of_the_five_kinds():
    registry = FaultRegistry()
    for kind in KINDS:
        registry.add(f"a-{kind}", "one", [("data", 1)], _noop, kind=kind)
    assert [fault.kind for fault in registry] == list(KINDS)
    assert KINDS == ("code", "data", "artifact", "config", "tolerance")
    assert [fault.proves_teeth for fault in registry] == [True, True, True, True, False]


@pytest.mark.parametrize(("kind", "message"), [
    ("threshold", "fault 'x' declares unknown kind 'threshold'; expected one of code, data, "
                  "artifact, config, tolerance"),
    (None, "fault 'x' declares no kind; expected one of code, data, artifact, config, tolerance"),
])
def test_an_unknown_or_missing_kind_is_a_one_line_fault_error(kind, message):
    with pytest.raises(FaultError) as caught:
        FaultRegistry().add("x", "bad", [("data", 1)], _noop, kind=kind)
    assert str(caught.value) == message
    with pytest.raises(FaultError) as caught:  # the decorator refuses before it sees a function
        FaultRegistry().fault("x", "bad", [("data", 1)], kind=kind)
    assert str(caught.value) == message


def test_a_bad_declaration_in_a_registry_module_is_one_line(pytester, monkeypatch):
    pytester.makepyfile(bad_faults=(
        "from pytest_ml_test_score.faults import FaultRegistry\n"
        "FAULTS = FaultRegistry()\n"
        "FAULTS.add('x', 'no kind', [('data', 1)], lambda patch: None)\n"))
    monkeypatch.syspath_prepend(pytester.path)
    with pytest.raises(FaultError) as caught:
        load_registry("bad_faults:FAULTS")
    assert str(caught.value) == ("fault registry 'bad_faults:FAULTS': fault 'x' declares no kind; "
                                 "expected one of code, data, artifact, config, tolerance")


def test_note_reaches_a_recording_patch_and_is_ignored_by_a_plain_one():
    notes = []

    class Recording(pytest.MonkeyPatch):
        def note(self, how, name):
            notes.append((how, name))

    note(Recording(), "params", "model.C")
    note(pytest.MonkeyPatch(), "params", "model.C")
    assert notes == [("params", "model.C")]
