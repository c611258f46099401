"""The prediction log writer (pipeline.serving.predlog): whole lines, whatever happens."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime

import pytest

from pipeline.errors import PipelineError
from pipeline.serving import predlog
from pipeline.serving.logreader import ReadStats, iter_log

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC).timestamp()
DAY = 24 * 3600


def batch(writer: int, number: int, size: int) -> bytes:
    return b"".join(predlog.encode_line({"writer": writer, "batch": number, "line": line,
                                         "pad": "x" * 300})
                    for line in range(size))


def test_concurrent_batches_never_interleave_or_tear(tmp_path):
    log = predlog.PredictionLog(tmp_path, "r1")
    writers, batches = 8, 50

    def write(writer: int) -> None:
        for number in range(batches):
            log.write(batch(writer, number, 1 + number % 5), NOON)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    records = [json.loads(line) for line in log.directory.joinpath(
        "predictions-2026-12-01-r1.jsonl").read_bytes().splitlines()]
    assert len(records) == writers * sum(1 + n % 5 for n in range(batches))
    position = 0
    while position < len(records):  # each batch's lines are contiguous and in order
        first = records[position]
        size = 1 + first["batch"] % 5
        chunk = records[position:position + size]
        assert [(r["writer"], r["batch"], r["line"]) for r in chunk] == [
            (first["writer"], first["batch"], line) for line in range(size)]
        position += size


def test_a_line_torn_by_a_crash_stays_one_skipped_line(tmp_path):
    path = tmp_path / predlog.log_file_name(datetime(2026, 12, 1).date(), "r1")
    whole = predlog.encode_line({"cut": False})
    path.write_bytes(whole + b'{"time": "2026-12-01T1')  # what a crash mid-write leaves
    log = predlog.PredictionLog(tmp_path, "r1")
    log.write(predlog.encode_line({"after": True}), NOON)
    log.close()
    assert path.read_bytes().splitlines() == [whole.rstrip(), b'{"time": "2026-12-01T1',
                                              b'{"after":true}']
    stats = ReadStats()
    assert not list(iter_log(str(tmp_path), stats))  # none of these are prediction records
    assert (stats.invalid_lines, stats.partial_lines) == (3, 0)


def test_a_new_utc_day_starts_a_new_file(tmp_path):
    log = predlog.PredictionLog(tmp_path, "r1")
    log.write(predlog.encode_line({"day": 1}), NOON)
    first = log.path
    log.write(predlog.encode_line({"day": 2}), NOON + DAY)
    log.close()
    assert log.path is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "predictions-2026-12-01-r1.jsonl", "predictions-2026-12-02-r1.jsonl"]
    assert first.read_bytes() == b'{"day":1}\n'


def test_fsync_after_every_write_only_when_asked(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    for fsync, expected in ((False, 0), (True, 2)):
        synced.clear()
        log = predlog.PredictionLog(tmp_path / str(fsync), "r1", fsync=fsync)
        log.write(b"{}\n", NOON)
        log.write(b"{}\n", NOON)
        assert len(synced) == expected
        log.close()  # closing always flushes
        assert len(synced) == expected + 1


def test_a_short_write_is_continued(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    log = predlog.PredictionLog(tmp_path, "r1")
    data = predlog.encode_line({"review": "a longer line than seven bytes"})
    log.write(data, NOON)
    log.close()
    assert log.directory.joinpath("predictions-2026-12-01-r1.jsonl").read_bytes() == data


def test_lines_are_compact_utf8_json_without_nan():
    assert predlog.encode_line({"review": "café", "p": 0.5}) == (
        '{"review":"café","p":0.5}\n'.encode())
    with pytest.raises(ValueError):
        predlog.encode_line({"p": float("nan")})


@pytest.mark.parametrize("replica", ["../up", "a/b", "x" * 65, "two words"])
def test_a_replica_name_must_be_a_plain_token(tmp_path, replica):
    with pytest.raises(PipelineError, match="replica name"):
        predlog.PredictionLog(tmp_path, replica)


def test_the_default_replica_is_a_plain_host_name(monkeypatch):
    monkeypatch.setattr(predlog.socket, "gethostname", lambda: "web 1.example.com")
    assert predlog.default_replica() == "web-1.example.com"
    monkeypatch.setattr(predlog.socket, "gethostname", lambda: "///")
    assert predlog.default_replica() == "replica"


def test_an_unusable_log_directory_is_a_one_line_error(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(PipelineError, match="cannot create the prediction log directory"):
        predlog.PredictionLog(tmp_path / "file" / "log")
