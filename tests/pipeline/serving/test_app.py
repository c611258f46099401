"""The FastAPI app in-process (pipeline.serving.app): answers, log lines, refusals, metrics."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from pipeline.artifact import load_package
from pipeline.serving.app import create_app, parse_reviews
from pipeline.serving.served import RegistrySource, ServedModel
from pipeline.serving.server import build_service

PII_REVIEW = "Call me at +1 555 123 4567 or mail jo.doe@example.com, the soup was cold"


def log_lines(directory: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def predict(client, *reviews: str, **headers: str):
    return client.post("/predict", json={"reviews": list(reviews)}, headers=headers)


def metric_samples(client) -> dict[tuple[str, tuple], float]:
    text = client.get("/metrics").text
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_predict_answers_with_the_models_own_probabilities(client, packages):
    reviews = ["Great food and friendly staff!", "Cold fries and rude waiter.", PII_REVIEW]
    response = predict(client, *reviews)
    assert response.status_code == 200
    model, metadata = load_package(packages[0])
    positive = model.predict_proba(reviews)[:, 1].tolist()
    assert response.json() == {
        "version": metadata["version"],
        "predictions": [{"label": int(p >= 0.5), "probability": p} for p in positive]}
    assert len(response.headers["x-request-id"]) == 32


def test_each_review_is_one_log_line_with_masked_text_and_the_models_features(
        client, service, packages):
    response = predict(client, "Loved the pasta, will come back.", PII_REVIEW,
                       **{"X-Request-ID": "order-42"})
    assert response.headers["x-request-id"] == "order-42"
    lines = log_lines(service.log.directory)
    assert [(line["request_id"], line["index"]) for line in lines] == [("order-42", 0),
                                                                       ("order-42", 1)]
    raw = b"".join(path.read_bytes() for path in service.log.directory.glob("*.jsonl"))
    assert b"555" not in raw and b"example.com" not in raw, "PII reached the log"
    assert "phonenumber" in lines[1]["review"] and "emailaddress" in lines[1]["review"]
    model, metadata = load_package(packages[0])
    rows = model.named_steps["features"].transform(
        model.named_steps["preprocess"].transform([line["review"] for line in lines]))
    for line, prediction, row in zip(lines, response.json()["predictions"], rows, strict=True):
        assert line["version"] == metadata["version"]
        assert line["features"] == {"indices": row.indices.tolist(), "values": row.data.tolist()}
        assert (line["label"], line["probability"]) == (prediction["label"],
                                                        prediction["probability"])
        assert line["latency_ms"] > 0 and line["time"].endswith("+00:00")
    assert service.log.path.name.startswith("predictions-") and "-test.jsonl" in str(
        service.log.path)


def test_a_malformed_request_is_refused_in_one_line_and_logs_nothing(client, service,
                                                                     malformed):
    response = client.post("/predict", content=malformed.body, headers=dict(malformed.headers))
    assert response.status_code == malformed.status
    error = response.json()["error"]
    assert malformed.says in error and "\n" not in error
    assert response.headers["content-type"] == "application/json"
    assert not list(service.log.directory.glob("*.jsonl"))
    assert predict(client, "The service was excellent.").status_code == 200


def test_an_oversized_chunked_body_is_refused_while_it_streams(client, settings):
    def chunks():
        for _ in range(settings.max_body_bytes // 1024 + 2):
            yield b" " * 1024

    response = client.post("/predict", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "max_body_bytes" in response.json()["error"]


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nowhere", 404),
                                                        ("GET", "/predict", 405),
                                                        ("DELETE", "/health", 405)])
def test_unknown_routes_and_methods_get_a_json_error(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["error"].startswith(f"{method} {path}: ")


def test_health_names_version_uptime_and_source(client, packages):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["reload_error"] is None
    assert health["version"] == load_package(packages[0])[1]["version"]
    assert health["uptime_seconds"] >= 0 and health["source"] == f"package {packages[0]}"


def test_metrics_count_outcomes_reviews_latency_and_the_served_version(client, service):
    predict(client, "Great food!", "Bland soup.")
    client.post("/predict", content=b"{", headers={"content-type": "application/json"})
    samples = metric_samples(client)
    assert samples[("serving_requests_total", (("outcome", "ok"),))] == 1
    assert samples[("serving_requests_total", (("outcome", "invalid"),))] == 1
    assert samples[("serving_requests_total", (("outcome", "error"),))] == 0
    assert samples[("serving_reviews_total", ())] == 2
    assert samples[("serving_request_seconds_count", ())] == 1
    version = service.holder.current.version
    assert samples[("serving_model_info", (("version", version),))] == 1


def test_a_failing_model_call_is_a_500_and_the_server_keeps_serving(client, service,
                                                                    monkeypatch):
    original = ServedModel.score

    def fail_once(*_):
        monkeypatch.setattr(ServedModel, "score", original)
        raise ValueError("boom with review text inside")

    monkeypatch.setattr(ServedModel, "score", fail_once)
    response = predict(client, "Great food!")
    assert response.status_code == 500 and "boom" not in response.text
    assert not list(service.log.directory.glob("*.jsonl"))
    assert predict(client, "Great food!").status_code == 200


def test_no_answer_is_given_when_its_log_line_cannot_be_written(client, service, monkeypatch):
    def disk_full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service.log, "write", disk_full)
    assert predict(client, "Great food!").status_code == 500
    assert metric_samples(client)[("serving_reviews_total", ())] == 0


def test_concurrent_requests_share_one_model_call_and_get_their_own_answers(service):
    reviews = [["Great food and friendly staff!"], ["Cold fries.", "Rude waiter."],
               ["Delicious soup."], ["Terrible service, never again."]]

    async def run() -> list[dict]:
        batches = asyncio.create_task(service.run_batches())
        try:
            return await asyncio.gather(*(service.predict(texts, f"r{i}", 0.0)
                                          for i, texts in enumerate(reviews)))
        finally:
            batches.cancel()

    answers = asyncio.run(run())
    expected = service.holder.current.score([text for texts in reviews for text in texts])
    flat = [p for answer in answers for p in answer["predictions"]]
    assert [p["probability"] for p in flat] == expected.probabilities
    assert [len(answer["predictions"]) for answer in answers] == [1, 2, 1, 1]
    calls = service.metrics.batch.collect()[0].samples
    assert {s.name: s.value for s in calls}["serving_batch_reviews_count"] == 1, (
        "the four requests queued together should be scored in one call")


def test_the_watcher_brings_a_promotion_to_the_app_without_a_request(registry_with_versions,
                                                                     settings):
    store, versions = registry_with_versions
    watched = settings.model_copy(update={"reload_poll_seconds": 0.01})
    service = build_service(RegistrySource(str(store.root)), watched, replica="test")
    with TestClient(create_app(service)) as client:
        store.promote(versions[1])
        deadline = time.monotonic() + 120  # a deadlock guard, not a speed limit
        while client.get("/health").json()["version"] != versions[1]:
            assert time.monotonic() < deadline, "the promotion never reached the app"
            time.sleep(0.01)
        assert predict(client, "Great food!").json()["version"] == versions[1]


def test_parse_reviews_accepts_a_charset_parameter_and_unicode(settings):
    body = json.dumps({"reviews": ["Très bon café ☕"]}, ensure_ascii=False).encode()
    assert parse_reviews("Application/JSON; charset=utf-8", body, settings) == [
        "Très bon café ☕"]
