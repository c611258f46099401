"""Faults that the Monitoring suite must catch: a changed or partly read environment, a serving
batch that arrives encoded, a batch-dependent or skewed serving path, a stale package reaching
the registry, a vectoriser that produces NaN, slower or hungrier shared serving code, a
corrupted classifier reaching the registry, and monitoring thresholds loosened until real
regressions pass.

Monitors 1, 2, 3 and 5 read the log the real server wrote; their faults act where those checks
can see them from the test process (the environment of the check, the data sent, shared code
the training path recomputes with). `serving-skips-negation-marking` acts inside the server
and needs faults to reach its process.

The suite publishes `models/` to a registry and promotes it inside the session, so a defect of
the publish path reaches the server the suite drives (the version it serves is what the
registry stored); a defect of shared code acts in the test process, where Monitor 6 measures
the served version against its release figures.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_ml_test_score.faults import FaultRegistry

from ml_tests.faults.data import patch_everywhere, patch_params

STALE_DAYS = 400
SLOWDOWN = 3  # times the work of shared preprocessing under `shared-preprocessing-slowed`


def publish_altered(monkeypatch: pytest.MonkeyPatch,
                    alter: Callable[[Path, dict[str, Any]], dict[str, Any]]) -> None:
    """Make every registry publish store a copy of the package altered by
    `alter(copy directory, metadata) -> metadata` (a defect between build and registry)."""
    from pipeline import artifact  # pylint: disable=import-outside-toplevel
    from pipeline.registry.base import Registry  # pylint: disable=import-outside-toplevel

    original = Registry.publish

    def publish(self, package_dir):
        with tempfile.TemporaryDirectory(prefix="altered-") as scratch:
            copy = Path(scratch) / "package"
            shutil.copytree(package_dir, copy)
            path = copy / artifact.METADATA_NAME
            metadata = alter(copy, json.loads(path.read_text(encoding="utf-8")))
            path.write_text(json.dumps(metadata), encoding="utf-8")
            return original(self, copy)

    monkeypatch.setattr(Registry, "publish", publish)


def register(registry: FaultRegistry) -> None:
    """Add this section's faults to the registry."""
    register_served_path(registry)

    @registry.fault("scikit-learn-upgraded-under-the-model",
                    "The environment running the checks has another scikit-learn than the one "
                    "the served version was packaged with (an upgrade under a running model).",
                    [("monitoring", 1)], kind="code")
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
                    [("monitoring", 1)], kind="code")
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
                    [("monitoring", 2)], kind="data")
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
                    [("monitoring", 3)], kind="code")
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
                    [("monitoring", 3)], kind="code")
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

    @registry.fault("features-divided-by-token-count",
                    "The vectoriser scales each review's row by its number of known tokens "
                    "instead of its norm, so a review whose words are all unknown gets 0/0 = "
                    "NaN features and the model a NaN (or a crash) for it.",
                    [("monitoring", 5)], kind="code")
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
                    "params.yaml tolerates a served version ten times slower than at its release "
                    "(monitoring.max_latency_ratio: 10), so a 3x regression raises no alert.",
                    [("monitoring", 6)], kind="tolerance")
    def latency_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_latency_ratio": 10.0})

    @registry.fault("memory-tolerance-loosened",
                    "params.yaml tolerates a thousand times the peak memory recorded at release, "
                    "so a served path that densifies its features passes.",
                    [("monitoring", 6)], kind="tolerance")
    def memory_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_memory_ratio": 1000.0})

    @registry.fault("drift-tolerance-loosened",
                    "params.yaml only alerts on a shift of the predicted-positive share above "
                    "0.5, so a shift the delayed labels confirm raises no alarm.",
                    [("monitoring", 7)], kind="tolerance")
    def drift_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_positive_rate_shift": 0.5})

    @registry.fault("accuracy-drop-tolerated",
                    "params.yaml tolerates a live accuracy 0.5 below the recorded one "
                    "(monitoring.max_accuracy_drop: 0.5), so a drop the labels show passes.",
                    [("monitoring", 7)], kind="tolerance")
    def accuracy_drop_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_accuracy_drop": 0.5})


def register_served_path(registry: FaultRegistry) -> None:
    """The faults of what is served: a stale or corrupted package reaching the registry, and
    shared serving code that got slower or hungrier (Monitor 4, 6, 7)."""

    @registry.fault("published-package-dated-long-ago",
                    f"The release publishes the artifact with a metadata.json copied from a "
                    f"build {STALE_DAYS} days ago, so the registry serves a version past its "
                    "maximum age.",
                    [("monitoring", 4)], kind="artifact")
    def published_package_dated_long_ago(monkeypatch: pytest.MonkeyPatch) -> None:
        then = datetime.now(UTC) - timedelta(days=STALE_DAYS)
        publish_altered(monkeypatch, lambda _copy, metadata: {
            **metadata, "created_at": then.isoformat(timespec="seconds")})

    @registry.fault("shared-preprocessing-slowed",
                    f"The review preprocessing every model shares does its work {SLOWDOWN} times "
                    "(e.g. a step run once per feature family), so serving is that much slower "
                    "for every version and every candidate alike.",
                    [("monitoring", 6)], kind="code")
    def shared_preprocessing_slowed(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import features  # pylint: disable=import-outside-toplevel

        original = features.ReviewPreprocessor._run  # pylint: disable=protected-access

        def run(self, text, trace):
            for _ in range(SLOWDOWN - 1):
                original(self, text, None)
            return original(self, text, trace)

        monkeypatch.setattr(features.ReviewPreprocessor, "_run", run)

    @registry.fault("serving-features-densified",
                    "Scoring turns the sparse TF-IDF rows into a dense matrix before the "
                    "classifier: the same predictions, with the batch's memory multiplied.",
                    [("monitoring", 6)], kind="code")
    def serving_features_densified(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel

        original = model.predict_labels

        def predict_labels(fitted, texts):
            return original(fitted, texts.toarray() if hasattr(texts, "toarray") else texts)

        patch_everywhere(monkeypatch, model, "predict_labels", predict_labels)

    @registry.fault("published-classifier-inverted",
                    "The package that reaches the registry holds a re-export of the model whose "
                    "classifier weights and intercept are negated (the classes swapped on the "
                    "way), while its metadata still states the held-out accuracy.",
                    [("monitoring", 7)], kind="artifact")
    def published_classifier_inverted(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import artifact  # pylint: disable=import-outside-toplevel

        def invert(copy: Path, metadata: dict[str, Any]) -> dict[str, Any]:
            path = copy / metadata["artifact"]
            fitted = artifact.loads_model(path.read_bytes(), str(path))
            classifier = fitted.named_steps["classifier"]
            classifier.coef_ = -classifier.coef_
            classifier.intercept_ = -classifier.intercept_
            sha = artifact.save_model(fitted, path)
            return {**metadata, "sha256": sha, "version": sha[:12]}

        publish_altered(monkeypatch, invert)
