"""Stage `train`: the artifact of the configured model, byte-identical on a rerun."""

from __future__ import annotations

from pipeline.artifact import load_model_file, read_metadata
from pipeline.data.reviews import read_reviews
from pipeline.data.training_rows import TRAINING_ROWS, read_training_record, row_hashes
from pipeline.fileio import sha256_file
from pipeline.layout import MODELS_DIR, TRAIN_SPLIT, TRAINED_MODEL, TRAINING_ROWS_RECORD
from tests.pipeline.stages.conftest import run_stage


def test_the_artifact_loads_and_its_digest_is_printed(stage_project):
    """Red when: the stage writes an artifact that does not load or is not the one it reports."""
    path = stage_project.root / TRAINED_MODEL
    digest = sha256_file(path)
    assert digest in stage_project.printed["train"]
    model = load_model_file(path, digest)
    assert model.predict_proba(["fine food"]).shape == (1, 2)


def test_a_rerun_gives_the_same_bytes(stage_project):
    """Red when: training is not seeded, or the artifact embeds a time or an address."""
    before = sha256_file(stage_project.root / TRAINED_MODEL)
    run_stage("train", stage_project.root)
    assert sha256_file(stage_project.root / TRAINED_MODEL) == before


def test_the_training_rows_record_is_what_was_fitted_and_what_is_packaged(stage_project):
    """Red when: the train stage records other reviews than the split it fitted, or the package
    stage does not copy that record into metadata.json."""
    record = read_training_record(stage_project.root / TRAINING_ROWS_RECORD)
    fitted = read_reviews(stage_project.root / TRAIN_SPLIT)
    assert record[TRAINING_ROWS] == row_hashes(fitted.texts)
    packaged = read_metadata(stage_project.root / MODELS_DIR)
    assert packaged[TRAINING_ROWS] == record[TRAINING_ROWS]
