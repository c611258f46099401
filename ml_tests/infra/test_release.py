"""Infra 4: model quality is validated before serving.

`pipeline.rollout.release.release` scores the candidate and the served version on the same held-out
reviews and promotes only a candidate that never saw those reviews in training (from the hashes
its package records), reaches `quality.min_accuracy` and is not worse than the served one by
more than `release.max_accuracy_drop`. A refused candidate is not even published, and the served
version stays. The degraded candidates claim the served model's metrics in their metadata: the
check must measure, not trust. The reviewed spec each candidate is held to is the config it was
trained from (Model 1 tests what happens otherwise).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ml_tests.infra.conftest import make_package, package_for
from pipeline.analysis.spec import ReviewedSpec
from pipeline.artifact import load_package, read_metadata
from pipeline.config import Config
from pipeline.data.reviews import Reviews, read_reviews
from pipeline.data.sources import raw_file
from pipeline.layout import MODELS_DIR, TEST_SPLIT
from pipeline.metrics import evaluate_model
from pipeline.model import train_model
from pipeline.registry import LocalRegistry
from pipeline.rollout import release as release_module


def _rules(config, trained_with: Config | None = None) -> release_module.ReleaseRules:
    """The rules of `config`, the reviewed spec being `trained_with` (default: `config`)."""
    reviewed = ReviewedSpec((trained_with or config).as_mapping(), "the reviewed params.yaml")
    return release_module.ReleaseRules.from_config(config.quality, config.release, reviewed)


@pytest.fixture
def held_out(test_split, historic) -> release_module.HeldOut:
    """The pipeline's test split, with the labelled file it was split from."""
    return release_module.HeldOut(test_split, historic)


@pytest.fixture
def serving(tmp_path: Path, packaged_model: Path, config, held_out) -> LocalRegistry:
    """A local registry serving the pipeline's model, released through the check itself: red
    when the honest pipeline's own package counts as having seen its holdout."""
    registry = LocalRegistry(tmp_path / "registry")
    decision = release_module.release(packaged_model, registry, _rules(config), held_out)
    assert decision.accepted and decision.served is None  # a first release: only the floor
    assert decision.n_seen_in_training == 0
    assert registry.served() == read_metadata(packaged_model)["version"]
    return registry


def degraded(name: str, model, trained_on: Reviews, tmp_path: Path, packaged_model: Path,
             config, historic_path: Path) -> Path:
    """Package `model` (fitted on `trained_on`) claiming the served model's metrics."""
    claimed = read_metadata(packaged_model)["metrics"]
    return make_package(model, tmp_path / name, claimed, config, historic_path, trained_on)


def assert_refused(registry: LocalRegistry, candidate: Path, config, held_out, rule: str,
                   trained_with: Config | None = None) -> release_module.ReleaseDecision:
    """`config` holds the rules; the candidate's reviewed spec is `trained_with` (default:
    `config`)."""
    served_before, versions_before = registry.served(), registry.versions()
    with pytest.raises(release_module.ReleaseRefused, match=rule) as refused:
        release_module.release(candidate, registry, _rules(config, trained_with), held_out)
    assert registry.served() == served_before, "a refused candidate replaced the served model"
    assert registry.versions() == versions_before, "a refused candidate was published"
    assert f"{served_before} stays served" in str(refused.value)
    return refused.value.decision


@pytest.mark.rubric("infra", 4)
def test_a_model_trained_on_shuffled_labels_is_refused(serving, train_split, held_out, config,
                                                       packaged_model: Path, historic_path: Path,
                                                       tmp_path: Path, reports_dir: Path) -> None:
    """Red when the release check trusts the metrics in metadata.json, skips the accuracy
    floor, or promotes before checking."""
    labels = list(train_split.labels)
    random.Random(int(config.seed)).shuffle(labels)
    shuffled = Reviews(train_split.texts, labels)
    model = train_model(shuffled, config.model_spec)
    candidate = degraded("shuffled", model, shuffled, tmp_path, packaged_model, config,
                         historic_path)
    decision = assert_refused(serving, candidate, config, held_out, "quality.min_accuracy")
    assert decision.candidate_accuracy < decision.min_accuracy
    (reports_dir / "infra_release_shuffled.json").write_text(json.dumps(vars(decision), indent=2))


@pytest.mark.rubric("infra", 4)
def test_a_model_much_worse_than_the_served_one_is_refused(serving, train_split, held_out,
                                                           config, packaged_model: Path,
                                                           historic_path: Path,
                                                           tmp_path: Path,
                                                           reports_dir: Path) -> None:
    """A crippled preprocessor (no lowercasing) loses more than the tolerance against the served
    model. The floor is set to 0 here so that only the comparison rule can refuse it. Red when
    the release check does not compare with the served version (e.g. only checks
    quality.min_accuracy), or compares with something else than the served model."""
    crippled = config.with_overrides({"features.lowercase": False})
    model = train_model(train_split, crippled.model_spec)
    candidate = degraded("crippled", model, train_split, tmp_path, packaged_model, crippled,
                         historic_path)
    no_floor = config.with_overrides({"quality.min_accuracy": 0.0})
    decision = assert_refused(serving, candidate, no_floor, held_out, "worse than the served",
                              trained_with=crippled)
    assert len(decision.reasons) == 1, decision.reasons
    assert decision.served_accuracy - decision.candidate_accuracy > decision.max_accuracy_drop
    (reports_dir / "infra_release_crippled.json").write_text(json.dumps(vars(decision), indent=2))


@pytest.mark.rubric("infra", 4)
def test_a_good_candidate_is_promoted(serving, train_split, test_split, held_out, config,
                                      historic_path: Path, tmp_path: Path) -> None:
    """Red when the check refuses everything (a sign the rules are mis-wired) or promotes a
    different artifact than the one checked."""
    stemmed = config.with_overrides({"features.stem": True})
    model = train_model(train_split, stemmed.model_spec)
    candidate = package_for(model, tmp_path / "good", (train_split, test_split), stemmed,
                            historic_path)
    version = read_metadata(candidate)["version"]
    decision = release_module.release(candidate, serving, _rules(config, stemmed), held_out)
    assert decision.accepted and decision.served is not None
    assert decision.n_seen_in_training == 0
    assert serving.served() == version
    served_model, metadata = load_package(serving.fetch(version, tmp_path / "fetched"))
    assert metadata["sha256"] == read_metadata(candidate)["sha256"]
    assert evaluate_model(served_model, test_split.texts, test_split.labels)["accuracy"] == \
        decision.candidate_accuracy


@pytest.mark.rubric("infra", 4)
def test_a_candidate_trained_on_its_holdout_is_refused(serving, historic, test_split, held_out,
                                                       config, historic_path: Path,
                                                       tmp_path: Path,
                                                       reports_dir: Path) -> None:
    """A retraining on every labelled review, the holdout included, scores higher on that
    holdout than the honest model: it remembers the answers. Red when packaging does not record
    what the model was trained on, when the release does not compare that record with its
    holdout, or when the split leaks holdout rows into training."""
    model = train_model(historic, config.model_spec)
    candidate = package_for(model, tmp_path / "leaked", (historic, test_split), config,
                            historic_path)
    n_holdout = len(test_split.texts)
    decision = assert_refused(serving, candidate, config, held_out,
                              f"{n_holdout} of the {n_holdout} held-out reviews were in its"
                              " training data")
    assert decision.candidate_accuracy > decision.served_accuracy, (
        "precondition: the leaked model looks better on the holdout than the honest one")
    assert len(decision.reasons) == 1, decision.reasons
    (reports_dir / "infra_release_leaked.json").write_text(json.dumps(vars(decision), indent=2))


@pytest.mark.rubric("infra", 4)
def test_a_candidate_that_saw_part_of_its_holdout_is_refused_with_the_count(
        serving, train_split, test_split, held_out, config, historic_path: Path,
        tmp_path: Path) -> None:
    """Some holdout rows appended to the training reviews: the refusal counts exactly those.
    Red when the release counts honest duplicates of the raw data as leaks, or misses some."""
    leaked = test_split.texts[::10]
    labels = test_split.labels[::10]
    trained_on = Reviews(train_split.texts + leaked, train_split.labels + labels)
    model = train_model(trained_on, config.model_spec)
    candidate = package_for(model, tmp_path / "partly", (trained_on, test_split), config,
                            historic_path)
    decision = assert_refused(serving, candidate, config, held_out,
                              f"{len(leaked)} of the {len(test_split.texts)} held-out reviews")
    assert decision.n_seen_in_training == len(leaked)


@pytest.mark.slow
@pytest.mark.rubric("infra", 4)
def test_the_package_dvc_repro_builds_passes_the_release_check(
        repro_run, config, tmp_path: Path) -> None:
    """The package a cold `dvc repro` builds, released against that run's own test split:
    accepted, none of its holdout seen by what the train stage recorded it fitted. Red when the
    train stage fits other reviews than the training split (the whole labelled dump, holdout
    included), or the package stage records something else than what training fitted."""
    repo = repro_run.repo
    population = raw_file(config.data, "training", repo / config.data.raw_dir)
    held = release_module.HeldOut(read_reviews(repo / TEST_SPLIT), read_reviews(population))
    registry = LocalRegistry(tmp_path / "registry")
    decision = release_module.release(repo / MODELS_DIR, registry, _rules(config), held)
    assert decision.accepted and decision.n_seen_in_training == 0, decision.reasons
