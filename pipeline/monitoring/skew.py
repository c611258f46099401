"""Monitor 3: training and serving compute the same features and the same predictions.

Training transforms a whole batch with the fitted pipeline in memory; serving loads the packaged
artifact and answers one review at a time. Any difference between the two (a preprocessing step
that depends on the batch, a serialisation that loses a setting, a serving-side transform) shows
up as a review whose feature vector or probability differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

EXAMPLES = 3


def training_path(model: Any, texts: Sequence[str]) -> tuple[Any, np.ndarray]:
    """Features and positive-class probabilities of the whole batch, as training computes."""
    texts = list(texts)
    return model[:-1].transform(texts), model.predict_proba(texts)[:, 1]


def serving_path(model: Any, texts: Sequence[str]) -> tuple[Any, np.ndarray]:
    """The same, one review per call, as a server sees them."""
    from scipy.sparse import csr_matrix, vstack  # pylint: disable=import-outside-toplevel

    rows = [csr_matrix(model[:-1].transform([text])) for text in texts]
    probabilities = [float(model.predict_proba([text])[0, 1]) for text in texts]
    return vstack(rows, format="csr"), np.asarray(probabilities)


def _row_differences(left: Any, right: Any) -> np.ndarray:
    """Largest absolute difference per row of two feature matrices of the same shape."""
    from scipy.sparse import csr_matrix  # pylint: disable=import-outside-toplevel

    delta = abs(csr_matrix(left) - csr_matrix(right))
    return np.asarray(delta.max(axis=1).todense()).ravel()


def check_skew(trained: Any, served: Any, texts: Sequence[str],
               tolerance: float = 0.0) -> dict[str, Any]:
    """Alert when any review's features or probability differ by more than `tolerance`."""
    texts = list(texts)
    train_features, train_probability = training_path(trained, texts)
    serve_features, serve_probability = serving_path(served, texts)
    if train_features.shape != serve_features.shape:
        return {"alert": True, "reviews": len(texts),
                "message": (f"feature shapes differ: training {train_features.shape}, "
                            f"serving {serve_features.shape}"),
                "feature_mismatches": len(texts), "prediction_mismatches": len(texts),
                "label_mismatches": None, "max_feature_difference": None,
                "max_probability_difference": None, "examples": texts[:EXAMPLES]}
    feature_delta = _row_differences(train_features, serve_features)
    probability_delta = np.abs(train_probability - serve_probability)
    feature_bad = np.flatnonzero(~(feature_delta <= tolerance))  # NaN counts as a mismatch
    probability_bad = np.flatnonzero(~(probability_delta <= tolerance))
    label_mismatches = int(np.sum((train_probability >= 0.5) != (serve_probability >= 0.5)))
    bad = sorted(set(feature_bad.tolist()) | set(probability_bad.tolist()))
    return {
        "alert": bool(bad),
        "message": (f"{len(bad)} of {len(texts)} reviews differ between training and serving"
                    if bad else f"all {len(texts)} reviews identical in training and serving"),
        "reviews": len(texts),
        "feature_mismatches": int(feature_bad.size),
        "prediction_mismatches": int(probability_bad.size),
        "label_mismatches": label_mismatches,
        "max_feature_difference": float(np.max(feature_delta, initial=0.0)),
        "max_probability_difference": float(np.max(probability_delta, initial=0.0)),
        "tolerance": tolerance,
        "examples": [texts[i] for i in bad[:EXAMPLES]],
    }
