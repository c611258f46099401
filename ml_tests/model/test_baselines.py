"""Model 5: a simpler model is not better.

The configured model must beat, in paired repeated CV on the training split, the majority
class, the course baseline (CountVectorizer(max_features=1420) + GaussianNB on the course's
stemmed text) and a plain linear unigram model (CountVectorizer defaults + LogisticRegression,
no custom preprocessing), each by more than `model_checks.noise_z` corrected standard errors
of the paired fold differences. Otherwise its complexity buys nothing.
"""

from __future__ import annotations

import pytest

from ml_tests.model import baselines as simple
from ml_tests.support.once import computed_once
from pipeline.analysis import crossval, tune
from pipeline.model import build_model


@pytest.fixture(scope="session")
def baseline_comparison(config, train_split, configured_cv, reports_dir, request):
    """Each baseline's fold scores and its paired gap to the configured model."""
    return computed_once(request, "baselines",
                         lambda: _comparison(config, train_split, configured_cv),
                         report=reports_dir / "baselines.json")


def _comparison(config, train_split, configured_cv) -> dict:
    texts, labels = train_split.texts, train_split.labels
    course = simple.course_text(texts)
    same_folds = simple.fold_scores(build_model(config.model_spec), texts, labels, config)
    rows = {}
    for name, (estimator, course_input) in simple.baselines(config).items():
        scores = simple.fold_scores(estimator, course if course_input else texts, labels, config)
        gap = tune.paired_noise(configured_cv, scores, config.cv.n_splits)
        rows[name] = {"cv": crossval.summarise(scores), "gain": round(gap["difference"], 4),
                      "standard_error": round(gap["standard_error"], 4)}
    return {"model_cv": crossval.summarise(configured_cv), "baselines": rows,
            "noise_z": config.model_checks.noise_z,
            "folds_match_crossval": bool((same_folds == configured_cv).all())}


@pytest.mark.rubric("model", 5)
def test_baselines_share_the_models_folds(baseline_comparison):
    """Red when the baseline folds drift from pipeline.analysis.crossval's: the comparison would no
    longer be paired."""
    assert baseline_comparison["folds_match_crossval"]


@pytest.mark.rubric("model", 5)
@pytest.mark.parametrize("baseline", ["majority_class", "course_gaussian_nb",
                                      "plain_linear_unigrams"])
def test_model_beats_simpler_baseline(baseline_comparison, baseline):
    """Red when the model is no better than a simpler one beyond noise: checked with an
    over-regularised classifier (C=0.5 instead of 8: the plain linear model's gain drops below
    noise). Breaking negation marking and contraction expansion together is NOT caught here."""
    row = baseline_comparison["baselines"][baseline]
    assert row["gain"] > baseline_comparison["noise_z"] * row["standard_error"], row
