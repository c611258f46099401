"""Monitor 7: prediction quality has not regressed.

With labels: `monitor quality --log --labels` joins the delayed labels to what the server
predicted and logged (by request id and position) and compares that accuracy with the one
recorded in the served version's metadata, by a one-sided test at monitoring.drift_alpha and
a material drop of monitoring.max_accuracy_drop. Without labels: `monitor drift --log` compares
the logged predicted-positive share with the served version's share on its held-out split,
recorded at training. Each report states the smallest effect its batch can show with
probability monitoring.power; the tests check those figures are the statistics' for the batch
the server answered, not what the batch happens to hold.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from pipeline.monitoring.drift import recorded_positives
from pipeline.monitoring.stats import detectable_drop, detectable_shift, two_proportion_test
from pipeline.registry import LocalRegistry
from pipeline.serving.logreader import read_log
from pipeline.serving.served import masked_texts


def _served_metadata(served_traffic) -> dict:
    return LocalRegistry(served_traffic.registry).load(served_traffic.version)[1]


def _sent_masked(served_traffic) -> list[str]:
    """Every review the traffic sent, as the served model's PII step masks it (what is logged)."""
    model, _ = LocalRegistry(served_traffic.registry).load(served_traffic.version)
    return [masked for texts in served_traffic.sent.requests.values()
            for masked in masked_texts(model, texts)]


def _quality(run_monitor, served_traffic, labels: Path) -> tuple[int, dict]:
    return run_monitor("quality", "--log", served_traffic.log_dir, "--labels", labels,
                       "--registry", served_traffic.registry)


def _write_labels(path: Path, entries: list[dict]) -> Path:
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    return path


def _label_entries(served_traffic) -> list[dict]:
    return [json.loads(line) for line in
            served_traffic.labels.read_text(encoding="utf-8").splitlines()]


def _contradicting(served_traffic, entries: list[dict], accuracy: float,
                   seed: int) -> list[dict]:
    """The label entries with just enough of those the logged prediction got right flipped
    (seeded) for the logged predictions' accuracy to be at most `accuracy`."""
    predicted = {(r["request_id"], r["index"]): r["label"]
                 for r in read_log(str(served_traffic.log_dir)).records}
    right = [i for i, e in enumerate(entries)
             if predicted[(e["request_id"], e.get("index", 0))] == e["label"]]
    flips = max(0, math.ceil(len(right) - accuracy * len(entries)))
    chosen = set(random.Random(seed).sample(right, flips))
    return [{**e, "label": 1 - e["label"]} if i in chosen else e for i, e in enumerate(entries)]


@pytest.mark.rubric("monitoring", 7)
def test_served_predictions_keep_their_recorded_accuracy(served_traffic, config, run_monitor,
                                                         record) -> None:
    """The server's logged predictions, joined with the delayed labels, are not significantly
    below the accuracy the served version was recorded with, and the report states the drop
    this many labels can show.

    Red when serving degrades predictions by more than the drop this batch can show (a
    corrupted or swapped classifier reaching the registry), when packaging recorded an inflated
    accuracy, or when labels are joined to the wrong predictions. A smaller degradation (a
    serving transform that drops negation, say) is below what these labels can detect; the
    report states that bound, and Monitor 3 catches such a transform directly.
    """
    code, report = _quality(run_monitor, served_traffic, served_traffic.labels)
    record("quality", report)
    joined = [r for r in read_log(str(served_traffic.log_dir), str(served_traffic.labels)).records
              if r["true_label"] is not None]
    recorded = float(_served_metadata(served_traffic)["metrics"]["accuracy"])
    assert report.get("model_version") == served_traffic.version, report.get("message")
    assert report["labelled"] == len(joined) == len(_label_entries(served_traffic))
    assert report["served_accuracy"] == pytest.approx(
        sum(r["label"] == r["true_label"] for r in joined) / len(joined))
    assert report["recorded_accuracy"] == recorded
    assert report["detectable"]["drop"] == detectable_drop(
        recorded, len(joined), config.monitoring.drift_alpha, config.monitoring.power)
    assert (code, report["alert"]) == (0, False), report["message"]


@pytest.mark.rubric("monitoring", 7)
def test_quality_alarm_fires_at_the_drop_it_states(served_traffic, config, run_monitor,
                                                   tmp_path: Path) -> None:
    """Delayed labels that contradict enough of the logged predictions to lower their accuracy
    by the stated detectable drop raise the alarm; half the labels state a larger drop.

    Red when the quality check cannot see a drop it claims to detect (a tolerance above it, a
    test with the wrong tail), or its detectable drop ignores the number of labels.
    """
    _, full = _quality(run_monitor, served_traffic, served_traffic.labels)
    entries = _label_entries(served_traffic)
    half = _write_labels(tmp_path / "half.jsonl", entries[: len(entries) // 2])
    _, halved = _quality(run_monitor, served_traffic, half)
    assert halved["detectable"]["drop"] > full["detectable"]["drop"]

    target = full["recorded_accuracy"] - full["detectable"]["drop"]
    wrong = _write_labels(tmp_path / "wrong.jsonl",
                          _contradicting(served_traffic, entries, target, config.seed))
    code, report = _quality(run_monitor, served_traffic, wrong)
    assert report["served_accuracy"] <= target
    assert code == 1 and report["alert"], report["message"]


@pytest.mark.rubric("monitoring", 7)
def test_prediction_drift_follows_the_delayed_labels(served_traffic, config, run_monitor,
                                                     record) -> None:
    """The logged predicted-positive share drifts from the recorded held-out share exactly
    when, and in the direction that, the delayed labels' share drifts from the held-out labels'
    share (same test, same thresholds), and the report states the shift its batch can show.

    Red when served predictions stop tracking what reviews really say (an inverted or corrupted
    classifier serving), when the reference is not the served version's recorded share, when
    repeats of one review count as independent (a batch sent twice would claim twice the
    evidence), or when the drift thresholds are too loose to see a shift the labels confirm.
    """
    code, report = run_monitor("drift", "--log", served_traffic.log_dir,
                               "--registry", served_traffic.registry)
    record("drift", report)
    metrics = _served_metadata(served_traffic)["metrics"]
    reference_hits, reference_total = recorded_positives(metrics)
    assert report.get("model_version") == served_traffic.version, report.get("message")
    assert report["reference_positive_rate"] == reference_hits / reference_total
    distinct = len(set(_sent_masked(served_traffic)))
    assert (report["batch_reviews"], report["distinct_reviews"]) == (
        served_traffic.sent.reviews, distinct)
    assert report["detectable_shift"] == detectable_shift(
        reference_hits / reference_total, reference_total, distinct,
        config.monitoring.drift_alpha, config.monitoring.power)

    (_, _), (false_neg, true_pos) = metrics["confusion_matrix"]
    labels = [e["label"] for e in _label_entries(served_traffic)]
    _, p_value = two_proportion_test(false_neg + true_pos, reference_total, sum(labels),
                                     len(labels))
    label_shift = sum(labels) / len(labels) - (false_neg + true_pos) / reference_total
    labels_drifted = (p_value < config.monitoring.drift_alpha
                      and abs(label_shift) >= config.monitoring.max_positive_rate_shift)
    assert (code, report["alert"]) == (int(labels_drifted), labels_drifted), report["message"]
    if labels_drifted:
        assert math.copysign(1, report["shift"]) == math.copysign(1, label_shift), report
