"""Model 2: offline and online metrics correlate.

The paper's method: serve intentionally degraded models and check that what offline evaluation
says about them is what happens online. The degraded variants are the configured model with
weaker regularisation (`model_checks.degradation.C`) and trained on seeded label noise
(`model_checks.degradation.label_noise`), which span the quality range from the served model
to chance. Each is scored offline as the project selects models (Model 3, Model 5): repeated
CV on its own training data. Online, each is published to a temporary registry, promoted and
served in turn by one `python -m pipeline serve` process on 127.0.0.1; every labelled review no
variant was trained on (the test split and the labelled fresh batch) is sent to it as requests,
and its online metric is computed from the prediction log the server wrote, joined with the
delayed labels as Monitor 7 joins them. The two must correlate (`model_checks.correlation` at least
`model_checks.min_correlation`). If they did not, offline model selection (Model 3, Model 5)
would be choosing blind.

Which metrics and which correlation count is declared in params.yaml
(`model_checks.offline_metric`, `online_metric`, `correlation`, with the reasons there); the
test never picks the better pair. The accuracy and the Brier pair, each under Pearson and
Spearman, are written to reports/offline_online.json.

Single-key variants of the search spaces are not used: most of them are ties within noise of
each other (0.72 rank correlation among 30 near-equal models measures noise, not the proxy).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from ml_tests.support.traffic import (
    REQUEST_TIMEOUT_S,
    Batch,
    publish_released,
    send,
    serve_registry,
    write_labels,
)
from pipeline import artifact
from pipeline.analysis.crossval import CrossValidation
from pipeline.config import Config
from pipeline.data.reviews import Reviews
from pipeline.fileio import write_json_atomic
from pipeline.metrics import evaluate_model
from pipeline.model import train_model
from pipeline.monitoring.live_quality import served_metrics
from pipeline.registry import LocalRegistry
from pipeline.serving.logreader import read_log
from pipeline.serving.packaging import TrainingData, package_model

METRICS = ("accuracy", "brier")
STATISTICS = ("pearson", "spearman")
LOWER_IS_BETTER = {"brier"}


def variants(config: Config, train_split: Reviews) -> dict[str, tuple[Config, Reviews]]:
    """The configured model and its intentionally degraded variants: (config, training data)."""
    found = {"configured": (config, train_split)}
    family = config.model.family
    for value in config.model_checks.degradation.C:
        found[f"C={value}"] = (config.with_overrides({f"model.{family}.C": value}),
                               train_split)
    rng = np.random.default_rng(int(config.seed))
    for share in config.model_checks.degradation.label_noise:
        labels = np.asarray(train_split.labels)
        flipped = rng.choice(len(labels), int(share * len(labels)), replace=False)
        labels[flipped] = 1 - labels[flipped]
        found[f"label_noise={share}"] = (config, Reviews(train_split.texts, labels.tolist()))
    return found


@dataclass(frozen=True)
class Study:
    """Where the variants are built and published, and what they are all judged against."""

    work: Path
    store: LocalRegistry
    test_split: Reviews
    historic_path: Path
    cv: CrossValidation  # the variants share its folds' features (they differ in C or labels)


def _publish(name: str, variant: Config, training: Reviews, study: Study) -> tuple[str, dict]:
    """Train, package and publish one variant; (its version, its offline metrics).

    Offline is what the project selects models by: repeated CV (`cv:`) on the variant's own
    training data, never on a review the server is later judged on. The degraded variants are
    below quality.min_accuracy by design, so the experiment packages them without that floor,
    as the paper serves them to a share of traffic on purpose."""
    model = train_model(training, variant.model_spec)
    model_path = study.work / name / "model.skops"
    model_path.parent.mkdir(parents=True)
    artifact.save_model(model, model_path)
    metrics = evaluate_model(model, study.test_split.texts, study.test_split.labels)
    package_model(model_path, metrics, variant.with_overrides({"quality.min_accuracy": 0.0}),
                  study.work / name / "package",
                  TrainingData.fitted_on(study.historic_path, training))
    means = study.cv.means(variant.model_spec, variant.cv, training.texts, training.labels,
                           ("accuracy", "neg_brier_score"))
    offline = {"accuracy": means["accuracy"], "brier": -means["neg_brier_score"]}
    return publish_released(study.store, study.work / name / "package"), offline


def _publish_while_starting(server, found: dict[str, tuple[Config, Reviews]],
                            study: Study) -> dict[str, tuple[str, dict]]:
    """Publish the variants while the server starts: its own interpreter, so waiting for it
    costs this process nothing."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = pool.submit(server.start)
        published = {name: _publish(name, *variant, study) for name, variant in found.items()}
        started.result()
    return published


def _serve_in_turn(url: str, store: LocalRegistry, versions: dict[str, str],
                   online: Reviews, per_request: int, labels_dir: Path) -> list[str]:
    """Promote each version, make the server reload it, send it the online reviews and write
    their delayed labels under the version's request ids; every refusal, as text."""
    errors = []
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
        for number, version in enumerate(versions.values()):
            store.promote(version)
            answer = client.post("/reload")
            if answer.status_code != 200 or answer.json()["version"] != version:
                errors.append(f"reload to {version}: {answer.status_code} {answer.text}")
                continue
            batch = Batch(f"variant{number}", online.texts, per_request)
            sent = send(url, [batch])
            errors += sent.errors
            write_labels(labels_dir / f"{batch.name}.jsonl", sent, batch, online.labels)
    return errors


def _coefficient(statistic: str, offline: list[float], online: list[float]) -> float:
    from scipy import stats  # pylint: disable=import-outside-toplevel

    measure = stats.pearsonr if statistic == "pearson" else stats.spearmanr
    return float(measure(offline, online).statistic)


def _quality(metric: str, value: float) -> float:
    """Higher is better for every metric, so that mixed pairs correlate positively."""
    return -value if metric in LOWER_IS_BETTER else value


def _correlation(rows: dict[str, dict], offline: str, online: str, statistic: str) -> float:
    offline_quality = [_quality(offline, row["offline"][offline]) for row in rows.values()]
    online_quality = [_quality(online, row["online"][online]) for row in rows.values()]
    return round(_coefficient(statistic, offline_quality, online_quality), 4)


def _rows(published: dict[str, tuple[str, dict]], log_dir: Path, labels_dir: Path
          ) -> dict[str, dict]:
    """Per variant: its version, offline metrics and online metrics from the served log."""
    records = read_log(str(log_dir), str(labels_dir)).records
    return {name: {"version": version, "offline": offline,
                   "online": served_metrics([record for record in records
                                             if record["version"] == version])}
            for name, (version, offline) in published.items()}


def _report(rows: dict[str, dict], errors: list[str], checks) -> dict:
    """Every variant's metrics, both pairs under both correlations, and the declared one."""
    return {"variants": rows, "errors": errors,
            **{statistic: {metric: _correlation(rows, metric, metric, statistic)
                           for metric in METRICS} for statistic in STATISTICS},
            "declared": {"offline_metric": checks.offline_metric,
                         "online_metric": checks.online_metric,
                         "correlation": checks.correlation,
                         "value": _correlation(rows, checks.offline_metric,
                                               checks.online_metric, checks.correlation)},
            "min_correlation": float(checks.min_correlation),
            "offline": "repeated CV on each variant's training data",
            "online": "the test split and the labelled fresh batch, served and logged, joined "
                      "with their labels"}


@pytest.fixture(scope="session")
def online_reviews(test_split, labelled_fresh) -> Reviews:
    """Every labelled review no variant was trained on: the traffic the variants are judged on
    online (the more reviews, the finer online accuracy resolves near-equal variants)."""
    return Reviews(test_split.texts + labelled_fresh.texts,
                   test_split.labels + labelled_fresh.labels)


@pytest.fixture(scope="session")
def offline_online(config, train_split, test_split, online_reviews, historic_path, project_root,
                   reports_dir, tmp_path_factory):
    """Offline (repeated CV) and online (served, logged, joined with the delayed labels)
    metrics of every variant and their correlations; written to reports/offline_online.json."""
    work = tmp_path_factory.mktemp("offline-online")
    study = Study(work, LocalRegistry(work / "registry"), test_split, historic_path,
                  CrossValidation())
    found = variants(config, train_split)
    published = {"configured": _publish("configured", *found.pop("configured"), study)}
    study.store.promote(published["configured"][0])
    server = serve_registry(project_root, work / "registry", work / "log")
    try:
        published |= _publish_while_starting(server, found, study)
        errors = _serve_in_turn(server.url, study.store,
                                {name: version for name, (version, _) in published.items()},
                                online_reviews, config.serving.max_reviews, work / "labels")
    finally:
        server.__exit__(None, None, None)  # stopped before the log is read
    report = _report(_rows(published, work / "log", work / "labels"), errors,
                     config.model_checks)
    write_json_atomic(reports_dir / "offline_online.json", report)
    return report


@pytest.mark.rubric("model", 2)
def test_every_variant_was_served_and_joined(offline_online, online_reviews, config):
    """Red when the online side is not what the server answered: a variant refused, not
    reloaded, or fewer of its logged predictions joined to a delayed label than it was sent
    (a broken log or join), so its online metric would rest on other reviews."""
    degradation = config.model_checks.degradation
    assert len(offline_online["variants"]) == 1 + len(degradation.C) + len(
        degradation.label_noise)
    assert not offline_online["errors"], offline_online["errors"]
    versions = {row["version"] for row in offline_online["variants"].values()}
    assert len(versions) == len(offline_online["variants"])
    assert all(row["online"]["labelled"] == len(online_reviews.texts)
               for row in offline_online["variants"].values()), offline_online["variants"]


@pytest.mark.rubric("model", 2)
def test_offline_metric_predicts_online_metric(offline_online):
    """Red when offline evaluation stops predicting online quality on the declared metrics, e.g.
    when the online labels are joined to the wrong predictions or the held-out labels to the
    wrong reviews (correlation near 0), or when cross-validation scores the rows it fitted, so
    that offline measures fit instead of generalisation."""
    declared = offline_online["declared"]
    assert declared["value"] >= offline_online["min_correlation"], (
        declared, offline_online["pearson"], offline_online["spearman"])
