"""pytest plugin `ml_test_score_faults`: switches one registered fault on for a whole test run.

It does nothing unless ML_TEST_SCORE_FAULT names a fault (the audit sets it, together with
ML_TEST_SCORE_FAULT_REGISTRY). The fault is injected before the test modules and their conftest
files are imported, so module-level bindings see it too, and it is undone when the run ends.
Environment variables reach pytest-xdist workers, so each worker injects the same fault.

The injector gets a `targets.RecordingPatch`; what it patched is appended to the file named by
ML_TEST_SCORE_FAULT_TARGETS (the audit's), and the fault is passed on to child processes
(`fault_process`): `python -m <system> ...` started by a test runs with the same fault.
With ML_TEST_SCORE_FAULT_STOP=1 (the audit's) the run stops once every item the fault claims
has a failing test (`fault_stop`).
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from pytest_ml_test_score import fault_process
from pytest_ml_test_score.fault_stop import (
    LAST_ENV,
    STOP_ENV,
    CatchWatch,
    expensive_last,
    last_markers,
)
from pytest_ml_test_score.faults import FAULT_ENV, REGISTRY_ENV, Fault, FaultError, load_registry
from pytest_ml_test_score.marks import MARK_NAME, refs_from_marks
from pytest_ml_test_score.targets import RecordingPatch, write_targets

_PATCH = pytest.StashKey[pytest.MonkeyPatch]()
_CHILDREN = pytest.StashKey[pytest.MonkeyPatch]()
_FAULT = pytest.StashKey[Fault]()
_WATCH = pytest.StashKey[CatchWatch]()


def active_fault() -> tuple[str, str] | None:
    """(fault name, registry spec) requested through the environment, if any."""
    name = os.environ.get(FAULT_ENV)
    if not name:
        return None
    spec = os.environ.get(REGISTRY_ENV)
    if not spec:
        raise pytest.UsageError(f"{FAULT_ENV}={name} needs {REGISTRY_ENV}=module:attribute")
    return name, spec


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Inject the requested fault before any conftest or test module is imported."""
    requested = active_fault()
    if requested is None:
        return
    name, spec = requested
    try:
        fault = load_registry(spec).get(name)
    except FaultError as exc:
        raise pytest.UsageError(str(exc)) from None
    early_config.stash[_FAULT] = fault
    patch = RecordingPatch()
    if not fault_process.inject(fault, patch):
        return  # already injected in this process at start-up (its sitecustomize)
    early_config.stash[_PATCH] = patch
    targets_file = os.environ.get(fault_process.TARGETS_ENV)
    if targets_file:
        write_targets(targets_file, name, patch.targets)
    children = pytest.MonkeyPatch()  # not recorded: the fault's carrier, not the fault
    fault_process.export_to_children(children, fault, spec, patch.targets)
    early_config.stash[_CHILDREN] = children


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say loudly that this run is not a normal one."""
    fault = config.stash.get(_FAULT, None)
    if fault is None:
        return None
    items = ", ".join(str(ref) for ref in fault.breaks)
    return f"ml-test-score fault injected: {fault.name} (must break {items})"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the audit, run the expensive tests last and watch the selected tests for the
    failures the fault must cause."""
    fault = config.stash.get(_FAULT, None)
    if fault is None or os.environ.get(STOP_ENV) != "1":
        return
    last = last_markers(os.environ.get(LAST_ENV))
    if last:
        items[:] = expensive_last(items, lambda item: {mark.name for mark in item.iter_markers()},
                                  last)
    config.stash[_WATCH] = CatchWatch(fault.breaks, {
        item.nodeid: refs_from_marks(item.iter_markers(MARK_NAME), item.nodeid)
        for item in items})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Stop the run once every claimed item has a failing test: the rest adds nothing.

    Stopped as ``--maxfail`` stops a session (a failed one, exit 1), not as an interruption:
    pytest formats an interruption's own traceback, every frame's source parsed, for a line it
    does not show.
    """
    del call  # part of the hook's signature only
    report = yield
    watch = item.config.stash.get(_WATCH, None)
    if watch is not None and report.failed and watch.failed(item.nodeid):
        item.session.shouldfail = "every item the fault claims has a failing test"
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    """Undo the fault so that nothing outlives the run (matters for in-process pytester runs)."""
    children = config.stash.get(_CHILDREN, None)
    if children is not None:
        children.undo()
    patch = config.stash.get(_PATCH, None)
    if patch is not None:  # this run injected it (not a start-up injection it found)
        patch.undo()
        fault_process.clear_active()
