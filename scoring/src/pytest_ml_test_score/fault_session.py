"""One faulted test run: the fault injected before any conftest, passed on to child processes,
watched for the failures it must cause, and undone at the end.

`fault_plugin` registers a `FaultSession` only when a fault is requested, so that a normal run
imports none of this and calls no hook of it per test.
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
from pytest_ml_test_score.faults import FaultError, load_registry
from pytest_ml_test_score.marks import MARK_NAME, refs_from_marks
from pytest_ml_test_score.targets import RecordingPatch, write_targets

PLUGIN_NAME = "ml_test_score_fault_session"


class FaultSession:
    """Injects fault NAME of registry SPEC on creation (a bad name is a usage error)."""

    def __init__(self, name: str, spec: str) -> None:
        try:
            self.fault = load_registry(spec).get(name)
        except FaultError as exc:
            raise pytest.UsageError(str(exc)) from None
        self.patch: RecordingPatch | None = None
        self.children: pytest.MonkeyPatch | None = None
        self.watch: CatchWatch | None = None
        patch = RecordingPatch()
        if not fault_process.inject(self.fault, patch):
            return  # already injected in this process at start-up (its sitecustomize)
        self.patch = patch
        targets_file = os.environ.get(fault_process.TARGETS_ENV)
        if targets_file:
            write_targets(targets_file, name, patch.targets)
        self.children = pytest.MonkeyPatch()  # not recorded: the fault's carrier, not the fault
        fault_process.export_to_children(self.children, self.fault, spec, patch.targets)

    def pytest_report_header(self) -> str:
        """Say loudly that this run is not a normal one."""
        items = ", ".join(str(ref) for ref in self.fault.breaks)
        return f"ml-test-score fault injected: {self.fault.name} (must break {items})"

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Under the audit (`STOP_ENV`), run the expensive tests last and watch the selected
        tests for the failures the fault must cause."""
        if os.environ.get(STOP_ENV) != "1":
            return
        last = last_markers(os.environ.get(LAST_ENV))
        if last:
            items[:] = expensive_last(
                items, lambda item: {mark.name for mark in item.iter_markers()}, last)
        self.watch = CatchWatch(self.fault.breaks, {
            item.nodeid: refs_from_marks(item.iter_markers(MARK_NAME), item.nodeid)
            for item in items})

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Stop the run once every claimed item has a failing test: the rest adds nothing.

        Stopped as ``--maxfail`` stops a session (a failed one, exit 1), not as an interruption:
        pytest formats an interruption's own traceback, every frame's source parsed, for a line
        it does not show.
        """
        report = yield
        if self.watch is not None and report.failed and self.watch.failed(item.nodeid):
            item.session.shouldfail = "every item the fault claims has a failing test"
        return report

    def pytest_unconfigure(self) -> None:
        """Undo the fault so that nothing outlives the run (matters for in-process pytester)."""
        if self.children is not None:
            self.children.undo()
        if self.patch is not None:  # this run injected it (not a start-up injection it found)
            self.patch.undo()
            fault_process.clear_active()
