"""The inclusion mappings of the preprocessing (the other steps are tested by the Data suite)."""

from __future__ import annotations

from pipeline import features


def test_every_origin_becomes_one_word_and_other_words_stay():
    tokens = [*features.ORIGIN_NEUTRAL, "food", "server"]
    assert features.neutralise_origin(tokens) == ["origin"] * len(features.ORIGIN_NEUTRAL) + \
        ["food", "server"]


def test_origin_mapping_is_a_switchable_step_of_the_preprocessor():
    thai, greek = "The Thai curry was bland.", "The Greek curry was bland."
    mapped = features.ReviewPreprocessor(stem=False)
    assert mapped.transform_one(thai) == mapped.transform_one(greek) == "origin curry bland"
    unmapped = features.ReviewPreprocessor(neutral_origin=False, stem=False)
    assert unmapped.transform_one(thai) != unmapped.transform_one(greek)
    assert "neutralise_origin" not in dict(unmapped.steps(thai))
