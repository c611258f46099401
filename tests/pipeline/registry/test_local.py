"""The local-directory backend: the shared rules, atomic index replacement, the lock."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.registry import local
from pipeline.registry.index import INDEX_NAME
from pipeline.registry.local import LocalRegistry


def test_local_lifecycle(tmp_path: Path, packages: list[Path], lifecycle) -> None:
    lifecycle(LocalRegistry(tmp_path / "reg"), packages, tmp_path)


def test_index_is_replaced_atomically_and_a_corrupt_one_is_named(tmp_path: Path,
                                                                 packages: list[Path]) -> None:
    registry = LocalRegistry(tmp_path / "reg")
    registry.publish(packages[0])
    leftovers = [p.name for p in (tmp_path / "reg").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    (tmp_path / "reg" / INDEX_NAME).write_text("{not json")
    with pytest.raises(PipelineError, match=f"{INDEX_NAME}: not valid JSON"):
        registry.versions()


def test_concurrent_index_updates_serialise(tmp_path: Path, make_package,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Four clients publish at once; each write of the index waits long enough for the others
    to read a stale one if the lock did not hold them back. Every version survives."""
    packages = [make_package(tmp_path / f"p{c}", c=c) for c in (11.0, 12.0, 13.0, 14.0)]
    start = threading.Barrier(len(packages))
    inside, most = [0], [0]
    guard = threading.Lock()
    real_write = local.write_json_atomic

    def slow_write(path: Path, document: dict) -> None:
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.2)
        real_write(path, document)
        with guard:
            inside[0] -= 1

    def publish(package: Path) -> str:
        registry = LocalRegistry(tmp_path / "reg")  # a client of its own, like another process
        start.wait()
        return registry.publish(package)

    monkeypatch.setattr(local, "write_json_atomic", slow_write)
    with ThreadPoolExecutor(len(packages)) as pool:
        published = list(pool.map(publish, packages))
    assert most[0] == 1, "two index updates overlapped"
    assert sorted(LocalRegistry(tmp_path / "reg").versions()) == sorted(published)
