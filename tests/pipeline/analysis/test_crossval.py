"""Repeated cross-validation: folds follow params.yaml, scores are reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.analysis.crossval import cv_means, cv_scores, summarise
from pipeline.config import Config
from pipeline.errors import PipelineError


def test_summary_is_the_mean_and_population_spread_rounded_to_four_places():
    assert summarise(np.array([0.6, 0.8, 0.9, 0.7])) == {"mean": 0.75, "std": 0.1118,
                                                         "folds": 4}
    assert summarise(np.array([0.123456])) == {"mean": 0.1235, "std": 0.0, "folds": 1}


def test_cv_runs_splits_times_repeats_folds_reproducibly(project_config, tiny_reviews):
    config = project_config.with_overrides({"cv.n_splits": 2, "cv.n_repeats": 3})
    texts, labels = tiny_reviews.texts, tiny_reviews.labels
    scores = cv_scores(config.model_spec, config.cv, texts, labels)
    assert scores.shape == (6,)
    assert np.all((scores >= 0.0) & (scores <= 1.0))
    np.testing.assert_array_equal(scores, cv_scores(config.model_spec, config.cv, texts, labels))
    assert cv_scores(config.model_spec, config.cv, texts, labels, scoring="f1").shape == (6,)


def test_cv_means_are_the_fold_means_of_the_same_folds(project_config, tiny_reviews):
    config = project_config.with_overrides({"cv.n_splits": 2, "cv.n_repeats": 2})
    texts, labels = tiny_reviews.texts, tiny_reviews.labels
    means = cv_means(config.model_spec, config.cv, texts, labels, ("accuracy", "f1"))
    for name, mean in means.items():
        assert mean == pytest.approx(np.mean(cv_scores(config.model_spec, config.cv, texts,
                                                       labels, scoring=name)))


def test_cv_needs_its_params(project_config):
    """A missing cv key stops at loading, before any fold is fitted."""
    mapping = project_config.as_mapping()
    del mapping["cv"]["n_repeats"]
    with pytest.raises(PipelineError, match="missing key 'cv.n_repeats'"):
        Config.parse(mapping)


def test_a_shared_study_scores_as_the_whole_pipeline_does(project_config, tiny_reviews):
    """Red when reusing a fold's features between candidates changes a score: each candidate
    must score exactly as scikit-learn's cross-validation of its whole Pipeline."""
    from sklearn.model_selection import (  # pylint: disable=import-outside-toplevel
        RepeatedStratifiedKFold,
        cross_val_score,
    )

    from pipeline.analysis.crossval import (  # pylint: disable=import-outside-toplevel
        CrossValidation,
    )
    from pipeline.model import build_model  # pylint: disable=import-outside-toplevel

    base = project_config.with_overrides({"cv.n_splits": 2, "cv.n_repeats": 2})
    texts, labels = tiny_reviews.texts, tiny_reviews.labels
    study = CrossValidation()
    for overrides in ({}, {"model.logistic_regression.C": 0.5},
                      {"features.ngram_max": 2}):
        config = base.with_overrides(overrides)
        folds = RepeatedStratifiedKFold(n_splits=2, n_repeats=2, random_state=config.seed)
        whole = cross_val_score(build_model(config.model_spec), list(texts), list(labels),
                                cv=folds)
        np.testing.assert_array_equal(study.cv_scores(config.model_spec, config.cv, texts,
                                                      labels), whole)
