"""`python -m pipeline validate`: one file by the row rules, and the DVC stage's report."""

from __future__ import annotations

import json

from tests.pipeline.commands import assert_user_error, run


def test_validate_accepts_a_good_file_and_names_the_bad_row(tmp_path):
    good, bad = tmp_path / "good.tsv", tmp_path / "bad.tsv"
    good.write_bytes(b"Review\tLiked\nTasty.\t1\n")
    bad.write_bytes(b"Review\tLiked\nTasty.\t1\nAwful.\tyes\n")
    result = run("validate", "--input", str(good))
    assert result.returncode == 0 and "valid (1 reviews)" in result.stdout
    assert_user_error(run("validate", "--input", str(bad)), str(bad), "line 3", "expected 0 or 1")
    assert_user_error(run("validate", "--input", str(tmp_path / "none.tsv")), "file not found")


def test_validate_unlabelled_batch(tmp_path):
    batch = tmp_path / "batch.tsv"
    batch.write_bytes(b"Review\nFine.\n")
    assert run("validate", "--input", str(batch), "--unlabelled").returncode == 0
    assert_user_error(run("validate", "--input", str(batch)), "header")


def test_the_stage_validates_every_role_and_writes_its_report(stage_project):
    """Red when: a configured file (training, serving or evaluation) goes unchecked."""
    report = json.loads((stage_project.root / "reports/validation.json").read_text())
    assert {entry["role"] for entry in report.values()} == {"training", "serving", "evaluation"}
    assert all(entry["rows"] > 0 and len(entry["sha256"]) == 64 for entry in report.values())
    assert not report[stage_project.config.data.serving]["labelled"]
