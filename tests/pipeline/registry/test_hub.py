"""The Hugging Face Hub backend, driven through the real `huggingface_hub` client.

Against the local stand-in Hub by default; against the real Hub only when opted in with
`-m hub`, HF_TOKEN and HF_TEST_REPO (a scratch model repository the token may write to).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from ml_tests.support.hub_stub import HubStub
from pipeline.artifact import ARTIFACT_NAME, METADATA_NAME
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.registry.card import CARD_NAME
from pipeline.registry.hub import HubRegistry
from pipeline.registry.index import INDEX_NAME
from pipeline.registry.open import load_model

REPO = "owner/sentiment"


def registry_on(hub: HubStub, tmp_path: Path, **kwargs: object) -> HubRegistry:
    return HubRegistry(REPO, endpoint=hub.url, token=hub.token, cache_dir=tmp_path / "cache",
                       **kwargs)


def test_round_trip_by_version_and_rollback(hub: HubStub, tmp_path: Path,
                                            packages: list[Path]) -> None:
    started = time.perf_counter()
    registry = registry_on(hub, tmp_path)
    first, second = registry.publish(packages[0]), registry.publish(packages[1])
    registry.promote(first)
    registry.promote(second)

    # Each version is its own tag; main only holds the latest files and the index.
    refs = hub.refs(REPO)
    assert set(refs["tags"]) == {first, second}
    assert refs["tags"][first] != refs["tags"][second]
    for version, package in ((first, packages[0]), (second, packages[1])):
        fetched = registry.fetch(version, tmp_path / version)
        assert sha256_file(fetched / ARTIFACT_NAME) == sha256_file(package / ARTIFACT_NAME)
        assert json.loads((fetched / METADATA_NAME).read_text())["version"] == version
        assert version in (fetched / CARD_NAME).read_text()

    assert registry.rollback() == first
    # A fresh client (no shared state but the Hub) sees the rolled-back pointer.
    fresh = HubRegistry(REPO, endpoint=hub.url, token=hub.token)
    assert fresh.served() == first and fresh.versions() == [first, second]
    index, _ = hub.file(REPO, "main", INDEX_NAME)
    assert json.loads(index)["served"] == [first]
    elapsed = time.perf_counter() - started
    print(f"hub round trip (2 publishes, 2 promotes, 2 fetches, rollback): {elapsed:.2f} s")


def test_shared_lifecycle_rules_hold_on_the_hub(hub: HubStub, tmp_path: Path,
                                                packages: list[Path], lifecycle) -> None:
    lifecycle(registry_on(hub, tmp_path), packages, tmp_path)


def test_tampered_file_on_the_hub_is_refused_before_loading(hub: HubStub, tmp_path: Path,
                                                            packages: list[Path],
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    registry = registry_on(hub, tmp_path)
    version = registry.publish(packages[0])
    registry.promote(version)
    # Someone force-moves the version's tag to a commit with a different artifact.
    other = (packages[1] / ARTIFACT_NAME).read_bytes()
    commit = hub.commit(REPO, "main", "swap", {ARTIFACT_NAME: other})
    hub.repos[REPO].tags[version] = commit.oid
    with pytest.raises(PipelineError, match="does not match the metadata"):
        registry.fetch(version, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", hub.token)
    with pytest.raises(PipelineError, match="does not match the metadata"):
        load_model(registry=f"hf://{REPO}")


def test_concurrent_index_updates_are_not_lost(hub: HubStub, tmp_path: Path,
                                               packages: list[Path]) -> None:
    """Two clients: the second commits between the first's read and write; both changes stay."""
    one, two = registry_on(hub, tmp_path), registry_on(hub, tmp_path)
    a, b = one.publish(packages[0]), one.publish(packages[1])
    real_snapshot = one._snapshot
    calls = []

    def interleaved() -> tuple[dict, str | None]:
        state = real_snapshot()
        if not calls:
            two.promote(b)  # lands after `one` read the index
        calls.append(state[1])
        return state

    one._snapshot = interleaved  # type: ignore[method-assign]
    one.promote(a)
    assert len(calls) == 2, "the stale write was refused (412) and retried on fresh state"
    assert two.index()["served"] == [b, a]


def test_publish_needs_the_token_and_never_leaks_it(hub: HubStub, tmp_path: Path,
                                                    packages: list[Path]) -> None:
    anonymous = HubRegistry(REPO, endpoint=hub.url, cache_dir=tmp_path / "cache")
    with pytest.raises(PipelineError) as error:
        anonymous.publish(packages[0])
    assert "HTTP 401" in str(error.value) and REPO in str(error.value)
    wrong = HubRegistry(REPO, endpoint=hub.url, token="not-the-token")
    with pytest.raises(PipelineError) as error:
        wrong.publish(packages[0])
    assert "not-the-token" not in str(error.value) and "not-the-token" not in repr(wrong)
    assert set(hub.authorizations) <= {None, "Bearer not-the-token"}


def test_unreachable_hub_and_missing_versions_are_one_line_errors(
        tmp_path: Path, packages: list[Path]) -> None:
    with HubStub() as server:
        url = server.url
        registry = HubRegistry(REPO, endpoint=url, token=server.token)
        version = registry.publish(packages[0])
        with pytest.raises(PipelineError, match="unknown version"):
            registry.fetch("0123456789ab", tmp_path / "x")
        assert registry.served() is None
    with pytest.raises(PipelineError, match="cannot reach") as error:
        HubRegistry(REPO, endpoint=url).fetch(version, tmp_path / "y")
    assert "\n" not in str(error.value)


@pytest.mark.hub
@pytest.mark.skipif(not (os.environ.get("HF_TOKEN") and os.environ.get("HF_TEST_REPO")),
                    reason="real-Hub test: set HF_TOKEN and HF_TEST_REPO (a scratch repo)")
def test_real_hub_round_trip(tmp_path: Path, packages: list[Path]) -> None:
    registry = HubRegistry(os.environ["HF_TEST_REPO"], token=os.environ["HF_TOKEN"],
                           endpoint=os.environ.get("HF_ENDPOINT"), cache_dir=tmp_path / "cache")
    first, second = registry.publish(packages[0]), registry.publish(packages[1])
    registry.promote(first)
    registry.promote(second)
    fetched = registry.fetch(first, tmp_path / "first")
    assert sha256_file(fetched / ARTIFACT_NAME) == sha256_file(packages[0] / ARTIFACT_NAME)
    assert registry.rollback() == first
