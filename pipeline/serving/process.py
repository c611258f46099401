"""`python -m pipeline serve` as a child process: started on a free port, stopped for sure.

The benchmark and the tests measure the real server (its own interpreter, uvicorn, sockets)
rather than the app in-process, so they share this one way to start it, learn its URL from
the first line it prints, and stop it (SIGTERM, then SIGKILL if it does not finish in time).
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess  # nosec B404
import sys
import tempfile
import time
from pathlib import Path

from pipeline.errors import PipelineError

_URL = re.compile(r"on (http://\S+) ")


class ServerProcess:
    """A running `serve` subprocess; use as a context manager."""

    def __init__(self, args: list[str], cwd: str | Path | None = None,
                 env: dict[str, str] | None = None, start_timeout: float = 120.0) -> None:
        self.command = [sys.executable, "-m", "pipeline", "serve", "--port", "0", *args]
        self.cwd, self.env, self.start_timeout = cwd, env, start_timeout
        self.url = ""
        self._stderr = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
        self._final_stderr: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self.proc is None:
            raise RuntimeError("the server was not started")
        return self.proc.pid

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self._final_stderr = self.stderr()
        self._stderr.close()

    def start(self) -> str:
        """Start the server and wait (at most `start_timeout` s) for its URL line."""
        # The command is this interpreter running this package, with arguments of our own.
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with  # nosec B603
            self.command, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._stderr)
        line = self._first_line(self.proc)
        match = _URL.search(line)
        if match is None:
            self.stop()
            raise PipelineError(f"serve printed {line.strip()!r}; expected its URL"
                                f" ({self.stderr()})")
        self.url = match.group(1)
        return self.url

    def _first_line(self, proc: subprocess.Popen[bytes]) -> str:
        stdout = proc.stdout
        if stdout is None:
            raise RuntimeError("the server's stdout is not a pipe")
        deadline = time.monotonic() + self.start_timeout
        data = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in data:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise PipelineError(f"serve did not start within {self.start_timeout:g} s"
                                        f" ({self.stderr()})")
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    code = proc.wait()
                    raise PipelineError(f"serve exited with code {code}: {self.stderr()}")
                data += chunk
        return data.decode("utf-8", "replace")

    def stderr(self) -> str:
        """What the server wrote to stderr so far, on one line."""
        if self._final_stderr is not None:
            return self._final_stderr
        self._stderr.seek(0)
        return " | ".join(self._stderr.read().decode("utf-8", "replace").split("\n")).strip()

    def kill(self) -> None:
        """SIGKILL: the crash a prediction log must survive."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (uvicorn finishes the requests in flight), SIGKILL after `timeout` s."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode
