"""Monitor 3: training and serving are not skewed.

The training path is the fitted pipeline in memory transforming the whole batch, as training and
evaluation do; the serving paths are the packaged artifact loaded by `load_package`, the model
fetched from the registry by `load_model`, and the `predict` command, each fed one review at a
time. For every review of the fresh dump, features and predictions must be identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import artifact, registry
from pipeline.config import Config
from pipeline.data.reviews import Reviews
from pipeline.monitoring import skew
from pipeline.serving import predict


def _tolerance(config: Config) -> float:
    return float(config.monitoring.skew_tolerance)


@pytest.mark.rubric("monitoring", 3)
def test_packaged_artifact_serves_what_training_computed(trained_model, packaged_model: Path,
                                                         fresh: Reviews, config, record) -> None:
    """Batch features/probabilities in memory == one-at-a-time from the loaded package.

    Red when serialisation loses a setting (e.g. a preprocessing flag or the vocabulary), when
    loading substitutes another model, or when a transform depends on the rest of the batch.
    """
    served, _ = artifact.load_package(packaged_model)
    result = skew.check_skew(trained_model, served, fresh.texts, _tolerance(config))
    record("skew", result)
    assert not result["alert"], (result["message"], result["examples"])
    assert result["reviews"] == len(fresh.texts) > 0


@pytest.mark.rubric("monitoring", 3)
def test_registry_served_model_matches_training(trained_model, packaged_model: Path,
                                                fresh: Reviews, config, tmp_path: Path) -> None:
    """Publish, promote, then `registry.load_model()` serves exactly the trained model.

    Red when the registry stores or fetches a different artifact than the one trained (a swap in
    the store, a stale served pointer to another model).
    """
    store = str(tmp_path / "registry")
    version = registry.open_registry(store).publish(packaged_model)
    registry.open_registry(store).promote(version)
    served, metadata = registry.load_model(None, store)
    assert metadata["version"] == version
    result = skew.check_skew(trained_model, served, fresh.texts, _tolerance(config))
    assert not result["alert"], (result["message"], result["examples"])


@pytest.mark.rubric("monitoring", 3)
def test_predict_command_prints_the_training_predictions(trained_model, packaged_model: Path,
                                                         fresh: Reviews, capsys) -> None:
    """`python -m pipeline predict` prints, per review, the training path's label and probability.

    Red when the command's own code path diverges (another model directory, a different
    threshold, a transform applied only in the command).
    """
    _, probability = skew.training_path(trained_model, fresh.texts)
    assert predict.main([*fresh.texts, "--model-dir", str(packaged_model)]) == 0
    printed = capsys.readouterr().out.splitlines()
    expected = [predict.format_prediction(int(p >= 0.5), float(p)) for p in probability]
    assert printed == expected


@pytest.mark.rubric("monitoring", 3)
def test_skew_check_catches_a_serving_side_change(trained_model, fresh: Reviews, config,
                                                  run_monitor, packaged_model: Path,
                                                  serving_path: Path, tmp_path: Path) -> None:
    """A served copy whose preprocessing differs in one flag is an alert, also from the command.

    Red when the comparison stops looking at features or probabilities (always "identical").
    """
    served = artifact.loads_model(artifact.dumps_model(trained_model), "copy")
    served.set_params(preprocess__mark_negation=False)
    result = skew.check_skew(trained_model, served, fresh.texts, _tolerance(config))
    assert result["alert"] and result["feature_mismatches"] > 0
    trained_path = tmp_path / "trained.skops"
    artifact.save_model(trained_model, trained_path)
    code, report = run_monitor("skew", "--trained", trained_path, "--model-dir", packaged_model,
                               "--input", serving_path)
    assert (code, report["feature_mismatches"]) == (0, 0), report.get("message")
    changed = tmp_path / "changed.skops"
    artifact.save_model(served, changed)
    code, report = run_monitor("skew", "--trained", changed, "--model-dir", packaged_model,
                               "--input", serving_path)
    assert code == 1 and report["alert"]
    assert report["reviews"] == len(fresh.texts)
