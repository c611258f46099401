"""How fast the model goes stale: loss on newer data as the gap since training grows.

The reviews carry no timestamps, so the order of the rows stands in for time: the historic dump
in file order, then the fresh batch as the newest data. Models are trained on successive windows
of older reviews and scored (Brier score: a proper loss on the predicted probability, which an
online system can log once labels arrive) on blocks of newer reviews at growing gaps. The age at
which the loss first rises beyond tolerance is the longest a model may serve; an arrival rate
turns it into days for the monitoring suite's `monitoring.max_model_age_days`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pipeline.config import Config, ModelSpec, StalenessChecks
from pipeline.data.reviews import Reviews

Fit = Callable[[Reviews, ModelSpec], Any]


def brier(model: Any, texts: Sequence[str], labels: Sequence[int]) -> float:
    """Mean squared error of the positive-class probability."""
    probability = model.predict_proba(list(texts))[:, 1]
    return float(np.mean((probability - np.asarray(labels, dtype=float)) ** 2))


def staleness_curve(timeline: Reviews, spec: ModelSpec, settings: StalenessChecks,
                    fit: Fit) -> list[dict[str, Any]]:
    """Mean loss per gap (in reviews) between the end of a training window and a newer block.

    `timeline` is labelled and ordered oldest first. Each training window of
    `model_checks.staleness.window` reviews (shifted by `step`) is scored on every later block
    of `block` reviews; gap 0 is the block right after the window.
    """
    window, block, step = settings.window, settings.block, settings.step
    texts, labels = list(timeline.texts), list(timeline.labels or ())
    if len(labels) != len(texts) or len(texts) < window + block:
        raise ValueError(f"staleness: need at least {window + block} labelled reviews, "
                         f"got {len(labels)}")
    losses: dict[int, list[float]] = {}
    for start in range(0, len(texts) - window - block + 1, step):
        end = start + window
        model = fit(Reviews(texts[start:end], labels[start:end]), spec)
        for first in range(end, len(texts) - block + 1, block):
            rows = slice(first, first + block)
            losses.setdefault(first - end, []).append(brier(model, texts[rows], labels[rows]))
    return [{"gap_reviews": gap, "loss": round(float(np.mean(values)), 4),
             "loss_spread": round(float(np.std(values)), 4), "windows": len(values)}
            for gap, values in sorted(losses.items())]


def supported_age(curve: Sequence[dict[str, Any]], max_increase: float) -> int:
    """The largest gap (in reviews) up to which the loss stays within `max_increase` (relative)
    of the fresh model's loss at gap 0; a model older than this has measurably gone stale."""
    reference = curve[0]["loss"]
    supported = curve[0]["gap_reviews"]
    for point in curve[1:]:
        if point["loss"] > reference * (1.0 + max_increase):
            break
        supported = point["gap_reviews"]
    return supported


def staleness_report(timeline: Reviews, config: Config, fit: Fit) -> dict[str, Any]:
    """The curve, the supported age in reviews and in days, and the configured maximum age.

    Reads the model spec, `model_checks.staleness` and the `monitoring` ages of `config`.
    """
    settings = config.model_checks.staleness
    curve = staleness_curve(timeline, config.model_spec, settings, fit)
    tolerance = settings.max_loss_increase
    age = supported_age(curve, tolerance)
    per_day = config.monitoring.reviews_per_day
    return {
        "curve": curve,
        "loss": "brier",
        "max_loss_increase": tolerance,
        "supported_age_reviews": age,
        "reviews_per_day": per_day,
        "supported_age_days": round(age / per_day, 2),
        "max_model_age_days": config.monitoring.max_model_age_days,
    }
