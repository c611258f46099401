"""The Great Expectations suite over features: what the model is fed, not what the file holds.

pipeline.data.schema checks the raw reviews; a review can pass it and still reach the model as
nothing (a review made only of stop words) or as garbage (a tokeniser that stopped splitting).
This suite runs the project's preprocessing and vectoriser and checks the result: every review
keeps at least one token, token counts and the vocabulary size stay within the bounds of
`feature_schema` in params.yaml, every vocabulary term has the shape the tokeniser promises, and
the labels are the two classes. The vocabulary bounds concern a training set, so they apply to
labelled data only.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import FeatureSchemaConfig, FeaturesConfig
from pipeline.data.reviews import LABEL, Reviews
from pipeline.data.schema import validate_frame

FEATURES = "Features"
TOKENS = "Tokens"
TERM = "Term"
# One token of the feature text: a word of letters/digits of any script, optionally negated.
_TOKEN = r"(?:neg_)?[^\W_]+"


def term_pattern(ngram_max: int) -> str:
    """The regex every vocabulary term matches: 1 to `ngram_max` tokens joined by spaces."""
    return rf"^{_TOKEN}(?: {_TOKEN}){{0,{max(int(ngram_max), 1) - 1}}}$"


def feature_frames(reviews: Reviews, features: FeaturesConfig):
    """(per-review frame, vocabulary frame) computed by the pipeline's own feature code.

    The vocabulary frame is None for an unlabelled batch: vocabulary bounds describe a training
    set. The vectoriser is the model's own (same n-grams and min_df), fitted here on these texts.
    """
    import pandas as pd  # pylint: disable=import-outside-toplevel

    from pipeline.model import build_preprocessor, build_vectorizer  # pylint: disable=C0415

    texts = build_preprocessor(features).transform(reviews.texts)
    columns: dict[str, Any] = {FEATURES: list(texts),
                               TOKENS: [len(text.split()) for text in texts]}
    if reviews.labels is None:
        return pd.DataFrame(columns), None
    columns[LABEL] = reviews.labels
    vectorizer = build_vectorizer(features)
    try:
        vectorizer.fit(texts)
        terms = sorted(vectorizer.vocabulary_)
    except ValueError:  # an empty vocabulary: every review lost all its tokens
        terms = []
    return pd.DataFrame(columns), pd.DataFrame({TERM: terms})


def build_review_expectations(bounds: FeatureSchemaConfig, labelled: bool) -> list:
    """Per-review expectations over the feature text, bounds from `feature_schema`."""
    import great_expectations as gx  # pylint: disable=import-outside-toplevel

    expect = gx.expectations
    columns = [FEATURES, TOKENS, LABEL] if labelled else [FEATURES, TOKENS]
    expectations = [
        expect.ExpectTableColumnsToMatchOrderedList(column_list=columns),
        expect.ExpectColumnValuesToNotBeNull(column=FEATURES),
        expect.ExpectColumnValuesToBeBetween(column=TOKENS, min_value=bounds.min_tokens,
                                             max_value=bounds.max_tokens),
        expect.ExpectColumnMeanToBeBetween(column=TOKENS, min_value=bounds.min_mean_tokens,
                                           max_value=bounds.max_mean_tokens),
    ]
    if labelled:
        expectations += [
            expect.ExpectColumnValuesToNotBeNull(column=LABEL),
            expect.ExpectColumnDistinctValuesToEqualSet(column=LABEL, value_set=[0, 1]),
        ]
    return expectations


def build_vocabulary_expectations(bounds: FeatureSchemaConfig, ngram_max: int) -> list:
    """Expectations over the fitted vocabulary: its size and the shape of every term (terms of
    1 to `ngram_max` tokens, features.ngram_max)."""
    import great_expectations as gx  # pylint: disable=import-outside-toplevel

    expect = gx.expectations
    return [
        expect.ExpectColumnUniqueValueCountToBeBetween(column=TERM,
                                                       min_value=bounds.min_vocabulary,
                                                       max_value=bounds.max_vocabulary),
        expect.ExpectColumnValuesToMatchRegex(
            column=TERM, regex=term_pattern(ngram_max)),
    ]


def validate_features(reviews: Reviews, features: FeaturesConfig,
                      bounds: FeatureSchemaConfig) -> dict[str, Any]:
    """Both feature suites over the reviews; the summary has the shape of validate_frame's."""
    per_review, vocabulary = feature_frames(reviews, features)
    labelled = vocabulary is not None
    summary = validate_frame(per_review, build_review_expectations(bounds, labelled), "features")
    if labelled:
        terms = validate_frame(vocabulary,
                               build_vocabulary_expectations(bounds, features.ngram_max),
                               "vocabulary")
        summary = {"success": summary["success"] and terms["success"],
                   "checks": summary["checks"] + terms["checks"]}
    return summary
