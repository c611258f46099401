"""The local-directory backend of the registry, the default (`registry.uri` in params.yaml).

Index updates are serialised by an exclusive file lock (`filelock`: flock on POSIX, msvcrt on
Windows), so concurrent publishes and promotions from several processes lose nothing.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from pipeline.artifact import METADATA_NAME
from pipeline.errors import PipelineError
from pipeline.fileio import write_json_atomic
from pipeline.registry.base import Registry, T
from pipeline.registry.card import CARD_NAME
from pipeline.registry.index import INDEX_NAME, Index, check_index, empty_index
from pipeline.registry.verify import Package, verify_package

LOCK_NAME = ".lock"


class LocalRegistry(Registry):
    """A directory: `versions/<version>/` (written to a temp dir, then renamed) and `registry.json`
    (replaced atomically under an exclusive lock)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.uri = str(self.root)

    def _read_index(self) -> Index:
        path = self.root / INDEX_NAME
        try:
            return check_index(json.loads(path.read_text(encoding="utf-8")), str(path))
        except FileNotFoundError:
            return empty_index()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PipelineError(f"{path}: not valid JSON") from None

    def _update_index(self, change: Callable[[Index], tuple[Index, T]], message: str) -> T:
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(self.root / LOCK_NAME):
            index = self._read_index()
            new, result = change(index)
            if new is not index:
                write_json_atomic(self.root / INDEX_NAME, new)
            return result

    def _store(self, package: Package, card: str) -> None:
        target = self.root / "versions" / package.version
        if target.exists():
            verify_package(target, expected_sha256=package.sha256)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{package.version}.", dir=target.parent))
        try:
            shutil.copyfile(package.artifact, staging / package.artifact.name)
            shutil.copyfile(package.directory / METADATA_NAME, staging / METADATA_NAME)
            (staging / CARD_NAME).write_text(card, encoding="utf-8")
            try:
                staging.rename(target)
            except OSError:
                if not target.exists():  # anything but "a concurrent publish got there first"
                    raise
                verify_package(target, expected_sha256=package.sha256)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _retrieve(self, version: str, dest: Path) -> None:
        source = self.root / "versions" / version
        if not source.is_dir():
            raise PipelineError(f"{source}: version {version!r} is in the index but its files"
                                " are missing")
        for path in source.iterdir():
            shutil.copyfile(path, dest / path.name)
