"""The download stage: verified copies only, atomic, reused when already in place."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.config import FileSpec
from pipeline.data.fetch import fetch_file
from pipeline.errors import PipelineError

CONTENT = b"Review\tLiked\nGood.\t1\n"


def _spec(content: bytes = CONTENT) -> FileSpec:
    return FileSpec(name="reviews.tsv", url="http://127.0.0.1:9/reviews.tsv",
                    sha256=hashlib.sha256(content).hexdigest())


def test_copies_from_the_data_dir_and_verifies(tmp_path):
    source, raw = tmp_path / "source", tmp_path / "raw"
    source.mkdir()
    (source / "reviews.tsv").write_bytes(CONTENT)
    assert fetch_file(_spec(), raw, source).startswith("copied from")
    assert (raw / "reviews.tsv").read_bytes() == CONTENT


def test_verified_copy_is_reused_without_reading_the_source(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "reviews.tsv").write_bytes(CONTENT)
    assert fetch_file(_spec(), raw, tmp_path / "nowhere") == "verified copy reused"


def test_wrong_checksum_keeps_the_previous_file_and_leaves_no_temp(tmp_path):
    source, raw = tmp_path / "source", tmp_path / "raw"
    source.mkdir()
    raw.mkdir()
    (source / "reviews.tsv").write_bytes(CONTENT.replace(b"\n", b"\r\n"))  # a corrupt copy
    (raw / "reviews.tsv").write_bytes(b"previous")
    with pytest.raises(PipelineError, match="sha256 .* does not match params.yaml"):
        fetch_file(_spec(), raw, source)
    assert (raw / "reviews.tsv").read_bytes() == b"previous"
    assert sorted(p.name for p in raw.iterdir()) == ["reviews.tsv"]


def test_missing_file_in_data_dir(tmp_path):
    with pytest.raises(PipelineError, match="reviews.tsv: not found; expected the review file"):
        fetch_file(_spec(), tmp_path / "raw", tmp_path)


def test_no_network_says_how_to_use_a_local_copy(tmp_path):
    # Port 9 on 127.0.0.1 refuses the connection: the same path as having no network.
    spec = _spec()
    with pytest.raises(PipelineError,
                       match="use data.source: bundled .* or set SENTIMENT_DATA_DIR"):
        fetch_file(spec, tmp_path / "raw", spec.url)
    assert not list((tmp_path / "raw").iterdir())
