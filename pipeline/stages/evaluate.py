"""Stage `evaluate`: held-out metrics (DVC metrics), a confusion matrix and a ROC curve (plots)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from pipeline.artifact import loads_model
from pipeline.cli import CommandParser
from pipeline.data.reviews import read_reviews
from pipeline.fileio import write_bytes_atomic, write_json_atomic
from pipeline.layout import METRICS, PREDICTIONS_PLOT, ROC_PLOT, TEST_SPLIT, TRAINED_MODEL
from pipeline.metrics import DIGITS, score_predictions
from pipeline.model import predict_labels


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
