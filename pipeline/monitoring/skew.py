"""Monitor 3: training and serving compute the same features and the same predictions.

Training transforms a whole batch with the fitted pipeline (`Pipeline.predict_proba`); serving
runs the loaded model's steps on micro-batches of whatever requests arrive together and logs
each review's feature row and probability. Any difference between the two (a preprocessing step
that depends on the batch, a serialisation that loses a setting, a serving-side transform) shows
up as a review whose feature vector or probability differs: `check_logged_skew` recomputes the
logged requests through the training path of the version that answered them, `check_skew`
compares two models on a batch file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.serving.served import masked_texts

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


def _logged_rows(records: Sequence[dict[str, Any]], width: int) -> Any:
    """The logged feature rows (indices + values) as one sparse matrix `width` columns wide."""
    from scipy.sparse import csr_matrix  # pylint: disable=import-outside-toplevel

    indptr, indices, values = [0], [], []
    for record in records:
        indices += record["features"]["indices"]
        values += record["features"]["values"]
        indptr.append(len(indices))
    if any(not 0 <= index < width for index in indices):
        return None
    return csr_matrix((np.asarray(values, dtype=float), np.asarray(indices, dtype=int),
                       np.asarray(indptr)), shape=(len(records), width))


def faithful(model: Any, records: Sequence[dict[str, Any]]) -> np.ndarray:
    """Which logged reviews the model's own PII step leaves as they are, so that the training
    path fed the logged text computes what serving computed from the raw one (raw text, or text
    masked by other code, would change under that step)."""
    texts = [record["review"] or "" for record in records]
    again = masked_texts(model, texts)
    return np.asarray([record["review"] is not None and text == record["review"]
                       for record, text in zip(records, again, strict=True)], dtype=bool)


def _compare_version(model: Any, records: Sequence[dict[str, Any]],
                     tolerance: float) -> dict[str, Any]:
    """One version's records: positions that are unfaithful or differ, and the largest
    differences, recomputed in one training-path batch."""
    ok = faithful(model, records)
    checked = np.flatnonzero(ok)
    result = {"unfaithful": np.flatnonzero(~ok).tolist(), "features": [], "probabilities": [],
              "labels": 0, "max_feature": 0.0, "max_probability": 0.0}
    if not checked.size:
        return result
    chosen = [records[i] for i in checked]
    features, probability = training_path(model, [record["review"] for record in chosen])
    logged = _logged_rows(chosen, features.shape[1])
    feature_delta = (np.full(len(chosen), np.inf) if logged is None
                     else _row_differences(features, logged))
    probability_delta = np.abs(probability - np.asarray([r["probability"] for r in chosen]))
    labels = np.asarray([record["label"] for record in chosen])
    result.update(
        features=checked[~(feature_delta <= tolerance)].tolist(),  # NaN counts as a mismatch
        probabilities=checked[~(probability_delta <= tolerance)].tolist(),
        labels=int(np.sum((probability >= 0.5).astype(int) != labels)),
        max_feature=float(np.max(feature_delta, initial=0.0)),
        max_probability=float(np.max(probability_delta, initial=0.0)))
    return result


def check_logged_skew(models: dict[str, Any], records: Sequence[dict[str, Any]],
                      tolerance: float = 0.0) -> dict[str, Any]:
    """Alert when features or probabilities serving logged differ from what the served
    version's Pipeline computes on the logged text (its training path, one batch per version)
    by more than `tolerance`, or when a logged text is not what the model's PII step produces.
    """
    totals: dict[str, list[int]] = {"unfaithful": [], "features": [], "probabilities": []}
    labels, feature_max, probability_max = 0, 0.0, 0.0
    for version, model in sorted(models.items()):
        chosen = [i for i, record in enumerate(records) if record["version"] == version]
        compared = _compare_version(model, [records[i] for i in chosen], tolerance)
        for key, positions in totals.items():
            positions += [chosen[i] for i in compared[key]]
        labels += compared["labels"]
        feature_max = max(feature_max, compared["max_feature"])
        probability_max = max(probability_max, compared["max_probability"])
    bad = sorted({i for positions in totals.values() for i in positions})
    recomputed = len(records) - len(totals["unfaithful"])
    return {
        "alert": bool(bad) or recomputed == 0,
        "message": (f"{len(bad)} of {len(records)} logged reviews differ from the training path"
                    f" ({len(totals['unfaithful'])} with text the model's PII step would"
                    " change)" if bad else f"all {len(records)} logged reviews identical in"
                    " training and serving"),
        "reviews": len(records),
        "versions": sorted(models),
        "recomputed": recomputed,
        "unfaithful_texts": len(totals["unfaithful"]),
        "feature_mismatches": len(totals["features"]),
        "prediction_mismatches": len(totals["probabilities"]),
        "label_mismatches": labels,
        "max_feature_difference": feature_max,
        "max_probability_difference": probability_max,
        "tolerance": tolerance,
        "examples": [f"{records[i]['request_id']}#{records[i]['index']}" for i in bad[:EXAMPLES]],
    }
