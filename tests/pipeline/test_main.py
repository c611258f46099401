"""The command line as users meet it: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.__main__ import main
from pipeline.data.reviews import format_reviews
from pipeline.serving import artifact
from pipeline.serving.packaging import package_model


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


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


@pytest.fixture
def package_dir(tmp_path, tiny_model, tiny_reviews, project_config):
    """A package of the tiny model."""
    model_path, data_path = tmp_path / "model.skops", tmp_path / "train.tsv"
    artifact.save_model(tiny_model, model_path)
    data_path.write_bytes(format_reviews(tiny_reviews))
    package_model(model_path, {"accuracy": 1.0, "f1": 1.0}, project_config, tmp_path / "models",
                  data_path)
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


def test_dispatcher_usage_and_unknown_command(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0 and "predict" in capsys.readouterr().out
    assert main(["no-such-stage"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_params_errors_name_the_file(tmp_path):
    (tmp_path / "params.yaml").write_text("seed: [unclosed\n", encoding="utf-8")
    assert_user_error(run("prepare", cwd=tmp_path), "params.yaml", "not valid YAML")
    (tmp_path / "params.yaml").unlink()
    assert_user_error(run("prepare", cwd=tmp_path), "params.yaml", "not found")
