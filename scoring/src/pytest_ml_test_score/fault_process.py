"""Faults reach child processes: `python -m pipeline ...`, the stages `dvc repro` starts, ...

When a fault is switched on (by the fault plugin, in the test process), the environment of
every child process names the fault and puts `SITE_DIR` first on PYTHONPATH. That directory
holds only a ``sitecustomize.py``, which Python imports at start-up: when `FAULT_ENV` is set it
loads the registry (from the directories in `PATH_ENV`) and injects the same fault with a
`RecordingPatch` for the life of the process, then chains to any ``sitecustomize`` it shadows.
The system under test never imports the plugin; without the variable nothing happens; a broken
registry or fault is one line on stderr and the process runs on unfaulted.

Timing. The fault is injected when the child first imports a module the fault patched in the
test process (`MODULES_ENV`, e.g. ``pipeline``), or, without that list, just before the main
module, command or script runs (the interpreter's ``cpython.run_*`` audit events). Either way
``sys.path[0]`` is in place by then, so the fault patches the very modules the child goes on to
use, and a child that never imports the system pays nothing beyond loading this module.

A child started with an explicit environment (``subprocess.run(..., env=...)``) that still names
the fault gets `SITE_DIR` put back on its PYTHONPATH, and the other fault variables filled in
from this process: only a caller that removes `FAULT_ENV` starts an unfaulted child.
"""

from __future__ import annotations

import os
import subprocess  # nosec B404: only wraps Popen to pass the fault's variables on
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pytest_ml_test_score.faults import FAULT_ENV, REGISTRY_ENV, Fault, FaultError, load_registry
from pytest_ml_test_score.targets import RecordingPatch, Target, write_targets

SITE_DIR = Path(__file__).resolve().parent / "_site"
PATH_ENV = "ML_TEST_SCORE_FAULT_PATH"        # where the registry module is imported from
MODULES_ENV = "ML_TEST_SCORE_FAULT_MODULES"  # top-level modules whose import injects the fault
TARGETS_ENV = "ML_TEST_SCORE_FAULT_TARGETS"  # a file each faulted process appends its targets to
PASSED_ON = (REGISTRY_ENV, PATH_ENV, MODULES_ENV, TARGETS_ENV)
_RUN_EVENTS = frozenset({"cpython.run_module", "cpython.run_command", "cpython.run_file",
                         "cpython.run_stdin", "cpython.run_interactivehook"})


class _State:
    """The fault active in this process (one at most), however it got there."""

    fault: Fault | None = None
    patch: RecordingPatch | None = None
    lock = threading.RLock()


def active() -> Fault | None:
    """The fault injected into this process, if any."""
    return _State.fault


def mark_active(fault: Fault, patch: RecordingPatch) -> None:
    """Record that FAULT is in place (so that nothing injects it a second time)."""
    _State.fault, _State.patch = fault, patch


def clear_active() -> None:
    """The fault was undone (the fault plugin, at the end of an in-process run)."""
    _State.fault = _State.patch = None


def _prepend(path: str, current: str | None) -> str:
    entries = [entry for entry in (current or "").split(os.pathsep) if entry and entry != path]
    return os.pathsep.join([path, *entries])


def registry_root(module_name: str) -> str | None:
    """The sys.path entry the top-level package of MODULE_NAME was imported from."""
    top = sys.modules.get(module_name.split(".")[0])
    file = getattr(top, "__file__", None)
    if file:
        here = Path(file).resolve().parent
        return str(here.parent if Path(file).name == "__init__.py" else here)
    locations = list(getattr(top, "__path__", []) or [])  # a namespace package
    return str(Path(locations[0]).resolve().parent) if locations else None


def child_variables(fault: Fault, spec: str, targets: Iterable[Target],
                    environ: Mapping[str, str]) -> dict[str, str]:
    """The variables that switch FAULT on in child processes (given the parent's ENVIRON)."""
    module_name = spec.partition(":")[0]
    roots = [root for root in (registry_root(module_name),) if root]
    roots += [entry for entry in environ.get(PATH_ENV, "").split(os.pathsep)
              if entry and entry not in roots]
    modules = sorted({target.module.split(".")[0] for target in targets if target.module})
    return {FAULT_ENV: fault.name, REGISTRY_ENV: spec,
            PATH_ENV: os.pathsep.join(roots), MODULES_ENV: ",".join(modules),
            "PYTHONPATH": _prepend(str(SITE_DIR), environ.get("PYTHONPATH"))}


def child_environment(env: Mapping[str, str],
                      parent: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """ENV as given to a child process, made to carry the fault if it still names one."""
    if not env.get(FAULT_ENV):
        return env
    parent = os.environ if parent is None else parent
    adjusted = dict(env)
    for name in PASSED_ON:
        if name not in adjusted and parent.get(name):
            adjusted[name] = parent[name]
    adjusted["PYTHONPATH"] = _prepend(str(SITE_DIR), adjusted.get("PYTHONPATH"))
    return adjusted


def patch_popen(patch: Any) -> None:
    """Make `subprocess.Popen` pass the fault on to children with an explicit environment."""
    original = subprocess.Popen.__init__

    def __init__(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
        if kwargs.get("env") is not None:
            kwargs["env"] = child_environment(kwargs["env"])
        original(self, *args, **kwargs)

    patch.setattr(subprocess.Popen, "__init__", __init__)


def export_to_children(patch: Any, fault: Fault, spec: str, targets: Iterable[Target]) -> None:
    """Through PATCH (undone with the fault): the variables in os.environ, and Popen's wrapper."""
    for name, value in child_variables(fault, spec, targets, os.environ).items():
        patch.setenv(name, value)
    patch_popen(patch)


@contextmanager
def _importable(directories: Iterable[str]):  # type: ignore[no-untyped-def]
    """DIRECTORIES at the end of sys.path for the block (the registry's project)."""
    added = [entry for entry in directories if entry and entry not in sys.path]
    sys.path.extend(added)
    try:
        yield
    finally:
        for entry in added:
            if entry in sys.path:
                sys.path.remove(entry)


def inject(fault: Fault, patch: RecordingPatch) -> bool:
    """Inject FAULT through PATCH unless a fault is already active here; True if it did.

    The fault counts as active from before its injector runs: the injector's own imports may
    reach `make_trigger`'s hook, which must not inject it a second time.
    """
    with _State.lock:
        if _State.fault is not None:
            return False
        mark_active(fault, patch)
        try:
            fault.inject(patch)
        except BaseException:
            patch.undo()
            clear_active()
            raise
        return True


class _Permanent:
    """The setattr of a patch that is never undone (a child's Popen wrapper)."""

    @staticmethod
    def setattr(owner: Any, name: str, value: Any) -> None:
        """Plain setattr."""
        setattr(owner, name, value)


def inject_here(environ: Mapping[str, str] | None = None) -> Fault | None:
    """Inject the fault ENVIRON names into this process for its lifetime (child side).

    Returns the fault, or None when none is requested or one is already active. Errors are
    raised (FaultError for a bad registry or name; anything the injector raises).
    """
    environ = os.environ if environ is None else environ
    name, spec = environ.get(FAULT_ENV), environ.get(REGISTRY_ENV)
    if not name or _State.fault is not None:
        return None
    if not spec:
        raise FaultError(f"{FAULT_ENV}={name} needs {REGISTRY_ENV}=module:attribute")
    patch = RecordingPatch()
    with _importable(environ.get(PATH_ENV, "").split(os.pathsep)):
        fault = load_registry(spec).get(name)
        if not inject(fault, patch):
            return None
    if environ.get(TARGETS_ENV):
        write_targets(environ[TARGETS_ENV], name, patch.targets)
    return fault


def _warn(error: BaseException) -> None:
    name = os.environ.get(FAULT_ENV, "?")
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    sys.stderr.write(f"ml-test-score: fault {name} not injected in this process: {text}\n")


def _inject_or_warn() -> None:
    try:
        inject_here()
    except Exception as error:  # pylint: disable=broad-exception-caught
        _warn(error)  # one line; the child runs on, unfaulted, instead of crashing


def make_trigger(modules: Iterable[str]) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook injecting the fault at the first import of one of MODULES (top-level
    names), or at the start of the main module/command/script when MODULES is empty or one of
    them is already loaded."""
    wanted = frozenset(modules)
    fired = threading.Event()

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if fired.is_set():
            return
        if event == "import":
            if not wanted or str(args[0]).split(".", maxsplit=1)[0] not in wanted:
                return
        elif event not in _RUN_EVENTS:
            return
        elif wanted and not wanted & set(sys.modules):
            return
        fired.set()
        _inject_or_warn()

    return hook


def start_in_child(environ: Mapping[str, str] | None = None) -> None:
    """What ``sitecustomize`` calls: arm the fault's trigger when ENVIRON names a fault."""
    environ = os.environ if environ is None else environ
    if not environ.get(FAULT_ENV):
        return
    try:
        patch_popen(_Permanent())
        modules = [name for name in environ.get(MODULES_ENV, "").split(",") if name]
        sys.addaudithook(make_trigger(modules))
    except Exception as error:  # pylint: disable=broad-exception-caught
        _warn(error)
