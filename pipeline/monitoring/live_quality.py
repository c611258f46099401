"""Monitor 7 (with labels): prediction quality on labelled serving data has not regressed.

Questions once labels arrive: is the served model now significantly worse than the accuracy it
was packaged with (one-sided test against metadata `metrics.accuracy`, and a drop of at least
monitoring.max_accuracy_drop) or than the floor it had to pass (`quality.min_accuracy`), and
would a candidate be worse than the served model on the same reviews (a paired comparison, so
the batch's own difficulty cancels out)?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.config import MonitoringConfig, QualityConfig
from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError
from pipeline.model import predict_labels
from pipeline.monitoring.stats import one_sided_below


@dataclass(frozen=True)
class QualityLimits:
    """Significance (monitoring.drift_alpha), material drop (monitoring.max_accuracy_drop) and
    the floor (quality.min_accuracy)."""

    alpha: float
    max_drop: float
    floor: float

    @classmethod
    def from_config(cls, monitoring: MonitoringConfig, quality: QualityConfig) -> QualityLimits:
        """The limits of the `monitoring:` and `quality:` sections of params.yaml."""
        return cls(monitoring.drift_alpha, monitoring.max_accuracy_drop, quality.min_accuracy)


def _correct(model: Any, batch: Reviews) -> list[bool]:
    predicted, _ = predict_labels(model, batch.texts)
    return [p == y for p, y in zip(predicted, batch.labels or [], strict=True)]


def _below(accuracy: float, reference: float, total: int, alpha: float,
           min_drop: float) -> tuple[bool, float]:
    """Significantly (p < alpha) and materially (by min_drop or more) below `reference`?"""
    _, p_value = one_sided_below(accuracy, reference, total)
    return p_value < alpha and reference - accuracy >= min_drop, p_value


def check_live_quality(served: Any, batch: Reviews, limits: QualityLimits,
                       recorded_accuracy: float | None = None,
                       candidate: Any | None = None) -> dict[str, Any]:
    """Alert when served accuracy fell below its recorded accuracy or the quality floor, or a
    candidate is worse than the served model on the same reviews."""
    if not batch.labels:
        raise PipelineError("quality: the batch has no labels; expected columns Review and Liked")
    alpha, max_drop = limits.alpha, limits.max_drop
    served_correct = _correct(served, batch)
    accuracy = sum(served_correct) / len(served_correct)
    result: dict[str, Any] = {"reviews": len(served_correct), "served_accuracy": accuracy,
                              "max_accuracy_drop": max_drop, "alpha": alpha}
    reasons = []
    floor = limits.floor
    below, result["floor_p_value"] = _below(accuracy, floor, len(served_correct), alpha, 0.0)
    result["min_accuracy"] = floor
    if below:
        reasons.append(f"served accuracy {accuracy:.3f} is significantly below "
                       f"quality.min_accuracy {floor:.3f} (p {result['floor_p_value']:.2g})")
    if recorded_accuracy is not None:
        below, result["live_p_value"] = _below(accuracy, recorded_accuracy, len(served_correct),
                                               alpha, max_drop)
        result["recorded_accuracy"] = recorded_accuracy
        if below:
            reasons.append(f"served accuracy {accuracy:.3f} is below its recorded "
                           f"{recorded_accuracy:.3f} (p {result['live_p_value']:.2g})")
    if candidate is not None:
        candidate_correct = _correct(candidate, batch)
        result["candidate_accuracy"] = sum(candidate_correct) / len(candidate_correct)
        pairs = list(zip(served_correct, candidate_correct, strict=True))
        result["only_served_right"] = sum(s and not c for s, c in pairs)
        result["only_candidate_right"] = sum(c and not s for s, c in pairs)
        if accuracy - result["candidate_accuracy"] > max_drop:
            reasons.append(f"candidate accuracy {result['candidate_accuracy']:.3f} is below the "
                           f"served {accuracy:.3f} by more than {max_drop:g}")
    result["alert"] = bool(reasons)
    result["message"] = "; ".join(reasons) or (
        f"no regression: served accuracy {accuracy:.3f}"
        + (f", candidate {result['candidate_accuracy']:.3f}" if candidate is not None else ""))
    return result
