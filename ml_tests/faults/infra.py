"""Faults that the Infra suite must catch: a non-reproducible training or artifact, params that
never reach the estimator, outputs that a push and pull lose, a release check that does
not measure, an explanation that does not add up, a canary that lets a broken model through and
a registry that cannot roll back.

Each fault patches pipeline code, never a test, its helpers or its thresholds. The fault is
active in the subprocesses the suites start too (`dvc repro` and its stages, `python -m pipeline
...`: the plugin's sitecustomize injects it there), so a defect of a stage is a defect of the
stage DVC runs. Heavy imports happen inside the injectors, when a fault is switched on; an
injector that reaches a stage imports only modules every stage declares in dvc.yaml, so that the
traced reads of Infra 3 change only through the defect itself.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pytest_ml_test_score.faults import FaultRegistry

from ml_tests.faults.data import patch_everywhere


def _register_holdout_faults(registry: FaultRegistry) -> None:
    """Infra 4: the holdout a candidate is judged on is no longer shown to be unseen, or the
    release check stops measuring."""

    # -- Infra 4: quality is validated before serving ---------------------------------------------
    @registry.fault("release-trusts-metadata",
                    "The release check takes the candidate's and the served version's accuracy "
                    "from their metadata instead of scoring them on held-out reviews.",
                    [("infra", 4)], kind="code")
    def release_trusts_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
        # pylint: disable-next=import-outside-toplevel
        from pipeline.artifact import read_metadata
        from pipeline.rollout import release  # pylint: disable=import-outside-toplevel

        def claimed_release(package_dir, registry, rules, data, promote=True):
            metadata = read_metadata(package_dir)  # the artifact itself is never scored
            rules.reviewed.require(metadata)
            version, accuracy = metadata["version"], float(metadata["metrics"]["accuracy"])
            accuracies = {entry["version"]: float(entry["metrics"]["accuracy"])
                          for entry in registry.index()["versions"]}
            floor, tolerance = rules.min_accuracy, rules.max_accuracy_drop
            served = registry.served()
            served_accuracy = accuracies.get(served) if served else None
            reasons = []
            if accuracy < floor:
                reasons.append(f"claimed accuracy {accuracy:.3f} is below quality.min_accuracy")
            if served_accuracy is not None and accuracy < served_accuracy - tolerance:
                reasons.append(f"claimed accuracy {accuracy:.3f} is worse than the served")
            decision = release.ReleaseDecision(
                version, served, accuracy, served_accuracy, floor, tolerance,
                len(data.reviews.texts), reasons)
            if reasons:
                raise release.ReleaseRefused(decision)
            if promote:
                registry.publish(package_dir)
                registry.record_release(version, rules.reviewed.sha256)
                registry.promote(version)
            return decision

        monkeypatch.setattr(release, "release", claimed_release)

    @registry.fault("release-skips-served-comparison",
                    "The release check treats a failure to load the served version as a first "
                    "release (nothing served), so a candidate is only held to the floor.",
                    [("infra", 4)], kind="code")
    def release_skips_served_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.rollout.release.served_model", lambda registry: None)

    @registry.fault("release-ignores-training-overlap",
                    "The release check no longer compares the package's training-row hashes "
                    "with its holdout, so a model trained on the holdout itself is judged on "
                    "reviews it memorised and promoted.",
                    [("infra", 4)], kind="code")
    def release_ignores_training_overlap(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.rollout.release.seen_in_training",
                            lambda holdout, training_rows, population: 0)

    @registry.fault("packaging-records-no-training-rows",
                    "The training-rows record (written by the train stage, copied into "
                    "metadata.json by packaging) is an empty list instead of the hashes of the "
                    "reviews the model was fitted on, so no package can show what it saw.",
                    [("infra", 4)], kind="code")
    def packaging_records_no_training_rows(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.data import training_rows  # pylint: disable=import-outside-toplevel

        patch_everywhere(monkeypatch, training_rows, "training_record",
                         lambda reviews: {training_rows.TRAINING_ROWS: []})

    @registry.fault("split-leaks-holdout-into-training",
                    "The split returns every labelled review as training data, the held-out "
                    "ones included, so the model is evaluated on reviews it was fitted on.",
                    [("infra", 4)], kind="code")
    def split_leaks_holdout_into_training(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.data import split  # pylint: disable=import-outside-toplevel
        from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

        original = split.split_reviews

        def split_reviews(reviews, settings, seed):
            train, test = original(reviews, settings, seed)
            return Reviews(train.texts + test.texts, train.labels + test.labels), test

        patch_everywhere(monkeypatch, split, "split_reviews", split_reviews)

    @registry.fault("train-stage-fits-whole-dump",
                    "The train stage reads the whole labelled dump (data/raw) instead of the "
                    "training split, so the model it builds has seen every held-out review.",
                    [("infra", 4)], kind="code")
    def train_stage_fits_whole_dump(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.config import load_config  # pylint: disable=import-outside-toplevel
        from pipeline.stages import train  # pylint: disable=import-outside-toplevel

        data = load_config().data
        monkeypatch.setattr(train, "TRAIN_SPLIT", Path(data.raw_dir) / data.file("training").name)


def _register_debug_canary_rollback_faults(registry: FaultRegistry) -> None:
    """Infra 5, 6 and 7: explanations, the canary and rollback."""

    # -- Infra 5: the model is debuggable ---------------------------------------------------------
    @registry.fault("explain-drops-intercept",
                    "explain reads the intercept as 0 (a refactoring lost intercept_), so the "
                    "contributions no longer add up to the model's decision value.",
                    [("infra", 5)], kind="code")
    def explain_drops_intercept(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import explain  # pylint: disable=import-outside-toplevel

        original = explain._linear_parts  # pylint: disable=protected-access

        def linear_parts(model):
            coefficients, _ = original(model)
            return coefficients, 0.0

        monkeypatch.setattr(explain, "_linear_parts", linear_parts)

    @registry.fault("explain-drops-text-statistics",
                    "explain decomposes only the TF-IDF columns and leaves out the dense text "
                    "statistics (length, exclamations, negations) and their weight.",
                    [("infra", 5)], kind="code")
    def explain_drops_text_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
        import dataclasses  # pylint: disable=import-outside-toplevel

        from pipeline.serving import explain  # pylint: disable=import-outside-toplevel

        original = explain.explain_text

        def explain_text(model, text):
            full = original(model, text)
            kept = [c for c in full.contributions if not c.feature.startswith("stats__")]
            decision = full.intercept + math.fsum(c.contribution for c in kept)
            probability = 1.0 / (1.0 + math.exp(-decision)) if decision > -700 else 0.0
            return dataclasses.replace(full, contributions=kept, decision=decision,
                                       probability=probability, label=int(probability >= 0.5))

        monkeypatch.setattr(explain, "explain_text", explain_text)

    # -- Infra 6: models are canaried before serving ----------------------------------------------
    @registry.fault("canary-times-candidate-twice",
                    "The canary's latency comparison times the candidate against itself (a "
                    "copy-paste slip), so a slower candidate always shows a ratio near 1.",
                    [("infra", 6)], kind="code")
    def canary_times_candidate_twice(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.rollout import canary  # pylint: disable=import-outside-toplevel

        original = canary.latency_ms

        def latency_ms(candidate, served, texts, repeats):
            del served
            return original(candidate, candidate, texts, repeats)

        monkeypatch.setattr(canary, "latency_ms", latency_ms)

    @registry.fault("canary-only-catches-crashes",
                    "The canary's hostile-input check only records exceptions and no longer "
                    "looks at the probabilities, so a candidate emitting NaN passes it.",
                    [("infra", 6)], kind="code")
    def canary_only_catches_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.monitoring.stability import HOSTILE_INPUTS  # pylint: disable=C0415
        from pipeline.rollout import canary  # pylint: disable=import-outside-toplevel

        def invalid_outputs(model, texts=None):
            problems = []
            for text in HOSTILE_INPUTS.values() if texts is None else texts:
                try:
                    model.predict_proba([text])
                except Exception as error:  # pylint: disable=broad-exception-caught
                    problems.append(f"{text[:24]!r}: raised {type(error).__name__}")
            return problems

        monkeypatch.setattr(canary, "invalid_outputs", invalid_outputs)

    # -- Infra 7: serving models can be rolled back -----------------------------------------------
    @registry.fault("server-reload-only-moves-forward",
                    "The server's reload keeps the model it serves unless the pointer names a "
                    "newer package (a guard against replicas reading a stale pointer), so after "
                    "a rollback every running server goes on answering with the new model.",
                    [("infra", 7)], kind="code")
    def server_reload_only_moves_forward(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.serving import served  # pylint: disable=import-outside-toplevel

        original = served.ModelHolder.refresh

        def refresh(holder):
            previous = holder.current
            result = original(holder)
            if result.changed and \
                    holder.current.metadata["created_at"] <= previous.metadata["created_at"]:
                holder.current = previous  # the guard puts the newer model back
                return served.Reload(previous.version, previous.version)
            return result

        monkeypatch.setattr(served.ModelHolder, "refresh", refresh)

    @registry.fault("rollback-keeps-served-pointer",
                    "rollback logs the event and returns the previous version but writes the "
                    "served stack back unchanged, so the new model stays served.",
                    [("infra", 7)], kind="code")
    def rollback_keeps_served_pointer(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline.registry import index  # pylint: disable=import-outside-toplevel

        original = index.rolled_back

        def rolled_back(index, where):
            changed, previous = original(index, where)
            return {**changed, "served": index["served"]}, previous

        monkeypatch.setattr(index, "rolled_back", rolled_back)

    @registry.fault("serving-loads-newest-version",
                    "load_model defaults to the newest published version instead of the served "
                    "one, so a rollback does not reach the serving path.",
                    [("infra", 7)], kind="code")
    def serving_loads_newest_version(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import registry as registry_module  # pylint: disable=C0415

        original = registry_module.load_model

        def load_model(version=None, registry=None):
            if version is None:
                published = registry_module.open_registry(registry).versions()
                version = published[-1] if published else None
            return original(version, registry)

        monkeypatch.setattr(registry_module, "load_model", load_model)


def register(registry: FaultRegistry) -> None:
    """Add this section's faults to the registry."""
    _register_holdout_faults(registry)

    # -- Infra 1: reproducible training ---------------------------------------------------------
    @registry.fault("artifact-not-canonical",
                    "dumps_model writes skops's archive as it comes (zip timestamps, object ids "
                    "and temp file names left in), so the same model gives other bytes, sha256 "
                    "and version on every save.",
                    [("infra", 1)], kind="code")
    def artifact_not_canonical(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("pipeline.artifact._canonical_zip", lambda data: data)

    @registry.fault("training-order-unseeded",
                    "The trainer shuffles the training rows with Python's unseeded random "
                    "module before fitting, so two trainings on the same data differ.",
                    [("infra", 1)], kind="code")
    def training_order_unseeded(monkeypatch: pytest.MonkeyPatch) -> None:
        import random  # pylint: disable=import-outside-toplevel

        from pipeline import model  # pylint: disable=import-outside-toplevel
        from pipeline.data.reviews import Reviews  # pylint: disable=import-outside-toplevel

        original = model.train_model

        def train_model(reviews, spec):
            if reviews.labels is None:
                return original(reviews, spec)
            order = list(range(len(reviews.texts)))
            random.shuffle(order)  # the defect: no Random(spec.seed)
            return original(Reviews([reviews.texts[i] for i in order],
                                    [reviews.labels[i] for i in order]), spec)

        patch_everywhere(monkeypatch, model, "train_model", train_model)

    # -- Infra 2: model specs are unit tested ----------------------------------------------------
    @registry.fault("classifier-ignores-c",
                    "build_classifier drops C from the logistic regression's settings, so the "
                    "default C=1.0 is trained whatever params.yaml says.",
                    [("infra", 2)], kind="code")
    def classifier_ignores_c(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel

        original = model.build_classifier

        def build_classifier(settings, seed: int):
            built = original(settings, seed)
            if settings.family == "logistic_regression":
                built.set_params(C=1.0)  # the estimator's default: the configured C is dropped
            return built

        monkeypatch.setattr(model, "build_classifier", build_classifier)

    @registry.fault("svm-unseeded",
                    "build_classifier builds the LinearSVC without random_state, so the "
                    "linear_svm family ignores the seed of params.yaml.",
                    [("infra", 2)], kind="code")
    def svm_unseeded(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel

        original = model.build_classifier

        def build_classifier(settings, seed: int):
            built = original(settings, seed)
            if settings.family == "linear_svm":
                built.set_params(estimator__random_state=None)
            return built

        monkeypatch.setattr(model, "build_classifier", build_classifier)

    @registry.fault("stem-switch-ignored",
                    "build_preprocessor leaves stemming at its default (off) whatever "
                    "features.stem says, so a reviewed switch changes nothing.",
                    [("infra", 2)], kind="code")
    def stem_switch_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
        from pipeline import model  # pylint: disable=import-outside-toplevel

        original = model.build_preprocessor

        def build_preprocessor(features):
            return original(features.model_copy(update={"stem": False}))

        monkeypatch.setattr(model, "build_preprocessor", build_preprocessor)

    # -- Infra 3: the pipeline is integration tested ----------------------------------------------
    @registry.fault("atomic-write-leaves-temp-copy",
                    "atomic_path copies the finished temporary file over its target instead of "
                    "renaming it, so a `.NAME.tmp` copy stays beside every output the stages "
                    "write (data/model/.model.skops.tmp is no DVC output: a push and pull loses "
                    "it).",
                    [("infra", 3)], kind="code")
    def atomic_write_leaves_temp_copy(monkeypatch: pytest.MonkeyPatch) -> None:
        import shutil  # pylint: disable=import-outside-toplevel
        from contextlib import contextmanager  # pylint: disable=import-outside-toplevel

        from pipeline import fileio  # pylint: disable=import-outside-toplevel

        original = fileio.atomic_path

        @contextmanager
        def atomic_path(target):
            with original(target) as temporary:
                yield temporary
                kept = Path(target).with_name(f".{Path(target).name}.tmp")
                shutil.copyfile(temporary, kept)  # the copy that should have been a rename

        patch_everywhere(monkeypatch, fileio, "atomic_path", atomic_path)
    _register_debug_canary_rollback_faults(registry)
