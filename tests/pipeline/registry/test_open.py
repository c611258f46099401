"""Choosing the backend from a URI or params.yaml, and `load_model`'s defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.artifact import ARTIFACT_NAME
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.registry.hub import HubRegistry
from pipeline.registry.local import LocalRegistry
from pipeline.registry.open import load_model, open_registry

REPO = "owner/sentiment"
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def test_load_model_reads_the_registry_from_params_and_needs_a_served_version(
        tmp_path: Path, packages: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text(encoding="utf-8"))
    project["registry"]["uri"] = "store"
    Path("params.yaml").write_text(yaml.safe_dump(project), encoding="utf-8")
    registry = open_registry()
    assert isinstance(registry, LocalRegistry) and registry.root == Path("store")
    version = registry.publish(packages[2])
    with pytest.raises(PipelineError, match="no version is served"):
        load_model()
    registry.promote(version)
    assert load_model()[1]["version"] == version
    assert load_model(version)[1]["sha256"] == sha256_file(packages[2] / ARTIFACT_NAME)


def test_uri_selects_the_hub_backend_from_the_environment(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_TOKEN", "secret-value")
    registry = open_registry(f"hf://{REPO}")
    assert isinstance(registry, HubRegistry)
    assert registry.endpoint == "http://127.0.0.1:9" and "secret-value" not in repr(registry)
    with pytest.raises(PipelineError, match="hf://owner/name"):
        open_registry("hf://not-a-repo")
