"""DVC's S3 remote, end to end against moto's S3 server on 127.0.0.1, and the project's remote."""

from __future__ import annotations

import configparser
import random
import shutil
import time
from pathlib import Path

import pytest

from ml_tests.support.s3 import (
    DUMMY_CREDENTIALS,
    configure_dvc_remote,
    dvc,
    init_dvc_repo,
    moto_s3,
    s3_client,
)

BUCKET = "ml-test-score"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_push_then_pull_into_an_empty_cache_restores_identical_bytes(tmp_path: Path) -> None:
    repo = init_dvc_repo(tmp_path / "repo")
    payload = random.Random(0).randbytes(256 * 1024)
    (repo / "data.bin").write_bytes(payload)
    (repo / "folder").mkdir()
    (repo / "folder" / "rows.tsv").write_text("Review\tLiked\nGood food\t1\n")

    with moto_s3(BUCKET) as endpoint:
        url = configure_dvc_remote(repo, endpoint, BUCKET)
        dvc(repo, "add", "data.bin", "folder")
        started = time.perf_counter()
        dvc(repo, "push")
        pushed = time.perf_counter() - started
        stored = s3_client(endpoint).list_objects_v2(Bucket=BUCKET, Prefix="dvc/")
        # data.bin, rows.tsv and the directory manifest each become one object.
        assert stored.get("KeyCount", 0) == 3, stored

        shutil.rmtree(repo / ".dvc" / "cache")
        (repo / "data.bin").unlink()
        shutil.rmtree(repo / "folder")
        started = time.perf_counter()
        dvc(repo, "pull")
        pulled = time.perf_counter() - started

    assert (repo / "data.bin").read_bytes() == payload
    assert (repo / "folder" / "rows.tsv").read_text() == "Review\tLiked\nGood food\t1\n"
    config = (repo / ".dvc" / "config").read_text()
    assert url in config and endpoint in config
    assert DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in config, "credentials stay in env"
    print(f"dvc push {pushed:.2f} s, dvc pull {pulled:.2f} s (moto S3 on 127.0.0.1)")


@pytest.mark.slow
def test_pull_fails_loudly_when_the_remote_lacks_the_data(tmp_path: Path) -> None:
    """The round trip above is only meaningful if a pull from an empty remote does fail."""
    repo = init_dvc_repo(tmp_path / "repo")
    (repo / "data.bin").write_bytes(b"never pushed")
    with moto_s3(BUCKET) as endpoint:
        configure_dvc_remote(repo, endpoint, BUCKET)
        dvc(repo, "add", "data.bin")
        shutil.rmtree(repo / ".dvc" / "cache")
        (repo / "data.bin").unlink()
        result = dvc(repo, "pull", check=False)
    assert result.returncode != 0
    assert "Missing cache files" in result.stderr, result.stderr  # asked S3, found nothing
    assert not (repo / "data.bin").exists()


def test_project_has_a_default_s3_remote_without_secrets() -> None:
    parser = configparser.ConfigParser()
    parser.read(PROJECT / ".dvc" / "config")
    remote = parser["core"]["remote"]
    section = parser[f"'remote \"{remote}\"'"]
    assert section["url"].startswith("s3://")
    secret_keys = {"access_key_id", "secret_access_key", "session_token", "credentialpath"}
    assert secret_keys.isdisjoint(section), "credentials come from the environment only"
