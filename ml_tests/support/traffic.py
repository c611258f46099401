"""Traffic for the rubric suites: published, promoted versions served by the real server.

Every Monitor test, and the online side of Model 2, reads what `python -m pipeline serve` wrote
while it answered real requests on 127.0.0.1, for versions that went through the registry's
publish and promote; no monitor scores a model the suite built. The load is bounded: each review
is sent once per served version, in requests of at most `serving.max_reviews` reviews, with a
timeout per request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from pipeline.analysis.spec import spec_sha256
from pipeline.artifact import read_metadata
from pipeline.registry import LocalRegistry
from pipeline.serving.process import ServerProcess

REQUEST_TIMEOUT_S = 30  # only so that a hung server fails the session instead of hanging it
REPLICA = "suite"


@dataclass(frozen=True)
class Batch:
    """Reviews sent under one request-id prefix, `size` reviews per request."""

    name: str
    texts: Sequence[str]
    size: int


@dataclass
class Sent:
    """What one serving run answered: request ids with the reviews each carried, and refusals."""

    requests: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # "<request id>: <status> <reason>"

    @property
    def reviews(self) -> int:
        """Reviews answered with a prediction."""
        return sum(len(texts) for texts in self.requests.values())


@dataclass(frozen=True)
class ServedTraffic:
    """A serving run the monitors can read: where its registry, log and labels are."""

    registry: Path                # a LocalRegistry whose served version answered the traffic
    version: str                  # that version
    log_dir: Path                 # the prediction log the server wrote
    labels: Path                  # delayed labels of the labelled requests (logreader format)
    sent: Sent                    # every request answered, and every one refused
    labelled: tuple[str, ...]     # request ids the labels file covers


def publish_released(store: LocalRegistry, package: Path) -> str:
    """Publish `package` to `store`; the version. It counts as released against its own spec
    (the release check's record, which the server requires)."""
    version = store.publish(package)
    store.record_release(version, spec_sha256(read_metadata(package)["params"]))
    return version


def publish_and_promote(package: Path, root: Path) -> str:
    """Publish `package` to a local registry at `root`, released, and serve it; the version."""
    store = LocalRegistry(root)
    version = publish_released(store, package)
    store.promote(version)
    return version


def serve_registry(project_root: Path, registry: Path, log_dir: Path,
                   params: Path | None = None) -> ServerProcess:
    """The real server (this checkout's code) for the registry's served version, 127.0.0.1,
    configured by `params` (default: the project's params.yaml)."""
    env = {**os.environ, "PYTHONPATH": str(project_root)}
    return ServerProcess(["--host", "127.0.0.1", "--registry", str(registry),
                          "--log-dir", str(log_dir), "--replica", REPLICA, "--reload-poll", "0",
                          "--params", str(params or project_root / "params.yaml")],
                         cwd=project_root, env=env)


def requests_of(batch: Batch) -> Iterator[tuple[str, int, list[str]]]:
    """(request id, position of its first review in the batch, its reviews), request by request."""
    for number, start in enumerate(range(0, len(batch.texts), batch.size)):
        yield f"{batch.name}-{number:04d}", start, list(batch.texts[start:start + batch.size])


def send(url: str, batches: Sequence[Batch]) -> Sent:
    """POST every batch to /predict in requests of `size` reviews, one after another."""
    sent = Sent()
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
        for batch in batches:
            for request_id, _, texts in requests_of(batch):
                response = client.post("/predict", json={"reviews": texts},
                                       headers={"X-Request-ID": request_id})
                if response.status_code == 200:
                    sent.requests[request_id] = texts
                else:
                    sent.errors.append(f"{request_id}: {response.status_code}"
                                       f" {response.text.strip()}")
    return sent


def write_labels(path: Path, sent: Sent, batch: Batch, labels: Sequence[int]) -> tuple[str, ...]:
    """The delayed labels (`labels`, one per review of `batch`) of the batch's answered
    requests, keyed by request id and index as logreader reads them; the request ids covered."""
    path.parent.mkdir(parents=True, exist_ok=True)
    covered, lines = [], []
    for request_id, start, texts in requests_of(batch):
        if request_id not in sent.requests:
            continue
        covered.append(request_id)
        lines += [json.dumps({"request_id": request_id, "index": index,
                              "label": int(labels[start + index])})
                  for index in range(len(texts))]
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return tuple(covered)


def edited_copy(log_dir: Path, target: Path,
                edit: Callable[[list[dict[str, Any]]], list[bytes]]) -> Path:
    """A copy of the log whose lines are `edit(records)` (the records of every file, in order):
    for tests that check a checker on a log the server did not write. The original is untouched.
    """
    records = [json.loads(line) for path in sorted(log_dir.iterdir())
               for line in path.read_bytes().splitlines()]
    target.mkdir(parents=True)
    (target / next(iter(sorted(log_dir.iterdir()))).name).write_bytes(b"".join(edit(records)))
    return target
