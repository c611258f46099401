"""Monitor 7 (without labels): the predictions serving made have not drifted.

Labels arrive late or never, but the share of positive predictions is in the prediction log
at once. It is compared with the same version's predicted-positive share on the held-out split
of its training data, which packaging recorded (`metrics.confusion_matrix`, columns are the
predicted labels): the training distribution as that model sees it, measured once, outside
any serving path that could be broken now. Predicted labels, not raw probabilities, are
compared: on reviews it was fitted on the model is over-confident, so a probability histogram
of training data is no fair reference, while the held-out predicted share is.

The test is a pooled two-proportion test (chi-square, 1 dof), reported with its PSI. An alert
needs both significance (p < monitoring.drift_alpha) and a material shift
(|shift| >= monitoring.max_positive_rate_shift), so a huge batch does not alert on a trifle;
the report states the smallest shift each way this many logged predictions show with
probability monitoring.power (`stats.detectable_shift`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import MonitoringConfig
from pipeline.errors import PipelineError
from pipeline.monitoring.stats import (
    detectable_shift,
    population_stability_index,
    two_proportion_test,
)


def recorded_positives(metrics: dict[str, Any]) -> tuple[int, int]:
    """(predicted positives, reviews) of the held-out split, from a confusion matrix whose rows
    are the true labels 0, 1 and whose columns the predicted ones."""
    matrix = metrics.get("confusion_matrix")
    try:
        (true_neg, false_pos), (false_neg, true_pos) = [[int(count) for count in row]
                                                        for row in matrix]
    except (TypeError, ValueError):
        raise PipelineError(f"metadata.json: metrics.confusion_matrix {matrix!r} is not a 2x2"
                            " matrix of counts; the reference share is unknown") from None
    counts = (true_neg, false_pos, false_neg, true_pos)
    if min(counts) < 0 or sum(counts) == 0:
        raise PipelineError(f"metadata.json: metrics.confusion_matrix {matrix!r} holds no"
                            " reviews")
    return false_pos + true_pos, sum(counts)


def check_drift(records: Sequence[dict[str, Any]], metrics: dict[str, Any],
                monitoring: MonitoringConfig) -> dict[str, Any]:
    """Compare the logged predicted-positive share of one version with its recorded share.

    Each distinct logged review counts once: one version gives a repeated review the same
    label, so its repeats (retries, a batch sent twice) are not independent observations and
    would make the test, and the shift it claims to detect, look sharper than the batch is.
    """
    if not records:
        raise PipelineError("drift: no logged predictions of the served version to compare")
    labels = list({record["review"]: record["label"] for record in records}.values())
    reference_hits, reference_total = recorded_positives(metrics)
    batch_hits = sum(labels)
    reference_rate = reference_hits / reference_total
    batch_rate = batch_hits / len(labels)
    z, p_value = two_proportion_test(reference_hits, reference_total, batch_hits, len(labels))
    shift = batch_rate - reference_rate
    psi = population_stability_index([1 - reference_rate, reference_rate],
                                     [1 - batch_rate, batch_rate])
    drifted = (p_value < monitoring.drift_alpha
               and abs(shift) >= monitoring.max_positive_rate_shift)
    detectable = detectable_shift(reference_rate, reference_total, len(labels),
                                  monitoring.drift_alpha, monitoring.power)
    reach = ", ".join(f"{way} {'out of reach' if size is None else f'{size:.3f}'}"
                      for way, size in detectable.items())
    return {
        "alert": drifted,
        "message": (f"logged predicted positive share {batch_rate:.3f} vs {reference_rate:.3f} "
                    f"held out at training (shift {shift:+.3f}, chi2 {z * z:.1f}, "
                    f"p {p_value:.2g}, PSI {psi:.3f}): {'drift' if drifted else 'no drift'}; "
                    f"{len(labels)} distinct reviews show a shift of {reach} with power "
                    f"{monitoring.power:g}"),
        "reference_reviews": reference_total,
        "batch_reviews": len(records),
        "distinct_reviews": len(labels),
        "reference_positive_rate": reference_rate,
        "batch_positive_rate": batch_rate,
        "shift": shift,
        "chi2": z * z,
        "p_value": p_value,
        "psi": psi,
        "alpha": monitoring.drift_alpha,
        "power": monitoring.power,
        "max_shift": monitoring.max_positive_rate_shift,
        "detectable_shift": detectable,
    }
