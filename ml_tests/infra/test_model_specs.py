"""Infra 2: model specs are unit tested.

`build_model(config.model_spec)` is the one place that turns params.yaml into estimators. These
tests fit it on a tiny handwritten set (fast, readable, independent of the dumps), check the
outputs' shapes and probabilities, and check that every configured key really reaches the estimator:
each key is changed to a value different from its current one and the built estimator must
show the new value. A key that nothing reads would silently train a different model than the
one reviewed in params.yaml.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pipeline.config import FAMILIES
from pipeline.errors import PipelineError
from pipeline.model import build_model

# HANDWRITTEN test data, written for this test (not drawn from the review dumps): six liked and
# six disliked reviews, separable by obvious sentiment words.
HANDWRITTEN_TEXTS = [
    "Great food and friendly staff.", "Delicious pasta, loved it!",
    "Excellent service, great wine.",
    "Loved the cozy place and great desserts.", "Amazing burger, excellent fries.",
    "Friendly waiter, delicious soup.",
    "Terrible food and rude staff.", "Awful pasta, hated it.", "Slow service, terrible wine.",
    "The place was dirty and the desserts awful.", "Bland burger, cold fries.",
    "Rude waiter, the soup was not good.",
]
HANDWRITTEN_LABELS = [1] * 6 + [0] * 6

# Where each `features` key lands in the built Pipeline, and how its value appears there. The
# vectoriser is the features step itself, or its `ngrams` part when extra features sit beside it.
VECTORIZER = "{vectorizer}"
FEATURE_PARAMS: dict[str, tuple[str, Any]] = {
    **{key: (f"preprocess__{key}", bool) for key in (
        "lowercase", "fold_accents", "mask_pii", "expand_contractions", "neutral_gender",
        "neutral_origin", "drop_stop_words", "mark_negation", "stem")},
    "ngram_max": (f"{VECTORIZER}ngram_range", lambda value: (1, int(value))),
    "min_df": (f"{VECTORIZER}min_df", int),
    "sublinear_tf": (f"{VECTORIZER}sublinear_tf", bool),
    "extra": ("features__stats__stats", tuple),
    "plugins": ("features__stats__plugins", tuple),
}
# Changed values of the `features` keys (each differs from the project's current value).
FEATURE_CHANGES: dict[str, Any] = {"ngram_max": 3, "min_df": 2, "extra": ["length", "negations"],
                                   "plugins": ["ml_tests.data.plugin_feature:negated_share"]}


def changed(value: Any) -> Any:
    """A valid value different from `value`, of the kind params.yaml uses."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 7
    if isinstance(value, float):
        return value * 2 + 0.25
    if isinstance(value, str):
        return None  # e.g. class_weight: balanced -> None
    if value is None:
        return "balanced"
    raise AssertionError(f"no changed value for {value!r}: extend changed()")


def deep_params(model) -> dict[str, Any]:
    return model.get_params(deep=True)


def classifier_value(model, key: str) -> list[Any]:
    """The values of every parameter named `key` inside the classifier step (wrappers too)."""
    return [value for name, value in deep_params(model).items()
            if name.startswith("classifier__") and name.rsplit("__", 1)[-1] == key]


@pytest.mark.rubric("infra", 2)
@pytest.mark.parametrize("family", ["logistic_regression", "multinomial_nb", "linear_svm"])
def test_each_family_fits_a_handwritten_set_with_well_formed_outputs(config, family) -> None:
    """Red when a family cannot be built or fitted from params.yaml, when predict_proba has the
    wrong shape or rows that do not sum to 1, or when the model fails to learn a trivially
    separable set (a classifier ignoring its input, labels swapped in the pipeline)."""
    model = build_model(config.with_overrides({"model.family": family}).model_spec)
    model.fit(HANDWRITTEN_TEXTS, HANDWRITTEN_LABELS)
    probabilities = model.predict_proba(HANDWRITTEN_TEXTS + ["", "unseen words only"])
    assert probabilities.shape == (len(HANDWRITTEN_TEXTS) + 2, 2)
    assert np.all(np.isfinite(probabilities)) and np.all((0 <= probabilities)
                                                         & (probabilities <= 1))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    assert list(model.classes_) == [0, 1]
    predicted = model.predict(HANDWRITTEN_TEXTS)
    assert predicted.shape == (len(HANDWRITTEN_TEXTS),)
    if family != "linear_svm":  # calibration by 5-fold CV on 12 reviews is too coarse to demand it
        assert predicted.tolist() == HANDWRITTEN_LABELS, "the model did not learn a separable set"
    else:
        positive = probabilities[:len(HANDWRITTEN_TEXTS), 1]
        assert positive[:6].mean() > positive[6:].mean()


@pytest.mark.rubric("infra", 2)
def test_every_model_param_reaches_the_estimator(config) -> None:
    """Red when a key under model.<family> (or the seed) is dropped or overridden on the way
    to the estimator, e.g. a hard-coded C or a classifier built without **settings."""
    checked = []
    for family in FAMILIES:
        base = config.with_overrides({"model.family": family})
        for key, value in config.model.settings(family).items():
            for candidate in (value, changed(value)):
                model = build_model(
                    base.with_overrides({f"model.{family}.{key}": candidate}).model_spec)
                assert candidate in classifier_value(model, key), (
                    f"model.{family}.{key}={candidate!r} does not reach the {family} estimator")
            checked.append(f"{family}.{key}")
        if family != "multinomial_nb":  # the only family without a random state
            model = build_model(base.with_overrides({"seed": int(config.seed) + 11}).model_spec)
            assert int(config.seed) + 11 in classifier_value(model, "random_state")
    assert checked, "params.yaml configures no model hyperparameter at all"


@pytest.mark.rubric("infra", 2)
def test_every_feature_param_reaches_the_estimator(config) -> None:
    """Red when a `features` key is ignored (e.g. stemming or negation marking left at its
    default whatever params.yaml says) or when a new key is added without a test here."""
    unknown = sorted(set(type(config.features).model_fields) - set(FEATURE_PARAMS))
    assert not unknown, f"features keys without a spec test (add them to FEATURE_PARAMS): {unknown}"
    for key, (path, convert) in FEATURE_PARAMS.items():
        current = getattr(config.features, key)
        new = FEATURE_CHANGES[key] if key in FEATURE_CHANGES else changed(current)
        for value in (current, new):  # both: an ignored key may happen to match its default
            built = deep_params(build_model(
                config.with_overrides({f"features.{key}": value}).model_spec))
            if not value and key in ("extra", "plugins"):  # none: no stats step at all
                assert not any(name.startswith("features__stats") for name in built)
                continue
            prefix = "features__ngrams__" if "features__ngrams" in built else "features__"
            where = path.replace(VECTORIZER, prefix)
            assert where in built, f"features.{key}: the pipeline has no parameter {where}"
            assert built[where] == convert(value), (
                f"features.{key}={value!r} is not applied ({where})")


@pytest.mark.rubric("infra", 2)
def test_an_unknown_model_family_is_a_clear_error(config) -> None:
    """Red when a typo in model.family silently falls back to some default classifier."""
    with pytest.raises(PipelineError,
                       match=r"model\.family: expected one of .*got 'random_forest'"):
        build_model(config.with_overrides({"model.family": "random_forest"}).model_spec)
