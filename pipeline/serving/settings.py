"""The `serving:` section of params.yaml as one typed object, checked once at start-up.

A limit that is missing or of the wrong type must stop the server before it listens, with one
line naming the key, rather than surface as a 500 on the first request that reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.params import get


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
    def from_params(cls, params: dict[str, Any]) -> ServingSettings:
        """Read and check `serving.*`; every value must be a positive number (poll: >= 0)."""
        def positive(key: str) -> int:
            value = get(params, f"serving.{key}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise PipelineError(f"params.yaml: serving.{key} is {value!r}; expected a"
                                    " positive integer")
            return value

        poll = get(params, "serving.reload_poll_seconds")
        if isinstance(poll, bool) or not isinstance(poll, int | float) or poll < 0:
            raise PipelineError(f"params.yaml: serving.reload_poll_seconds is {poll!r}; expected"
                                " a number of seconds >= 0")
        fsync = get(params, "serving.log_fsync")
        if not isinstance(fsync, bool):
            raise PipelineError(f"params.yaml: serving.log_fsync is {fsync!r}; expected true or"
                                " false")
        return cls(max_reviews=positive("max_reviews"),
                   max_review_chars=positive("max_review_chars"),
                   max_body_bytes=positive("max_body_bytes"),
                   max_batch_reviews=positive("max_batch_reviews"),
                   reload_poll_seconds=float(poll),
                   log_dir=Path(str(get(params, "serving.log_dir"))),
                   log_fsync=fsync)
