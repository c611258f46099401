"""The FastAPI application: `POST /predict`, `GET /health`, `GET /metrics`, `POST /reload`.

Requests are validated by hand from the raw body rather than by a pydantic model: every
rejection must be one line that names the field and the limit (a 4xx with `{"error": "..."}`),
and the hot path should not pay for a schema layer it does not need.

Valid requests are micro-batched: a handler queues its reviews and waits; one scoring task
takes whatever has queued up (at most `serving.max_batch_reviews` reviews), scores it in one
model call, appends the log lines of the whole batch in one write, and only then answers each
request. A lone client is answered at once (a batch of one); under load the model's fixed cost
per call (about 0.5 ms in scikit-learn) is shared by all requests waiting at that moment. The
scoring runs on the event loop itself: it is CPU-bound, so a worker thread would only add a
hand-over and GIL contention.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    Info,
    generate_latest,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.config import ServingConfig
from pipeline.serving import predlog
from pipeline.serving.served import ModelHolder, Reload, Watcher

JSON = "application/json"
REQUEST_ID = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 1.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class RequestError(Exception):
    """A request the server refuses: an HTTP status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def json_response(payload: dict[str, Any], status: int = 200,
                  request_id: str | None = None) -> Response:
    """A compact JSON response, with the request id echoed when there is one."""
    headers = {REQUEST_ID: request_id} if request_id else None
    return Response(json.dumps(payload, separators=(",", ":")).encode("utf-8"), status,
                    headers=headers, media_type=JSON)


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def parse_reviews(content_type: str | None, body: bytes, settings: ServingConfig) -> list[str]:
    """The reviews of a `{"reviews": [...]}` body, or a RequestError saying what is wrong."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON:
        raise RequestError(415, f"content type {media_type or 'missing'!r}; expected {JSON}")
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError(400, "body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RequestError(400, f"body is not valid JSON: {error.msg} at line {error.lineno}"
                                f" column {error.colno}") from None
    except (ValueError, RecursionError):  # a 5,000-digit number, arrays nested 100,000 deep
        raise RequestError(400, "body is not JSON this server accepts (a number too long or"
                                " nesting too deep)") from None
    if not isinstance(payload, dict):
        raise RequestError(422, f'expected an object {{"reviews": [...]}}, got {_kind(payload)}')
    unexpected = sorted(set(payload) - {"reviews"})
    if unexpected:
        raise RequestError(422, f"unexpected field {unexpected[0]!r}; expected only 'reviews'")
    if "reviews" not in payload:
        raise RequestError(422, "missing field 'reviews' (a list of review texts)")
    reviews = payload["reviews"]
    if not isinstance(reviews, list):
        raise RequestError(422, f"'reviews' must be an array of strings, got {_kind(reviews)}")
    if not 1 <= len(reviews) <= settings.max_reviews:
        raise RequestError(422, f"'reviews' holds {len(reviews)} reviews; expected 1 to"
                                f" {settings.max_reviews} (serving.max_reviews)")
    for index, text in enumerate(reviews):
        _check_review(index, text, settings.max_review_chars)
    return reviews


def _check_review(index: int, text: Any, max_chars: int) -> None:
    where = f"reviews[{index}]"
    if not isinstance(text, str):
        raise RequestError(422, f"{where} must be a string, got {_kind(text)}")
    if not text.strip():
        raise RequestError(422, f"{where} is empty; expected some words")
    if len(text) > max_chars:
        raise RequestError(422, f"{where} has {len(text)} characters; at most {max_chars}"
                                " (serving.max_review_chars)")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestError(422, f"{where} is not valid Unicode (an unpaired surrogate"
                                    " escape)") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to exceed `limit` bytes (before it is parsed
    or even fully received)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"body of {declared} bytes; at most {limit}"
                                " (serving.max_body_bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"body over {limit} bytes (serving.max_body_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


class Metrics:
    """The server's Prometheus metrics, in a registry of its own (one per app, so tests and
    several apps in one process do not share counters)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("serving_requests", "POST /predict requests by outcome",
                                ["outcome"], registry=self.registry)
        for outcome in ("ok", "invalid", "error"):
            self.requests.labels(outcome)
        self.latency = Histogram("serving_request_seconds", "Answered /predict requests, from"
                                 " the body received to the answer ready",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reviews = Counter("serving_reviews", "Reviews answered (one log line each)",
                               registry=self.registry)
        self.batch = Histogram("serving_batch_reviews", "Reviews scored per model call",
                               buckets=BATCH_BUCKETS, registry=self.registry)
        self.model = Info("serving_model", "The model version being served",
                          registry=self.registry)
        self.reloads = Counter("serving_model_reloads", "Attempts to serve the version the"
                               " served pointer names (a refused one is retried on every poll)",
                               ["outcome"], registry=self.registry)
        for outcome in ("ok", "failed"):
            self.reloads.labels(outcome)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


@dataclass
class Job:
    """One request's reviews waiting to be scored."""

    texts: list[str]
    request_id: str
    start: float  # time.perf_counter() when the request arrived
    future: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop()
                                   .create_future())


class Service:
    """The state behind the routes: model, log, metrics, the batch queue and the watcher."""

    def __init__(self, holder: ModelHolder, log: predlog.PredictionLog,
                 settings: ServingConfig) -> None:
        self.holder = holder
        self.log = log
        self.settings = settings
        self.metrics = Metrics()
        self.metrics.model.info({"version": holder.current.version})
        self.started = time.monotonic()
        self.watcher = Watcher(settings.reload_poll_seconds, self.reload)
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._reported: str | None = None

    async def predict(self, texts: list[str], request_id: str, start: float) -> dict[str, Any]:
        """Queue the reviews, wait for the batch they land in, return the answer."""
        job = Job(texts, request_id, start)
        self._queue.put_nowait(job)
        return await job.future

    async def run_batches(self) -> None:
        """Score queued requests in batches until cancelled."""
        while True:
            jobs = [await self._queue.get()]
            await self._gather()
            size = len(jobs[0].texts)
            while size < self.settings.max_batch_reviews and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
                size += len(jobs[-1].texts)
            try:
                answers = self.score(jobs)
            # The batch's requests get a 500; the loop, and so the server, keeps serving.
            except Exception as error:  # pylint: disable=broad-exception-caught
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(error)
                continue
            for job, answer in zip(jobs, answers, strict=True):
                if not job.future.done():  # a handler cancelled by a vanished client
                    job.future.set_result(answer)

    async def _gather(self) -> None:
        """Yield to the other handlers as long as they keep queueing work (and the batch has
        room), so that the requests already received share this model call."""
        queued = self._queue.qsize()
        while True:
            await asyncio.sleep(0)
            now = self._queue.qsize()
            if now == queued or now >= self.settings.max_batch_reviews:
                return
            queued = now

    def score(self, jobs: list[Job]) -> list[dict[str, Any]]:
        """One model call for all jobs, their log lines in one write, then their answers."""
        served = self.holder.current
        scored = served.score([text for job in jobs for text in job.texts])
        when = time.time()
        stamp = predlog.timestamp(when)
        lines, answers, position = [], [], 0
        for job in jobs:
            latency_ms = round((time.perf_counter() - job.start) * 1e3, 3)
            predictions = []
            for index, at in enumerate(range(position, position + len(job.texts))):
                prediction = {"label": scored.labels[at], "probability": scored.probabilities[at]}
                lines.append(predlog.encode_line({
                    "time": stamp, "version": served.version, "request_id": job.request_id,
                    "index": index, "review": scored.masked[at], "features": scored.features[at],
                    **prediction, "latency_ms": latency_ms}))
                predictions.append(prediction)
            position += len(job.texts)
            answers.append({"version": served.version, "predictions": predictions})
        self.log.write(b"".join(lines), when)
        self.metrics.batch.observe(position)
        self.metrics.reviews.inc(position)
        return answers

    def reload(self) -> Reload:
        """Follow the served pointer (from the watcher or POST /reload) and report the result."""
        result = self.holder.refresh()
        if result.error is not None:
            self.metrics.reloads.labels("failed").inc()
            if result.error != self._reported:  # once per distinct failure, not every poll
                print(f"serve: reload refused, still serving {result.version}: {result.error}",
                      file=sys.stderr, flush=True)
        elif result.changed:
            self.metrics.reloads.labels("ok").inc()
            self.metrics.model.info({"version": result.version})
            print(f"serve: now serving {result.version} (was {result.previous})",
                  file=sys.stderr, flush=True)
        self._reported = result.error
        return result

    def health(self) -> dict[str, Any]:
        """What /health answers: the version, since when, uptime, the last reload failure."""
        served = self.holder.current
        return {"status": "ok", "version": served.version, "loaded_at": served.loaded_at,
                "uptime_seconds": round(time.monotonic() - self.started, 3),
                "source": self.holder.source.description, "reload_error": self.holder.last_error}


def request_id_of(request: Request) -> str:
    """The client's X-Request-ID when it is a plain token, else a fresh one."""
    given = request.headers.get(REQUEST_ID)
    if given is None:
        return uuid.uuid4().hex
    if not _REQUEST_ID.fullmatch(given):
        raise RequestError(400, f"{REQUEST_ID} must be 1-128 letters, digits, '.', '_', ':' or"
                                " '-'")
    return given


def create_app(service: Service) -> FastAPI:
    """The application around `service`; its lifespan runs the batch loop and the watcher."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        batches = asyncio.create_task(service.run_batches())
        service.watcher.start()
        try:
            yield
        finally:
            service.watcher.stop()
            batches.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await batches
            service.log.close()

    async def http_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        detail = getattr(error, "detail", "error")
        return json_response({"error": f"{request.method} {request.url.path}: {detail}"}, status)

    app = FastAPI(title="restaurant-review sentiment", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan,
                  exception_handlers={StarletteHTTPException: http_error})
    metrics = service.metrics

    @app.post("/predict")
    async def predict(request: Request) -> Response:
        start = time.perf_counter()
        request_id = None
        try:
            request_id = request_id_of(request)
            body = await read_body(request, service.settings.max_body_bytes)
            texts = parse_reviews(request.headers.get("content-type"), body, service.settings)
        except RequestError as error:
            metrics.requests.labels("invalid").inc()
            return json_response({"error": str(error)}, error.status, request_id)
        try:
            answer = await service.predict(texts, request_id, start)
        # One line, without the exception's text: it might quote a review.
        except Exception as error:  # pylint: disable=broad-exception-caught
            metrics.requests.labels("error").inc()
            print(f"serve: request {request_id} failed: {type(error).__name__}",
                  file=sys.stderr, flush=True)
            return json_response({"error": "the model could not answer this request"}, 500,
                                 request_id)
        metrics.requests.labels("ok").inc()
        metrics.latency.observe(time.perf_counter() - start)
        return json_response(answer, 200, request_id)

    @app.get("/health")
    async def health() -> Response:
        return json_response(service.health())

    @app.get("/metrics")
    async def metrics_text() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/reload")
    async def reload() -> Response:
        result = await run_in_threadpool(service.reload)
        if result.error is not None:
            return json_response({"error": result.error, "version": result.version}, 409)
        return json_response({"version": result.version, "previous": result.previous,
                              "changed": result.changed})

    return app
