"""Unit tests of the mutators, the lexicon and the repair vote (pipeline.analysis)."""

from __future__ import annotations

import pytest

from pipeline.analysis import lexicon, metamorphic

pytestmark = pytest.mark.mutamorphic


def test_lexicon_groups_share_part_of_speech_and_polarity():
    """Red when: a synonym crosses word class or sentiment ("good" -> "bad")."""
    table = lexicon.entries()
    for word, (pos, polarity, synonyms) in table.items():
        assert synonyms, word
        for synonym in synonyms:
            assert table[synonym][:2] == (pos, polarity), (word, synonym)


def test_synonym_mutant_keeps_case_and_changes_one_word():
    """Red when: substitution loses capitalisation or rewrites more than the chosen word."""
    variants = dict(metamorphic.synonym_variants("Great food."))
    assert "Excellent food." in variants
    assert all(text.endswith(".") and len(text.split()) == 2 for text in variants)


def test_negation_inserted_and_removed_with_expected_direction():
    """Red when: negating a positive adjective is expected to raise the positive probability."""
    assert metamorphic.negation_variants("The food was very tasty.") == [
        ("The food was not very tasty.", "+not tasty", -1)]
    assert ("The food was not great.", "+not great", -1) in \
        metamorphic.negation_variants("The food was great.")
    assert ("The service was rude.", "-not rude", -1) in \
        metamorphic.negation_variants("The service wasn't rude.")
    assert metamorphic.negation_variants("The table was round.") == []


def test_neutral_mutants_add_a_sentence_only():
    """Red when: a neutral addition drops or edits the review's own words."""
    for text, _ in metamorphic.neutral_variants("Loved it"):
        assert "Loved it" in text and len(text) > len("Loved it")


def test_wordnet_is_skipped_cleanly_when_its_corpus_is_missing(monkeypatch):
    """Red when: a missing WordNet corpus raises instead of leaving the curated lexicon."""
    def missing():
        raise LookupError("Resource wordnet not found")

    import nltk.data  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(nltk.data, "find", lambda *args, **kwargs: missing())
    assert lexicon.wordnet_provider() is None
    assert [p.name for p in lexicon.providers()] == ["curated"]


def test_wordnet_provider_keeps_part_of_speech_and_polarity():
    """Red when: WordNet lemmas that contradict the curated polarity get through."""
    class FakeSynset:
        def __init__(self, names):
            self.names = names

        def lemma_names(self):
            return self.names

    class FakeWordNet:
        def synsets(self, word, pos):
            assert (word, pos) == ("great", "a")
            return [FakeSynset(["great", "terrible", "swell", "full_of_it"])]

    assert lexicon.WordNetLexicon(FakeWordNet()).synonyms("great") == ("swell",)


def test_repair_is_the_mean_over_each_input_and_its_own_mutants():
    """Red when: repair votes with other inputs' mutants or ignores its own."""
    seen = []

    def predict(texts):
        seen.append(list(texts))
        return [0.9 if "great" in t.lower() else 0.2 for t in texts]

    repaired = metamorphic.repair(predict, ["Great food.", "Bad food."], 2, 0)
    assert repaired[1] == pytest.approx(0.2)
    assert 0.2 < repaired[0] <= 0.9
    assert seen[0][0] == "Great food." and len(seen) == 1
