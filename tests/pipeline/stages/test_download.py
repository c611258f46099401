"""Stage `download`: every configured file in place and verified; a verified copy is reused."""

from __future__ import annotations

from pipeline.fileio import sha256_file
from tests.pipeline.stages.conftest import run_stage


def test_every_configured_file_is_in_place_with_its_sha256(stage_project):
    """Red when: a file listed under data.files is skipped or copied without verification."""
    data = stage_project.config.data
    for spec in data.files.values():
        assert sha256_file(stage_project.root / data.raw_dir / spec.name) == spec.sha256
    assert stage_project.printed["download"].count("copied from") == len(data.files)


def test_a_second_run_reuses_the_verified_copies(stage_project):
    """Red when: download copies again what is already verified (dvc's persisted output)."""
    printed = run_stage("download", stage_project.root)
    assert printed.count("verified copy reused") == len(stage_project.config.data.files)
