"""The fault plugin: one registered fault switched on for a whole run, and undone after."""

from __future__ import annotations

import pytest

from pytest_ml_test_score import fault_plugin
from pytest_ml_test_score.faults import FAULT_ENV, REGISTRY_ENV
from toy_fault import TOY, TOY_FAULTS


def test_plugin_injects_the_fault_and_undoes_it(pytester, monkeypatch):
    pytester.makepyfile(
        toy=TOY,
        toy_faults=TOY_FAULTS,
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


def test_under_the_audit_a_run_stops_once_every_claimed_item_failed(pytester, monkeypatch):
    body = "    assert toy.double(2) == 4\n"
    three = "".join(f"@pytest.mark.rubric('data', 1)\ndef test_{n}():\n{body}" for n in "abc")
    pytester.makepyfile(toy=TOY, toy_faults=TOY_FAULTS, test_toy="import pytest, toy\n" + three)
    monkeypatch.syspath_prepend(pytester.path)
    monkeypatch.setenv("ML_TEST_SCORE_FAULT", "identity")
    monkeypatch.setenv("ML_TEST_SCORE_FAULT_REGISTRY", "toy_faults:FAULTS")
    pytester.runpytest().assert_outcomes(failed=3)  # by hand: every failure is shown
    monkeypatch.setenv("ML_TEST_SCORE_FAULT_STOP", "1")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*every item the fault claims has a failing test*"])
    # Stopped as --maxfail stops: a failed session, not an interrupted one (pytest formats an
    # interruption's traceback, every frame's source parsed).
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_without_the_variable_no_fault_is_requested(monkeypatch):
    monkeypatch.delenv(FAULT_ENV, raising=False)
    monkeypatch.setenv(REGISTRY_ENV, "toy_faults:FAULTS")
    assert fault_plugin.active_fault() is None
    monkeypatch.setenv(FAULT_ENV, "")
    assert fault_plugin.active_fault() is None


def test_a_requested_fault_needs_its_registry(monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "identity")
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    with pytest.raises(pytest.UsageError) as caught:
        fault_plugin.active_fault()
    assert str(caught.value) == (
        "ML_TEST_SCORE_FAULT=identity needs ML_TEST_SCORE_FAULT_REGISTRY=module:attribute")
    monkeypatch.setenv(REGISTRY_ENV, "toy_faults:FAULTS")
    assert fault_plugin.active_fault() == ("identity", "toy_faults:FAULTS")


def test_under_the_audit_the_tests_with_a_run_last_marker_come_last(pytester, monkeypatch):
    slow = "@pytest.mark.slow\n@pytest.mark.rubric('data', 1)\ndef test_a_slow():\n    assert 0\n"
    cheap = "@pytest.mark.rubric('data', 1)\ndef test_b_cheap():\n    assert toy.double(2) == 4\n"
    pytester.makepyfile(toy=TOY, toy_faults=TOY_FAULTS,
                        test_toy="import pytest, toy\n" + slow + cheap)
    pytester.makeini("[pytest]\nmarkers =\n    slow: expensive\n")
    monkeypatch.syspath_prepend(pytester.path)
    monkeypatch.setenv("ML_TEST_SCORE_FAULT", "identity")
    monkeypatch.setenv("ML_TEST_SCORE_FAULT_REGISTRY", "toy_faults:FAULTS")
    monkeypatch.setenv("ML_TEST_SCORE_FAULT_STOP", "1")
    monkeypatch.setenv("ML_TEST_SCORE_FAULT_LAST", "slow")
    result = pytester.runpytest("-v")
    result.assert_outcomes(failed=1)  # the cheap test caught it; the slow one never ran
    result.stdout.fnmatch_lines(["*test_b_cheap FAILED*"])


def test_a_run_without_a_fault_loads_nothing_of_the_faulted_run(pytester, monkeypatch):
    """Every project that installs the plugin pays for it on each run: without a fault, the
    faulted run's modules stay unimported and none of its per-test hooks is registered."""
    monkeypatch.delenv(FAULT_ENV, raising=False)
    pytester.makepyfile(test_probe=(
        "import sys\n"
        "def test_probe(request):\n"
        "    assert 'pytest_ml_test_score.fault_session' not in sys.modules\n"
        "    assert 'pytest_ml_test_score.fault_process' not in sys.modules\n"
        "    plugins = request.config.pluginmanager\n"
        "    assert plugins.get_plugin('ml_test_score_fault_session') is None\n"
    ))
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
