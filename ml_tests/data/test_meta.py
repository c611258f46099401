"""Data 4: features adhere to meta-level requirements.

The model may use the review text and nothing else: no other field of the input, no label, no
identifier. Checked on the pipeline's model: extra fields do not change predictions, no feature
encodes the label, shuffled labels leave only chance, and the fitted vocabulary holds no
identifier-like term, neither on the real data nor when identifiers are injected.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from pipeline.analysis import crossval
from pipeline.data import reviews
from pipeline.model import NGRAMS, feature_steps, predict_labels, train_model

# Long digit runs, e-mail/URL fragments, hex ids (8+ hex characters mixing digits and letters).
IDENTIFIER = re.compile(r"\d{5,}|@|^https?$|^www$|^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$")


@pytest.mark.rubric("data", 4)
def test_extra_fields_do_not_change_predictions(trained_model, test_split):
    """Red when the model reads anything but the review text: a transform that iterates a table
    as it is (by column name) would predict for the column names instead of the reviews, and
    one that joins other fields into the text would change the probabilities.
    """
    import pandas as pd  # pylint: disable=import-outside-toplevel

    expected = trained_model.predict_proba(list(test_split.texts))
    frame = pd.DataFrame({reviews.TEXT: test_split.texts, reviews.LABEL: test_split.labels,
                          "user_id": range(len(test_split.texts))})
    assert np.array_equal(trained_model.predict_proba(frame), expected)
    assert np.array_equal(trained_model.predict_proba(frame[[reviews.TEXT]]), expected)


@pytest.mark.rubric("data", 4)
def test_no_feature_encodes_the_label(trained_model, test_split, config):
    """Red when a term is computed from the label (a leak, e.g. the label column glued onto the
    review text): its presence alone then separates the held-out labels. A term and its negated
    form (`neg_x`) count as one, since a leaked token can fall inside a negation's scope. On the
    data the best single term separates well under `feature_schema.max_term_separation` of the
    held-out reviews; a leak, all of them.
    """
    vectorizer = dict(feature_steps(trained_model))[NGRAMS]
    texts = trained_model.named_steps["preprocess"].transform(list(test_split.texts))
    present = vectorizer.transform(texts).tocsc() > 0
    labels = np.asarray(test_split.labels, dtype=bool)
    columns: dict[str, list[int]] = {}
    for term, column in vectorizer.vocabulary_.items():
        columns.setdefault(term.removeprefix("neg_"), []).append(column)
    separation = {}
    for term, indices in columns.items():
        has_term = np.asarray(present[:, indices].sum(axis=1)).ravel() > 0
        agreement = float(np.mean(has_term == labels))
        separation[term] = max(agreement, 1 - agreement)
    worst = max(separation, key=separation.get)
    limit = config.feature_schema.max_term_separation
    assert separation[worst] < limit, f"term {worst!r} separates the labels ({separation[worst]})"


@pytest.mark.rubric("data", 4)
def test_shuffled_labels_give_chance_accuracy(train_split, config):
    """Red when something other than the review carries the label into the features, e.g. a
    feature computed from the row position or a lookup keyed on the review that returns its true
    label: the model would still score above chance after the labels are shuffled. (Text that
    carries the true label cannot show here; the single-term test above catches that.)
    """
    labels = list(train_split.labels)
    random.Random(int(config.seed)).shuffle(labels)
    scores = crossval.cv_scores(config.model_spec, config.cv, train_split.texts, labels)
    majority = max(np.mean(labels), 1 - np.mean(labels))
    noise = 2 * np.std(scores, ddof=1) / np.sqrt(len(scores)) * np.sqrt(1 + len(scores) / 4)
    assert np.mean(scores) <= majority + noise, (np.mean(scores), majority, noise)


def _identifiers(model) -> list[str]:
    vocabulary = dict(feature_steps(model))[NGRAMS].vocabulary_
    return sorted(term for term in vocabulary
                  if any(IDENTIFIER.search(piece.removeprefix("neg_")) for piece in term.split()))


@pytest.mark.rubric("data", 4)
def test_vocabulary_has_no_identifiers(trained_model):
    """Red when identifiers reach the real model's vocabulary (e.g. masking switched off)."""
    assert not _identifiers(trained_model)


@pytest.mark.rubric("data", 4)
def test_injected_identifiers_stay_out_of_the_vocabulary(train_split, config):
    """Red when order numbers, hex ids or URLs injected into training reviews become terms of
    the model (a PII pattern of mask_pii dropped or too narrow)."""
    rng = random.Random(int(config.seed))
    texts = list(train_split.texts)
    for index in range(0, len(texts), 10):
        ident = rng.choice([f"order {rng.randint(10000, 9999999)}",
                            f"ref {rng.getrandbits(40):010x}a",
                            f"see www.{rng.getrandbits(20):x}.com"])
        texts[index] = f"{texts[index]} {ident}"
    model = train_model(reviews.Reviews(texts, train_split.labels), config.model_spec)
    assert not _identifiers(model)


@pytest.mark.rubric("data", 4)
def test_serving_path_uses_the_same_allowed_input(trained_model, test_split):
    """Red when the serving helper feeds the model anything but the review text (an id or a
    label column): its probabilities then differ from the model's own predict_proba."""
    _, probability = predict_labels(trained_model, test_split.texts)
    assert np.allclose(probability, trained_model.predict_proba(list(test_split.texts))[:, 1])
