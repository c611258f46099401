"""Infra 7: serving models can be rolled back.

Two real versions are published and served one after the other; after a rollback the serving
path must give the old model back: the running HTTP server, told to reload, answers with the
old version and its predictions; `load_model` and `predict` on a fetched package give the same
artifact sha256 and predictions, through the local registry and through the Hugging Face Hub
backend (the real client against the local stand-in Hub).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest

from ml_tests.infra.conftest import package_for
from ml_tests.support.hub_stub import HubStub
from ml_tests.support.traffic import REQUEST_TIMEOUT_S, publish_released, serve_registry
from pipeline import registry as registry_module
from pipeline.artifact import read_metadata
from pipeline.model import train_model

HUB_REPO = "owner/sentiment"


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, train_split, test_split, config, historic_path, packaged_model):
    """The pipeline's package (old) and a retrained one with stemming (new)."""
    stemmed = config.with_overrides({"features.stem": True})
    newer = package_for(train_model(train_split, stemmed.model_spec),
                        tmp_path_factory.mktemp("newer") / "models", (train_split, test_split),
                        stemmed, historic_path)
    return packaged_model, newer


def predictions(model, texts: list[str]) -> np.ndarray:
    """Positive-class probabilities: equal arrays mean the same served behaviour."""
    return model.predict_proba(texts)[:, 1]


def publish_serve_and_roll_back(uri: str, old: Path, new: Path) -> tuple[str, str]:
    """Publish both, serve old then new (checked), roll back; returns both versions."""
    store = registry_module.open_registry(uri)
    old_version, new_version = store.publish(old), store.publish(new)
    store.promote(old_version)
    store.promote(new_version)
    assert registry_module.load_model(registry=uri)[1]["version"] == new_version
    assert store.rollback() == old_version
    return old_version, new_version


def assert_serves_the_old_model(uri: str, old: Path, new: Path, texts: list[str],
                                trained_model) -> None:
    """The serving path loads the old artifact and predicts exactly as the old model."""
    served, metadata = registry_module.load_model(registry=uri)
    assert metadata["sha256"] == read_metadata(old)["sha256"]
    assert metadata["sha256"] != read_metadata(new)["sha256"]
    np.testing.assert_array_equal(predictions(served, texts), predictions(trained_model, texts))


@pytest.mark.rubric("infra", 7)
def test_rollback_in_the_local_registry_serves_the_old_model(two_versions, trained_model,
                                                             test_split, tmp_path: Path) -> None:
    """Red when rollback does not move the served pointer, moves it to the wrong version, or
    when the serving path loads the newest published version instead of the served one."""
    old, new = two_versions
    uri = str(tmp_path / "registry")
    old_version, _ = publish_serve_and_roll_back(uri, old, new)
    assert not np.array_equal(*(predictions(registry_module.load_model(v, uri)[0],
                                            test_split.texts) for v in registry_module
                                .open_registry(uri).versions())), "precondition: models differ"
    assert_serves_the_old_model(uri, old, new, test_split.texts, trained_model)
    # The command-line serving path: fetch the served version, predict with it.
    served = registry_module.open_registry(uri).served()
    assert served == old_version
    fetched = registry_module.open_registry(uri).fetch(served, tmp_path / "served")
    texts = test_split.texts[:5]
    outputs = [subprocess.run([sys.executable, "-m", "pipeline", "predict", *texts,
                               "--model-dir", str(directory)],
                              capture_output=True, text=True, check=True).stdout
               for directory in (fetched, old)]
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) == len(texts)


@pytest.mark.rubric("infra", 7)
def test_rollback_on_the_hub_serves_the_old_model(two_versions, trained_model, test_split,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the Hub backend: red when the served pointer in the Hub's index or the
    per-version tags are not what `load_model` follows."""
    old, new = two_versions
    with HubStub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_TOKEN", hub.token)
        uri = f"hf://{HUB_REPO}"
        publish_serve_and_roll_back(uri, old, new)
        assert_serves_the_old_model(uri, old, new, test_split.texts, trained_model)


@pytest.mark.rubric("infra", 7)
def test_a_running_server_rolls_back_to_the_old_model(two_versions, trained_model, test_split,
                                                      project_root: Path, tmp_path: Path) -> None:
    """Red when a server told to reload after a rollback keeps answering with the new version
    (a reload that only follows newer versions, or ignores a pointer moved back), or answers
    under the old version's name with other predictions."""
    old, new = two_versions
    root = tmp_path / "registry"
    store = registry_module.LocalRegistry(root)
    old_version, new_version = publish_released(store, old), publish_released(store, new)
    store.promote(old_version)
    store.promote(new_version)
    texts = list(test_split.texts[:20])
    with serve_registry(project_root, root, tmp_path / "log") as server, \
            httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as client:
        before = client.post("/predict", json={"reviews": texts}).json()
        assert store.rollback() == old_version
        reload = client.post("/reload")
        health = client.get("/health").json()
        after = client.post("/predict", json={"reviews": texts}).json()
    assert before["version"] == new_version, before
    assert (reload.status_code, health["version"], after["version"]) == \
        (200, old_version, old_version), (reload.text, health)
    served = [prediction["probability"] for prediction in after["predictions"]]
    np.testing.assert_allclose(served, predictions(trained_model, texts), rtol=0, atol=1e-9)
    assert not np.allclose([p["probability"] for p in before["predictions"]], served, atol=1e-9)
