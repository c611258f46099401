"""Stage `prepare`: the training file split into train and test, the same on every run."""

from __future__ import annotations

from pipeline.data.reviews import read_reviews
from pipeline.data.sources import raw_file
from pipeline.layout import TEST_SPLIT, TRAIN_SPLIT
from tests.pipeline.stages.conftest import run_stage


def test_the_split_partitions_the_training_file(stage_project):
    """Red when: rows are lost, duplicated or leak between train and test."""
    root = stage_project.root
    labelled = read_reviews(root / raw_file(stage_project.config.data, "training"))
    train, test = read_reviews(root / TRAIN_SPLIT), read_reviews(root / TEST_SPLIT)
    assert sorted(train.texts + test.texts) == sorted(labelled.texts)
    share = len(test.texts) / len(labelled.texts)
    assert abs(share - stage_project.config.split.test_size) < 0.01


def test_a_rerun_writes_the_same_bytes(stage_project):
    """Red when: the split depends on anything but the seed in params.yaml."""
    before = (stage_project.root / TRAIN_SPLIT).read_bytes()
    run_stage("prepare", stage_project.root)
    assert (stage_project.root / TRAIN_SPLIT).read_bytes() == before
