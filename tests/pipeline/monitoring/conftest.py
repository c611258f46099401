"""Prediction log records as the server writes them, for the monitoring checks' unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pipeline.serving.served import ServedModel

VERSION = "tiny-1"


def log_records(model: Any, texts: list[str], version: str = VERSION,
                request_id: str = "req") -> list[dict[str, Any]]:
    """The log lines serving writes for one request of `texts` (the fields of predlog)."""
    scored = ServedModel(model, {"version": version}).score(texts)
    return [{"time": "2026-01-01T00:00:00.000+00:00", "version": version,
             "request_id": request_id, "index": index, "review": scored.masked[index],
             "features": scored.features[index], "probability": scored.probabilities[index],
             "label": scored.labels[index], "latency_ms": 1.0} for index in range(len(texts))]


@pytest.fixture
def records_of(tiny_model) -> Callable[..., list[dict[str, Any]]]:
    """`records_of(texts, ...)`: the tiny model's log records of one request."""
    return lambda texts, **kwargs: log_records(tiny_model, texts, **kwargs)
