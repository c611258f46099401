"""Stage `train`: the artifact of the configured model, byte-identical on a rerun."""

from __future__ import annotations

from pipeline.artifact import load_model_file
from pipeline.fileio import sha256_file
from pipeline.layout import TRAINED_MODEL
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
