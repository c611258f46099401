"""The registry index (`registry.json`) and its state transitions.

The transitions are pure functions of the index so that every backend applies the same rules and
only has to decide how to swap the document without losing a concurrent update.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.errors import PipelineError
from pipeline.registry.verify import Package

INDEX_NAME = "registry.json"

Index = dict[str, Any]


def empty_index() -> Index:
    """The state of a registry nothing was published to."""
    return {"format": 1, "versions": [], "served": [], "events": []}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def with_version(index: Index, package: Package) -> Index:
    """Record a published version (once; publish order is the list order)."""
    if any(entry["version"] == package.version for entry in index["versions"]):
        return index
    entry = {"version": package.version, "sha256": package.sha256, "published_at": _now(),
             "metrics": package.metadata.get("metrics") or {}}
    return {**index, "versions": [*index["versions"], entry],
            "events": [*index["events"], {"action": "publish", "version": package.version,
                                          "at": entry["published_at"]}]}


def released(index: Index, version: str, spec_sha256: str, where: str) -> Index:
    """Record that `version` passed the release check against the reviewed spec `spec_sha256`.

    The server refuses a version without this record, or whose packaged spec no longer hashes
    to it."""
    if not any(entry["version"] == version for entry in index["versions"]):
        raise PipelineError(f"{where}: unknown version {version!r}; publish it first")
    at = _now()
    return {**index,
            "versions": [{**entry, "spec_sha256": spec_sha256} if entry["version"] == version
                         else entry for entry in index["versions"]],
            "events": [*index["events"], {"action": "release", "version": version,
                                          "spec_sha256": spec_sha256, "at": at}]}


def promoted(index: Index, version: str, where: str) -> Index:
    """Serve `version`; promoting the version already served changes nothing."""
    known = [entry["version"] for entry in index["versions"]]
    if version not in known:
        raise PipelineError(f"{where}: unknown version {version!r};"
                            f" published: {', '.join(known) or 'none'}")
    if index["served"][-1:] == [version]:
        return index
    return {**index, "served": [*index["served"], version],
            "events": [*index["events"], {"action": "promote", "version": version, "at": _now()}]}


def rolled_back(index: Index, where: str) -> tuple[Index, str]:
    """Serve the previously served version again."""
    served = index["served"]
    if len(served) < 2:
        current = served[-1] if served else "nothing"
        raise PipelineError(f"{where}: cannot roll back: {current} is served and no earlier"
                            " version was served before it")
    previous = served[-2]
    return {**index, "served": served[:-1],
            "events": [*index["events"], {"action": "rollback", "version": previous,
                                          "from": served[-1], "at": _now()}]}, previous


def check_index(index: Any, where: str) -> Index:
    """A malformed index is a user-visible error naming it, not a KeyError later."""
    if not (isinstance(index, dict) and isinstance(index.get("versions"), list)
            and isinstance(index.get("served"), list) and isinstance(index.get("events"), list)):
        raise PipelineError(f"{where}: not a registry index (expected versions, served, events)")
    return index
