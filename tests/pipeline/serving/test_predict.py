"""`python -m pipeline predict`: one line per text, and a tampered artifact is refused."""

from __future__ import annotations

import pytest

from pipeline import artifact
from pipeline.data.reviews import format_reviews
from pipeline.serving.packaging import TrainingData, package_model
from tests.pipeline.commands import assert_user_error, run


@pytest.fixture
def package_dir(tmp_path, tiny_model, tiny_reviews, project_config):
    """A package of the tiny model."""
    model_path, data_path = tmp_path / "model.skops", tmp_path / "train.tsv"
    artifact.save_model(tiny_model, model_path)
    data_path.write_bytes(format_reviews(tiny_reviews))
    package_model(model_path, {"accuracy": 1.0, "f1": 1.0}, project_config, tmp_path / "models",
                  TrainingData.fitted_on(data_path, tiny_reviews))
    return tmp_path / "models"


def test_predict_prints_one_line_per_text(package_dir):
    result = run("predict", "--model-dir", str(package_dir), "Great food!", "Rude waiter.")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["positive", "negative"]
    assert all(0.5 <= float(line.split("\t")[1]) <= 1.0 for line in lines)


def test_predict_refuses_a_tampered_or_missing_artifact(package_dir):
    path = package_dir / "model.skops"
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    assert_user_error(run("predict", "--model-dir", str(package_dir), "Nice"), "sha256")
    path.unlink()
    assert_user_error(run("predict", "--model-dir", str(package_dir), "Nice"), "not found")
