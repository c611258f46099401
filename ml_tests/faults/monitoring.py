"""Faults that the Monitoring suite must catch: a changed or partly read environment, a serving
batch that arrives encoded, a batch-dependent or skewed serving path, a stale package, a
vectoriser that produces NaN, and monitoring thresholds loosened until real regressions pass.

Monitors 1, 2, 3 and 5 read the log the real server wrote; their faults act where those checks
can see them from the test process (the environment of the check, the data sent, shared code
the training path recomputes with). `serving-skips-negation-marking` acts inside the server
and needs faults to reach its process.

A computing-performance regression injected into shared code (a slower preprocessing function)
slows the candidate and the served model alike, and a comparison measured in the same run
cannot see it by design; such slowdowns are the non-functional suite's (ratios against the
course baseline). Monitor 6's fault is therefore the configuration defect that hides a real
candidate-only regression (the suite's 3x slower candidate).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytest_ml_test_score.faults import FaultRegistry

from ml_tests.faults.data import patch_everywhere, patch_params

STALE_DAYS = 400


def register(registry: FaultRegistry) -> None:
    """Add this section's faults to the registry."""

    @registry.fault("scikit-learn-upgraded-under-the-model",
                    "The environment running the checks has another scikit-learn than the one "
                    "the served version was packaged with (an upgrade under a running model).",
                    [("monitoring", 1)])
    def scikit_learn_upgraded(monkeypatch: pytest.MonkeyPatch) -> None:
        from importlib import metadata  # pylint: disable=import-outside-toplevel

        original = metadata.version

        def version(name: str) -> str:
            installed = original(name)
            return f"{installed}.post1" if name == "scikit-learn" else installed

        monkeypatch.setattr(metadata, "version", version)

    @registry.fault("environment-recorded-partially",
                    "Only scikit-learn's version is looked up; numpy, scipy, skops and the rest "
                    "are neither recorded nor compared.",
                    [("monitoring", 1)])
    def environment_recorded_partially(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import environment  # pylint: disable=import-outside-toplevel

        original = environment.installed_versions

        def installed_versions(names=environment.RECORDED_DISTRIBUTIONS):
            return {name: version for name, version in original(names).items()
                    if name == "scikit-learn"}

        patch_everywhere(monkeypatch, environment, "installed_versions", installed_versions)

    @registry.fault("serving-reviews-url-encoded",
                    "The serving batch arrives percent-encoded (an upstream that URL-encodes its "
                    "form data), so the served reviews' tokens mostly miss the vocabulary.",
                    [("monitoring", 2)])
    def serving_reviews_url_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
        import urllib.parse  # pylint: disable=import-outside-toplevel

        from pipeline.data import reviews  # pylint: disable=import-outside-toplevel

        original = reviews.read_reviews

        def read_reviews(path, labelled=True):
            batch = original(path, labelled)
            if labelled:
                return batch
            return reviews.Reviews([urllib.parse.quote(text) for text in batch.texts], None)

        patch_everywhere(monkeypatch, reviews, "read_reviews", read_reviews)

    @registry.fault("preprocessing-depends-on-the-batch",
                    "Preprocessing drops the tokens that occur in fewer than 2 % of the reviews "
                    "of the batch it is given (a document-frequency filter recomputed at "
                    "transform time), so a review's features depend on the requests it was "
                    "scored with.",
                    [("monitoring", 3)])
    def preprocessing_depends_on_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
        from collections import Counter  # pylint: disable=import-outside-toplevel

        import numpy as np  # pylint: disable=import-outside-toplevel

        from pipeline import features  # pylint: disable=import-outside-toplevel

        original = features.ReviewPreprocessor.transform

        def transform(self, X):
            texts = original(self, X)
            counts = Counter(token for text in texts for token in set(text.split()))
            return np.array([" ".join(t for t in text.split() if counts[t] >= 0.02 * len(texts))
                             for text in texts], dtype=object)

        monkeypatch.setattr(features.ReviewPreprocessor, "transform", transform)

    @registry.fault("serving-skips-negation-marking",
                    "The server computes its features with negation marking off while the "
                    "trained pipeline marks negations, so served features differ from the "
                    "training path's (acts inside the server process).",
                    [("monitoring", 3)])
    def serving_skips_negation_marking(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import served  # pylint: disable=import-outside-toplevel

        original = served.ServedModel.score

        def score(self, texts):
            preprocess = self.model.named_steps["preprocess"]
            saved, preprocess.mark_negation = preprocess.mark_negation, False
            try:
                return original(self, texts)
            finally:
                preprocess.mark_negation = saved

        monkeypatch.setattr(served.ServedModel, "score", score)

    @registry.fault("package-dated-long-ago",
                    f"Packaging stamps created_at {STALE_DAYS} days in the past (a copied "
                    "metadata file), so the served model is past its maximum age.",
                    [("monitoring", 4)])
    def package_dated_long_ago(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import packaging  # pylint: disable=import-outside-toplevel

        original = packaging.build_metadata

        def build_metadata(*args, **kwargs):
            metadata = original(*args, **kwargs)
            then = datetime.now(UTC) - timedelta(days=STALE_DAYS)
            metadata["created_at"] = then.isoformat(timespec="seconds")
            return metadata

        patch_everywhere(monkeypatch, packaging, "build_metadata", build_metadata)

    @registry.fault("features-divided-by-token-count",
                    "The vectoriser scales each review's row by its number of known tokens "
                    "instead of its norm, so a review whose words are all unknown gets 0/0 = "
                    "NaN features and the model a NaN (or a crash) for it.",
                    [("monitoring", 5)])
    def features_divided_by_token_count(monkeypatch: pytest.MonkeyPatch) -> None:
        import numpy as np  # pylint: disable=import-outside-toplevel
        from sklearn.feature_extraction.text import TfidfVectorizer  # pylint: disable=C0415

        original = TfidfVectorizer.transform

        def transform(self, raw_documents):
            rows = original(self, raw_documents)
            with np.errstate(divide="ignore", invalid="ignore"):
                return rows.toarray() / rows.getnnz(axis=1)[:, None]

        monkeypatch.setattr(TfidfVectorizer, "transform", transform)

    @registry.fault("latency-tolerance-loosened",
                    "params.yaml tolerates a candidate ten times slower than the served model "
                    "(monitoring.max_latency_ratio: 10), so a 3x regression is promoted.",
                    [("monitoring", 6)])
    def latency_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_latency_ratio": 10.0})

    @registry.fault("memory-tolerance-loosened",
                    "params.yaml tolerates a thousand times the served model's peak memory, so a "
                    "candidate that densifies its features passes.",
                    [("monitoring", 6)])
    def memory_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_memory_ratio": 1000.0})

    @registry.fault("drift-tolerance-loosened",
                    "params.yaml only alerts on a shift of the predicted-positive share above "
                    "0.5, so the fresh batch's label shift (0.55 -> 0.2) raises no alarm.",
                    [("monitoring", 7)])
    def drift_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_positive_rate_shift": 0.5})

    @registry.fault("accuracy-drop-tolerated",
                    "params.yaml tolerates a candidate half as accurate as the served model "
                    "(monitoring.max_accuracy_drop: 0.5).",
                    [("monitoring", 7)])
    def accuracy_drop_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_accuracy_drop": 0.5})
