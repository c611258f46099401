"""Data 7: all input feature code is tested.

Unit examples and Hypothesis properties of every preprocessing function in pipeline.features
and of ReviewPreprocessor and TextStats. Functions are looked up on the module at call time, so
a faulty replacement is what gets tested.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import features

pytestmark = pytest.mark.rubric("data", 7)
FAST = settings(max_examples=60, deadline=None)
WORDS = st.sampled_from(["good", "food", "service", "great", "bad", "the", "was", "not", "never",
                         "wasn't", "don't", "café", "!", ".", ",", "really", "no"])
SENTENCES = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)


@FAST
@given(st.text())
def test_no_step_crashes_on_any_unicode(text):
    """Red when a step assumes ASCII or non-empty input (an IndexError, a decode error)."""
    preprocessor = features.ReviewPreprocessor()
    result = preprocessor.transform_one(text)
    assert isinstance(result, str)
    assert features.tokenize(features.expand_contractions(features.mask_pii(text))) is not None


@FAST
@given(st.text())
def test_normalise_is_idempotent_and_squashes_space(text):
    """Red when normalising twice changes the text again (e.g. folding after lowercasing)."""
    once = features.normalise(text)
    assert features.normalise(once) == once
    assert once == once.strip() and "  " not in once


def test_normalise_examples():
    """Case, accents, curly apostrophes and space runs."""
    assert features.normalise("  Café   GREAT\u2019s ") == "cafe great's"
    assert features.normalise("Café", lowercase=False, fold_accents=False) == "Café"


@FAST
@given(st.text())
def test_mask_pii_is_idempotent(text):
    """Red when a placeholder can itself be matched again (masking would not be stable)."""
    once = features.mask_pii(text)
    assert features.mask_pii(once) == once


def test_mask_pii_examples():
    """Each kind of personal data becomes its placeholder and nothing of it survives."""
    masked = features.mask_pii("mail ann.lee@mail.example.org or call +31 6 1234 5678, see "
                               "https://www.lee-diner.example/menu?id=7")
    assert masked.split() == ["mail", "emailaddress", "or", "call", "phonenumber", ",", "see",
                              "urladdress"]


def test_listed_first_names_are_masked_in_any_case():
    """Red when the name rule is lost or case-sensitive: a server's name would then reach the
    vocabulary and the artifact (Data 5)."""
    names = sorted(features.PERSON_NAMES)[:3]
    text = f"{names[0].title()} and {names[1].upper()} served us, {names[2]} too; the food was good"
    masked = features.mask_pii(text)
    assert masked.split() == [features.NAME_PLACEHOLDER, "and", features.NAME_PLACEHOLDER,
                              "served", "us,", features.NAME_PLACEHOLDER, "too;", "the", "food",
                              "was", "good"]
    assert features.mask_names("the food was good") == "the food was good"


def test_expand_contractions_examples():
    """Red when a contraction loses its negation ("wasn't" must yield "not")."""
    cases = {"wasn't": "was not", "won't": "will not", "can't": "can not", "ain't": "is not",
             "i'm": "i m", "they're": "they re", "don't": "do not"}
    for text, expected in cases.items():
        assert features.expand_contractions(text) == expected


def test_tokenize_keeps_words_and_scope_punctuation():
    """Letters and digits of any script; the punctuation that ends a negation scope."""
    assert features.tokenize("not good, 5 stars! naïve—ok") == [
        "not", "good", ",", "5", "stars", "!", "naïve", "ok"]


@FAST
@given(st.lists(WORDS))
def test_stop_words_never_drop_a_negation(tokens):
    """Red when the stop list contains a negation (as sklearn's ENGLISH_STOP_WORDS does)."""
    kept = features.drop_stop_words(tokens)
    assert [t for t in tokens if t in features.NEGATIONS] == [t for t in kept
                                                              if t in features.NEGATIONS]
    assert not set(kept) & features.STOP_WORDS


def test_mark_negation_scope_ends_at_punctuation():
    """Red when the scope runs past punctuation or starts without a negation."""
    assert features.mark_negation(["not", "good", "food", ",", "great", "service"]) == [
        "not", "neg_good", "neg_food", ",", "great", "service"]
    assert features.mark_negation(["good", "food"]) == ["good", "food"]


@FAST
@given(st.lists(WORDS))
def test_mark_negation_properties(tokens):
    """Same length; only words after a negation and before punctuation are marked."""
    marked = features.mark_negation(tokens)
    assert len(marked) == len(tokens)
    negated = False
    for token, out in zip(tokens, marked, strict=True):
        if token in features.SCOPE_END or token in features.NEGATIONS:
            negated = token in features.NEGATIONS
            assert out == token
        else:
            assert out == (features.NEGATED_PREFIX + token if negated else token)


def test_stem_keeps_the_negation_prefix():
    """Red when stemming strips or mangles "neg_"."""
    assert features.stem(["neg_tasted", "tasted"]) == ["neg_tast", "tast"]


def test_finish_keeps_exclamations_only():
    """Scope punctuation is dropped, "!" becomes a word."""
    assert features.finish(["good", "!", ".", ",", "food"]) == ["good", "exclam", "food"]


@FAST
@given(SENTENCES)
def test_negations_survive_the_whole_chain(sentence):
    """Red when any step (stop words, contractions, tokenising) loses a negation."""
    expected = sum(w in features.NEGATIONS or w.endswith("n't") for w in sentence.split())
    out = features.ReviewPreprocessor(stem=False).transform_one(sentence).split()
    assert sum(token in features.NEGATIONS for token in out) == expected


@FAST
@given(st.lists(st.text(max_size=40), max_size=8))
def test_preprocessor_is_deterministic_and_stateless(texts):
    """Red when transform depends on what was fitted or on earlier calls."""
    first = features.ReviewPreprocessor()
    other = features.ReviewPreprocessor().fit(["unrelated text"] * 3, [0, 1, 0])
    assert list(first.transform(texts)) == list(other.transform(texts))
    assert list(first.transform(texts)) == list(first.fit(texts).transform(texts))
    assert vars(first) == vars(features.ReviewPreprocessor())
    assert [first.transform_one(t) for t in texts] == list(first.transform(texts))


def test_steps_trace_each_enabled_step():
    """`steps` reports every enabled step and ends with what transform_one returns."""
    preprocessor = features.ReviewPreprocessor(stem=False)
    trace = preprocessor.steps("The food wasn't GOOD!")
    assert [name for name, _ in trace] == ["normalise", "mask_pii", "expand_contractions",
                                           "tokenize", "neutralise_gender", "neutralise_origin",
                                           "drop_stop_words", "mark_negation", "finish"]
    assert trace[-1][1] == preprocessor.transform_one("The food wasn't GOOD!") == \
        "food not neg_good exclam"


@FAST
@given(st.lists(SENTENCES, max_size=6),
       st.lists(st.sampled_from(features.TextStats.AVAILABLE), unique=True))
def test_text_stats_shapes(texts, stats):
    """One row per text, one finite non-negative column per statistic."""
    values = features.TextStats(stats=tuple(stats)).fit(texts).transform(texts)
    assert values.shape == (len(texts), len(stats))
    assert np.isfinite(values).all() and (values >= 0).all()


def test_text_stats_values_and_unknown_names():
    """The statistics count what they say; an unknown name is refused at fit."""
    row = features.TextStats(("length", "exclamations", "negations")).transform(
        ["not good exclam exclam"])[0]
    assert np.allclose(np.expm1(row), [4, 2, 1])
    with pytest.raises(ValueError, match="unknown features.extra"):
        features.TextStats(("colour",)).fit(["x"])


def test_gendered_words_become_one_feature():
    """Red when the gender-neutral mapping is dropped or incomplete: the waiter and waitress
    versions of a review would then reach the model as different features (Model 7)."""
    preprocessor = features.ReviewPreprocessor()
    for word in features.GENDER_NEUTRAL:
        assert features.neutralise_gender([word]) == [features.GENDER_NEUTRAL[word]]
    assert features.neutralise_gender(features.neutralise_gender(["waitress", "food"])) == \
        ["server", "food"]
    pairs = [("Our waiter was rude.", "Our waitress was rude."),
             ("The men at the bar were loud.", "The women at the bar were loud."),
             ("My husband loved it!", "My wife loved it!")]
    for one, other in pairs:
        assert preprocessor.transform_one(one) == preprocessor.transform_one(other)


def test_listed_origins_do_not_reach_the_model():
    """Red when the listed origin words are no longer removed, or only some: reviews that name
    different cuisines would then reach the model as different features (Model 7)."""
    preprocessor = features.ReviewPreprocessor()
    assert features.neutralise_origin(["thai", "food"]) == \
        features.neutralise_origin(["greek", "food"]) != ["thai", "food"]
    variants = [preprocessor.transform_one(f"The {origin} place had great food.")
                for origin in ("Thai", "Greek", "Mexican", "Ethiopian")]
    assert len(set(variants)) == 1
