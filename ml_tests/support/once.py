"""A study computed once per test run, whichever xdist worker asks for it first.

Session fixtures are built once per worker, so on two workers an expensive study (an ablation,
a tuning search, a staleness curve) would be computed twice. For a study whose result is plain
JSON, the first worker computes it under a file lock in the run's shared temporary directory
(the pattern pytest-xdist documents) and the other reads the file. That directory is new for
every run, so no result outlives the code, data and fault that produced it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from pipeline.fileio import write_bytes_atomic, write_json_atomic


def in_xdist_worker(request: pytest.FixtureRequest) -> bool:
    """Whether this process is a worker of a pytest-xdist run. A pytest started inside a worker
    inherits its environment, not its run directory, so only this attribute tells."""
    return hasattr(request.config, "workerinput")


def shared_dir(request: pytest.FixtureRequest, factory: pytest.TempPathFactory,
               name: str) -> Path:
    """Directory NAME, made if new, that every process of this run sees: under xdist the
    workers' common temporary directory, otherwise this process's own."""
    base = factory.getbasetemp()
    path = (base.parent if in_xdist_worker(request) else base) / name
    path.mkdir(exist_ok=True)
    return path


def computed_once(request: pytest.FixtureRequest, name: str,
                  compute: Callable[[], dict[str, Any]],
                  report: Path | None = None) -> dict[str, Any]:
    """`compute()`'s result, as JSON gives it back, computed by one process of this run.

    Every worker gets the JSON form (keys in the order computed), the computing one included,
    so a test sees the same types whichever worker it runs on. Only a real xdist worker shares
    (`in_xdist_worker`). The process that computes also writes the result to `report` (under
    reports/), for a reader.
    """
    def computed() -> dict[str, Any]:
        result = compute()
        if report is not None:
            write_json_atomic(report, result)
        return result

    if not in_xdist_worker(request):
        return json.loads(json.dumps(computed()))
    path = shared_dir(request, request.getfixturevalue("tmp_path_factory"), "once") / f"{name}.json"
    with FileLock(f"{path}.lock"):
        if not path.is_file():
            write_bytes_atomic(path, json.dumps(computed()).encode("utf-8"))
        return json.loads(path.read_text(encoding="utf-8"))
