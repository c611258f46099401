"""The registry's rules, written once for every backend; a backend only stores files and swaps
the index.

- `publish(dir)` stores a package (artifact, metadata.json, a generated model card README.md)
  under its version. Publishing the same version again is idempotent: the content is the same by
  construction (the version is a prefix of the artifact's sha256), so it returns the version and
  changes nothing; a different artifact claiming an existing version is refused.
- `record_release(v, spec_sha256)` notes the reviewed spec a version was released against
  (`pipeline.rollout.release`); the server refuses a version without it
  (`pipeline.analysis.spec.require_released`).
- `promote(v)` makes `v` the served version and pushes it on the served stack; `rollback()` pops
  the stack, so the previously served version is served again. Every change is logged in
  `events` with a UTC timestamp.
- `fetch(v, dest)` writes a package directory that has been verified: the artifact's sha256
  matches metadata.json, which matches the sha256 the index recorded at publish time. So a file
  swapped in the store (or in transit) is refused before anyone deserialises it.
"""

from __future__ import annotations

import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

# The transitions are looked up on their module at call time, so that a fault injected there
# (ml_tests/faults) reaches every backend.
import pipeline.registry.index as transitions
from pipeline.artifact import METADATA_NAME, load_package
from pipeline.errors import PipelineError
from pipeline.registry.card import model_card
from pipeline.registry.index import Index
from pipeline.registry.verify import Package, verify_package

T = TypeVar("T")


class Registry(ABC):
    """Publish, list, fetch, promote and roll back; backends provide storage and index swaps."""

    uri: str

    # storage primitives a backend implements
    @abstractmethod
    def _read_index(self) -> Index:
        """The current index (an empty one if the registry does not exist yet)."""

    @abstractmethod
    def _update_index(self, change: Callable[[Index], tuple[Index, T]], message: str) -> T:
        """Apply `change` to the current index and store the result without losing a concurrent
        update (a lock, or a compare-and-swap on the parent commit)."""

    @abstractmethod
    def _store(self, package: Package, card: str) -> None:
        """Store the package files under its version, all or nothing; idempotent."""

    @abstractmethod
    def _retrieve(self, version: str, dest: Path) -> None:
        """Write the stored files of `version` into the empty directory `dest`."""

    # the API
    def publish(self, package_dir: str | Path) -> str:
        """Store a verified package under its version; returns the version."""
        package = verify_package(package_dir)
        self._store(package, model_card(package.metadata))
        return self._update_index(
            lambda index: (transitions.with_version(index, package), package.version),
            f"Publish model {package.version}")

    def index(self) -> Index:
        """The whole state: `versions` (version, sha256, published_at, metrics; spec_sha256 once
        released), the `served` stack (last is served) and `events` (every publish, release,
        promote and rollback, oldest first)."""
        return self._read_index()

    def versions(self) -> list[str]:
        """Published versions, oldest first."""
        return [entry["version"] for entry in self._read_index()["versions"]]

    def served(self) -> str | None:
        """The version `load_model()` loads by default; None until something is promoted."""
        served = self._read_index()["served"]
        return served[-1] if served else None

    def record_release(self, version: str, spec_sha256: str) -> None:
        """Record the reviewed spec a published version was released against (the release
        check calls it just before promoting)."""
        self._update_index(
            lambda index: (transitions.released(index, version, spec_sha256, self.uri), None),
            f"Release model {version}")

    def released_spec(self, version: str) -> str | None:
        """The reviewed spec's sha256 the release of `version` recorded; None: never released."""
        entry = next((e for e in self._read_index()["versions"] if e["version"] == version), None)
        return None if entry is None else entry.get("spec_sha256")

    def promote(self, version: str) -> None:
        """Serve a published version; the one served before stays on the stack for rollback."""
        self._update_index(lambda index: (transitions.promoted(index, version, self.uri), None),
                           f"Serve model {version}")

    def rollback(self) -> str:
        """Serve the previously served version again; returns it."""
        return self._update_index(lambda index: transitions.rolled_back(index, self.uri),
                                  "Roll back served model")

    def fetch(self, version: str, dest: str | Path) -> Path:
        """Download `version` into `dest` (absent or empty) and verify it before returning."""
        dest = Path(dest)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise PipelineError(f"{dest}: destination exists and is not an empty directory")
        entry = next((e for e in self._read_index()["versions"] if e["version"] == version), None)
        if entry is None:
            raise PipelineError(f"{self.uri}: unknown version {version!r}; published:"
                                f" {', '.join(self.versions()) or 'none'}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            self._retrieve(version, staging)
            package = verify_package(staging, expected_sha256=entry["sha256"])
            if package.version != version:
                raise PipelineError(f"{staging / METADATA_NAME}: version {package.version!r}"
                                    f" but {version!r} was requested")
            if dest.exists():
                dest.rmdir()
            staging.rename(dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return dest

    def load(self, version: str) -> tuple[Any, dict[str, Any]]:
        """A version's model and metadata, fetched into a scratch directory and verified first.

        The one way code outside the registry gets a model from it (release, canary, serving's
        `load_model`), so none of them deserialises a package the checks have not passed.
        """
        with tempfile.TemporaryDirectory(prefix="registry-") as scratch:
            return load_package(self.fetch(version, Path(scratch) / "package"))
