"""Loading and swapping the served model (pipeline.serving.served)."""

from __future__ import annotations

import shutil
import threading

import pytest
from sklearn.linear_model import LogisticRegression

from pipeline.analysis.spec import spec_sha256
from pipeline.artifact import ARTIFACT_NAME, load_package, read_metadata
from pipeline.errors import PipelineError
from pipeline.model import train_model
from pipeline.registry import LocalRegistry
from pipeline.serving.served import (
    DirectorySource,
    ModelHolder,
    RegistrySource,
    ServedModel,
    Watcher,
    masked_texts,
)


def test_score_is_the_models_own_computation(packages):
    model, metadata = load_package(packages[0])
    texts = ["Great food and friendly staff!", "Not good, the steak was dry.", "zzz qqq"]
    scored = ServedModel(model, metadata).score(texts)
    assert scored.probabilities == model.predict_proba(texts)[:, 1].tolist()
    assert scored.labels == model.predict(texts).tolist()
    rows = model[:-1].transform(texts)
    assert [f["indices"] for f in scored.features] == [r.indices.tolist() for r in rows]
    assert scored.features[2] == {"indices": [], "values": []}, "unknown words: an empty row"


def test_a_model_without_a_pii_step_logs_no_text(tmp_path, project_config, tiny_reviews,
                                                 make_package):
    config = project_config.with_overrides({"features.mask_pii": False})
    package = make_package(train_model(tiny_reviews, config.model_spec), tmp_path / "p", config)
    served = ServedModel(*load_package(package))
    assert served.score(["Mail me at jo@example.com"]).masked == [None]


def test_a_model_that_is_not_a_review_pipeline_is_refused():
    model = LogisticRegression(random_state=0).fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(PipelineError, match="not a review pipeline"):
        ServedModel(model, {"version": "v1"})


def test_a_model_with_other_classes_is_refused(packages):
    model, metadata = load_package(packages[0])
    model.named_steps["classifier"].classes_ = model.named_steps["classifier"].classes_ + 1
    with pytest.raises(PipelineError, match=r"classes \[1, 2\]"):
        ServedModel(model, metadata)


def test_registry_source_follows_promote_and_rollback(registry_with_versions):
    store, versions = registry_with_versions
    holder = ModelHolder(RegistrySource(store.uri))
    assert holder.current.version == versions[0]
    assert not holder.refresh().changed
    store.promote(versions[1])
    result = holder.refresh()
    assert (result.previous, result.version, result.changed) == (versions[0], versions[1], True)
    store.rollback()
    assert holder.refresh().version == versions[0] == holder.current.version


def test_a_tampered_version_is_refused_and_the_previous_one_keeps_serving(
        registry_with_versions):
    store, versions = registry_with_versions
    holder = ModelHolder(RegistrySource(store.uri))
    stored = store.root / "versions" / versions[2] / ARTIFACT_NAME
    stored.write_bytes(stored.read_bytes()[:-10] + b"0123456789")
    store.promote(versions[2])
    result = holder.refresh()
    assert result.version == versions[0] == holder.current.version and not result.changed
    assert "sha256" in result.error and "refusing" in result.error
    assert holder.last_error == result.error
    store.rollback()
    assert holder.refresh().error is None and holder.last_error is None


def test_a_version_no_release_recorded_is_refused_at_start_and_on_reload(packages, tmp_path):
    store = LocalRegistry(tmp_path / "registry")
    released, unreleased = (store.publish(package) for package in packages[:2])
    store.promote(unreleased)
    with pytest.raises(PipelineError, match="no release recorded"):
        ModelHolder(RegistrySource(store.uri))
    store.record_release(released, spec_sha256(read_metadata(packages[0])["params"]))
    store.promote(released)
    holder = ModelHolder(RegistrySource(store.uri))
    store.promote(unreleased)
    result = holder.refresh()
    assert result.version == released == holder.current.version
    assert "no release recorded" in result.error


def test_an_empty_registry_cannot_be_served(tmp_path):
    with pytest.raises(PipelineError, match="no version is served"):
        ModelHolder(RegistrySource(str(tmp_path / "empty")))


def test_directory_source_follows_a_repackaged_directory(tmp_path, packages):
    served = tmp_path / "models"
    shutil.copytree(packages[0], served)
    holder = ModelHolder(DirectorySource(served))
    shutil.rmtree(served)
    shutil.copytree(packages[1], served)
    result = holder.refresh()
    assert result.changed and result.version == load_package(packages[1])[1]["version"]


def test_a_directory_changing_while_it_loads_is_retried_later(tmp_path, packages, monkeypatch):
    served = tmp_path / "models"
    shutil.copytree(packages[0], served)
    source = DirectorySource(served)
    holder = ModelHolder(source)
    monkeypatch.setattr(source, "pointer", lambda: "another-version")
    result = holder.refresh()
    assert "changed while loading" in result.error and not result.changed


def test_the_watcher_checks_until_stopped():
    checked = threading.Event()
    calls = []

    def check():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a failed check must not end the watcher")
        checked.set()

    watcher = Watcher(0.001, check)
    watcher.start()
    assert checked.wait(timeout=60), "deadlock guard: the watcher never checked twice"
    watcher.stop()
    done = len(calls)
    watcher.stop()  # stopping twice is harmless
    assert len(calls) == done


def test_a_zero_interval_watcher_never_starts():
    watcher = Watcher(0.0, lambda: pytest.fail("checked"))
    watcher.start()
    watcher.stop()


def test_masked_texts_are_the_pii_steps_output_of_the_model(packages):
    model, _ = load_package(packages[0])
    masked = masked_texts(model, ["Call ME at 555-123-4567", "Fine."])
    assert masked == [dict(model.named_steps["preprocess"].steps(text))["mask_pii"]
                      for text in ["Call ME at 555-123-4567", "Fine."]]
    assert "555" not in masked[0] and masked[0] == masked[0].lower()
