"""`python -m pipeline serve` as a real process on 127.0.0.1: endpoints, refusals, reloads, kill -9.

Load loops here are bounded in requests and in time, and only talk to the loopback server each
test starts itself on a free port. Each server takes seconds to start (scikit-learn's imports),
so these tests are marked slow and share one server where they can.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from pathlib import Path

import httpx
import pytest

from pipeline.__main__ import main as pipeline_main
from pipeline.artifact import ARTIFACT_NAME, load_package
from pipeline.serving.logreader import ReadStats, iter_log
from pipeline.serving.process import ServerProcess

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PARAMS = str(PROJECT_ROOT / "params.yaml")
DEADLOCK_GUARD_S = 120  # only so that a hung server fails the test instead of hanging it


def serve(*args: str) -> ServerProcess:
    return ServerProcess([*args, "--params", PARAMS, "--replica", "it"], cwd=PROJECT_ROOT)


def predict(client: httpx.Client, *reviews: str) -> httpx.Response:
    return client.post("/predict", json={"reviews": list(reviews)})


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package_server(packages, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("server-log")
    with serve("--model-dir", str(packages[0]), "--log-dir", str(log_dir),
               "--reload-poll", "0") as server, httpx.Client(base_url=server.url,
                                                             timeout=30) as client:
        yield server, client, log_dir


def test_predict_health_and_metrics_over_http(package_server, packages):
    server, client, log_dir = package_server
    assert server.url.startswith("http://127.0.0.1:")
    version = load_package(packages[0])[1]["version"]
    response = predict(client, "Great food and friendly staff!", "Cold fries and rude waiter.")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == version
    assert [p["label"] for p in body["predictions"]] == [1, 0]
    assert all(0.0 <= p["probability"] <= 1.0 for p in body["predictions"])
    health = client.get("/health").json()
    assert (health["status"], health["version"]) == ("ok", version)
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert f'serving_model_info{{version="{version}"}} 1.0' in metrics.text
    assert 'serving_requests_total{outcome="ok"}' in metrics.text
    request_id = response.headers["x-request-id"]
    logged = [r for r in iter_log(str(log_dir), ReadStats()) if r["request_id"] == request_id]
    assert [r["index"] for r in logged] == [0, 1]


def test_every_malformed_request_is_refused_and_the_next_request_answered(package_server,
                                                                          malformed):
    _, client, _ = package_server
    response = client.post("/predict", content=malformed.body, headers=dict(malformed.headers))
    assert response.status_code == malformed.status, response.text
    assert list(response.json()) == ["error"]
    assert malformed.says in response.json()["error"]
    assert len(response.text.splitlines()) == 1
    assert predict(client, "The service was excellent.").status_code == 200


def test_bytes_that_are_not_http_do_not_stop_the_server(package_server):
    server, client, _ = package_server
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        assert raw.recv(1024).startswith(b"HTTP/1.1 400")
    assert predict(client, "The service was excellent.").status_code == 200


async def _load_until_killed(server: ServerProcess, kill_after: int, max_requests: int,
                             clients: int) -> tuple[set[tuple[str, int]], int]:
    """Clients send 1-3 reviews per request; the server is killed once `kill_after` requests
    were answered. Returns the answered (request_id, index) pairs and the requests sent."""
    answered: set[tuple[str, int]] = set()
    sent = itertools.count()
    deadline = time.monotonic() + DEADLOCK_GUARD_S
    killed = asyncio.Event()

    async def one_client(client: httpx.AsyncClient) -> None:
        while not killed.is_set() and time.monotonic() < deadline:
            number = next(sent)
            if number >= max_requests:
                return
            reviews = ["Great food!", "Cold soup.", "Nice staff."][: 1 + number % 3]
            try:
                response = await client.post("/predict", json={"reviews": reviews})
            except httpx.HTTPError:
                return  # the server is gone
            assert response.status_code == 200
            request_id = response.headers["x-request-id"]
            answered.update((request_id, index) for index in range(len(reviews)))
            if len({rid for rid, _ in answered}) >= kill_after and not killed.is_set():
                killed.set()
                server.kill()

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        await asyncio.gather(*(one_client(client) for _ in range(clients)))
    return answered, next(sent)


def test_kill_9_mid_load_leaves_a_whole_line_for_every_answered_review(packages, tmp_path):
    log_dir = tmp_path / "log"
    with serve("--model-dir", str(packages[0]), "--log-dir", str(log_dir),
               "--reload-poll", "0") as server:
        answered, sent = asyncio.run(_load_until_killed(server, kill_after=150,
                                                        max_requests=5000, clients=8))
        assert server.proc.returncode == -9, "the server was not killed mid-load"
    assert sent < 5000 and len(answered) > 150
    stats = ReadStats()
    logged = [(r["request_id"], r["index"]) for r in iter_log(str(log_dir), stats)]
    assert (stats.partial_lines, stats.invalid_lines) == (0, 0), "a torn line"
    assert len(logged) == len(set(logged)), "a review logged twice"
    assert answered <= set(logged), "an answered review has no log line"
    assert len(logged) - len(answered) <= 8 * 3, "more lines than requests in flight"


def test_reload_follows_promote_and_rollback_and_refuses_a_tampered_version(
        registry_with_versions, tmp_path):
    store, versions = registry_with_versions
    with serve("--registry", str(store.root), "--log-dir", str(tmp_path / "log"),
               "--reload-poll", "0") as server, httpx.Client(base_url=server.url,
                                                             timeout=30) as client:
        assert predict(client, "Great food!").json()["version"] == versions[0]
        assert client.post("/reload").json() == {"version": versions[0],
                                                 "previous": versions[0], "changed": False}
        store.promote(versions[1])
        assert client.post("/reload").json()["changed"] is True
        assert predict(client, "Great food!").json()["version"] == versions[1]
        store.rollback()
        assert client.post("/reload").json() == {"version": versions[0],
                                                 "previous": versions[1], "changed": True}
        assert predict(client, "Great food!").json()["version"] == versions[0]

        stored = store.root / "versions" / versions[2] / ARTIFACT_NAME
        stored.write_bytes(stored.read_bytes()[:-10] + b"0123456789")
        store.promote(versions[2])
        refused = client.post("/reload")
        assert refused.status_code == 409
        assert refused.json()["version"] == versions[0] and "sha256" in refused.json()["error"]
        assert predict(client, "Great food!").json()["version"] == versions[0]
        assert "sha256" in client.get("/health").json()["reload_error"]
        metrics = client.get("/metrics").text
        assert 'serving_model_reloads_total{outcome="failed"} 1.0' in metrics
        assert 'serving_model_reloads_total{outcome="ok"} 2.0' in metrics
        assert f'serving_model_info{{version="{versions[0]}"}} 1.0' in metrics
    versions_logged = [r["version"] for r in iter_log(str(tmp_path / "log"), ReadStats())]
    assert versions_logged == [versions[0], versions[1], versions[0], versions[0]]
    assert "reload refused, still serving" in server.stderr()


def test_serve_stops_with_one_line_when_it_cannot_start(tmp_path, packages, capsys):
    assert pipeline_main(["serve", "--registry", str(tmp_path / "empty"), "--params", PARAMS,
                          "--log-dir", str(tmp_path / "log")]) == 2
    assert "no version is served" in capsys.readouterr().err
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        assert pipeline_main(["serve", "--model-dir", str(packages[0]), "--port", port,
                              "--params", PARAMS, "--log-dir", str(tmp_path / "log")]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    assert pipeline_main(["serve", "--model-dir", str(packages[0]), "--reload-poll", "-1",
                          "--params", PARAMS]) == 2
    assert "--reload-poll -1" in capsys.readouterr().err
    assert pipeline_main(["serve", "--model-dir", str(packages[0]), "--registry", "x"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
