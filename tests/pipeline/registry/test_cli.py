"""`python -m pipeline registry ...`: in process and as a subprocess, locally and on a stand-in
Hub."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ml_tests.support.hub_stub import HubStub
from pipeline.artifact import ARTIFACT_NAME, read_metadata
from pipeline.registry.cli import main

REPO = "owner/sentiment"


def test_cli_round_trip(tmp_path: Path, packages: list[Path],
                        capsys: pytest.CaptureFixture[str]) -> None:
    uri = ["--registry", str(tmp_path / "reg")]
    assert main(["publish", str(packages[0]), *uri]) == 0
    version = capsys.readouterr().out.strip()
    assert main([*uri, "promote", version]) == 0
    capsys.readouterr()
    assert main([*uri, "list"]) == 0
    assert capsys.readouterr().out.startswith(f"* {version}")
    assert main([*uri, "served"]) == 0
    assert capsys.readouterr().out.strip() == version
    assert main([*uri, "fetch", version, str(tmp_path / "f")]) == 0
    assert (tmp_path / "f" / ARTIFACT_NAME).is_file()


@pytest.mark.parametrize("args, message", [
    (["rollback"], "cannot roll back"),
    (["promote", "feedbeeffeed"], "unknown version 'feedbeeffeed'"),
    (["fetch", "feedbeeffeed", "x"], "unknown version"),
    (["served"], "no version is served"),
    (["publish", "no/such/dir"], "metadata not found"),
    (["frobnicate"], "invalid choice"),
])
def test_cli_user_errors_exit_2_with_one_line(tmp_path: Path, args: list[str],
                                              message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "registry", "--registry", str(tmp_path / "reg"), *args],
        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_cli_against_the_stub(hub: HubStub, tmp_path: Path, packages: list[Path]) -> None:
    env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_TOKEN": hub.token,
           "HF_HOME": str(tmp_path / "hf-home")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", "registry", "--registry",
                               f"hf://{REPO}", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, check=False)

    published = cli("publish", str(packages[0]))
    assert published.returncode == 0, published.stderr
    assert published.stdout.strip() == read_metadata(packages[0])["version"]
    assert hub.token not in published.stdout + published.stderr
    failed = cli("rollback")
    assert failed.returncode == 2 and len(failed.stderr.strip().splitlines()) == 1
