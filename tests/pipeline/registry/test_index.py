"""The index transitions on their own: pure functions of the index, no storage involved."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.registry.index import (
    check_index,
    empty_index,
    promoted,
    rolled_back,
    with_version,
)
from pipeline.registry.verify import verify_package


def test_publishing_records_a_version_once(packages: list[Path]) -> None:
    package = verify_package(packages[0])
    index = with_version(empty_index(), package)
    assert [entry["version"] for entry in index["versions"]] == [package.version]
    assert index["versions"][0]["sha256"] == package.sha256
    assert with_version(index, package) is index, "a known version changes nothing"


def test_promoting_pushes_the_served_stack_and_rolling_back_pops_it(
        packages: list[Path]) -> None:
    first, second = (verify_package(p) for p in packages[:2])
    index = with_version(with_version(empty_index(), first), second)
    index = promoted(promoted(index, first.version, "reg"), second.version, "reg")
    assert promoted(index, second.version, "reg") is index, "the served version stays put"
    index, previous = rolled_back(index, "reg")
    assert previous == first.version and index["served"] == [first.version]
    assert [event["action"] for event in index["events"]] == [
        "publish", "publish", "promote", "promote", "rollback"]
    with pytest.raises(PipelineError, match=f"reg: cannot roll back: {first.version} is served"):
        rolled_back(index, "reg")
    with pytest.raises(PipelineError, match="reg: unknown version 'nope'; published: "):
        promoted(index, "nope", "reg")


@pytest.mark.parametrize("document", [[], {"versions": [], "served": []},
                                      {"versions": {}, "served": [], "events": []}])
def test_a_malformed_index_is_named(document: object) -> None:
    with pytest.raises(PipelineError, match="where: not a registry index"):
        check_index(document, "where")
