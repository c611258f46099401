"""Faults that the Monitoring suite must catch: an unrecorded environment, a serving batch that
skips the schema, a skewed serving path, a stale package, a trainer that swallows degenerate
data, and monitoring thresholds loosened until real regressions pass.

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

    @registry.fault("environment-not-recorded",
                    "Packaging no longer records the installed library versions, so a changed "
                    "scikit-learn or numpy under the served model goes unnoticed.",
                    [("monitoring", 1)], kind="code")
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
                    [("monitoring", 1)], kind="code")
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
                    [("monitoring", 2)], kind="code")
    def serving_batch_skips_expectations(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.data import schema  # pylint: disable=import-outside-toplevel

        original = schema.build_expectations

        def build_expectations(bounds, labelled):
            return original(bounds, labelled) if labelled else []

        monkeypatch.setattr(schema, "build_expectations", build_expectations)

    @registry.fault("serving-transform-skewed",
                    "The serving loader switches lowercasing off in the loaded model's "
                    "preprocessing, so served features differ from the trained ones.",
                    [("monitoring", 3)], kind="code")
    def serving_transform_skewed(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import artifact  # pylint: disable=import-outside-toplevel

        original = artifact.loads_model

        def loads_model(data, source):
            model = original(data, source)
            model.set_params(preprocess__lowercase=False)
            return model

        monkeypatch.setattr(artifact, "loads_model", loads_model)

    @registry.fault("package-dated-long-ago",
                    f"Packaging stamps created_at {STALE_DAYS} days in the past (a copied "
                    "metadata file), so the served model is past its maximum age.",
                    [("monitoring", 4)], kind="artifact")
    def package_dated_long_ago(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import packaging  # pylint: disable=import-outside-toplevel

        original = packaging.build_metadata

        def build_metadata(*args, **kwargs):
            metadata = original(*args, **kwargs)
            then = datetime.now(UTC) - timedelta(days=STALE_DAYS)
            metadata["created_at"] = then.isoformat(timespec="seconds")
            return metadata

        patch_everywhere(monkeypatch, packaging, "build_metadata", build_metadata)

    @registry.fault("degenerate-training-accepted",
                    "The trainer swallows fitting errors and returns a constant predictor, so "
                    "one-class or stop-word-only data yields a model instead of an error.",
                    [("monitoring", 5)], kind="code")
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

    @registry.fault("latency-tolerance-loosened",
                    "params.yaml tolerates a candidate ten times slower than the served model "
                    "(monitoring.max_latency_ratio: 10), so a 3x regression is promoted.",
                    [("monitoring", 6)], kind="tolerance")
    def latency_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_latency_ratio": 10.0})

    @registry.fault("memory-tolerance-loosened",
                    "params.yaml tolerates a thousand times the served model's peak memory, so a "
                    "candidate that densifies its features passes.",
                    [("monitoring", 6)], kind="tolerance")
    def memory_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_memory_ratio": 1000.0})

    @registry.fault("drift-tolerance-loosened",
                    "params.yaml only alerts on a shift of the predicted-positive share above "
                    "0.5, so the fresh batch's label shift (0.55 -> 0.2) raises no alarm.",
                    [("monitoring", 7)], kind="tolerance")
    def drift_tolerance_loosened(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_positive_rate_shift": 0.5})

    @registry.fault("accuracy-drop-tolerated",
                    "params.yaml tolerates a candidate half as accurate as the served model "
                    "(monitoring.max_accuracy_drop: 0.5).",
                    [("monitoring", 7)], kind="tolerance")
    def accuracy_drop_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
        patch_params(monkeypatch, {"monitoring.max_accuracy_drop": 0.5})
