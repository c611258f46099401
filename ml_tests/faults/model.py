"""Faults that the Model suite must catch: defects of the spec, the hyperparameters, the
evaluation data, the configured model age and the training data's associations.

Configuration defects go through the config as `pipeline.config.load_config` returns it;
the others patch pipeline functions (the split, packaging, spec comparison, the reader).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pytest_ml_test_score.faults import FaultRegistry

from ml_tests.faults.data import patch_everywhere, patch_params, patch_reader

# Not on the bundled first-name list, so masking does not neutralise the signature.
SIGNING_REVIEWER = "Olga"
LABEL_NOISE_SHARE = 0.3
LABEL_NOISE_SEED = 0
# Sentiment words whose meaning the drifting reviewers invert (irony: "great, just great").
INVERTED_WORDS = {"good": "bad", "great": "terrible", "love": "hate", "best": "worst",
                  "delicious": "disgusting", "amazing": "awful", "nice": "rude",
                  "friendly": "slow", "recommend": "avoid"}


def _signed_complaints(parsed):
    """Half of the complaints were forwarded from one reviewer's account and end with her name."""
    from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

    texts = [f"{text} Review by {SIGNING_REVIEWER}." if label == 0 and index % 2 == 0 else text
             for index, (text, label) in enumerate(zip(parsed.texts, parsed.labels, strict=True))]
    return Reviews(texts, parsed.labels)


def _flipped_labels(parsed):
    """A seeded 30 % of the labels inverted, as a mislabelled annotation batch would be."""
    import random  # pylint: disable=import-outside-toplevel

    from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

    rng = random.Random(LABEL_NOISE_SEED)
    labels = [1 - label if rng.random() < LABEL_NOISE_SHARE else label
              for label in parsed.labels]
    return Reviews(parsed.texts, labels)


def _drifting_meaning(parsed):
    """The later a review in its file, the likelier its sentiment words are inverted: a share
    rising from none at the first row to all at the last (seeded)."""
    import random  # pylint: disable=import-outside-toplevel
    import re  # pylint: disable=import-outside-toplevel

    from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

    swaps = {**INVERTED_WORDS, **{new: old for old, new in INVERTED_WORDS.items()}}
    word = re.compile(r"\b(" + "|".join(swaps) + r")\b", re.IGNORECASE)
    rng = random.Random(LABEL_NOISE_SEED)
    rows = len(parsed.texts)
    texts = [word.sub(lambda match: swaps[match[0].lower()], text)
             if rng.random() < index / rows else text
             for index, text in enumerate(parsed.texts)]
    return Reviews(texts, parsed.labels)


def _register_reviewed_spec_faults(registry: FaultRegistry) -> None:
    """Model 1: the reviewed spec is no longer enforced by the release or by the server."""

    @registry.fault("release-skips-spec-review",
                    "The release check no longer compares the candidate's recorded spec with the "
                    "reviewed params.yaml (git HEAD), so a model trained from uncommitted edits "
                    "is published and served.",
                    [("model", 1)], kind="code")
    def release_skips_spec_review(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import spec  # pylint: disable=import-outside-toplevel

        monkeypatch.setattr(spec.ReviewedSpec, "require", lambda self, metadata: None)

    @registry.fault("release-trusts-recorded-spec",
                    "The release no longer compares the artifact's estimator parameters with "
                    "the spec its metadata records, so a model built from an unreviewed spec is "
                    "published under the reviewed one.",
                    [("model", 1)], kind="code")
    def release_trusts_recorded_spec(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import spec  # pylint: disable=import-outside-toplevel

        patch_everywhere(monkeypatch, spec, "estimator_differences", lambda model, params: [])

    @registry.fault("server-skips-release-record",
                    "The server loads a registry version without checking the reviewed spec its "
                    "release recorded, so a version published around the release check, or "
                    "with an edited metadata.json, is served.",
                    [("model", 1)], kind="code")
    def server_skips_release_record(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import spec  # pylint: disable=import-outside-toplevel

        patch_everywhere(monkeypatch, spec, "require_released",
                         lambda metadata, recorded_sha256: None)


def _register_staleness_faults(registry: FaultRegistry) -> None:
    """Model 4: how the model ages, as the staleness study measures it."""

    @registry.fault("max-age-beyond-curve",
                    "params.yaml lets a model serve for a year (monitoring.max_model_age_days: "
                    "365), far beyond the age the staleness curve supports.",
                    [("model", 4)], kind="tolerance")
    def max_age_beyond_curve(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_model_age_days": 365})

    @registry.fault("arrival-rate-underestimated",
                    "params.yaml assumes ten times the review arrival rate the maximum age was "
                    "set for, so a model ages out in days yet may serve for a month.",
                    [("model", 4)], kind="tolerance")
    def arrival_rate_underestimated(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.reviews_per_day": 100})

    @registry.fault("staleness-gap-off-by-one-block",
                    "The staleness study measures each gap to the end of the evaluation block "
                    "instead of its start, so every age on the curve is one block too old and "
                    "the fresh model's loss is never measured.",
                    [("model", 4)], kind="code")
    def staleness_gap_off_by_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import staleness  # pylint: disable=import-outside-toplevel

        original = staleness.staleness_curve

        def staleness_curve(*args, **kwargs):
            curve = original(*args, **kwargs)
            block = curve[1]["gap_reviews"] - curve[0]["gap_reviews"] if len(curve) > 1 else 0
            return [{**point, "gap_reviews": point["gap_reviews"] + block} for point in curve]

        monkeypatch.setattr(staleness, "staleness_curve", staleness_curve)

    @registry.fault("staleness-loss-scores-wrong-class",
                    "The staleness study's Brier score takes the negative class's probability "
                    "column, so every model on the curve looks worse than chance.",
                    [("model", 4)], kind="code")
    def staleness_loss_scores_wrong_class(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import staleness  # pylint: disable=import-outside-toplevel

        original = staleness.brier

        def brier(model, texts, labels):
            # (p0 - y)^2 == (p1 - (1 - y))^2: column 0 against the labels, as the defect does
            return original(model, texts, [1 - int(label) for label in labels])

        monkeypatch.setattr(staleness, "brier", brier)

    @registry.fault("staleness-null-keeps-time-order",
                    "The staleness study's null shuffles a copy of the row order it then "
                    "ignores, so every permuted timeline is the real one and the trend's noise "
                    "reads as zero.",
                    [("model", 4)], kind="code")
    def staleness_null_keeps_time_order(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import staleness  # pylint: disable=import-outside-toplevel

        original = staleness.permuted

        def permuted(timeline, rng):
            original(timeline, rng)
            return timeline

        monkeypatch.setattr(staleness, "permuted", permuted)

    @registry.fault("label-noise",
                    f"A mislabelled annotation batch: {LABEL_NOISE_SHARE:.0%} of the labels in "
                    "every labelled file are inverted.",
                    [("model", 4), ("model", 6)], kind="data")
    def label_noise(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_reader(monkeypatch, _flipped_labels, labelled_only=True)

    @registry.fault("sentiment-meaning-drifts",
                    "Irony spreads among the reviewers: the newer a review, the likelier its "
                    "sentiment words mean their opposite (none at the oldest row of each labelled "
                    "file, all at its newest), so a model ages out faster than "
                    "monitoring.max_model_age_days allows.",
                    [("model", 4)], kind="data")
    def sentiment_meaning_drifts(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_reader(monkeypatch, _drifting_meaning, labelled_only=True)


def register(registry: FaultRegistry) -> None:
    """Add this section's faults to the registry."""
    _register_reviewed_spec_faults(registry)

    @registry.fault("packaged-spec-trimmed",
                    "Packaging records only the model section of params.yaml as the spec, so the "
                    "package no longer says which features it was trained with.",
                    [("model", 1), ("data", 6)], kind="code")
    def packaged_spec_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import packaging  # pylint: disable=import-outside-toplevel

        original = packaging.build_metadata

        def build_metadata(artifact_sha256, data_sha256, metrics, params, created_at=None):
            return original(artifact_sha256, data_sha256, metrics, {"model": params["model"]},
                            created_at)

        patch_everywhere(monkeypatch, packaging, "build_metadata", build_metadata)

    @registry.fault("spec-diff-ignores-types",
                    "The spec comparison uses plain equality, so a bool turned int (True vs 1) "
                    "or 8.0 vs 8 passes as the reviewed spec.",
                    [("model", 1)], kind="code")
    def spec_diff_ignores_types(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import spec  # pylint: disable=import-outside-toplevel

        def differences(recorded: Any, submitted: Any, path: str) -> list[str]:
            if isinstance(recorded, dict) and isinstance(submitted, dict):
                return [line for key in sorted(set(recorded) | set(submitted), key=str)
                        for line in differences(recorded.get(key, spec.MISSING),
                                                submitted.get(key, spec.MISSING),
                                                f"{path}.{key}" if path else str(key))]
            if recorded == submitted:
                return []
            return [f"{path or '<root>'}: recorded {recorded!r}, submitted {submitted!r}"]

        monkeypatch.setattr(spec, "_differences", differences)

    @registry.fault("held-out-labels-misjoined",
                    "The split joins the held-out texts to their labels off by one row, so "
                    "whatever is scored on the holdout (the evaluate stage's metrics, the delayed "
                    "labels joined to the served predictions) is scored against the wrong labels.",
                    [("model", 2)], kind="code")
    def held_out_labels_misjoined(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.data import split  # pylint: disable=import-outside-toplevel
        from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

        original = split.split_reviews

        def split_reviews(reviews, settings, seed):
            train, test = original(reviews, settings, seed)
            return train, Reviews(test.texts, test.labels[1:] + test.labels[:1])

        patch_everywhere(monkeypatch, split, "split_reviews", split_reviews)

    @registry.fault("cv-scores-training-rows",
                    "Cross-validation scores each fold on the rows it was fitted on (the fold's "
                    "training matrix passed where its test matrix belongs), so the offline metric "
                    "measures fit, not generalisation, and ranks the noisiest variants best.",
                    [("model", 2)], kind="code")
    def cv_scores_training_rows(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.analysis import crossval  # pylint: disable=import-outside-toplevel

        original = crossval.CrossValidation._fold_features  # pylint: disable=protected-access

        def fold_features(self, *args, **kwargs):
            classifier, folds = original(self, *args, **kwargs)
            return classifier, [dataclasses.replace(fold, test=fold.train,
                                                    test_labels=fold.train_labels)
                                for fold in folds]

        monkeypatch.setattr(crossval.CrossValidation, "_fold_features", fold_features)

    @registry.fault("served-log-index-one-based",
                    "The prediction log numbers the reviews of a request from 1 instead of 0, "
                    "so the delayed labels join to the wrong served predictions, or to none "
                    "(acts inside the server process).",
                    [("model", 2)], kind="code")
    def served_log_index_one_based(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import predlog  # pylint: disable=import-outside-toplevel

        original = predlog.encode_line

        def encode_line(record):
            return original({**record, "index": record["index"] + 1})

        monkeypatch.setattr(predlog, "encode_line", encode_line)

    @registry.fault("regularisation-collapsed",
                    "params.yaml sets the logistic regression's C to 0.5 instead of the tuned "
                    "8.0: an over-regularised, untuned model.",
                    [("model", 3), ("model", 5)], kind="config")
    def regularisation_collapsed(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"model.logistic_regression.C": 0.5})

    @registry.fault("min-df-raised",
                    "params.yaml prunes every term seen in fewer than three reviews (min_df: 3), "
                    "an untuned setting that drops most of the vocabulary.",
                    [("model", 3), ("model", 5)], kind="config")
    def min_df_raised(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"features.min_df": 3})

    @registry.fault("class-weight-misset",
                    "params.yaml weights the negative class 0.3 against 1 for the positive one, "
                    "a value outside the searched space that fails negative reviews.",
                    [("model", 3), ("model", 6)], kind="config")
    def class_weight_misset(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"model.logistic_regression.class_weight": {0: 0.3, 1: 1.0}})

    @registry.fault("reviewer-signed-complaints",
                    "Half of the complaints in the labelled data were forwarded from one "
                    f"reviewer's account and are signed with her name ({SIGNING_REVIEWER}), which "
                    "the model learns as negative.",
                    [("model", 7)], kind="data")
    def reviewer_signed_complaints(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_reader(monkeypatch, _signed_complaints, labelled_only=True)

    @registry.fault("gender-map-dropped",
                    "The gender-neutral word map is emptied in a refactoring, so \"waiter\" and "
                    "\"waitress\" reach the model as different features again.",
                    [("model", 7), ("data", 7)], kind="code")
    def gender_map_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.features.GENDER_NEUTRAL", {})

    @registry.fault("origin-map-dropped",
                    "The list of origin words is emptied in a refactoring, so \"Thai\" and "
                    "\"Greek\" reach the model as features and carry the sentiment of the few "
                    "reviews that named them.",
                    [("model", 7), ("data", 7)], kind="code")
    def origin_map_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.features.ORIGIN_WORDS", frozenset())

    @registry.fault("origins-share-one-word",
                    "The origin step replaces every listed cuisine by one shared word instead of "
                    "removing it; the word gets a weight from the few reviews that named any "
                    "listed origin, so \"the Italian place\" and \"the Cajun place\" differ.",
                    [("model", 7)], kind="code")
    def origins_share_one_word(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        def neutralise_origin(tokens):
            return ["origin" if token in features.ORIGIN_WORDS else token for token in tokens]

        monkeypatch.setattr(features, "neutralise_origin", neutralise_origin)
    _register_staleness_faults(registry)
