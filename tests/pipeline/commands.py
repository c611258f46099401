"""Running `python -m pipeline ...` as users do, and what a user error must look like."""

from __future__ import annotations

import subprocess  # nosec B404
import sys
from pathlib import Path


def run(*args: str, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """The command in a fresh interpreter, as a shell or `dvc repro` starts it."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args],  # nosec B603
                          capture_output=True, text=True, cwd=cwd, check=False)


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit code 2 and one line on stderr naming each fragment, never a traceback."""
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
