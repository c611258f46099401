"""Faults that the Data suite must catch: defects of the raw data, the reader and the features.

Each fault patches the pipeline itself (a function of `pipeline.data.reviews` or
`pipeline.features`,
or the config as `pipeline.config.load_config` returns it), never a test or its thresholds,
so a suite turns red only because the property it checks really broke. Heavy imports (sklearn
through pipeline.model) happen inside the injectors, when a fault is switched on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from pytest_ml_test_score.faults import FaultRegistry, note

ReviewsEdit = Callable[[Any], Any]


def patch_everywhere(monkeypatch: pytest.MonkeyPatch, module: Any, name: str,
                     replacement: Any) -> None:
    """Replace `module.name`, and the same object wherever it was bound by name before the fault
    was injected: pipeline modules and the suites' conftest and helpers that did
    `from pipeline.x import f` (a module imported later binds the replacement anyway)."""
    import sys  # pylint: disable=import-outside-toplevel

    original = getattr(module, name)
    monkeypatch.setattr(module, name, replacement)
    for loaded_name, loaded in list(sys.modules.items()):
        if (loaded_name.startswith(("pipeline", "ml_tests", "conftest"))
                and getattr(loaded, name, None) is original):
            monkeypatch.setattr(loaded, name, replacement)


def patch_params(monkeypatch: pytest.MonkeyPatch, overrides: dict[str, Any]) -> None:
    """Make every params.yaml read (`load_config`) return the config with `overrides` applied
    (a config defect)."""
    from pipeline import config  # pylint: disable=import-outside-toplevel

    original = config.load_config

    def load_config(*args, **kwargs):
        return original(*args, **kwargs).with_overrides(overrides)

    patch_everywhere(monkeypatch, config, "load_config", load_config)


def patch_reader(monkeypatch: pytest.MonkeyPatch, edit: ReviewsEdit,
                 labelled_only: bool = False) -> None:
    """Make `pipeline.data.reviews.parse_reviews` (behind read_reviews) return `edit(reviews)`."""
    from pipeline.data import reviews  # pylint: disable=import-outside-toplevel

    original = reviews.parse_reviews

    def parse_reviews(path, data, labelled=True):
        parsed = original(path, data, labelled)
        return edit(parsed) if labelled or not labelled_only else parsed

    patch_everywhere(monkeypatch, reviews, "parse_reviews", parse_reviews)


def _noting_params_keys(patch: Callable[..., None]) -> Callable[..., None]:
    """`patch_params` that also tells the audit which params keys it overrides (its targets)."""
    def noted(monkeypatch: pytest.MonkeyPatch, overrides: Any, *args: Any, **kwargs: Any) -> None:
        for key in overrides:
            note(monkeypatch, "params", str(key))
        patch(monkeypatch, overrides, *args, **kwargs)

    noted.__doc__ = patch.__doc__
    return noted


# Wrapped rather than edited, so that the helper's body stays the override logic alone.
patch_params = _noting_params_keys(patch_params)


def drop_pii_pattern(monkeypatch: pytest.MonkeyPatch, placeholder: str) -> None:
    """mask_pii forgets one of its rules (the one that writes `placeholder`)."""
    from pipeline import features  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(features, "PII_PATTERNS", tuple(
        (name, pattern) for name, pattern in features.PII_PATTERNS if name != placeholder))


def _label_in_text(parsed):
    from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

    pairs = zip(parsed.texts, parsed.labels, strict=True)
    return Reviews([f"{text} {label}" for text, label in pairs], parsed.labels)


def _replayed(parsed):
    """A retried ingestion appended the first 100 rows a second time."""
    from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

    labels = None if parsed.labels is None else parsed.labels + parsed.labels[:100]
    return Reviews(parsed.texts + parsed.texts[:100], labels)


def _register_extension_faults(registry: FaultRegistry) -> None:
    """Data 6: a feature added by configuration or as a plugin that does not reach serving."""

    @registry.fault("extra-features-ignored",
                    "build_model reads the optional statistics from a misspelt key, so a feature "
                    "named in features.extra never reaches the model or the package.",
                    [("data", 6)], kind="code")
    def extra_features_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel

        original = model.build_model

        def build_model(spec):
            features = spec.features.model_copy(update={"extra": ()})
            return original(spec.model_copy(update={"features": features}))

        patch_everywhere(monkeypatch, model, "build_model", build_model)

    @registry.fault("plugins-ignored-by-build",
                    "build_model forgets features.plugins when it assembles the features step, so "
                    "a new feature configured as a plugin never reaches the model.",
                    [("data", 6)], kind="code")
    def plugins_ignored_by_build(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel

        original = model.build_model

        def build_model(spec):
            features = spec.features.model_copy(update={"plugins": ()})
            return original(spec.model_copy(update={"features": features}))

        patch_everywhere(monkeypatch, model, "build_model", build_model)

    @registry.fault("plugins-zero-when-loaded",
                    "TextStats looks its plugins up in a cache that only fit fills, so a model "
                    "loaded by the server (never fitted there) serves the new feature as zeros.",
                    [("data", 6)], kind="code")
    def plugins_zero_when_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        fitted: set[str] = set()
        original_fit, original_column = features.TextStats.fit, features.plugin_column

        def fit(self, X, y=None):
            fitted.update(self.plugins)
            return original_fit(self, X, y)

        def plugin_column(name, texts):
            return original_column(name, texts) if name in fitted else [0.0] * len(texts)

        monkeypatch.setattr(features.TextStats, "fit", fit)
        monkeypatch.setattr(features, "plugin_column", plugin_column)

    @registry.fault("loader-ignores-plugin-hash",
                    "load_package stops comparing the feature plugins' source with the sha256 "
                    "their package recorded, so a plugin edited after training is served "
                    "silently (training/serving skew).",
                    [("data", 6)], kind="code")
    def loader_ignores_plugin_hash(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import artifact  # pylint: disable=import-outside-toplevel

        patch_everywhere(monkeypatch, artifact, "check_plugin_sources",
                         lambda model, metadata, source: None)

    @registry.fault("plugin-source-not-recorded",
                    "Packaging records the feature plugins' names only, not the sha256 of their "
                    "source, so nothing at load can tell the plugin changed since training.",
                    [("data", 6)], kind="code")
    def plugin_source_not_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import packaging  # pylint: disable=import-outside-toplevel

        patch_everywhere(monkeypatch, packaging, "plugin_record",
                         lambda plugins: {})


def _register_privacy_faults(registry: FaultRegistry) -> None:
    """Data 5: personal data that reaches the model or its artifact."""

    @registry.fault("pii-unmasked",
                    "mask_pii becomes the identity (masking lost in a refactoring), so e-mails, "
                    "phone numbers, URLs and ids reach the vocabulary and the artifact.",
                    [("data", 4), ("data", 5), ("data", 7)], kind="code")
    def pii_unmasked(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.features.mask_pii", str)

    @registry.fault("phone-pattern-dropped",
                    "mask_pii loses its phone-number rule, so phone numbers become terms.",
                    [("data", 5), ("data", 7)], kind="code")
    def phone_pattern_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
        drop_pii_pattern(monkeypatch, "phonenumber")

    @registry.fault("preprocessor-keeps-training-text",
                    "ReviewPreprocessor.fit keeps the raw training texts (for explanations), so "
                    "the saved artifact stores whole reviews and personal data.",
                    [("data", 5)], kind="code")
    def preprocessor_keeps_training_text(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        def fit(self, X, y=None):  # pylint: disable=unused-argument
            self.training_texts_ = [str(text) for text in X]
            return self

        monkeypatch.setattr(features.ReviewPreprocessor, "fit", fit)

    @registry.fault("name-masking-dropped",
                    "mask_pii stops masking person names (the name rule lost in a refactoring), "
                    "so names such as a server's become vocabulary terms and artifact strings.",
                    [("data", 5), ("data", 7)], kind="code")
    def name_masking_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.features.mask_names", str)


def register(registry: FaultRegistry) -> None:
    """Add this section's faults to the registry."""

    @registry.fault("replayed-ingestion",
                    "A retried download appends the first 100 rows of each dump a second time, "
                    "so the data holds a replayed batch.",
                    [("data", 1)], kind="data")
    def replayed_ingestion(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_reader(monkeypatch, _replayed)

    @registry.fault("label-in-review-text",
                    "An export bug glues each row's label onto its review text (\"Great food 1\"), "
                    "so a feature encodes the label.",
                    [("data", 4)], kind="data")
    def label_in_review_text(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_reader(monkeypatch, _label_in_text, labelled_only=True)

    @registry.fault("label-rule-relaxed",
                    "The reader accepts star ratings 0-5 as labels, so a file with a label "
                    "outside {0, 1} is read instead of refused.",
                    [("data", 1)], kind="code")
    def label_rule_relaxed(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.data.reviews.LABELS", tuple(str(n) for n in range(6)))

    @registry.fault("whitespace-tokenizer",
                    "The tokeniser splits on whitespace only, so punctuation stays glued to "
                    "words and no longer ends a negation scope.",
                    [("data", 1), ("data", 7)], kind="code")
    def whitespace_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.features.TOKEN", re.compile(r"\S+"))

    @registry.fault("short-reviews-blanked",
                    "A junk filter in the last preprocessing step blanks every review left with "
                    "fewer than three tokens, so short reviews reach the model empty.",
                    [("data", 1), ("model", 6)], kind="code")
    def short_reviews_blanked(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        original = features.finish

        def finish(tokens):
            kept = original(tokens)
            return kept if len(kept) >= 3 else []

        monkeypatch.setattr(features, "finish", finish)

    @registry.fault("negation-marking-no-op",
                    "A refactoring leaves mark_negation returning its tokens unchanged, so the "
                    "enabled negation step does nothing.",
                    [("data", 2), ("data", 7)], kind="code")
    def negation_marking_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.features.mark_negation", list)

    @registry.fault("length-feature-enabled",
                    "params.yaml switches on the review-length statistic (features.extra: "
                    "[length]) without an ablation or a search space; it loses accuracy.",
                    [("data", 2), ("model", 3)], kind="config")
    def length_feature_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"features.extra": ["length"]})

    @registry.fault("bigrams-enabled",
                    "params.yaml switches bigrams on (features.ngram_max: 2): about three times "
                    "the features for no accuracy gain.",
                    [("data", 2), ("data", 3)], kind="config")
    def bigrams_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"features.ngram_max": 2})

    @registry.fault("stop-words-relowered-per-token",
                    "drop_stop_words compares case-insensitively by lowering the whole stop list "
                    "again for every token: same output, many times the cost.",
                    [("data", 3)], kind="code")
    def stop_words_relowered_per_token(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        def drop_stop_words(tokens):
            return [token for token in tokens
                    if token.lower() not in [word.lower() for word in features.STOP_WORDS]]

        monkeypatch.setattr(features, "drop_stop_words", drop_stop_words)

    @registry.fault("id-pattern-dropped",
                    "mask_pii loses its order-number and hex-id rule, so identifiers in reviews "
                    "become vocabulary terms.",
                    [("data", 4)], kind="code")
    def id_pattern_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
        drop_pii_pattern(monkeypatch, "idnumber")

    @registry.fault("table-columns-read",
                    "ReviewPreprocessor.transform iterates a table as it is instead of selecting "
                    "the review column, so other fields reach the model.",
                    [("data", 4)], kind="code")
    def table_columns_read(monkeypatch: pytest.MonkeyPatch) -> None:
        import numpy as np  # pylint: disable=import-outside-toplevel

        from pipeline import features  # pylint: disable=import-outside-toplevel

        def transform(self, X):
            return np.array([self.transform_one(str(text)) for text in X], dtype=object)

        monkeypatch.setattr(features.ReviewPreprocessor, "transform", transform)

    @registry.fault("contraction-loses-negation",
                    "expand_contractions deletes \"n't\" instead of expanding it to \"not\", so "
                    "\"wasn't good\" loses its negation.",
                    [("data", 7)], kind="code")
    def contraction_loses_negation(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        monkeypatch.setattr(features, "CONTRACTIONS", tuple(
            (pattern, "" if pattern.pattern == r"n't\b" else replacement)
            for pattern, replacement in features.CONTRACTIONS))

    @registry.fault("stop-list-drops-negations",
                    "The stop-word list is replaced by scikit-learn's ENGLISH_STOP_WORDS, which "
                    "removes not, no and never before negation marking.",
                    [("data", 2), ("data", 7)], kind="code")
    def stop_list_drops_negations(monkeypatch: pytest.MonkeyPatch) -> None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # pylint: disable=C0415

        monkeypatch.setattr("pipeline.features.STOP_WORDS", frozenset(ENGLISH_STOP_WORDS))

    _register_extension_faults(registry)
    _register_privacy_faults(registry)
