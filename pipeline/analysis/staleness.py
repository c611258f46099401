"""How fast the model goes stale: loss on newer data as the gap since training grows.

The reviews carry no timestamps (the bundled data README lists only `Review` and `Liked`), so
the order of the rows stands in for time: the historic dump in file order, then the fresh batch
as the newest data. Models are trained on successive windows of older reviews and scored (Brier
score: a proper loss on the predicted probability, which an online system can log once labels
arrive) on blocks of newer reviews at growing gaps.

One block can be hard for every model (the fresh batch is label-shifted), and the largest gaps
are measured on few blocks, so the mean loss per gap mixes age with block difficulty. The effect
of age is therefore the trend of the loss over the gap within each evaluation block (each block
compared with itself, so at least two gaps per block), fitted over every block at once. Row
order is only a stand-in for time, so that trend is compared with a null: the same fit after
`permutations` seeded shuffles of the rows, which keep every review and destroy any order. The
null's spread is the trend's noise; the supported age is where the trend's upper confidence
bound (one-sided, `alpha`) raises the fresh model's loss by `max_loss_increase`, and never
beyond the largest gap measured. An arrival rate turns it into days for the monitoring suite's
`monitoring.max_model_age_days`.

The timeline is preprocessed once (`pipeline.model.after_preprocessing`) and every window fits
only the steps after preprocessing, on the same feature texts the whole Pipeline would make: the
null's shuffles reorder those texts instead of preprocessing every review again per shuffle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from pipeline.config import Config, StalenessChecks
from pipeline.data.reviews import Reviews
from pipeline.model import after_preprocessing


@dataclass(frozen=True)
class Pair:
    """One model scored on one newer block: where the block starts, the gap, the loss."""

    block: int
    gap: int
    loss: float


def brier(model: Any, texts: Sequence[str], labels: Sequence[int]) -> float:
    """Mean squared error of the positive-class probability."""
    probability = model.predict_proba(list(texts))[:, 1]
    return float(np.mean((probability - np.asarray(labels, dtype=float)) ** 2))


def staleness_pairs(timeline: Reviews, model: Any, settings: StalenessChecks) -> list[Pair]:
    """Every training window scored on every later block.

    `timeline` is labelled and ordered oldest first. A fresh clone of the unfitted `model` is
    fitted on each training window of `model_checks.staleness.window` reviews (shifted by
    `step`) and scored on every later block of `block` reviews; gap 0 is the block right after
    the window.
    """
    window, block, step = settings.window, settings.block, settings.step
    texts, labels = list(timeline.texts), list(timeline.labels or ())
    if len(labels) != len(texts) or len(texts) < window + block:
        raise ValueError(f"staleness: need at least {window + block} labelled reviews, "
                         f"got {len(labels)}")
    pairs = []
    for start in range(0, len(texts) - window - block + 1, step):
        end = start + window
        fitted = clone(model).fit(texts[start:end], labels[start:end])
        for first in range(end, len(texts) - block + 1, block):
            rows = slice(first, first + block)
            pairs.append(Pair(first, first - end, brier(fitted, texts[rows], labels[rows])))
    return pairs


def staleness_curve(pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    """Mean loss per gap (in reviews), with its spread and the number of windows behind it."""
    losses: dict[int, list[float]] = {}
    for pair in pairs:
        losses.setdefault(pair.gap, []).append(pair.loss)
    return [{"gap_reviews": gap, "loss": round(float(np.mean(values)), 4),
             "loss_spread": round(float(np.std(values)), 4), "windows": len(values)}
            for gap, values in sorted(losses.items())]


def within_block_trend(pairs: Sequence[Pair]) -> tuple[float, int]:
    """(slope of the loss per review of gap, blocks it rests on): least squares over every pair
    after centring gap and loss within each block, so a hard block adds no trend by itself;
    a block measured at a single gap carries no information and is not counted."""
    gaps, losses = [], []
    blocks = 0
    for block in sorted({pair.block for pair in pairs}):
        mine = [pair for pair in pairs if pair.block == block]
        if len({pair.gap for pair in mine}) < 2:
            continue
        blocks += 1
        gap = np.array([pair.gap for pair in mine], dtype=float)
        loss = np.array([pair.loss for pair in mine])
        gaps.append(gap - gap.mean())
        losses.append(loss - loss.mean())
    if not blocks:
        raise ValueError("staleness: no block is measured at two gaps; the timeline is too short")
    gap, loss = np.concatenate(gaps), np.concatenate(losses)
    return float(gap @ loss / (gap @ gap)), blocks


def permuted(timeline: Reviews, rng: np.random.Generator) -> Reviews:
    """The same labelled reviews in a random order: a timeline without any time structure."""
    order = rng.permutation(len(timeline.texts))
    labels = list(timeline.labels or ())
    return Reviews([timeline.texts[i] for i in order], [labels[i] for i in order])


def null_trends(timeline: Reviews, model: Any, settings: StalenessChecks,
                seed: int) -> list[float]:
    """The within-block trend of `settings.permutations` seeded shuffles of `timeline`."""
    rng = np.random.default_rng(seed)
    return [within_block_trend(staleness_pairs(permuted(timeline, rng), model, settings))[0]
            for _ in range(settings.permutations)]


def trend_against_null(slope: float, null: Sequence[float], alpha: float) -> dict[str, Any]:
    """The trend's permutation p-value (share of shuffles trending at least as steeply, the
    real order counted) and its one-sided upper confidence bound at `alpha`, the null's
    standard deviation standing in for the trend's standard error."""
    from scipy.stats import norm  # pylint: disable=import-outside-toplevel

    values = np.asarray(null, dtype=float)
    p_value = (1 + int(np.sum(values >= slope))) / (1 + len(values))
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return {"p_value": round(p_value, 4), "detected": p_value < alpha,
            "upper_slope": slope + float(norm.ppf(1 - alpha)) * spread,
            "null": {"permutations": len(values), "distinct": len(set(values.tolist())),
                     "median": float(np.median(values)), "sd": spread,
                     "q95": float(np.quantile(values, 0.95))}}


def supported_age(reference: float, upper_slope: float, max_increase: float,
                  longest_gap: int) -> int:
    """The largest gap (in reviews) at which the loss, rising at `upper_slope` per review, stays
    within `max_increase` (relative) of the fresh model's `reference` loss; never beyond the
    longest gap measured, since the study shows nothing about older models."""
    if upper_slope <= 0:
        return longest_gap
    return int(min(longest_gap, max_increase * reference / upper_slope))


def staleness_report(timeline: Reviews, config: Config) -> dict[str, Any]:
    """The curve, the trend against its null, the supported age in reviews and in days, and
    the configured maximum age.

    Reads the model spec, `seed`, `model_checks.staleness` and the `monitoring` ages of `config`.
    """
    settings = config.model_checks.staleness
    model, features = after_preprocessing(config.model_spec, timeline.texts)
    prepared = Reviews(features.tolist(), list(timeline.labels or ()))
    pairs = staleness_pairs(prepared, model, settings)
    curve = staleness_curve(pairs)
    slope, blocks = within_block_trend(pairs)
    against = trend_against_null(slope, null_trends(prepared, model, settings, config.seed),
                                 settings.alpha)
    tolerance = settings.max_loss_increase
    age = supported_age(curve[0]["loss"], against["upper_slope"], tolerance,
                        curve[-1]["gap_reviews"])
    per_day = config.monitoring.reviews_per_day
    per_block = settings.block
    return {
        "curve": curve,
        "loss": "brier",
        "trend": {"loss_per_block": round(slope * per_block, 5), "blocks": blocks,
                  "upper_loss_per_block": round(against["upper_slope"] * per_block, 5),
                  "p_value": against["p_value"], "detected": against["detected"],
                  "alpha": settings.alpha,
                  "null_loss_per_block": {key: (round(value * per_block, 5)
                                                if isinstance(value, float) else value)
                                          for key, value in against["null"].items()}},
        "max_loss_increase": tolerance,
        "supported_age_reviews": age,
        "reviews_per_day": per_day,
        "supported_age_days": round(age / per_day, 2),
        "max_model_age_days": config.monitoring.max_model_age_days,
    }
