"""Reading the prediction log and late labels (pipeline.serving.logreader), locally and on S3."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ml_tests.support.s3 import DUMMY_CREDENTIALS, moto_s3, s3_client
from pipeline.errors import PipelineError
from pipeline.serving import predlog
from pipeline.serving.logreader import is_record, read_labels, read_log, record_problem

BUCKET = "prediction-logs"


def record(request_id: str, index: int = 0, label: int = 1, version: str = "v1") -> dict:
    return {"time": "2026-12-01T12:00:00.000+00:00", "version": version,
            "request_id": request_id, "index": index, "review": "the pasta was wonderful",
            "features": {"indices": [3, 9], "values": [0.6, 0.8]}, "probability": 0.9,
            "label": label, "latency_ms": 1.5}


def lines(*records: dict) -> bytes:
    return b"".join(predlog.encode_line(r) for r in records)


def replica_files() -> dict[str, bytes]:
    """What two replicas wrote over two days, plus files the reader must ignore."""
    return {
        "predictions-2026-12-01-web-1.jsonl": lines(record("a"), record("b", 0),
                                                    record("b", 1, 0)),
        "predictions-2026-12-01-web-2.jsonl": lines(record("c", label=0)) + b'{"broken": tr',
        "predictions-2026-12-02-web-1.jsonl": lines(record("d", version="v2")) + b"[1]\n",
        "notes.txt": b"not a log\n",
        "labels-do-not-live-here.jsonl": lines(record("x")),
    }


def label_lines() -> bytes:
    return (b'{"request_id": "a", "label": 1}\n'
            b'{"request_id": "b", "index": 1, "label": 1}\n'
            b"\n"
            b'{"request_id": "gone", "label": 0}\n'
            b'{"request_id": "a", "index": 0, "label": 1}')  # a repeat, without a newline


def test_a_local_directory_is_read_in_day_and_replica_order_with_labels(tmp_path):
    for name, data in replica_files().items():
        (tmp_path / "log" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "log" / name).write_bytes(data)
    (tmp_path / "labels.jsonl").write_bytes(label_lines())
    read = read_log(str(tmp_path / "log"), str(tmp_path / "labels.jsonl"))
    assert [(r["request_id"], r["index"]) for r in read.records] == [
        ("a", 0), ("b", 0), ("b", 1), ("c", 0), ("d", 0)]
    assert [r["true_label"] for r in read.records] == [1, None, 1, None, None]
    assert (read.labels, read.labelled, read.unmatched_labels) == (3, 2, 1)
    assert (read.stats.lines, read.stats.partial_lines, read.stats.invalid_lines) == (5, 1, 1)
    assert [path.rsplit("/", 1)[1] for path in read.stats.files] == sorted(
        name for name in replica_files() if name.startswith("predictions-"))


def test_days_can_be_selected(tmp_path):
    for name, data in replica_files().items():
        (tmp_path / name).write_bytes(data)
    assert [r["request_id"] for r in read_log(str(tmp_path), since=date(2026, 12, 2)).records
            ] == ["d"]
    assert [r["request_id"] for r in read_log(str(tmp_path), until=date(2026, 12, 1)).records
            ] == ["a", "b", "b", "c"]


def test_an_s3_prefix_shared_by_replicas_is_read_like_a_directory(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    with moto_s3(BUCKET) as endpoint:
        client = s3_client(endpoint)
        for number, (name, data) in enumerate(replica_files().items()):
            # Replicas ship into folders of their own or flat: both are under the prefix.
            key = f"serving/{'web-1/' if number % 2 else ''}{name}"
            client.put_object(Bucket=BUCKET, Key=key, Body=data)
        client.put_object(Bucket=BUCKET, Key="labels/2026-12-03.jsonl", Body=label_lines())
        client.put_object(Bucket=BUCKET, Key="other/predictions-2026-12-01-x.jsonl",
                          Body=lines(record("outside")))
        options = {"endpoint_url": endpoint, "key": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                   "secret": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                   "client_kwargs": {"region_name": DUMMY_CREDENTIALS["AWS_DEFAULT_REGION"]}}
        read = read_log(f"s3://{BUCKET}/serving", f"s3://{BUCKET}/labels",
                        storage_options=options)
        assert [r["request_id"] for r in read.records] == ["a", "b", "b", "c", "d"]
        assert [r["true_label"] for r in read.records] == [1, None, 1, None, None]
        assert (read.stats.partial_lines, read.stats.invalid_lines) == (1, 1)
        client.put_object(Bucket=BUCKET, Key="serving/predictions-2026-12-03-web-3.jsonl",
                          Body=lines(record("e")))
        again = read_log(f"s3://{BUCKET}/serving", storage_options=options)
        assert again.records[-1]["request_id"] == "e", "a new file must be seen on a re-read"


def test_a_missing_log_location_is_a_one_line_error(tmp_path):
    with pytest.raises(PipelineError, match="no prediction log directory"):
        read_log(str(tmp_path / "nothing"))
    (tmp_path / "log").mkdir()
    with pytest.raises(PipelineError, match="no label file"):
        read_log(str(tmp_path / "log"), str(tmp_path / "no-labels"))


@pytest.mark.parametrize(("line", "says"), [
    (b"[1, 2]", "not a JSON object"),
    (b"{nope", "not a JSON object"),
    (b'{"label": 1}', "'request_id' missing"),
    (b'{"request_id": "a", "index": -1, "label": 1}', "'index' is -1"),
    (b'{"request_id": "a", "index": true, "label": 1}', "'index' is True"),
    (b'{"request_id": "a", "label": 2}', "'label' is 2"),
    (b'{"request_id": "a", "label": true}', "'label' is True"),
    (b'{"request_id": "r", "label": 0}', "labelled 0 here and 1 before"),
])
def test_a_malformed_label_line_names_its_file_and_line(tmp_path, line, says):
    (tmp_path / "labels").mkdir()
    path = tmp_path / "labels" / "late.jsonl"
    path.write_bytes(b'{"request_id": "r", "label": 1}\n' + line + b"\n")
    with pytest.raises(PipelineError, match=f"late.jsonl: line 2: .*{says}"):
        read_labels(str(tmp_path / "labels"))


@pytest.mark.parametrize("change", [
    {"index": True}, {"label": 2}, {"probability": 1.5}, {"review": 3},
    {"features": {"indices": [1], "values": []}}, {"features": []}, {"latency_ms": "1"},
])
def test_a_line_with_wrong_field_types_is_not_a_record(tmp_path, change):
    (tmp_path / "predictions-2026-12-01-r.jsonl").write_text(
        json.dumps({**record("a"), **change}) + "\n", encoding="utf-8")
    read = read_log(str(tmp_path))
    assert (read.records, read.stats.invalid_lines) == ([], 1)


@pytest.mark.parametrize(("line", "problem"), [
    (b'{"a": 1', "not JSON (a torn or corrupted line)"),
    (b"[1]", "not a JSON object"),
    (json.dumps({**record("a"), "probability": float("nan")}).encode(), "probability not finite"),
    (json.dumps({**record("a"), "probability": float("-inf")}).encode(),
     "probability not finite"),
    (json.dumps({**record("a"), "probability": 1.5}).encode(), "probability outside [0, 1]"),
    (json.dumps({**record("a"), "probability": None}).encode(), "probability not a number"),
    (json.dumps({k: v for k, v in record("a").items() if k != "label"}).encode(),
     "missing label"),
])
def test_refused_lines_are_counted_by_reason(tmp_path, line, problem):
    (tmp_path / "predictions-2026-12-01-r.jsonl").write_bytes(lines(record("ok")) + line + b"\n")
    read = read_log(str(tmp_path))
    assert [r["request_id"] for r in read.records] == ["ok"]
    assert read.stats.problems == {problem: 1} and read.stats.invalid_lines == 1


def test_record_problem_is_none_exactly_for_records():
    assert record_problem(record("a")) is None and is_record(record("a"))
    assert record_problem({**record("a"), "index": -1}) is not None
