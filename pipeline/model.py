"""Building the one scikit-learn Pipeline that is trained, saved and served.

The model family and every hyperparameter come from params.yaml (`features`, `model` and `seed`,
handed down as a `ModelSpec`); `build_model` is the only
place that turns them into estimators, so the training stage, cross-validation, the rubric
suites and the explain command all build the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from pipeline.config import FeaturesConfig, ModelConfig, ModelSpec
from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError
from pipeline.features import ReviewPreprocessor, TextStats

NGRAMS = "ngrams"
PREPROCESSING_KEYS = ("lowercase", "fold_accents", "mask_pii", "expand_contractions",
                      "neutral_gender", "neutral_origin", "drop_stop_words", "mark_negation",
                      "stem")


def build_preprocessor(features: FeaturesConfig) -> ReviewPreprocessor:
    """The text preprocessing step configured by `features` in params.yaml (plain bools: the
    step is saved inside the artifact)."""
    return ReviewPreprocessor(**{key: bool(getattr(features, key)) for key in PREPROCESSING_KEYS})


def build_vectorizer(features: FeaturesConfig) -> TfidfVectorizer:
    """TF-IDF over the preprocessed tokens (already lowercased and split on spaces)."""
    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, int(features.ngram_max)),
        min_df=int(features.min_df),
        sublinear_tf=bool(features.sublinear_tf),
        dtype=np.float64,
    )


def build_classifier(model: ModelConfig, seed: int):
    """The classifier named by `model.family`, with its hyperparameters from `model.<family>`."""
    family = model.family
    settings = model.settings()
    if family == "logistic_regression":
        return LogisticRegression(random_state=seed, solver="liblinear", **settings)
    if family == "multinomial_nb":
        return MultinomialNB(**settings)
    if family == "linear_svm":
        # Calibrated so that every family offers predict_proba for serving and monitoring.
        return CalibratedClassifierCV(LinearSVC(random_state=seed, **settings), cv=5)
    raise PipelineError(
        f"params.yaml: model.family {family!r}; expected logistic_regression, multinomial_nb "
        "or linear_svm"
    )


def build_model(spec: ModelSpec) -> Pipeline:
    """preprocess -> features (TF-IDF n-grams [+ text statistics and plugins]) -> classifier.

    Without extra features the vectoriser is the features step itself: a FeatureUnion of one
    transformer would cost every prediction a joblib dispatch (about a quarter of the latency).
    """
    features = spec.features
    vectorizer = build_vectorizer(features)
    extra, plugins = tuple(features.extra), tuple(features.plugins)
    stats = TextStats(stats=extra, plugins=plugins)
    step = (FeatureUnion([(NGRAMS, vectorizer), ("stats", stats)]) if extra or plugins
            else vectorizer)
    return Pipeline([
        ("preprocess", build_preprocessor(features)),
        ("features", step),
        ("classifier", build_classifier(spec.model, int(spec.seed))),
    ])


def after_preprocessing(spec: ModelSpec, texts: Sequence[str]) -> tuple[Pipeline, np.ndarray]:
    """The unfitted model after its preprocessing step, and `texts` preprocessed.

    Preprocessing learns nothing (`ReviewPreprocessor` is stateless), so a study that fits many
    models on subsets of the same texts (cross-validation folds, staleness windows) preprocesses
    them once and fits only the rest: the scores are those of the whole Pipeline, at a fraction
    of the cost.
    """
    model = build_model(spec)
    return model[1:], model.named_steps["preprocess"].transform(list(texts))


def feature_steps(model: Pipeline) -> list[tuple[str, Any]]:
    """The named feature transformers of a built model, whichever shape its features step has."""
    step = model.named_steps["features"]
    return list(step.transformer_list) if isinstance(step, FeatureUnion) else [(NGRAMS, step)]


def train_model(reviews: Reviews, spec: ModelSpec):
    """Fit a fresh model; degenerate data fails with a clear error instead of a NaN model."""
    if reviews.labels is None or len(set(reviews.labels)) < 2:
        raise PipelineError("train: the training data must contain both labels 0 and 1")
    model = build_model(spec)
    try:
        model.fit(reviews.texts, reviews.labels)
    except ValueError as error:  # e.g. an empty vocabulary: every review was only stop words
        raise PipelineError(f"train: cannot fit the model: {error}") from None
    coefficients = getattr(model[-1], "coef_", None)
    if coefficients is not None and not all(math.isfinite(v) for v in coefficients.ravel()):
        raise PipelineError("train: the fitted model has non-finite coefficients")
    return model


def predict_labels(model, texts: Sequence[str]) -> tuple[list[int], list[float]]:
    """Predicted labels and positive-class probabilities (threshold 0.5).

    `texts` may be a list, a Series or a table with a Review column; it is passed on as is.
    """
    probability = model.predict_proba(texts)[:, 1]
    return (probability >= 0.5).astype(int).tolist(), probability.tolist()
