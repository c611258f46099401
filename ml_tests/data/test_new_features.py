"""Data 6: new features can be added quickly.

A feature is added by configuration alone (`features.extra` in params.yaml): the stage functions
train, evaluate, package and reload the model with it, the package records the new params, and
the whole run takes at most `feature_costs.max_new_feature_slowdown` times the default run
measured in the same session. DVC retrains when the `features` params change.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import yaml

from pipeline import artifact
from pipeline.features import TextStats
from pipeline.metrics import evaluate_model
from pipeline.model import train_model
from pipeline.serving.packaging import TrainingData, package_model


def _end_to_end(config, train_split, test_split, historic_path, out):
    start = time.thread_time()
    model = train_model(train_split, config.model_spec)
    metrics = evaluate_model(model, test_split.texts, test_split.labels)
    artifact.save_model(model, out / "model.skops")
    metadata = package_model(out / "model.skops", metrics, config, out / "models",
                             TrainingData(historic_path, train_split))
    loaded, recorded = artifact.load_package(out / "models")
    seconds = time.thread_time() - start
    return model, loaded, recorded, metadata, seconds


@pytest.mark.rubric("data", 6)
def test_a_new_feature_ships_by_configuration(config, train_split, test_split, historic_path,
                                              tmp_path):
    """Red when a stage ignores `features.extra` (the package would not record or contain it),
    when adding a feature needs code outside TextStats, or when the run slows beyond budget.
    """
    (tmp_path / "default").mkdir()
    *_, baseline_seconds = _end_to_end(config, train_split, test_split, historic_path,
                                       tmp_path / "default")
    for name in TextStats.AVAILABLE:
        configured = config.with_overrides({"features.extra": [name]})
        out = tmp_path / name
        out.mkdir()
        model, loaded, recorded, metadata, seconds = _end_to_end(
            configured, train_split, test_split, historic_path, out)
        stats = dict(loaded.named_steps["features"].transformer_list)["stats"]
        assert tuple(stats.stats) == (name,)
        assert recorded["params"]["features"]["extra"] == [name] == metadata["params"][
            "features"]["extra"]
        assert np.array_equal(loaded.predict_proba(test_split.texts[:20]),
                              model.predict_proba(test_split.texts[:20]))
        limit = float(config.feature_costs.max_new_feature_slowdown)
        assert seconds <= limit * baseline_seconds, (name, seconds, baseline_seconds)


@pytest.mark.rubric("data", 6)
def test_unknown_feature_is_a_clear_error(config, train_split):
    """A misspelt feature name fails at training with a message naming the choices."""
    from pipeline.errors import PipelineError  # pylint: disable=import-outside-toplevel

    with pytest.raises(PipelineError, match="unknown features.extra"):
        train_model(train_split,
                    config.with_overrides({"features.extra": ["lenght"]}).model_spec)


@pytest.mark.rubric("data", 6)
def test_dvc_retrains_when_features_change(project_root):
    """Red when the train stage stops declaring `features`: a new feature would not retrain."""
    stages = yaml.safe_load((project_root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    assert "features" in stages["train"]["params"]
    assert "pipeline/features.py" in stages["train"]["deps"]
