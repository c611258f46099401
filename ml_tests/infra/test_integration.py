"""Infra 3: the ML pipeline is integration tested.

The whole `dvc repro` runs from scratch in a temporary copy of the project (its own git and DVC
repository, site cache inside the copy, the bundled data), then the packaged model
serves through `python -m pipeline predict`. Its outputs make a round trip through the S3 remote
(moto's server on 127.0.0.1): push, wipe the cache and the outputs, pull, and the same bytes are
back; after that a second `dvc repro` has nothing to do.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ml_tests.infra.conftest import repro_env
from ml_tests.support.s3 import configure_dvc_remote, dvc, moto_s3, s3_client
from pipeline.fileio import sha256_file, write_json_atomic
from pipeline.model import predict_labels
from pipeline.serving.predict import format_prediction

BUCKET = "ml-test-score"
STAGES = ("download", "validate", "prepare", "train", "evaluate", "package")
CACHED_OUTPUTS = ("data/raw", "data/prepared", "data/model", "models")
TEXTS = ["The food was great and the staff friendly.", "Cold fries, rude waiter, never again.",
         "It wasn't bad at all."]


def outputs_digest(repo: Path) -> dict[str, str]:
    """sha256 of every file DVC tracks as an output (git's .gitignore files are not outputs)."""
    return {str(path.relative_to(repo)): sha256_file(path)
            for name in CACHED_OUTPUTS for path in sorted((repo / name).rglob("*"))
            if path.is_file() and path.name != ".gitignore"}


@pytest.mark.slow
@pytest.mark.rubric("infra", 3)
def test_cold_dvc_repro_builds_a_model_that_serves(repro_run, trained_model,
                                                   reports_dir: Path) -> None:
    """Red when any stage fails, is skipped or disconnected (dvc.yaml out of step with the
    code), when the packaged model lacks its metadata or metrics, or when what DVC serves differs
    from what the pipeline's own functions train."""
    run = repro_run
    for stage in STAGES:
        assert f"Running stage '{stage}'" in run.stdout, f"stage {stage} did not run"
    metrics = json.loads(subprocess.run([sys.executable, "-m", "dvc", "metrics", "show", "--json"],
                                        cwd=run.repo, env=repro_env(None), capture_output=True,
                                        text=True, check=True).stdout)
    shown = json.dumps(metrics)
    assert '"accuracy"' in shown and '"f1"' in shown
    metadata = json.loads((run.repo / "models" / "metadata.json").read_text())
    assert metadata["sha256"] == sha256_file(run.repo / "models" / "model.skops")
    result = subprocess.run([sys.executable, "-m", "pipeline", "predict", *TEXTS], cwd=run.repo,
                            env=repro_env(None), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    labels, probabilities = predict_labels(trained_model, TEXTS)
    pairs = zip(labels, probabilities, strict=True)
    expected = [format_prediction(label, p) for label, p in pairs]
    assert result.stdout.splitlines() == expected, "DVC's model predicts otherwise than the code"
    write_json_atomic(reports_dir / "infra_integration_repro.json", {
        "cold_repro_seconds": round(run.seconds, 2),
        "metrics": metadata["metrics"], "version": metadata["version"]})


@pytest.mark.slow
@pytest.mark.rubric("infra", 3)
def test_outputs_round_trip_through_the_s3_remote_and_repro_is_then_a_no_op(
        repro_run, reports_dir: Path, tmp_path: Path) -> None:
    """Red when an output is not tracked by DVC (lost after the wipe), when the remote does not
    give back the same bytes, or when a stage's dependencies are unstable so that an unchanged
    project runs stages again."""
    repo = repro_run.copied(tmp_path / "repo")
    before = outputs_digest(repo)
    assert "models/model.skops" in before and "data/prepared/test.tsv" in before
    with moto_s3(BUCKET) as endpoint:
        configure_dvc_remote(repo, endpoint, BUCKET)
        started = time.perf_counter()
        dvc(repo, "push")
        pushed = time.perf_counter() - started
        objects = s3_client(endpoint).list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
        shutil.rmtree(repo / ".dvc" / "cache")
        for name in CACHED_OUTPUTS:
            shutil.rmtree(repo / name)
        started = time.perf_counter()
        dvc(repo, "pull")
        pulled = time.perf_counter() - started
    assert outputs_digest(repo) == before, "the pulled outputs differ from the pushed ones"
    model_mtime = (repo / "models" / "model.skops").stat().st_mtime_ns
    started = time.perf_counter()
    again = subprocess.run([sys.executable, "-m", "dvc", "repro"], cwd=repo,
                           env=repro_env(Path("/nonexistent-data-dir")), capture_output=True,
                           text=True, check=False)
    no_op = time.perf_counter() - started
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Running stage" not in again.stdout, again.stdout
    assert "up to date" in again.stdout
    assert (repo / "models" / "model.skops").stat().st_mtime_ns == model_mtime
    write_json_atomic(reports_dir / "infra_integration_remote.json", {
        "push_seconds": round(pushed, 2), "pull_seconds": round(pulled, 2),
        "objects_on_remote": objects, "no_op_repro_seconds": round(no_op, 2),
        "cold_repro_seconds": round(repro_run.seconds, 2)})
