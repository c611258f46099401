"""Package verification: names that could escape the package, and sha256 mismatches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME
from pipeline.errors import PipelineError
from pipeline.registry.verify import verify_package


def edited(package: Path, tmp_path: Path, **changes: str) -> Path:
    """A copy of `package` whose metadata has `changes` applied."""
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / ARTIFACT_NAME).write_bytes((package / ARTIFACT_NAME).read_bytes())
    metadata = json.loads((package / METADATA_NAME).read_text())
    (copy / METADATA_NAME).write_text(json.dumps({**metadata, **changes}))
    return copy


def test_a_package_is_returned_with_its_metadata(packages: list[Path]) -> None:
    package = verify_package(packages[0])
    assert package.artifact == packages[0] / ARTIFACT_NAME
    assert package.version == package.sha256[:12]


@pytest.mark.parametrize("changes, message", [
    ({"version": "../up"}, "is not a plain name"),
    ({"artifact": "../model.skops"}, "must be a plain file name"),
    ({"artifact": "README.md"}, "must be a plain file name"),
    ({"artifact": "absent.skops"}, "model artifact not found"),
])
def test_names_that_could_escape_or_overwrite_are_refused(
        packages: list[Path], tmp_path: Path, changes: dict[str, str], message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        verify_package(edited(packages[0], tmp_path, **changes))


def test_a_package_the_index_does_not_know_is_refused(packages: list[Path]) -> None:
    with pytest.raises(PipelineError, match="differs from the registry's record"):
        verify_package(packages[0], expected_sha256="0" * 64)
