"""Monitor 7 (with labels): the served model's accuracy on the traffic it answered.

Labels arrive late, keyed by request id; `pipeline.serving.logreader.read_log` joins them to
the logged predictions. The question is then whether the version being served is now
significantly worse than the accuracy recorded in its own metadata (`metrics.accuracy`, held
out at training time) by at least monitoring.max_accuracy_drop, or than the floor it had to
pass (`quality.min_accuracy`). The labels are compared with what serving predicted, as logged,
never with a prediction recomputed here: a defect anywhere on the serving path shows.

A batch of n labels can only show so much: the report states the smallest drop this n shows
at the configured alpha with probability monitoring.power (`stats.detectable_drop`), so a
quiet report on a small batch is not read as proof of health.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.config import MonitoringConfig, QualityConfig
from pipeline.errors import PipelineError
from pipeline.monitoring.stats import detectable_drop, one_sided_below


@dataclass(frozen=True)
class QualityLimits:
    """Significance (monitoring.drift_alpha), power of the stated detectable drop
    (monitoring.power), material drop (monitoring.max_accuracy_drop) and the floor
    (quality.min_accuracy)."""

    alpha: float
    power: float
    max_drop: float
    floor: float

    @classmethod
    def from_config(cls, monitoring: MonitoringConfig, quality: QualityConfig) -> QualityLimits:
        """The limits of the `monitoring:` and `quality:` sections of params.yaml."""
        return cls(monitoring.drift_alpha, monitoring.power, monitoring.max_accuracy_drop,
                   quality.min_accuracy)


def _below(accuracy: float, reference: float, total: int, alpha: float,
           min_drop: float) -> tuple[bool, float]:
    """Significantly (p < alpha) and materially (by min_drop or more) below `reference`?"""
    _, p_value = one_sided_below(accuracy, reference, total)
    return p_value < alpha and reference - accuracy >= min_drop, p_value


def _detectable(reference: float, total: int, limits: QualityLimits,
                min_drop: float) -> dict[str, Any]:
    """The drop below `reference` this many labels show at alpha with the configured power,
    and the accuracy at which the alarm (which also needs `min_drop`) then fires."""
    drop = detectable_drop(reference, total, limits.alpha, limits.power)
    return {"reference": reference, "drop": drop,
            "alarm_accuracy": None if drop is None else reference - max(drop, min_drop)}


def served_metrics(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How well the logged answers did against their delayed labels: `accuracy` of the logged
    label and `brier` (mean squared error) of the logged positive-class probability, over the
    `labelled` records (`true_label` not None); the figures both Monitor 7 and Model 2 read."""
    labelled = [record for record in records if record["true_label"] is not None]
    if not labelled:
        raise PipelineError(f"quality: none of the {len(records)} logged predictions has a label"
                            " yet; pass the delayed labels with --labels")
    total = len(labelled)
    return {"labelled": total,
            "accuracy": sum(record["label"] == record["true_label"] for record in labelled) / total,
            "brier": sum((record["probability"] - record["true_label"]) ** 2
                         for record in labelled) / total}


def check_live_quality(records: Sequence[dict[str, Any]], limits: QualityLimits,
                       recorded_accuracy: float | None = None) -> dict[str, Any]:
    """Alert when the logged predictions' accuracy against their delayed labels is below the
    recorded accuracy or the quality floor; `records` are one version's log records with
    `true_label` (None while its label has not arrived)."""
    served = served_metrics(records)
    total, accuracy = served["labelled"], served["accuracy"]
    alpha, max_drop, floor = limits.alpha, limits.max_drop, limits.floor
    result: dict[str, Any] = {
        "logged": len(records), "labelled": total, "served_accuracy": accuracy,
        "alpha": alpha, "power": limits.power, "max_accuracy_drop": max_drop,
        "min_accuracy": floor}
    reasons = []
    below, result["floor_p_value"] = _below(accuracy, floor, total, alpha, 0.0)
    if below:
        reasons.append(f"served accuracy {accuracy:.3f} is significantly below "
                       f"quality.min_accuracy {floor:.3f} (p {result['floor_p_value']:.2g})")
    if recorded_accuracy is None:
        result["detectable"] = _detectable(floor, total, limits, 0.0)
    else:
        below, result["live_p_value"] = _below(accuracy, recorded_accuracy, total, alpha,
                                               max_drop)
        result["recorded_accuracy"] = recorded_accuracy
        result["detectable"] = _detectable(recorded_accuracy, total, limits, max_drop)
        if below:
            reasons.append(f"served accuracy {accuracy:.3f} is below its recorded "
                           f"{recorded_accuracy:.3f} (p {result['live_p_value']:.2g})")
    detectable = result["detectable"]
    reach = ("no drop is detectable" if detectable["drop"] is None else
             f"this batch shows a drop of {detectable['drop']:.3f} below "
             f"{detectable['reference']:.3f} with power {limits.power:g} at alpha {alpha:g}")
    result["alert"] = bool(reasons)
    result["message"] = "; ".join(reasons) or (
        f"no regression: served accuracy {accuracy:.3f} on {total} labelled predictions")
    result["message"] += f" ({reach})"
    return result
