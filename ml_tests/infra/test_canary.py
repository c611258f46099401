"""Infra 6: models are canaried before serving.

The candidate runs beside the served model on the serving batch, on the handwritten canary
reviews, on hostile inputs and under a latency comparison measured in the same run; thresholds
come from `canary:` in params.yaml. Broken candidates (a constant predictor, a 3x slower one,
one that emits NaN) are not promoted and the command says why in one line; a good one is.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline

from ml_tests.infra.conftest import package_for
from pipeline.artifact import read_metadata
from pipeline.config import Config
from pipeline.data import sources
from pipeline.data.reviews import format_reviews
from pipeline.fileio import write_bytes_atomic
from pipeline.model import train_model
from pipeline.registry import LocalRegistry
from pipeline.rollout import canary


class ThreeTimesSlower:
    """The served model doing its work three times per call (a slowed predictor)."""

    def __init__(self, model) -> None:
        self.model = model

    def predict_proba(self, texts):
        for _ in range(2):
            self.model.predict_proba(texts)
        return self.model.predict_proba(texts)


def constant_model(trained_model, train_split) -> Pipeline:
    """The real preprocessing and features in front of a classifier that always says 0."""
    front = copy.deepcopy(trained_model[:-1])
    dummy = DummyClassifier(strategy="constant", constant=0)
    dummy.fit(front.transform(train_split.texts), train_split.labels)
    return Pipeline([*front.steps, ("classifier", dummy)])


@pytest.fixture(scope="module")
def good_model(train_split, config):
    """A legitimate retraining: stemming on (repeated CV: 0.838 vs 0.841)."""
    return train_model(train_split, config.with_overrides({"features.stem": True}).model_spec)


@pytest.fixture
def deployment(tmp_path: Path, packaged_model: Path, test_split, data_dir: Path, config,
               historic_path: Path):
    """A local registry serving the pipeline's model, a held-out file (with the labelled file it
    was split from) and the serving batch."""
    registry = LocalRegistry(tmp_path / "registry")
    registry.promote(registry.publish(packaged_model))
    holdout = tmp_path / "holdout.tsv"
    write_bytes_atomic(holdout, format_reviews(test_split))
    traffic = sources.raw_file(config.data, "serving", data_dir)
    return registry, (holdout, historic_path), traffic


def run_canary_command(candidate: Path, deployment, tmp_path: Path,
                       reviewed: Config) -> subprocess.CompletedProcess:
    """`python -m pipeline canary` against the deployment's registry, traffic and held-out file;
    `reviewed` is the spec the candidate's change went through review with."""
    registry, (holdout, population), traffic = deployment
    reviewed_file = tmp_path / "reviewed.yaml"
    reviewed_file.write_text(yaml.safe_dump(reviewed.as_mapping()), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "canary", "--candidate", str(candidate),
         "--registry", str(registry.root), "--traffic", str(traffic), "--holdout", str(holdout),
         "--population", str(population), "--reviewed-spec", str(reviewed_file),
         "--report", str(tmp_path / "canary.json")],
        capture_output=True, text=True, check=False)


@pytest.mark.rubric("infra", 6)
def test_a_good_candidate_passes_the_canary_and_is_promoted(good_model, trained_model, fresh,
                                                            config, deployment, train_split,
                                                            test_split,
                                                            historic_path: Path, tmp_path: Path,
                                                            reports_dir: Path) -> None:
    """Red when the canary refuses a legitimate retraining (thresholds mis-wired, latency
    compared against the wrong model) or the command does not promote what passed."""
    report = canary.run_canary(good_model, trained_model, fresh.texts, config.canary)
    assert report.passed, report.reasons
    stemmed = config.with_overrides({"features.stem": True})
    candidate = package_for(good_model, tmp_path / "good", (train_split, test_split), stemmed,
                            historic_path)
    result = run_canary_command(candidate, deployment, tmp_path, stemmed)
    assert result.returncode == 0, result.stderr
    assert deployment[0].served() == read_metadata(candidate)["version"]
    written = json.loads((tmp_path / "canary.json").read_text())
    assert written["passed"] and written["agreement"] >= config.canary.min_agreement
    (reports_dir / "infra_canary_good.json").write_text(json.dumps(asdict(report), indent=2))


@pytest.mark.rubric("infra", 6)
def test_a_constant_predictor_is_not_promoted(trained_model, train_split, test_split, config,
                                              deployment, historic_path: Path,
                                              tmp_path: Path) -> None:
    """Red when the canary does not look at labelled canary items or at agreement with the
    served model (a constant model passes every input-validity check)."""
    model = constant_model(trained_model, train_split)
    candidate = package_for(model, tmp_path / "constant", (train_split, test_split), config,
                            historic_path)
    served_before = deployment[0].served()
    result = run_canary_command(candidate, deployment, tmp_path, config)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not promoted" in lines[0] and "canary reviews wrong" in lines[0]
    assert deployment[0].served() == served_before
    assert read_metadata(candidate)["version"] not in deployment[0].versions()


@pytest.mark.rubric("infra", 6)
def test_a_three_times_slower_candidate_is_not_promoted(trained_model, fresh, config,
                                                        reports_dir: Path) -> None:
    """Red when the canary does not time the candidate against the served model (or times
    both with the same model)."""
    report = canary.run_canary(ThreeTimesSlower(trained_model), trained_model, fresh.texts,
                               config.canary)
    (reports_dir / "infra_canary_slow.json").write_text(json.dumps(asdict(report), indent=2))
    assert not report.passed
    assert report.latency.ratio > config.canary.max_latency_ratio
    assert any("latency" in reason for reason in report.reasons)
    assert report.agreement == 1.0, "same labels: only the latency can have refused it"


@pytest.mark.rubric("infra", 6)
def test_a_candidate_emitting_nan_is_not_promoted(trained_model, fresh, config) -> None:
    """Red when the canary does not validate the candidate's outputs on hostile inputs."""
    broken = copy.deepcopy(trained_model)
    broken.named_steps["classifier"].intercept_ = np.array([np.nan])
    report = canary.run_canary(broken, trained_model, fresh.texts, config.canary)
    assert not report.passed
    assert report.invalid_outputs and "hostile inputs" in report.reasons[0]
    healthy = canary.invalid_outputs(trained_model)
    assert not healthy, f"the served model itself fails hostile inputs: {healthy}"
