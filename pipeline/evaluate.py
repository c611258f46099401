"""Stage `evaluate`: held-out metrics (DVC metrics), a confusion matrix and a ROC curve (plots)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from pipeline.artifact import loads_model
from pipeline.cli import CommandParser
from pipeline.fileio import write_bytes_atomic, write_json_atomic
from pipeline.layout import METRICS, PREDICTIONS_PLOT, ROC_PLOT, TEST_SPLIT, TRAINED_MODEL
from pipeline.reviews import read_reviews

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


def predict_labels(model, texts: Sequence[str]) -> tuple[list[int], list[float]]:
    """Predicted labels and positive-class probabilities (threshold 0.5).

    `texts` may be a list, a Series or a table with a Review column; it is passed on as is.
    """
    probability = model.predict_proba(texts)[:, 1]
    return (probability >= 0.5).astype(int).tolist(), probability.tolist()


def evaluate_model(model, texts: Sequence[str], labels: Sequence[int]) -> dict[str, Any]:
    """Score a fitted model on labelled texts."""
    predicted, probability = predict_labels(model, texts)
    return score_predictions(labels, predicted, probability)


def _predictions_csv(labels: Sequence[int], predicted: Sequence[int]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["actual", "predicted"])
    writer.writerows(zip(labels, predicted, strict=True))
    return buffer.getvalue().encode("utf-8")


def _roc_points(labels: Sequence[int], probability: Sequence[float]) -> list[dict[str, float]]:
    from sklearn.metrics import roc_curve  # pylint: disable=import-outside-toplevel

    fpr, tpr, _ = roc_curve(labels, probability)
    return [{"fpr": round(float(f), DIGITS), "tpr": round(float(t), DIGITS)}
            for f, t in zip(fpr, tpr, strict=True)]


def main(argv: list[str]) -> int:
    """Write reports/metrics.json, reports/predictions.csv and reports/roc.json."""
    parser = CommandParser(prog="python -m pipeline evaluate", description=__doc__)
    parser.parse_args(argv)
    test = read_reviews(TEST_SPLIT)
    model = loads_model(TRAINED_MODEL.read_bytes(), str(TRAINED_MODEL))
    predicted, probability = predict_labels(model, test.texts)
    metrics = score_predictions(test.labels, predicted, probability)
    write_json_atomic(METRICS, metrics)
    write_bytes_atomic(PREDICTIONS_PLOT, _predictions_csv(test.labels, predicted))
    write_json_atomic(ROC_PLOT, {"roc": _roc_points(test.labels, probability)})
    print(f"{METRICS}: accuracy {metrics['accuracy']:.3f}, f1 {metrics['f1']:.3f}")
    return 0
