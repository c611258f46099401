"""`ServerProcess`: the real server as a child, its URL learnt, and stopped for sure."""

from __future__ import annotations

import os
import urllib.request

import pytest

from pipeline.errors import PipelineError
from pipeline.serving.process import ServerProcess


def _project_env() -> dict[str, str]:
    """The child imports this checkout's pipeline, whatever is installed."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    return {**os.environ, "PYTHONPATH": root}


def test_the_url_is_learnt_from_the_first_line_and_stop_ends_the_process(packages, tmp_path):
    """Red when: the URL is guessed rather than read, or stop leaves the server running."""
    with ServerProcess(["--model-dir", str(packages[0]), "--log-dir", str(tmp_path)],
                       env=_project_env()) as server:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{server.url}/health", timeout=30) as response:  # nosec B310
            assert response.status == 200
        pid = server.pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, not a zombie: stop waited for it


def test_a_server_that_cannot_start_is_one_error_with_its_stderr(tmp_path):
    """Red when: a failed start hangs until the timeout or hides why the server stopped."""
    server = ServerProcess(["--model-dir", str(tmp_path / "missing")], env=_project_env())
    with pytest.raises(PipelineError, match="serve exited with code 2: .*metadata"):
        server.start()
    assert server.stop() == 2
