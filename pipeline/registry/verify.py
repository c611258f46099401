"""Verified packages: nothing is stored or handed back before its artifact matches its sha256.

The check reads bytes only, so a swapped file (in the store or in transit) is refused before
anyone deserialises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.artifact import METADATA_NAME, read_metadata
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.registry.card import CARD_NAME

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Package:
    """A package directory `verify_package` has checked: what publish uploads and fetch hands
    back. Construction itself checks nothing; the registry only uses packages it returned."""

    directory: Path
    metadata: dict[str, Any]

    @property
    def version(self) -> str:
        """The name the package is published under."""
        return self.metadata["version"]

    @property
    def sha256(self) -> str:
        """The artifact's sha256 as the metadata states it; `verify_package` hashed the artifact
        and compared the two before returning the package."""
        return self.metadata["sha256"]

    @property
    def artifact(self) -> Path:
        """The artifact file; its name comes from the metadata, never a path."""
        return self.directory / self.metadata["artifact"]


def verify_package(directory: str | Path, expected_sha256: str | None = None) -> Package:
    """Check a package's artifact against its metadata (and the index) without deserialising it."""
    directory = Path(directory)
    metadata = read_metadata(directory)
    where = directory / METADATA_NAME
    if not _VERSION.fullmatch(metadata["version"]):
        raise PipelineError(f"{where}: version {metadata['version']!r} is not a plain name"
                            " (letters, digits, '.', '_', '-')")
    if Path(metadata["artifact"]).name != metadata["artifact"] or metadata["artifact"] in {
            METADATA_NAME, CARD_NAME}:
        raise PipelineError(f"{where}: artifact {metadata['artifact']!r} must be a plain file name")
    package = Package(directory, metadata)
    if expected_sha256 is not None and package.sha256 != expected_sha256:
        raise PipelineError(f"{where}: sha256 {package.sha256[:12]}... differs from the registry's"
                            f" record ({expected_sha256[:12]}...); refusing the package")
    if not package.artifact.is_file():
        raise PipelineError(f"{package.artifact}: model artifact not found")
    actual = sha256_file(package.artifact)
    if actual != package.sha256:
        raise PipelineError(f"{package.artifact}: sha256 {actual[:12]}... does not match the"
                            f" metadata ({package.sha256[:12]}...); the artifact was modified,"
                            " refusing it")
    return package
