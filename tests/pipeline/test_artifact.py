"""The artifact: canonical bytes, and nothing deserialised before the sha256 is checked."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from pipeline import artifact
from pipeline.config import reviewed_plugins
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_bytes, sha256_file
from pipeline.features import TextStats
from pipeline.model import train_model


class Foreign:  # pylint: disable=too-few-public-methods
    """A class no artifact of ours may contain."""

    def __init__(self):
        self.payload = "anything"


def _ids(node):
    if isinstance(node, dict):
        own = [node["__id__"]] if "__id__" in node else []
        return own + [i for value in node.values() for i in _ids(value)]
    if isinstance(node, list):
        return [i for value in node for i in _ids(value)]
    return []


def test_same_model_same_bytes(tiny_model, tiny_reviews, project_config):
    again = train_model(tiny_reviews, project_config.model_spec)
    assert artifact.dumps_model(tiny_model) == artifact.dumps_model(again)


def test_round_trip_predicts_the_same(tiny_model, tiny_reviews):
    loaded = artifact.loads_model(artifact.dumps_model(tiny_model), "mem")
    texts = tiny_reviews.texts + ["", "unseen words only"]
    assert (loaded.predict_proba(texts) == tiny_model.predict_proba(texts)).all()


def test_entries_carry_no_memory_addresses_or_times(tiny_model):
    with zipfile.ZipFile(io.BytesIO(artifact.dumps_model(tiny_model))) as archive:
        names = archive.namelist()
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        schema = json.loads(archive.read("schema.json"))
    assert all(len(name) == len("000000.npy") for name in names if name != "schema.json")
    ids = _ids(schema)
    assert ids and sorted(set(ids)) == list(range(len(set(ids))))


def test_tampered_artifact_is_refused_before_deserialising(tmp_path, tiny_model, monkeypatch):
    path = tmp_path / "model.skops"
    digest = artifact.save_model(tiny_model, path)
    path.write_bytes(path.read_bytes() + b"\0")
    import skops.io  # pylint: disable=import-outside-toplevel

    def refuse(*args, **kwargs):
        raise AssertionError("deserialised a tampered artifact")

    monkeypatch.setattr(skops.io, "loads", refuse)
    monkeypatch.setattr(skops.io, "get_untrusted_types", refuse)
    with pytest.raises(PipelineError, match="does not match the metadata"):
        artifact.load_model_file(path, digest)


def test_missing_artifact_and_metadata(tmp_path):
    with pytest.raises(PipelineError, match="model artifact not found"):
        artifact.load_model_file(tmp_path / "model.skops", "0" * 64)
    with pytest.raises(PipelineError, match="metadata not found"):
        artifact.load_package(tmp_path)
    (tmp_path / "metadata.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PipelineError, match="not valid JSON"):
        artifact.load_package(tmp_path)
    (tmp_path / "metadata.json").write_text('{"artifact": "model.skops"}', encoding="utf-8")
    with pytest.raises(PipelineError, match="field 'sha256' missing"):
        artifact.load_package(tmp_path)


def test_not_a_model_and_untrusted_types_are_refused(tiny_model):
    with pytest.raises(PipelineError, match="not a skops model artifact"):
        artifact.loads_model(b"plain bytes", "x.skops")
    import skops.io as sio  # pylint: disable=import-outside-toplevel

    foreign = sio.dumps(Foreign())  # a type outside the libraries and the trusted list
    with pytest.raises(PipelineError, match="untrusted types"):
        artifact.loads_model(foreign, "foreign.skops")
    assert sha256_bytes(artifact.dumps_model(tiny_model))


def test_a_plugin_no_params_file_lists_is_refused_at_load(tiny_reviews, project_config):
    """An artifact could name any importable function; only reviewed names may be loaded."""
    unreviewed = "builtins:len"  # importable everywhere, listed in no params file
    assert unreviewed not in reviewed_plugins()
    model = train_model(tiny_reviews, project_config.with_overrides(
        {"features.plugins": [unreviewed]}).model_spec)
    data = artifact.dumps_model(model)
    assert artifact.model_plugins(model) == {unreviewed}
    with pytest.raises(PipelineError, match=r"feature plugins \['builtins:len'\].*refused"):
        artifact.loads_model(data, "plugin.skops")


def test_plugin_sources_must_hash_as_recorded(plugin_source):
    """A plugin edited since packaging, or one the package never recorded, is refused."""
    name, path = plugin_source
    model = TextStats(plugins=(name,))
    recorded = {artifact.PLUGIN_SOURCES: {name: sha256_file(path)}}
    artifact.check_plugin_sources(model, recorded, "metadata.json")
    with pytest.raises(PipelineError, match="recorded none"):
        artifact.check_plugin_sources(model, {}, "metadata.json")
    path.write_text("def words(text):\n    return 0.0\n", encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        artifact.check_plugin_sources(model, recorded, "metadata.json")
    message = str(caught.value)
    assert name in message and recorded[artifact.PLUGIN_SOURCES][name] in message
    assert sha256_file(path) in message and "\n" not in message


def test_a_model_without_plugins_needs_no_record(tiny_model):
    artifact.check_plugin_sources(tiny_model, {}, "metadata.json")
