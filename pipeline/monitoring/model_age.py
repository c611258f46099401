"""Monitor 4: the served model is not older than the age its quality was shown to tolerate.

The model suite measures how fast quality decays with age and sets
`monitoring.max_model_age_days` from it; this check reads the `created_at` of the version the
registry serves (its served pointer, that version's verified metadata) and alerts once that
age is exceeded, with the number of reviews that arrived since and when the version was
published and promoted as context. A package directory can be checked the same way.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.artifact import read_metadata
from pipeline.config import MonitoringConfig
from pipeline.errors import PipelineError
from pipeline.registry import Registry

SECONDS_PER_DAY = 86400.0


def created_at(metadata: dict[str, Any]) -> datetime:
    """The packaging time as an aware datetime; missing or malformed is a user error."""
    value = metadata.get("created_at")
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise PipelineError(
            f"metadata.json: created_at {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise PipelineError(f"metadata.json: created_at {value!r} has no time zone")
    return moment


def check_model_age(metadata: dict[str, Any], monitoring: MonitoringConfig,
                    now: datetime | None = None) -> dict[str, Any]:
    """Alert when the model is older than monitoring.max_model_age_days."""
    now = now or datetime.now(UTC)
    built = created_at(metadata)
    age_days = (now - built).total_seconds() / SECONDS_PER_DAY
    if age_days < 0:
        raise PipelineError(f"metadata.json: created_at {metadata['created_at']} is in the future"
                            f" (now {now.isoformat(timespec='seconds')}); check the clocks")
    limit = monitoring.max_model_age_days
    per_day = monitoring.reviews_per_day
    stale = age_days > limit
    return {
        "alert": stale,
        "message": (f"model {metadata.get('version')} is {age_days:.1f} days old; "
                    f"{'more' if stale else 'no more'} than "
                    f"monitoring.max_model_age_days {limit:g}"),
        "model_version": metadata.get("version"),
        "created_at": built.isoformat(timespec="seconds"),
        "checked_at": now.isoformat(timespec="seconds"),
        "age_days": round(age_days, 3),
        "max_age_days": limit,
        "reviews_since_training": round(age_days * per_day),
    }


def served_history(index: dict[str, Any], version: str) -> dict[str, str | None]:
    """When `version` was published and last promoted, from the registry's events."""
    def last(action: str) -> str | None:
        return next((event["at"] for event in reversed(index["events"])
                     if event.get("version") == version and event.get("action") == action),
                    None)

    return {"published_at": last("publish"), "promoted_at": last("promote")}


def check_served_age(store: Registry, monitoring: MonitoringConfig,
                     now: datetime | None = None) -> dict[str, Any]:
    """`check_model_age` of the version the registry serves, its metadata fetched and verified
    as a server fetches it, with its publish and promotion times."""
    index = store.index()
    version = store.served()
    if version is None:
        raise PipelineError(f"{store.uri}: no version is served; nothing to check")
    with tempfile.TemporaryDirectory(prefix="served-") as scratch:
        metadata = read_metadata(store.fetch(version, Path(scratch) / "package"))
    return {**check_model_age(metadata, monitoring, now), "registry": store.uri,
            **served_history(index, version)}
