"""Faults that the Monitoring suite must catch: an unrecorded environment, a serving batch that
skips the schema, a skewed serving path, a stale package reaching the registry, a trainer that
swallows degenerate data, slower or hungrier shared serving code, a corrupted classifier
reaching the registry, and monitoring thresholds loosened until real regressions pass.

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
    from pipeline.registry.base import Registry  # pylint: disable=import-outside-toplevel
    from pipeline.serving import artifact  # pylint: disable=import-outside-toplevel

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

    @registry.fault("environment-not-recorded",
                    "Packaging no longer records the installed library versions, so a changed "
                    "scikit-learn or numpy under the served model goes unnoticed.",
                    [("monitoring", 1)])
    def environment_not_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import packaging  # pylint: disable=import-outside-toplevel

        original = packaging.build_metadata

        def build_metadata(*args, **kwargs):
            metadata = original(*args, **kwargs)
            metadata.pop("environment", None)
            return metadata

        patch_everywhere(monkeypatch, packaging, "build_metadata", build_metadata)

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

    @registry.fault("serving-batch-skips-expectations",
                    "The Great Expectations suite is built empty for unlabelled data, so a "
                    "replayed, truncated or absurdly long serving batch is scored as normal.",
                    [("monitoring", 2)])
    def serving_batch_skips_expectations(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.data import schema  # pylint: disable=import-outside-toplevel

        original = schema.build_expectations

        def build_expectations(bounds, labelled):
            return original(bounds, labelled) if labelled else []

        monkeypatch.setattr(schema, "build_expectations", build_expectations)

    @registry.fault("serving-transform-skewed",
                    "The serving loader switches lowercasing off in the loaded model's "
                    "preprocessing, so served features differ from the trained ones.",
                    [("monitoring", 3)])
    def serving_transform_skewed(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import artifact  # pylint: disable=import-outside-toplevel

        original = artifact.loads_model

        def loads_model(data, source):
            model = original(data, source)
            model.set_params(preprocess__lowercase=False)
            return model

        monkeypatch.setattr(artifact, "loads_model", loads_model)

    @registry.fault("published-package-dated-long-ago",
                    f"The release publishes the artifact with a metadata.json copied from a "
                    f"build {STALE_DAYS} days ago, so the registry serves a version past its "
                    "maximum age.",
                    [("monitoring", 4)])
    def published_package_dated_long_ago(monkeypatch: pytest.MonkeyPatch) -> None:
        then = datetime.now(UTC) - timedelta(days=STALE_DAYS)
        publish_altered(monkeypatch, lambda _copy, metadata: {
            **metadata, "created_at": then.isoformat(timespec="seconds")})

    @registry.fault("degenerate-training-accepted",
                    "The trainer swallows fitting errors and returns a constant predictor, so "
                    "one-class or stop-word-only data yields a model instead of an error.",
                    [("monitoring", 5)])
    def degenerate_training_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel
        from pipeline.errors import PipelineError  # pylint: disable=import-outside-toplevel

        original = model.train_model

        def train_model(reviews, spec):
            try:
                return original(reviews, spec)
            except PipelineError:
                from sklearn.dummy import DummyClassifier  # pylint: disable=C0415

                return DummyClassifier(strategy="prior").fit([[0]], [0])

        patch_everywhere(monkeypatch, model, "train_model", train_model)

    @registry.fault("shared-preprocessing-slowed",
                    f"The review preprocessing every model shares does its work {SLOWDOWN} times "
                    "(e.g. a step run once per feature family), so serving is that much slower "
                    "for every version and every candidate alike.",
                    [("monitoring", 6)])
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
                    [("monitoring", 6)])
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
                    [("monitoring", 7)])
    def published_classifier_inverted(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import artifact  # pylint: disable=import-outside-toplevel

        def invert(copy: Path, metadata: dict[str, Any]) -> dict[str, Any]:
            path = copy / metadata["artifact"]
            fitted = artifact.loads_model(path.read_bytes(), str(path))
            classifier = fitted.named_steps["classifier"]
            classifier.coef_ = -classifier.coef_
            classifier.intercept_ = -classifier.intercept_
            sha = artifact.save_model(fitted, path)
            return {**metadata, "sha256": sha, "version": sha[:12]}

        publish_altered(monkeypatch, invert)

    @registry.fault("latency-tolerance-loosened",
                    "params.yaml tolerates a served version ten times slower than at its release "
                    "(monitoring.max_latency_ratio: 10), so a 3x regression raises no alert.",
                    [("monitoring", 6)])
    def latency_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_latency_ratio": 10.0})

    @registry.fault("memory-tolerance-loosened",
                    "params.yaml tolerates a thousand times the peak memory recorded at release, "
                    "so a served path that densifies its features passes.",
                    [("monitoring", 6)])
    def memory_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_memory_ratio": 1000.0})

    @registry.fault("drift-tolerance-loosened",
                    "params.yaml only alerts on a shift of the predicted-positive share above "
                    "0.5, so a shift the delayed labels confirm raises no alarm.",
                    [("monitoring", 7)])
    def drift_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_positive_rate_shift": 0.5})

    @registry.fault("accuracy-drop-tolerated",
                    "params.yaml tolerates a live accuracy 0.5 below the recorded one "
                    "(monitoring.max_accuracy_drop: 0.5), so a drop the labels show passes.",
                    [("monitoring", 7)])
    def accuracy_drop_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_accuracy_drop": 0.5})
