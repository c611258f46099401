"""The prediction log: one JSON line per answered review, appended before the answer is sent.

Files are daily and per replica, `<dir>/predictions-<YYYY-MM-DD>-<replica>.jsonl` (UTC day),
so replicas that ship their directories to one bucket never write the same object. A line is

    {"time": "2026-12-01T12:00:00.123+00:00", "version": "99537610351e",
     "request_id": "4f0c...", "index": 0, "review": "the pasta was wonderful",
     "features": {"indices": [1173, 1439], "values": [0.61, 0.79]},
     "probability": 0.93, "label": 1, "latency_ms": 1.4}

`review` is the text after the model's own PII step (never the raw text; null when the model
has none): URLs, e-mails, phone and id numbers and listed person names are placeholders there,
as in the features. `features` is the non-zero columns of the model's feature row (column
indices of that version's vectoriser, exact values), `probability` the positive class's,
`index` the review's position in its request, `latency_ms` the time from receiving the request
to logging it.

Durability: all lines of one model call go out in one `os.write` on an O_APPEND descriptor
under a lock, so concurrent requests never interleave and a `kill -9` leaves whole lines (the
kernel keeps what was written; the process holds no buffer). `fsync` after every write is off
by default: it only protects against a power loss or kernel crash and would cost every batch a
disk flush; `serving.log_fsync: true` turns it on. Should a crash ever cut a line short (a
write larger than a page interrupted by a kernel-level kill), the next writer first ends the
torn line with a newline, so it stays one unparseable line the reader counts and skips, and
the lines after it stay whole.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError

PREFIX = "predictions-"
SUFFIX = ".jsonl"
FILE_NAME = re.compile(r"predictions-(\d{4}-\d{2}-\d{2})-([A-Za-z0-9._-]+)\.jsonl")
FIELDS = ("time", "version", "request_id", "index", "review", "features", "probability",
          "label", "latency_ms")
_REPLICA = re.compile(r"[A-Za-z0-9._-]{1,64}")


def default_replica() -> str:
    """This host's name, reduced to the characters a log file name may hold."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:64].strip("-.")
    return name or "replica"


def log_file_name(day: date, replica: str) -> str:
    """The daily file of one replica."""
    return f"{PREFIX}{day.isoformat()}-{replica}{SUFFIX}"


def encode_line(record: dict[str, Any]) -> bytes:
    """One record as one line: compact JSON, UTF-8, no NaN, ended by a newline."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8") + b"\n"


def timestamp(when: float) -> str:
    """An epoch time as the ISO 8601 UTC string of a log line (millisecond resolution)."""
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds")


class PredictionLog:
    """Appends whole lines to today's file; thread-safe, one write per call."""

    def __init__(self, directory: str | Path, replica: str | None = None,
                 fsync: bool = False) -> None:
        self.directory = Path(directory)
        self.replica = replica or default_replica()
        if not _REPLICA.fullmatch(self.replica):
            raise PipelineError(f"replica name {self.replica!r}: expected 1-64 letters, digits,"
                                " '.', '_' or '-'")
        self.fsync = fsync
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._day: date | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise PipelineError(f"{self.directory}: cannot create the prediction log directory:"
                                f" {error.strerror}") from None

    @property
    def path(self) -> Path | None:
        """The file being appended to (None before the first write)."""
        return None if self._day is None else self.directory / log_file_name(self._day,
                                                                             self.replica)

    def write(self, data: bytes, when: float) -> None:
        """Append complete lines (`data`) to the file of `when`'s UTC day."""
        day = datetime.fromtimestamp(when, UTC).date()
        with self._lock:
            fd = self._fd if day == self._day and self._fd is not None else self._open(day)
            view = memoryview(data)
            while view:  # one call in practice; a short write continues where it stopped
                view = view[os.write(fd, view):]
            if self.fsync:
                os.fsync(fd)

    def close(self) -> None:
        """Flush to disk and close; the next write opens the file again."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd, self._day = None, None

    def _open(self, day: date) -> int:
        self._close()
        path = self.directory / log_file_name(day, self.replica)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")  # end a line a crash cut short; see the module docstring
        self._fd, self._day = fd, day
        return fd
