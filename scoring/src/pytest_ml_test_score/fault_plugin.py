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

This module is the entry point's and stays small: everything a faulted run needs lives in
`fault_session`, imported and registered only when a fault is requested.
"""

from __future__ import annotations

import os

import pytest

from pytest_ml_test_score.faults import FAULT_ENV, REGISTRY_ENV


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
    # pylint: disable-next=import-outside-toplevel  # a run without a fault never pays for it
    from pytest_ml_test_score.fault_session import PLUGIN_NAME, FaultSession

    early_config.pluginmanager.register(FaultSession(*requested), PLUGIN_NAME)
