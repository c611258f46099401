"""Monitor 7: prediction quality has not regressed.

Without labels: the share of positive predictions on a batch, against the model's share on the
training data (two-proportion chi-square test and PSI, thresholds from params.yaml). The fresh
batch carries a strong label shift (96 % negative) that must raise the alarm; a held-out sample
of the training distribution must not. With labels: the served model's accuracy against what
it was packaged with and against a candidate, on the same reviews.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline import artifact
from pipeline.config import Config
from pipeline.data.reviews import Reviews, format_reviews
from pipeline.fileio import sha256_file, write_json_atomic
from pipeline.metrics import evaluate_model
from pipeline.model import train_model
from pipeline.monitoring import drift, live_quality
from pipeline.serving.packaging import build_metadata


def _noisy(reviews: Reviews, share: float, seed: int) -> Reviews:
    """The reviews with `share` of their labels flipped (seeded)."""
    rng = random.Random(seed)
    flipped = set(rng.sample(range(len(reviews.texts)), round(share * len(reviews.texts))))
    return Reviews(reviews.texts, [1 - y if i in flipped else y
                                   for i, y in enumerate(reviews.labels)])


def _limits(config: Config) -> live_quality.QualityLimits:
    return live_quality.QualityLimits.from_config(config.monitoring, config.quality)


@pytest.fixture(name="worse_candidate", scope="module")
def fixture_worse_candidate(train_split: Reviews, config: Config):
    """A candidate trained with 35 % of its labels flipped: clearly worse, still above chance."""
    return train_model(_noisy(train_split, 0.35, int(config.seed)), config.model_spec)


@pytest.mark.rubric("monitoring", 7)
def test_label_shift_of_the_fresh_batch_raises_the_drift_alarm(trained_model, train_split,
                                                               fresh: Reviews, config,
                                                               record) -> None:
    """The fresh batch (96 % negative): its predicted-positive share falls far and significantly.

    Red when the check compares the batch with itself or with nothing (a constant reference),
    or when thresholds are too loose to see a 0.55 -> 0.2 shift in predictions.
    """
    result = drift.check_drift(trained_model, train_split.texts, fresh.texts, config.monitoring)
    record("drift_fresh", result)
    assert result["alert"], result["message"]
    assert result["shift"] < 0 and result["p_value"] < config.monitoring.drift_alpha


@pytest.mark.rubric("monitoring", 7)
def test_held_out_sample_of_the_training_distribution_raises_no_alarm(trained_model, train_split,
                                                                      test_split, config,
                                                                      record) -> None:
    """The held-out split comes from the training distribution: no drift.

    Red when the check alerts on sampling noise (an over-sensitive test or a biased reference,
    e.g. probabilities of reviews the model was fitted on compared with unseen ones).
    """
    result = drift.check_drift(trained_model, train_split.texts, test_split.texts,
                               config.monitoring)
    record("drift_held_out", result)
    assert not result["alert"], result["message"]
    assert abs(result["shift"]) < config.monitoring.max_positive_rate_shift


@pytest.mark.rubric("monitoring", 7)
def test_served_model_keeps_its_accuracy_on_labelled_fresh_data(served_model, packaged_model,
                                                                labelled_fresh: Reviews,
                                                                config, record) -> None:
    """Once the fresh labels arrive, the served model is not significantly below the accuracy
    it was packaged with, nor below quality.min_accuracy.

    Red when the served model has degraded (a noisy-label or wrong model served, predictions
    inverted) or when packaging recorded an inflated accuracy.
    """
    recorded = float(artifact.read_metadata(packaged_model)["metrics"]["accuracy"])
    result = live_quality.check_live_quality(served_model, labelled_fresh, _limits(config),
                                             recorded)
    record("quality", result)
    assert not result["alert"], result["message"]


@pytest.mark.rubric("monitoring", 7)
def test_worse_candidate_and_inverted_labels_raise_the_quality_alarm(
        served_model, trained_model, worse_candidate, labelled_fresh: Reviews, test_split,
        config) -> None:
    """A candidate trained on noisy labels is worse than the served model on the same reviews;
    an identical candidate is not; a served model that gets the labels backwards is flagged.

    Red when the quality check ignores the candidate, compares unpaired figures loosely, or
    does not look at live accuracy at all.
    """
    same = live_quality.check_live_quality(served_model, labelled_fresh, _limits(config),
                                           candidate=trained_model)
    assert not same["alert"] and same["candidate_accuracy"] == same["served_accuracy"]
    batch = Reviews(test_split.texts, test_split.labels)
    worse = live_quality.check_live_quality(served_model, batch, _limits(config),
                                            candidate=worse_candidate)
    assert worse["alert"] and worse["candidate_accuracy"] < worse["served_accuracy"], worse
    inverted = Reviews(labelled_fresh.texts, [1 - y for y in labelled_fresh.labels])
    live = live_quality.check_live_quality(served_model, inverted, _limits(config),
                                           recorded_accuracy=0.85)
    assert live["alert"], live["message"]


def _package(model, directory: Path, test_split: Reviews, config, historic_path: Path) -> Path:
    """A package of any model (package_model would refuse one below the quality floor)."""
    sha = artifact.save_model(model, directory / artifact.ARTIFACT_NAME)
    metrics = evaluate_model(model, test_split.texts, test_split.labels)
    write_json_atomic(directory / artifact.METADATA_NAME,
                      build_metadata(sha, sha256_file(historic_path), metrics,
                                     config.as_mapping()))
    return directory


@pytest.mark.rubric("monitoring", 7)
def test_monitor_drift_and_quality_commands(packaged_model: Path, serving_path: Path,
                                            historic_path: Path, test_split: Reviews,
                                            labelled_fresh: Reviews, worse_candidate, config,
                                            tmp_path: Path, run_monitor) -> None:
    """`monitor drift` exits 1 on the fresh batch and 0 on held-out reviews; `monitor quality`
    exits 0 for the served model on the labelled batch and 1 with a worse candidate.

    Red when a command drops the alert on the floor (exit 0) or reads the wrong files.
    """
    code, report = run_monitor("drift", "--model-dir", packaged_model, "--input", serving_path,
                               "--reference", historic_path)
    assert code == 1 and report["alert"]
    held_out = tmp_path / "held_out.tsv"
    held_out.write_bytes(format_reviews(Reviews(test_split.texts, None)))
    code, report = run_monitor("drift", "--model-dir", packaged_model, "--input", held_out,
                               "--reference", historic_path)
    assert (code, report["alert"]) == (0, False), report.get("message")
    labelled = tmp_path / "labelled_fresh.tsv"
    labelled.write_bytes(format_reviews(labelled_fresh))
    code, report = run_monitor("quality", "--model-dir", packaged_model, "--input", labelled)
    assert (code, report["alert"]) == (0, False), report.get("message")
    labelled_test = tmp_path / "labelled_test.tsv"
    labelled_test.write_bytes(format_reviews(test_split))
    worse = _package(worse_candidate, tmp_path / "worse", test_split, config, historic_path)
    code, report = run_monitor("quality", "--model-dir", packaged_model, "--input",
                               labelled_test, "--candidate", worse)
    assert code == 1 and report["alert"]
