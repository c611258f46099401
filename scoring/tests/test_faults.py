"""The generic fault registry and its pytest plugin."""

from __future__ import annotations

import pytest

from pytest_ml_test_score.faults import FaultError, FaultRegistry, load_registry
from pytest_ml_test_score.marks import RubricRef


def _noop(monkeypatch):  # pylint: disable=unused-argument
    """An injector that changes nothing (registry tests only)."""


def test_registry_records_claims_in_order():
    registry = FaultRegistry()
    registry.add("a", "first", [("data", 2), ("data", 1)], _noop)
    registry.fault("b", "second", [("data", 1)])(_noop)
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
        FaultRegistry().add("x", "bad", breaks, _noop)


def test_duplicates_and_unknown_names():
    registry = FaultRegistry()
    registry.add("x", "one", [("infra", 1)], _noop)
    with pytest.raises(FaultError, match="registered twice"):
        registry.add("x", "again", [("infra", 1)], _noop)
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


def test_plugin_injects_the_fault_and_undoes_it(pytester, monkeypatch):
    pytester.makepyfile(
        toy="def double(x):\n    return 2 * x\n",
        toy_faults=(
            "from pytest_ml_test_score.faults import FaultRegistry\n"
            "FAULTS = FaultRegistry()\n"
            "@FAULTS.fault('identity', 'double returns its input', [('data', 1)])\n"
            "def _identity(monkeypatch):\n"
            "    import toy\n"
            "    monkeypatch.setattr(toy, 'double', lambda x: x)\n"
        ),
        test_toy=(
            "import pytest, toy\n"
            "@pytest.mark.rubric('data', 1)\n"
            "def test_double():\n"
            "    assert toy.double(2) == 4\n"
        ),
    )
    monkeypatch.syspath_prepend(pytester.path)
    assert pytester.runpytest().ret == 0
    monkeypatch.setenv("ML_TEST_SCORE_FAULT", "identity")
    monkeypatch.setenv("ML_TEST_SCORE_FAULT_REGISTRY", "toy_faults:FAULTS")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*fault injected: identity (must break data:1)*"])
    import toy  # pylint: disable=import-outside-toplevel,import-error

    assert toy.double(2) == 4  # undone at the end of the run
    monkeypatch.setenv("ML_TEST_SCORE_FAULT", "nope")
    result = pytester.runpytest()
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*unknown fault 'nope'; registered: identity*"])
