"""`python -m pipeline bench`: its data is verified first, and goals read the right way round."""

from __future__ import annotations

import pytest

from pipeline.data.sources import DATA_DIR_ENV
from pipeline.errors import PipelineError
from pipeline.perf.bench import goals_table, training_data


def test_the_training_data_is_the_verified_bundled_copy(project_config, project_root,
                                                        monkeypatch):
    """Red when: the benchmark times a model of data other than the configured file."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    data = project_config.with_overrides(
        {"data.bundled_dir": str(project_root / project_config.data.bundled_dir)}).data
    assert training_data(data).labels is not None


def test_a_copy_with_another_sha256_is_refused(project_config, tmp_path, monkeypatch):
    """Red when: a corrupt or different training file is benchmarked without a word."""
    name = project_config.data.file("training").name
    (tmp_path / name).write_bytes(b"Review\tLiked\nTasty.\t1\n")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(PipelineError, match=f"{name}: sha256 .* does not match params.yaml"):
        training_data(project_config.data)
    (tmp_path / name).unlink()
    with pytest.raises(PipelineError, match="training data not found"):
        training_data(project_config.data)


def test_throughput_is_a_minimum_and_every_other_goal_a_maximum():
    """Red when: a goal is met by the wrong side of it."""
    rows = dict((name, verdict) for name, _, verdict in goals_table(
        {"predict_throughput_per_s": 100.0, "train_seconds": 2.0},
        {"predict_throughput_per_s": 50.0, "train_seconds": 1.0}))
    assert rows == {"predict_throughput_per_s": ">= 50 met", "train_seconds": "<= 1 MISSED"}
