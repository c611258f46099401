"""How the audit starts each pytest run: a fresh interpreter, or a fork of a warm one.

Every audited fault needs a pytest process of its own: the fault is injected before any conftest
or test module is imported, and nothing of it may outlive the run. Started cold, that process
pays the interpreter, pytest and then the project's dependencies, which for a scientific stack
take seconds: often more than the few tests a fault selects. With ``preload`` configured, the
audit starts one warm server (``python -m pytest_ml_test_score.runner MODULE...``) that imports
those modules once and forks a child per run; the child becomes ``python -m pytest ARGS``.
The server is single-threaded, so each fork is a clean copy of it.

Only modules that no fault patches belong in ``preload``: a fault must be in place before the
code it patches is imported, or names bound at import time keep the original. Each warm run
therefore records which modules its fork already held, and the audit repeats a run cold when
the fault patched one of them (`patched_preloaded`). Without ``os.fork`` every run is cold.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import subprocess  # nosec B404: runs pytest on the project's own suites
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

PRELOADED_NAME = "preloaded.json"  # beside a warm run's log: the modules its fork held
LOG_NAME = "pytest.log"
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Finished:
    """What a pytest process left: its exit status and its combined output."""

    returncode: int
    output: str


class ColdRunner:
    """``python -m pytest ARGS`` in a fresh interpreter."""

    warm = False

    def __enter__(self) -> ColdRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, args: Sequence[str], env: Mapping[str, str], workdir: Path) -> Finished:
        """Run pytest with ARGS and ENV in the current directory; WORKDIR is the run's own."""
        del workdir  # the output comes back through the pipe
        # The command is built from the project's own configuration, not from untrusted input.
        done = subprocess.run([sys.executable, "-m", "pytest", *args],  # nosec B603
                              env=dict(env), capture_output=True, text=True, check=False)
        return Finished(done.returncode, done.stdout + done.stderr)


class WarmRunner:
    """Each run forked from a server that imported PRELOAD once (one server per audit)."""

    warm = True

    def __init__(self, preload: Sequence[str], env: Mapping[str, str]):
        # The command is the plugin's own module with the project's module names; the server
        # lives as long as the runner (closed in __exit__).
        self._server = subprocess.Popen(  # pylint: disable=consider-using-with # nosec B603
            [sys.executable, "-m", "pytest_ml_test_score.runner", *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=dict(env))
        self._pending: dict[int, Future[int]] = {}
        self._gone = False  # the server exited: nothing more will be answered
        self._lock = threading.Lock()
        self._next = 0
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    def __enter__(self) -> WarmRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server.stdin is not None  # nosec B101: Popen was given PIPE
        self._server.stdin.close()  # the server finishes its children, then exits
        self._server.wait()
        self._reader.join()

    def _read_replies(self) -> None:
        assert self._server.stdout is not None  # nosec B101: Popen was given PIPE
        for line in self._server.stdout:
            reply = json.loads(line)
            with self._lock:
                future = self._pending.pop(reply["id"])
            future.set_result(int(reply["returncode"]))
        with self._lock:  # the server exited: no run still waiting may hang
            self._gone = True
            for future in self._pending.values():
                future.set_result(1)
            self._pending.clear()

    def run(self, args: Sequence[str], env: Mapping[str, str], workdir: Path) -> Finished:
        """Run pytest with ARGS and ENV in the current directory, its output in WORKDIR."""
        log = workdir / LOG_NAME
        future: Future[int] = Future()
        with self._lock:
            self._next += 1
            request = {"id": self._next, "args": list(args), "env": dict(env),
                       "cwd": os.getcwd(), "log": str(log)}
            assert self._server.stdin is not None  # nosec B101: Popen was given PIPE
            try:
                if self._gone:
                    raise BrokenPipeError
                self._server.stdin.write(json.dumps(request).encode() + b"\n")
                self._server.stdin.flush()
                self._pending[self._next] = future
            except OSError:  # the server is gone
                future.set_result(1)
        code = future.result()
        output = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        return Finished(code, output)


Runner = ColdRunner | WarmRunner


def make_runner(preload: Sequence[str], env: Mapping[str, str]) -> Runner:
    """Warm when something is to be preloaded and this platform forks."""
    if preload and hasattr(os, "fork"):
        return WarmRunner(preload, env)
    return ColdRunner()


def preloaded_modules(workdir: Path) -> set[str]:
    """The modules a warm run's fork held before pytest started (empty for a cold run)."""
    try:
        return set(json.loads((workdir / PRELOADED_NAME).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def patched_preloaded(targets: Iterable[Any], preloaded: set[str]) -> list[str]:
    """The modules among a fault's TARGETS that a warm fork had imported before the fault."""
    return sorted({target.module for target in targets
                   if getattr(target, "module", None) and target.module in preloaded})


def _become_pytest(request: Mapping[str, Any]) -> None:
    """In the fork: become ``python -m pytest ARGS`` with the request's environment; exit."""
    code = 1
    try:
        gc.enable()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        log = Path(request["log"])
        log.with_name(PRELOADED_NAME).write_text(json.dumps(sorted(sys.modules)),
                                                 encoding="utf-8")
        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # not the server's requests
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        import pytest  # pylint: disable=import-outside-toplevel

        code = int(pytest.main(list(request["args"])))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # pylint: disable=protected-access  # nothing of the server runs on


def _preload(names: Sequence[str]) -> None:
    """Import NAMES; one that cannot be imported ends the server with one line."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            sys.exit(f"ml-test-score audit: preload: cannot import {name!r} ({exc})")


def serve(preload: Sequence[str], requests: BinaryIO, replies: BinaryIO) -> None:
    """Import PRELOAD, then fork a pytest run per request line; reply as each one exits.

    Single-threaded on purpose: a fork copies only the forking thread, so no lock another
    thread held can be copied into a child.
    """
    gc.disable()  # no collection leaves holes between the preloaded objects' pages
    _preload(preload)
    # The preloaded heap in the permanent generation: a fork's collections (pytest forces full
    # ones at exit) skip it instead of walking every object of the scientific stack, and leave
    # its pages shared with the server. Each fork collects its own objects (`_become_pytest`).
    gc.freeze()
    running: dict[int, int] = {}
    pending = b""
    descriptor = requests.fileno()
    reading = True
    while reading or running:
        if reading and select.select([descriptor], [], [], _POLL_SECONDS)[0]:
            chunk = os.read(descriptor, 1 << 16)
            reading = bool(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _become_pytest(request)
                running[pid] = request["id"]
        elif not reading:
            time.sleep(_POLL_SECONDS)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            reply = {"id": running.pop(pid), "returncode": os.waitstatus_to_exitcode(status)}
            replies.write(json.dumps(reply).encode() + b"\n")
            replies.flush()


if __name__ == "__main__":
    serve(sys.argv[1:], sys.stdin.buffer, sys.stdout.buffer)
