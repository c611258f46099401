"""`python -m pipeline serve-bench`: the HTTP server's latency, throughput, memory and log.

Starts `python -m pipeline serve` on 127.0.0.1 (a free port, a scratch prediction log) and
measures, over loopback with real HTTP clients:

- single-review latency of one client sending one request after another (p50, p99);
- throughput with `concurrency` clients over keep-alive connections, bounded by a request
  count and a time limit, whichever comes first, with its own latency percentiles;
- the server's resident memory (current and peak, from /proc on Linux);
- prediction log lines against reviews answered: every answered review must have one complete
  line, so `lost_lines` must be 0.

The figures go to reports/serving_benchmarks.json with the machine they were measured on;
the goals in params.yaml `serving.bench.goals` are this project's targets for 2 cores. The
clients share the machine with the server, so the figures are those of the pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

from pipeline.cli import CommandParser
from pipeline.config import Config, ServingBench, load_config
from pipeline.fileio import write_json_atomic
from pipeline.layout import REPORTS_DIR
from pipeline.perf import bench, measurement
from pipeline.serving.app import JSON
from pipeline.serving.process import ServerProcess

OUTPUT = REPORTS_DIR / "serving_benchmarks.json"
# Goals met when the figure is at least the goal; every other goal is a maximum.
HIGHER_IS_BETTER = frozenset({"throughput_per_s"})


def _body(text: str) -> bytes:
    return json.dumps({"reviews": [text]}).encode("utf-8")


class LoopbackClient:
    """A minimal HTTP/1.1 keep-alive client for POSTs to the server under test.

    httpx spends about 2 ms of CPU per request in its async client, more than the server
    spends answering; on two shared cores the benchmark would measure its own client. This one
    does only what the benchmark needs (one request at a time per connection, Content-Length
    bodies) in a few microseconds.
    """

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port = host.strip("[]"), int(port)
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """(status, body) of one request; reconnects when the server closed the connection."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        writer.write(f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: {JSON}"
                     f"\r\nContent-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        lines = head.split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        content = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return int(lines[0].split(" ", 2)[1]), content

    async def close(self) -> None:
        """Close the connection (the next post opens a new one)."""
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def reviews_answered(status: int, content: bytes) -> int:
    """Reviews answered by a response (0 unless it is a 200 with predictions)."""
    return len(json.loads(content)["predictions"]) if status == 200 else 0


async def sequential(url: str, bodies: Iterator[bytes],
                     requests: int) -> tuple[measurement.Timing, int, int]:
    """One client, one request at a time: (latency samples, reviews answered, errors)."""
    client = LoopbackClient(url)
    samples, answered, errors = [], 0, 0
    with measurement.untraced():
        for _ in range(requests):
            body = next(bodies)
            start = time.perf_counter()
            status, content = await client.request("POST", "/predict", body)
            samples.append(time.perf_counter() - start)
            count = reviews_answered(status, content)
            answered += count
            errors += count == 0
    await client.close()
    return measurement.Timing(tuple(samples)), answered, errors


async def concurrent(url: str, bodies: Iterator[bytes], requests: int, seconds: float,
                     clients: int) -> dict[str, Any]:
    """`clients` concurrent clients, each on its own connection, until `requests` were sent or
    `seconds` passed."""
    samples: list[float] = []
    state = {"sent": 0, "answered": 0, "errors": 0}
    deadline = time.monotonic() + seconds

    async def client_loop() -> None:
        client = LoopbackClient(url)
        while state["sent"] < requests and time.monotonic() < deadline:
            state["sent"] += 1
            start = time.perf_counter()
            try:
                status, content = await client.request("POST", "/predict", next(bodies))
            except (OSError, asyncio.IncompleteReadError):
                state["errors"] += 1
                await client.close()
                continue
            samples.append(time.perf_counter() - start)
            count = reviews_answered(status, content)
            state["answered"] += count
            state["errors"] += count == 0
        await client.close()

    start = time.perf_counter()
    with measurement.untraced():
        await asyncio.gather(*(client_loop() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {**state, "seconds": elapsed, "timing": measurement.Timing(tuple(samples))}


async def _metrics_and_version(url: str) -> tuple[str, str]:
    client = LoopbackClient(url)
    _, metrics_text = await client.request("GET", "/metrics")
    _, health = await client.request("GET", "/health")
    await client.close()
    return metrics_text.decode("utf-8"), json.loads(health)["version"]


def server_memory_mb(pid: int) -> dict[str, float | None]:
    """Current and peak resident memory of a process (Linux /proc; None elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return {"rss_mb": None, "peak_rss_mb": None}
    kib = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
    return {"rss_mb": round(int(kib["VmRSS"]) / 1024, 1),
            "peak_rss_mb": round(int(kib["VmHWM"]) / 1024, 1)}


def mean_batch(metrics_text: str) -> float | None:
    """Mean reviews per model call, from the server's serving_batch_reviews histogram."""
    values = dict(re.findall(r"^serving_batch_reviews_(sum|count) (\S+)$", metrics_text,
                             re.MULTILINE))
    count = float(values.get("count", 0))
    return round(float(values["sum"]) / count, 2) if count else None


def count_log_lines(directory: Path) -> tuple[int, int]:
    """(complete JSON lines, other lines) in every prediction log file of `directory`."""
    complete = broken = 0
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_bytes().splitlines(keepends=True):
            try:
                json.loads(line)
            except ValueError:
                broken += 1
                continue
            if line.endswith(b"\n"):
                complete += 1
            else:
                broken += 1
    return complete, broken


async def drive(url: str, bodies: Iterator[bytes], settings: ServingBench) -> dict[str, Any]:
    """Warm-up, the single-client phase, the concurrent phase, then the server's metrics."""
    _, warm_answered, warm_errors = await sequential(url, bodies, settings.warmup_requests)
    single, single_answered, single_errors = await sequential(
        url, bodies, settings.latency_requests)
    load = await concurrent(url, bodies, settings.load_requests,
                            settings.load_seconds, settings.concurrency)
    metrics_text, version = await _metrics_and_version(url)
    timing = load["timing"]
    return {
        "model_version": version,
        "single_latency_p50_ms": round(single.median * 1e3, 3),
        "single_latency_p99_ms": round(single.p99 * 1e3, 3),
        "single_requests": len(single.samples),
        "throughput_per_s": round(load["answered"] / load["seconds"], 1),
        "load_latency_p50_ms": round(timing.median * 1e3, 3) if timing.samples else None,
        "load_latency_p99_ms": round(timing.p99 * 1e3, 3) if timing.samples else None,
        "load_requests": load["sent"],
        "load_seconds": round(load["seconds"], 3),
        "concurrency": settings.concurrency,
        "errors": warm_errors + single_errors + load["errors"],
        "mean_batch_reviews": mean_batch(metrics_text),
        "reviews_answered": warm_answered + single_answered + load["answered"],
    }


def measure(source_args: list[str], params_path: str, config: Config) -> dict[str, Any]:
    """Start the server on a scratch log, drive it, stop it, count its log lines.

    The server reads `params_path` itself; `config` (the same file) gives the benchmark's
    `serving.bench` settings and the `data` it sends.
    """
    settings = config.serving.bench
    bodies = cycle([_body(text) for text in bench.training_data(config.data).texts])
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch:
        log_dir = Path(scratch) / "log"
        args = [*source_args, "--params", params_path, "--log-dir", str(log_dir),
                "--reload-poll", "0"]
        with ServerProcess(args, start_timeout=settings.start_timeout_seconds) as server:
            figures = asyncio.run(drive(server.url, bodies, settings))
            figures.update({f"server_{name}": value
                            for name, value in server_memory_mb(server.pid).items()})
            # uvicorn ends a graceful shutdown by re-raising the SIGTERM that started it.
            figures["server_stopped_cleanly"] = server.stop() in (0, -signal.SIGTERM)
        lines, broken = count_log_lines(log_dir)
    figures.update({"log_lines": lines, "broken_log_lines": broken,
                    "lost_lines": max(0, figures["reviews_answered"] - lines),
                    "machine": bench.machine()})
    return figures


def verdicts(figures: dict[str, Any], goals: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Each goal with its figure and whether it was met."""
    result = {}
    for name, goal in goals.items():
        value = figures[name]
        higher = name in HIGHER_IS_BETTER
        met = value is not None and (value >= goal if higher else value <= goal)
        result[name] = {"value": value, "goal": f"{'>=' if higher else '<='} {goal:g}",
                        "met": met}
    return result


def main(argv: list[str]) -> int:
    """Measure, write reports/serving_benchmarks.json, print a table.

    A missed speed goal is reported, not failed (figures of a shared machine vary); an error
    response, a lost or a broken log line, or a server that did not shut down gracefully is a
    defect and exits 1.
    """
    parser = CommandParser(prog="python -m pipeline serve-bench", description=__doc__)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model-dir", type=Path, help="package directory (default: models)")
    source.add_argument("--registry", metavar="URI", help="serve this registry's served version")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    config = load_config(args.params)
    source_args = (["--registry", args.registry] if args.registry
                   else ["--model-dir", str(args.model_dir or "models")])
    figures = measure(source_args, args.params, config)
    figures["goals"] = verdicts(figures, config.serving.bench.goals.model_dump())
    write_json_atomic(args.output, figures)
    spec = figures["machine"]
    print(f"model {figures['model_version']} over HTTP on {spec['cpu_count']} CPUs,"
          f" {spec['platform']}, Python {spec['python']}; clients on the same machine")
    shown = ("single_latency_p50_ms", "single_latency_p99_ms", "throughput_per_s",
             "load_latency_p50_ms", "load_latency_p99_ms", "errors", "server_rss_mb",
             "server_peak_rss_mb", "mean_batch_reviews", "reviews_answered", "log_lines",
             "lost_lines")
    for name in shown:
        goal = figures["goals"].get(name)
        verdict = f"  {goal['goal']} {'met' if goal['met'] else 'MISSED'}" if goal else ""
        print(f"{name:<24}{figures[name]!s:>12}{verdict}")
    print(f"{args.output}: written")
    defects = {name: figures[name] for name in ("errors", "lost_lines", "broken_log_lines")
               if figures[name]}
    if not figures["server_stopped_cleanly"]:
        defects["server_stopped_cleanly"] = False
    if defects:
        print(f"serve-bench: FAILED: {defects}", file=sys.stderr)
    return 1 if defects else 0
