"""Repeated cross-validation: overrides reach only the named key, folds follow params.yaml."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.analysis.crossval import cv_scores, summarise, with_overrides
from pipeline.errors import PipelineError


def test_overrides_replace_dotted_keys_and_create_missing_parents():
    params = {"features": {"stem": True, "lowercase": True}, "seed": 0}
    changed = with_overrides(params, {"features.stem": False, "model.C": 2.0, "seed": 7})
    assert changed == {"features": {"stem": False, "lowercase": True}, "model": {"C": 2.0},
                       "seed": 7}
    assert params == {"features": {"stem": True, "lowercase": True}, "seed": 0}


def test_overrides_never_share_nested_state_with_the_original():
    params = {"a": {"b": [1, 2]}}
    changed = with_overrides(params, {})
    changed["a"]["b"].append(3)
    assert params == {"a": {"b": [1, 2]}}


def test_summary_is_the_mean_and_population_spread_rounded_to_four_places():
    assert summarise(np.array([0.6, 0.8, 0.9, 0.7])) == {"mean": 0.75, "std": 0.1118,
                                                         "folds": 4}
    assert summarise(np.array([0.123456])) == {"mean": 0.1235, "std": 0.0, "folds": 1}


def test_cv_runs_splits_times_repeats_folds_reproducibly(project_params, tiny_reviews):
    params = with_overrides(project_params, {"cv.n_splits": 2, "cv.n_repeats": 3})
    texts, labels = tiny_reviews.texts, tiny_reviews.labels
    scores = cv_scores(params, texts, labels)
    assert scores.shape == (6,)
    assert np.all((scores >= 0.0) & (scores <= 1.0))
    np.testing.assert_array_equal(scores, cv_scores(params, texts, labels))
    assert cv_scores(params, texts, labels, scoring="f1").shape == (6,)


def test_cv_needs_its_params(project_params, tiny_reviews):
    params = with_overrides(project_params, {})
    del params["cv"]["n_repeats"]
    with pytest.raises(PipelineError, match="missing key 'cv.n_repeats'"):
        cv_scores(params, tiny_reviews.texts, tiny_reviews.labels)
