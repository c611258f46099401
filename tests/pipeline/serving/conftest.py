"""Fixtures of the serving tests: the parent conftest's packages published and served in-process."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.analysis.spec import spec_sha256
from pipeline.artifact import read_metadata
from pipeline.config import ServingConfig, load_config
from pipeline.registry import LocalRegistry
from pipeline.serving.app import Service, create_app
from pipeline.serving.served import DirectorySource
from pipeline.serving.server import build_service

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def registry_with_versions(tmp_path: Path, packages: list[Path]) -> tuple[LocalRegistry, list[str]]:
    """A local registry holding every package, each recorded as released against its own spec
    (what the release check records), the first one promoted."""
    store = LocalRegistry(tmp_path / "registry")
    versions = [store.publish(package) for package in packages]
    for version, package in zip(versions, packages, strict=True):
        store.record_release(version, spec_sha256(read_metadata(package)["params"]))
    store.promote(versions[0])
    return store, versions


@pytest.fixture
def settings(project_config, tmp_path: Path) -> ServingConfig:
    """The project's serving settings with a scratch log directory and no polling."""
    return project_config.serving.model_copy(
        update={"log_dir": str(tmp_path / "log"), "reload_poll_seconds": 0.0})


@pytest.fixture
def service(packages: list[Path], settings: ServingConfig) -> Service:
    """The state behind the app, serving the first package, logging as replica "test"."""
    return build_service(DirectorySource(packages[0]), settings, replica="test")


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    """The app in-process, its lifespan (batch loop) running."""
    with TestClient(create_app(service)) as test_client:
        yield test_client


@dataclasses.dataclass(frozen=True)
class Malformed:
    """A request the server must refuse with `status` and a one-line error containing `says`."""

    name: str
    body: bytes
    status: int
    says: str
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)


def _malformed_requests() -> list[Malformed]:
    limits = load_config(PROJECT_ROOT / "params.yaml").serving

    def reviews(*items) -> bytes:
        return json.dumps({"reviews": list(items)}).encode()

    return [
        Malformed("invalid-json", b'{"reviews": ["good"', 400, "not valid JSON"),
        Malformed("not-utf8", b'{"reviews": ["\xff\xfe"]}', 400, "not UTF-8"),
        Malformed("deep-nesting", b"[" * 100_000, 400, "nesting too deep"),
        Malformed("huge-number", b'{"reviews": [' + b"1" * 5000 + b"]}", 400, "number too long"),
        Malformed("text-plain", reviews("good"), 415, "expected application/json",
                  (("content-type", "text/plain"),)),
        Malformed("no-content-type", reviews("good"), 415, "'missing'", ()),
        Malformed("array", b'["good"]', 422, "expected an object"),
        Malformed("no-reviews", b"{}", 422, "missing field 'reviews'"),
        Malformed("extra-field", b'{"reviews": ["good"], "user": "x"}', 422,
                  "unexpected field 'user'"),
        Malformed("reviews-string", b'{"reviews": "good"}', 422, "must be an array"),
        Malformed("empty-list", reviews(), 422, "holds 0 reviews"),
        Malformed("too-many", reviews(*["good"] * (limits.max_reviews + 1)), 422,
                  f"holds {limits.max_reviews + 1} reviews"),
        Malformed("number-item", reviews("good", 3), 422, "reviews[1] must be a string"),
        Malformed("null-item", reviews(None), 422, "got null"),
        Malformed("blank-review", reviews("good", " \t "), 422, "reviews[1] is empty"),
        Malformed("over-long", reviews("a" * (limits.max_review_chars + 1)), 422,
                  f"{limits.max_review_chars + 1} characters"),
        Malformed("lone-surrogate", b'{"reviews": ["bad \\ud800 food"]}', 422,
                  "not valid Unicode"),
        Malformed("body-too-large", b" " * (limits.max_body_bytes + 1), 413,
                  "serving.max_body_bytes"),
        Malformed("bad-request-id", reviews("good"), 400, "X-Request-ID",
                  (("content-type", "application/json"), ("x-request-id", "no spaces allowed"))),
    ]


MALFORMED = _malformed_requests()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test taking `malformed` runs once per refused request."""
    if "malformed" in metafunc.fixturenames:
        metafunc.parametrize("malformed", MALFORMED, ids=[case.name for case in MALFORMED])
