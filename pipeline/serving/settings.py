"""What the server needs of the `serving:` section of params.yaml, as one object.

`ServingConfig` has checked every value when params.yaml was loaded (a limit that is missing or
of the wrong type stops the server before it listens, with one line naming the key); these
settings add what the command line may change (the log directory, the reload interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import ServingConfig


@dataclass(frozen=True)
class ServingSettings:
    """Request limits, micro-batching, reloading and the prediction log."""

    max_reviews: int           # reviews in one request
    max_review_chars: int      # characters in one review
    max_body_bytes: int        # bytes of one request body, checked before it is parsed
    max_batch_reviews: int     # reviews scored in one model call across concurrent requests
    reload_poll_seconds: float  # how often the served pointer is checked; 0 turns it off
    log_dir: Path
    log_fsync: bool

    @classmethod
    def from_config(cls, serving: ServingConfig) -> ServingSettings:
        """The settings of the validated `serving:` section."""
        return cls(max_reviews=serving.max_reviews,
                   max_review_chars=serving.max_review_chars,
                   max_body_bytes=serving.max_body_bytes,
                   max_batch_reviews=serving.max_batch_reviews,
                   reload_poll_seconds=serving.reload_poll_seconds,
                   log_dir=Path(serving.log_dir),
                   log_fsync=serving.log_fsync)
