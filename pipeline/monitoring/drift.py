"""Monitor 7 (without labels): the distribution of predictions on a batch has not shifted.

Labels arrive late or never, but the share of positive predictions is available at once. It is
compared with the model's share on a reference sample of the training distribution by a pooled
two-proportion test (chi-square, 1 dof) and reported with its PSI. Predicted labels, not raw
probabilities, are compared: on reviews it was fitted on the model is over-confident, so the
probability histogram of the training data is not a fair reference (PSI 0.7 against its own
held-out split), while the predicted-positive share is (0.550 vs 0.544).
An alert needs both significance (p < monitoring.drift_alpha) and a material shift
(|shift| >= monitoring.max_positive_rate_shift), so a huge batch does not alert on a trifle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import MonitoringConfig
from pipeline.model import predict_labels
from pipeline.monitoring.stats import population_stability_index, two_proportion_test


def check_drift(model: Any, reference_texts: Sequence[str], batch_texts: Sequence[str],
                monitoring: MonitoringConfig) -> dict[str, Any]:
    """Compare the predicted-positive share on the batch with that on the reference sample."""
    alpha = monitoring.drift_alpha
    max_shift = monitoring.max_positive_rate_shift
    reference, _ = predict_labels(model, reference_texts)
    batch, _ = predict_labels(model, batch_texts)
    reference_rate = sum(reference) / len(reference)
    batch_rate = sum(batch) / len(batch)
    z, p_value = two_proportion_test(sum(reference), len(reference), sum(batch), len(batch))
    shift = batch_rate - reference_rate
    psi = population_stability_index([1 - reference_rate, reference_rate],
                                     [1 - batch_rate, batch_rate])
    drifted = p_value < alpha and abs(shift) >= max_shift
    return {
        "alert": drifted,
        "message": (f"predicted positive share {batch_rate:.3f} vs {reference_rate:.3f} on the "
                    f"reference (shift {shift:+.3f}, chi2 {z * z:.1f}, p {p_value:.2g}, "
                    f"PSI {psi:.3f}): {'drift' if drifted else 'no drift'}"),
        "reference_reviews": len(reference),
        "batch_reviews": len(batch),
        "reference_positive_rate": reference_rate,
        "batch_positive_rate": batch_rate,
        "shift": shift,
        "chi2": z * z,
        "p_value": p_value,
        "psi": psi,
        "alpha": alpha,
        "max_shift": max_shift,
    }
