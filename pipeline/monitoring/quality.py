"""Monitor 7 (with labels): prediction quality on labelled serving data has not regressed.

Questions once labels arrive: is the served model now significantly worse than the accuracy it
was packaged with (one-sided test against metadata `metrics.accuracy`, and a drop of at least
monitoring.max_accuracy_drop) or than the floor it had to pass (`quality.min_accuracy`), and
would a candidate be worse than the served model on the same reviews (a paired comparison, so
the batch's own difficulty cancels out)?
"""

from __future__ import annotations

from typing import Any

from pipeline import evaluate
from pipeline.errors import PipelineError
from pipeline.monitoring.stats import one_sided_below
from pipeline.params import get
from pipeline.reviews import Reviews


def _correct(model: Any, batch: Reviews) -> list[bool]:
    predicted, _ = evaluate.predict_labels(model, batch.texts)
    return [p == y for p, y in zip(predicted, batch.labels or [], strict=True)]


def check_quality(served: Any, batch: Reviews, params: dict[str, Any],
                  recorded_accuracy: float | None = None,
                  candidate: Any | None = None) -> dict[str, Any]:
    """Alert when served accuracy fell below its recorded accuracy or a candidate is worse."""
    if not batch.labels:
        raise PipelineError("quality: the batch has no labels; expected columns Review and Liked")
    alpha = float(get(params, "monitoring.drift_alpha"))
    max_drop = float(get(params, "monitoring.max_accuracy_drop"))
    served_correct = _correct(served, batch)
    served_accuracy = sum(served_correct) / len(served_correct)
    result: dict[str, Any] = {"reviews": len(served_correct), "served_accuracy": served_accuracy,
                              "max_accuracy_drop": max_drop, "alpha": alpha}
    reasons = []
    floor = float(get(params, "quality.min_accuracy"))
    z, p_value = one_sided_below(served_accuracy, floor, len(served_correct))
    result.update(min_accuracy=floor, floor_z=z, floor_p_value=p_value)
    if p_value < alpha:
        reasons.append(f"served accuracy {served_accuracy:.3f} is significantly below "
                       f"quality.min_accuracy {floor:.3f} (p {p_value:.2g})")
    if recorded_accuracy is not None:
        z, p_value = one_sided_below(served_accuracy, recorded_accuracy, len(served_correct))
        result.update(recorded_accuracy=recorded_accuracy, live_z=z, live_p_value=p_value)
        if p_value < alpha and recorded_accuracy - served_accuracy >= max_drop:
            reasons.append(f"served accuracy {served_accuracy:.3f} is below its recorded "
                           f"{recorded_accuracy:.3f} (p {p_value:.2g})")
    if candidate is not None:
        candidate_correct = _correct(candidate, batch)
        candidate_accuracy = sum(candidate_correct) / len(candidate_correct)
        pairs = list(zip(served_correct, candidate_correct, strict=True))
        result.update(candidate_accuracy=candidate_accuracy,
                      only_served_right=sum(s and not c for s, c in pairs),
                      only_candidate_right=sum(c and not s for s, c in pairs))
        if served_accuracy - candidate_accuracy > max_drop:
            reasons.append(f"candidate accuracy {candidate_accuracy:.3f} is below the served "
                           f"{served_accuracy:.3f} by more than {max_drop:g}")
    result["alert"] = bool(reasons)
    result["message"] = "; ".join(reasons) or (
        f"no regression: served accuracy {served_accuracy:.3f}"
        + (f", candidate {result['candidate_accuracy']:.3f}" if candidate is not None else ""))
    return result
