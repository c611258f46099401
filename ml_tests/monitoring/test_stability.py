"""Monitor 5: models are numerically stable.

No input a public text box can deliver makes the model emit NaN or infinity, in probabilities
or decision values; and training on degenerate data fails with a clear PipelineError instead
of producing a model that would.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError
from pipeline.features import STOP_WORDS
from pipeline.model import train_model
from pipeline.monitoring import stability

HYPOTHESIS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])


def _assert_finite(model: Any, texts: list[str]) -> None:
    probability = model.predict_proba(texts)
    assert np.all(np.isfinite(probability)), texts
    assert np.allclose(probability.sum(axis=1), 1.0)
    assert np.all(np.isfinite(model.decision_function(texts))), texts


@pytest.mark.rubric("monitoring", 5)
def test_hostile_inputs_give_finite_outputs(trained_model, served_model, record) -> None:
    """Empty, whitespace, very long, emoji, other scripts, stop words only, control characters,
    punctuation only and a million characters: finite probabilities that sum to one, finite
    decision values, for the trained and for the served (deserialised) model.

    Red when a feature divides by a zero length or takes a log of zero (an empty token list),
    or a classifier produces overflowing decision values.
    """
    trained = stability.check_stability(trained_model)
    served = stability.check_stability(served_model)
    record("stability", trained)
    assert not trained["alert"], trained["unstable"]
    assert not served["alert"], served["unstable"]
    assert set(trained["inputs"]) == set(stability.HOSTILE_INPUTS)
    assert trained["inputs"]["million_characters"]["chars"] == stability.MILLION


@pytest.mark.rubric("monitoring", 5)
@pytest.mark.parametrize("family", ["multinomial_nb", "linear_svm"])
def test_other_families_with_text_statistics_are_stable(family: str, train_split: Reviews,
                                                        config) -> None:
    """Every model family of params.yaml, with every extra text statistic switched on.

    Red when a switchable feature (TextStats) or another family's classifier emits NaN or
    infinity on a hostile input.
    """
    overrides = {"model.family": family, "features.extra": ["length", "exclamations",
                                                            "negations"]}
    model = train_model(train_split, config.with_overrides(overrides).model_spec)
    result = stability.check_stability(model)
    assert not result["alert"], result["unstable"]


@pytest.mark.rubric("monitoring", 5)
@HYPOTHESIS
@given(text=st.text(max_size=400))
def test_generated_texts_give_finite_outputs(trained_model, text: str) -> None:
    """Any unicode string (Hypothesis, seeded): finite, normalised outputs.

    Red as for the hostile inputs; Hypothesis finds the odd code points a list misses.
    """
    _assert_finite(trained_model, [text])


@pytest.mark.rubric("monitoring", 5)
@HYPOTHESIS
@given(texts=st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=60), min_size=1,
                      max_size=20))
def test_generated_batches_give_finite_outputs(trained_model, texts: list[str]) -> None:
    """Batches of arbitrary texts, as a serving batch would arrive: finite outputs per row.

    Red when a batch-level step (a normalisation over rows) breaks on odd rows.
    """
    _assert_finite(trained_model, texts)


@pytest.mark.rubric("monitoring", 5)
def test_one_class_training_data_fails_clearly(train_split: Reviews, config) -> None:
    """Training on reviews of a single label raises a PipelineError naming the problem.

    Red when the trainer silently fits a degenerate model (constant or NaN outputs) instead.
    """
    negatives = [text for text, label in zip(train_split.texts, train_split.labels, strict=True)
                 if label == 0]
    with pytest.raises(PipelineError, match="both labels"):
        train_model(Reviews(negatives, [0] * len(negatives)), config.model_spec)


@pytest.mark.rubric("monitoring", 5)
def test_stop_word_only_training_data_fails_clearly(config) -> None:
    """Reviews made only of stop words leave an empty vocabulary: a PipelineError, no model.

    Red when the trainer catches the failure and returns a model anyway.
    """
    words = sorted(STOP_WORDS)
    texts = [" ".join(words[i:i + 5]) for i in range(0, 60, 3)]
    labels = [i % 2 for i in range(len(texts))]
    with pytest.raises(PipelineError, match="train: cannot fit"):
        train_model(Reviews(texts, labels), config.model_spec)


def test_stability_check_flags_a_nan_model(trained_model) -> None:
    """The check itself: a model whose probabilities are NaN is an alert naming the inputs."""

    class NanModel:
        def __getitem__(self, index):
            return trained_model[index]

        def predict_proba(self, texts):
            return np.full((len(texts), 2), np.nan)

        def decision_function(self, texts):
            return trained_model.decision_function(texts)

    result = stability.check_stability(NanModel())
    assert result["alert"] and set(result["unstable"]) == set(stability.HOSTILE_INPUTS)
