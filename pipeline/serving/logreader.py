"""Reading the prediction log back, from a directory or an S3 prefix, with labels that came later.

Monitoring reads what the servers wrote (pipeline.serving.predlog): every
`predictions-<day>-<replica>.jsonl` under a local directory or an `s3://bucket/prefix` that
several replicas ship their files to, in (day, replica) order. Both go through fsspec (s3fs
comes with dvc-s3), so one code path reads either; S3 credentials and endpoint come from the
environment or `storage_options`.

A line that is not a whole record is counted and skipped, never guessed at: the last line of
a file that is still being written has no newline yet (`partial_lines`, it will be whole on
the next read), and a line a crash cut short is ended by the next writer (`invalid_lines`).

Labels arrive later as JSON-lines files, one object per labelled review,

    {"request_id": "4f0c...", "index": 0, "label": 1}

keyed by the `X-Request-ID` of the request and the review's position in it (`index` may be
left out for single-review requests). A label file is curated input: a malformed line is an
error naming the file and line, and two different labels for one review are refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipeline.errors import PipelineError
from pipeline.serving.predlog import FIELDS, FILE_NAME

LabelKey = tuple[str, int]


@dataclass
class ReadStats:
    """What a read went through, for monitors to report (and alert on) alongside the records."""

    files: list[str] = field(default_factory=list)
    lines: int = 0             # whole prediction records read
    partial_lines: int = 0     # a file's last line without its newline yet
    invalid_lines: int = 0     # lines that are not a prediction record
    problems: dict[str, int] = field(default_factory=dict)  # invalid lines by reason


@dataclass
class LogRead:
    """The records of a read, each with `true_label` (None until its label arrives)."""

    records: list[dict[str, Any]]
    stats: ReadStats
    labels: int = 0            # labels read
    labelled: int = 0          # records a label was joined to
    unmatched_labels: int = 0  # labels for reviews not in the records read


def _filesystem(uri: str, storage_options: dict[str, Any] | None) -> tuple[Any, str]:
    import fsspec  # pylint: disable=import-outside-toplevel  # comes with dvc

    fs, path = fsspec.core.url_to_fs(uri, **(storage_options or {}))
    fs.invalidate_cache()  # a monitor that runs again in one process must see new files
    return fs, path


def _name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def log_files(uri: str, since: date | None = None, until: date | None = None,
              storage_options: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    """The filesystem and the prediction log files under `uri` for days since..until
    (inclusive), in (day, replica) order."""
    fs, root = _filesystem(uri, storage_options)
    if not fs.isdir(root):
        raise PipelineError(f"{uri}: no prediction log directory or prefix there")
    chosen = []
    for path in fs.find(root):
        match = FILE_NAME.fullmatch(_name(path))
        if match is None:
            continue
        day = date.fromisoformat(match.group(1))
        if (since is None or day >= since) and (until is None or day <= until):
            chosen.append(path)
    return fs, sorted(chosen, key=lambda path: (_name(path), path))


def record_problem(value: Any) -> str | None:
    """Why `value` (a decoded log line) is not a whole prediction record with the types the
    writer gives each field; None when it is one."""
    if not isinstance(value, dict):
        return "not a JSON object"
    missing = [name for name in FIELDS if name not in value]
    if missing:
        return f"missing {missing[0]}"
    features = value["features"]
    probability = value["probability"]
    checks = (
        (isinstance(value["time"], str) and isinstance(value["version"], str)
         and isinstance(value["request_id"], str) and _natural(value["index"]),
         "malformed time, version, request_id or index"),
        (value["review"] is None or isinstance(value["review"], str), "review not a string"),
        (isinstance(features, dict) and isinstance(features.get("indices"), list)
         and isinstance(features.get("values"), list)
         and len(features["indices"]) == len(features["values"]), "malformed features"),
        (_number(probability), "probability not a number"),
        (not _number(probability) or math.isfinite(probability), "probability not finite"),
        (not _number(probability) or not math.isfinite(probability)
         or 0.0 <= probability <= 1.0, "probability outside [0, 1]"),
        (value["label"] in (0, 1) and not isinstance(value["label"], bool), "label not 0 or 1"),
        (_number(value["latency_ms"]), "latency_ms not a number"),
    )
    return next((problem for ok, problem in checks if not ok), None)


def is_record(value: Any) -> bool:
    """A whole prediction log record, with the types the writer gives each field."""
    return record_problem(value) is None


def _natural(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def iter_log(uri: str, stats: ReadStats, since: date | None = None, until: date | None = None,
             storage_options: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every whole record under `uri`, file by file, line by line; `stats` counts the rest."""
    fs, paths = log_files(uri, since, until, storage_options)
    for path in paths:
        stats.files.append(path)
        with fs.open(path, "rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    stats.partial_lines += 1
                    continue
                try:
                    record = json.loads(line)
                    problem = record_problem(record)
                except ValueError:  # also a torn line's undecodable UTF-8
                    record, problem = None, "not JSON (a torn or corrupted line)"
                if problem is None:
                    stats.lines += 1
                    yield record
                else:
                    stats.invalid_lines += 1
                    stats.problems[problem] = stats.problems.get(problem, 0) + 1


def _label_files(fs: Any, root: str) -> list[str]:
    if fs.isfile(root):
        return [root]
    if not fs.isdir(root):
        raise PipelineError(f"{root}: no label file, directory or prefix there")
    return sorted(path for path in fs.find(root) if _name(path).endswith(".jsonl"))


def _label_entry(path: str, number: int, line: bytes) -> tuple[LabelKey, int] | None:
    if not line.strip():
        return None
    where = f"{path}: line {number}"
    try:
        entry = json.loads(line)
    except ValueError:
        raise PipelineError(f"{where}: not a JSON object") from None
    if not isinstance(entry, dict):
        raise PipelineError(f"{where}: not a JSON object")
    request_id, index, label = entry.get("request_id"), entry.get("index", 0), entry.get("label")
    if not isinstance(request_id, str) or not request_id:
        raise PipelineError(f"{where}: 'request_id' missing or not a string")
    if not _natural(index):
        raise PipelineError(f"{where}: 'index' is {index!r}; expected an integer >= 0")
    if label not in (0, 1) or isinstance(label, bool):
        raise PipelineError(f"{where}: 'label' is {label!r}; expected 0 or 1")
    return (request_id, index), label


def read_labels(uri: str,
                storage_options: dict[str, Any] | None = None) -> dict[LabelKey, int]:
    """Labels by (request_id, index) from a label file, or every *.jsonl under a directory or
    prefix; a malformed line or a contradicting duplicate is a PipelineError naming it."""
    fs, root = _filesystem(uri, storage_options)
    labels: dict[LabelKey, int] = {}
    for path in _label_files(fs, root):
        with fs.open(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                entry = _label_entry(path, number, line)
                if entry is None:
                    continue
                key, label = entry
                if labels.setdefault(key, label) != label:
                    raise PipelineError(f"{path}: line {number}: review {key[0]}#{key[1]} is"
                                        f" labelled {label} here and {labels[key]} before")
    return labels


def join_labels(records: Iterable[dict[str, Any]],
                labels: dict[LabelKey, int]) -> Iterator[dict[str, Any]]:
    """Each record with `true_label`: its label, or None while none has arrived."""
    for record in records:
        yield {**record, "true_label": labels.get((record["request_id"], record["index"]))}


def read_log(uri: str, labels_uri: str | None = None, since: date | None = None,
             until: date | None = None,
             storage_options: dict[str, Any] | None = None) -> LogRead:
    """All records under `uri` (with their labels from `labels_uri`, when given) and what the
    read counted; S3 options (endpoint_url, key, secret, ...) apply to both locations."""
    stats = ReadStats()
    labels = read_labels(labels_uri, storage_options) if labels_uri is not None else {}
    records = list(join_labels(iter_log(uri, stats, since, until, storage_options), labels))
    seen = {(record["request_id"], record["index"]) for record in records}
    labelled = sum(record["true_label"] is not None for record in records)
    return LogRead(records, stats, labels=len(labels), labelled=labelled,
                   unmatched_labels=len(set(labels) - seen))
