"""The simpler models the configured model must beat (Model 5), on the same folds as crossval."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.config import Config

LETTERS = re.compile(r"[^a-zA-Z]")


def course_text(texts: Sequence[str]) -> list[str]:
    """The course's preprocessing: letters only, lowercase, Porter-stemmed (its nltk stop-word
    list needs a download, so no stop words are removed)."""
    from pipeline.features import stem  # pylint: disable=import-outside-toplevel

    return [" ".join(stem(LETTERS.sub(" ", text).lower().split())) for text in texts]


def _dense(matrix):
    return matrix.toarray()


def baselines(config: Config) -> dict[str, tuple[Any, bool]]:
    """name -> (estimator, whether it reads the course-preprocessed text)."""
    # pylint: disable=import-outside-toplevel
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    seed = int(config.seed)
    return {
        "majority_class": (DummyClassifier(strategy="most_frequent"), False),
        "course_gaussian_nb": (make_pipeline(CountVectorizer(max_features=1420),
                                             FunctionTransformer(_dense, accept_sparse=True),
                                             GaussianNB(var_smoothing=1e-9)), True),
        "plain_linear_unigrams": (make_pipeline(CountVectorizer(),
                                                LogisticRegression(random_state=seed)), False),
    }


def fold_scores(estimator: Any, texts: Sequence[str], labels: Sequence[int],
                config: Config) -> np.ndarray:
    """Per-fold accuracy on the folds `crossval.cv_scores` uses (the suite checks that
    both give identical scores for the configured model, so the comparison stays paired)."""
    # pylint: disable-next=import-outside-toplevel
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

    folds = RepeatedStratifiedKFold(n_splits=int(config.cv.n_splits),
                                    n_repeats=int(config.cv.n_repeats),
                                    random_state=int(config.seed))
    return cross_val_score(estimator, list(texts), list(labels), cv=folds, scoring="accuracy")
