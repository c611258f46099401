"""Monitor 4: the served model is not older than the age its quality was shown to tolerate.

The model suite measures how fast quality decays with age and sets
`monitoring.max_model_age_days` from it; this check reads the served model's `created_at` and
alerts once that age is exceeded, with the number of reviews that arrived since as context.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pipeline.config import MonitoringConfig
from pipeline.errors import PipelineError

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
