"""Stage `evaluate`: DVC metrics and plots of the held-out split."""

from __future__ import annotations

import csv
import json

from pipeline.data.reviews import read_reviews
from pipeline.layout import METRICS, PREDICTIONS_PLOT, ROC_PLOT, TEST_SPLIT


def test_metrics_and_plots_describe_the_test_split(stage_project):
    """Red when: the metrics are computed on other rows than the held-out split, or a plot is
    missing rows."""
    root = stage_project.root
    n_test = len(read_reviews(root / TEST_SPLIT).texts)
    metrics = json.loads((root / METRICS).read_text())
    assert metrics["n_test"] == n_test and sum(map(sum, metrics["confusion_matrix"])) == n_test
    assert all(0.0 <= metrics[key] <= 1.0 for key in ("accuracy", "f1", "roc_auc"))
    with open(root / PREDICTIONS_PLOT, encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == n_test
    roc = json.loads((root / ROC_PLOT).read_text())["roc"]
    assert roc[0] == {"fpr": 0.0, "tpr": 0.0} and roc[-1] == {"fpr": 1.0, "tpr": 1.0}
