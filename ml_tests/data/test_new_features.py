"""Data 6: new features can be added quickly.

Two ways, both by configuration: a built-in statistic is switched on in `features.extra`, and a
genuinely new feature is a function in any module named in `features.plugins`
(`pipeline.features.resolve_plugin`). Either goes through train, evaluate, package and reload
with the stage functions, the package records the new params, and the whole run takes at most
`feature_costs.max_new_feature_slowdown` times the default run measured in the same session. A
plugin is then served by the real server, which must answer what the trained model computes.
DVC retrains when the `features` params change, and a package refuses to load once its
plugin's source differs from the one it was trained with.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import yaml

from ml_tests.data import plugin_feature
from ml_tests.support.traffic import (
    REQUEST_TIMEOUT_S,
    Batch,
    publish_and_promote,
    requests_of,
    serve_registry,
)
from pipeline import artifact
from pipeline.config import load_config, merge_overrides, read_mapping
from pipeline.errors import PipelineError
from pipeline.features import TextStats
from pipeline.fileio import sha256_file
from pipeline.metrics import evaluate_model
from pipeline.model import NGRAMS, feature_steps, train_model
from pipeline.serving.packaging import TrainingData, package_model

# The new feature: its code is in ml_tests/, not in pipeline/; the server imports it by this name.
NEW_FEATURE = f"{plugin_feature.__name__}:{plugin_feature.negated_share.__name__}"


def _end_to_end(config, train_split, test_split, historic_path, out):
    start = time.thread_time()
    model = train_model(train_split, config.model_spec)
    metrics = evaluate_model(model, test_split.texts, test_split.labels)
    artifact.save_model(model, out / "model.skops")
    metadata = package_model(out / "model.skops", metrics, config, out / "models",
                             TrainingData.fitted_on(historic_path, train_split))
    loaded, recorded = artifact.load_package(out / "models")
    seconds = time.thread_time() - start
    return model, loaded, recorded, metadata, seconds


@pytest.fixture(scope="module")
def default_run_seconds(config, train_split, test_split, historic_path, tmp_path_factory):
    """CPU seconds of train-evaluate-package-load with the configured features: the baseline."""
    *_, seconds = _end_to_end(config, train_split, test_split, historic_path,
                              tmp_path_factory.mktemp("default"))
    return seconds


@pytest.fixture(scope="module")
def plugin_params(project_root, tmp_path_factory) -> Path:
    """The project's params with the new feature in `features.plugins`, as a reviewer would
    commit it (comments aside)."""
    return _params_with_plugin(project_root, tmp_path_factory.mktemp("plugin-params"),
                               NEW_FEATURE)


def _params_with_plugin(project_root: Path, directory: Path, plugin: str) -> Path:
    """A params.yaml in `directory`: the project's params with `plugin` in `features.plugins`."""
    path = directory / "params.yaml"
    path.write_text(yaml.safe_dump(merge_overrides(
        read_mapping(project_root / "params.yaml"), {"features.plugins": [plugin]})),
        encoding="utf-8")
    return path


def _copied_plugin(directory: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A copy of `plugin_feature` as a module of its own in `directory`, on sys.path: its
    `features.plugins` name and its source file."""
    module = f"copied_{plugin_feature.__name__.rpartition('.')[2]}_{directory.name}"
    source = directory / "plugin" / f"{module}.py"
    source.parent.mkdir()
    source.write_text(Path(plugin_feature.__file__).read_text(encoding="utf-8"),
                      encoding="utf-8")
    monkeypatch.syspath_prepend(str(source.parent))
    return f"{module}:{plugin_feature.negated_share.__name__}", source


def _assert_plugin_column_is_used(model, texts) -> None:
    """The model's feature rows end with the new feature's values, and its classifier weighs
    them."""
    feature_texts = model.named_steps["preprocess"].transform(texts)
    rows = model.named_steps["features"].transform(feature_texts)
    vocabulary = dict(feature_steps(model))[NGRAMS].vocabulary_
    assert rows.shape[1] == len(vocabulary) + 1, "no column for the new feature"
    expected = [plugin_feature.negated_share(text) for text in feature_texts]
    assert np.array_equal(np.asarray(rows[:, -1].todense()).ravel(), expected)
    assert any(expected), "the held-out reviews never exercise the new feature"
    assert model.named_steps["classifier"].coef_[0, -1] != 0.0, "the model ignores the feature"


def _served_probabilities(project_root: Path, package: Path, params: Path, texts, size: int,
                          work: Path) -> list[float]:
    """Positive-class probabilities the real server answers for `texts`, published from
    `package` to a fresh registry and served with `params`."""
    publish_and_promote(package, work / "registry")
    answered: list[float] = []
    with serve_registry(project_root, work / "registry", work / "log", params) as server, \
            httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as client:
        for request_id, _, batch in requests_of(Batch("plugin", texts, size)):
            response = client.post("/predict", json={"reviews": batch},
                                   headers={"X-Request-ID": request_id})
            assert response.status_code == 200, response.text
            answered += [p["probability"] for p in response.json()["predictions"]]
    return answered


@pytest.mark.rubric("data", 6)
def test_a_built_in_statistic_ships_by_configuration(config, train_split, test_split,
                                                     historic_path, default_run_seconds, tmp_path):
    """Red when a stage ignores `features.extra` (the package would not record or contain it),
    when adding a feature needs code outside TextStats, or when the run slows beyond budget.
    """
    for name in TextStats.AVAILABLE:
        configured = config.with_overrides({"features.extra": [name]})
        out = tmp_path / name
        out.mkdir()
        model, loaded, recorded, metadata, seconds = _end_to_end(
            configured, train_split, test_split, historic_path, out)
        stats = dict(loaded.named_steps["features"].transformer_list)["stats"]
        assert tuple(stats.stats) == (name,)
        assert recorded["params"]["features"]["extra"] == [name] == metadata["params"][
            "features"]["extra"]
        assert np.array_equal(loaded.predict_proba(test_split.texts[:20]),
                              model.predict_proba(test_split.texts[:20]))
        assert seconds <= float(config.feature_costs.max_new_feature_slowdown) * \
            default_run_seconds, (name, seconds, default_run_seconds)


@pytest.mark.rubric("data", 6)
def test_a_new_feature_plugin_reaches_serving(config, project_root, plugin_params, train_split,
                                              test_split, historic_path, default_run_seconds,
                                              tmp_path):
    """Red when the extension point drops a configured plugin anywhere from training to serving:
    the built model lacks its column or ignores it (zero coefficient), the package does not
    record it, the server scores it differently from the trained model (e.g. serves its column
    as zeros), or the run slows beyond budget against the default run.

    The feature is `ml_tests.data.plugin_feature`, code outside pipeline/, configured the way a
    reviewer would commit it: a params file whose `features.plugins` names it, read by the
    training side and by the server (which refuses a plugin its params do not list).
    """
    (tmp_path / "plugin").mkdir()
    model, loaded, recorded, metadata, seconds = _end_to_end(
        load_config(plugin_params), train_split, test_split, historic_path, tmp_path / "plugin")
    assert recorded["params"]["features"]["plugins"] == [NEW_FEATURE] == metadata["params"][
        "features"]["plugins"]
    _assert_plugin_column_is_used(loaded, test_split.texts)
    gap = np.abs(np.asarray(_served_probabilities(
        project_root, tmp_path / "plugin" / "models", plugin_params, test_split.texts,
        int(config.serving.max_reviews), tmp_path)) - model.predict_proba(test_split.texts)[:, 1]
    ).max()
    assert gap <= float(config.monitoring.skew_tolerance), f"served vs trained: {gap}"
    assert seconds <= float(config.feature_costs.max_new_feature_slowdown) * \
        default_run_seconds, (seconds, default_run_seconds)


@pytest.mark.rubric("data", 6)
def test_unknown_feature_is_a_clear_error(config, train_split):
    """Red when a misspelt feature name trains silently without it instead of failing at
    training with a message naming the choices."""
    with pytest.raises(PipelineError, match="unknown features.extra"):
        train_model(train_split,
                    config.with_overrides({"features.extra": ["lenght"]}).model_spec)


@pytest.mark.rubric("data", 6)
def test_dvc_retrains_when_features_change(project_root):
    """Red when the train stage stops declaring `features`: a new feature would not retrain."""
    stages = yaml.safe_load((project_root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    assert "features" in stages["train"]["params"]
    assert "pipeline/features.py" in stages["train"]["deps"]


@pytest.mark.rubric("data", 6)
def test_a_plugin_edited_after_packaging_is_refused_at_load(
        project_root, train_split, test_split, historic_path, tmp_path, monkeypatch):
    """Red when the package does not record the sha256 of the plugin's source it was trained
    with, or when loading (the single path the server, release and canary use) ignores it: a
    plugin edited after training would then be served silently, computing other features than
    the model learnt from (training/serving skew).

    The plugin is a copy of `ml_tests.data.plugin_feature` in its own module under tmp_path, so
    editing it touches nothing else; the edit doubles the feature's value.
    """
    name, source = _copied_plugin(tmp_path, monkeypatch)
    (tmp_path / "run").mkdir()
    *_, metadata, _ = _end_to_end(load_config(_params_with_plugin(project_root, tmp_path, name)),
                                  train_split, test_split, historic_path, tmp_path / "run")
    trained_hash = sha256_file(source)
    assert metadata[artifact.PLUGIN_SOURCES] == {name: trained_hash}
    original = source.read_text(encoding="utf-8")
    edited = original.replace("return sum(", "return 2 * sum(")
    assert edited != original, "the plugin copy no longer has the line this test edits"
    source.write_text(edited, encoding="utf-8")
    with pytest.raises(PipelineError) as refused:
        artifact.load_package(tmp_path / "run" / "models")
    message = str(refused.value)
    assert "\n" not in message and name in message, message
    assert trained_hash in message and sha256_file(source) in message, message
