"""Held-out metrics of a fitted model: the figures evaluate writes, release compares and
monitoring recomputes, rounded so that reruns print identical files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.model import predict_labels

DIGITS = 6


def score_predictions(labels: Sequence[int], predicted: Sequence[int],
                      positive_probability: Sequence[float]) -> dict[str, Any]:
    """The metrics the project reports, rounded so that reruns print identical files."""
    # pylint: disable-next=import-outside-toplevel
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    matrix = confusion_matrix(labels, predicted, labels=[0, 1])
    return {
        "accuracy": round(float(accuracy_score(labels, predicted)), DIGITS),
        "f1": round(float(f1_score(labels, predicted)), DIGITS),
        "precision": round(float(precision_score(labels, predicted, zero_division=0)), DIGITS),
        "recall": round(float(recall_score(labels, predicted)), DIGITS),
        "roc_auc": round(float(roc_auc_score(labels, positive_probability)), DIGITS),
        "n_test": len(labels),
        "confusion_matrix": matrix.tolist(),
    }


def evaluate_model(model, texts: Sequence[str], labels: Sequence[int]) -> dict[str, Any]:
    """Score a fitted model on labelled texts."""
    predicted, probability = predict_labels(model, texts)
    return score_predictions(labels, predicted, probability)
