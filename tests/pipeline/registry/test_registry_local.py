"""The local-directory backend: the shared rules, atomic index replacement, the lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import PipelineError
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
