"""Synonyms for restaurant reviews that keep sentiment, offline; WordNet only when installed.

A general thesaurus breaks the metamorphic relations it is meant to test: WordNet offers "sound"
for "good" and "cheap" for "inexpensive". This curated lexicon is grouped by part of speech, by
inflection (plural nouns and past-tense verbs are their own groups) and, for adjectives, by
polarity, so a substitution keeps the word class, the form and the sentiment. A word belongs to
one group only; words whose part of speech depends on context ("like", "fast", "order") are left
out rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"

# part of speech -> polarity -> groups of interchangeable words
GROUPS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "adjective": {
        POSITIVE: (
            ("great", "excellent", "superb", "outstanding", "fantastic", "wonderful", "terrific"),
            ("amazing", "incredible", "awesome", "phenomenal"),
            ("delicious", "tasty", "flavorful", "scrumptious"),
            ("friendly", "welcoming", "cordial"),
            ("attentive", "helpful", "accommodating"),
            ("clean", "spotless", "tidy"),
            ("cozy", "comfortable", "snug"),
            ("quick", "speedy", "prompt"),
            ("reasonable", "fair", "affordable"),
            ("tender", "succulent", "juicy"),
            ("beautiful", "lovely", "gorgeous"),
            ("happy", "pleased", "glad", "satisfied"),
            ("perfect", "flawless", "impeccable"),
            ("nice", "pleasant", "enjoyable"),
            ("best", "finest"),
        ),
        NEGATIVE: (
            ("bad", "poor", "lousy"),
            ("terrible", "awful", "horrible", "dreadful", "atrocious"),
            ("rude", "impolite", "discourteous"),
            ("bland", "tasteless", "flavorless", "insipid"),
            ("disgusting", "gross", "revolting", "nasty"),
            ("slow", "sluggish"),
            ("dirty", "filthy", "grimy"),
            ("overpriced", "pricey"),
            ("disappointing", "underwhelming", "unsatisfying"),
            ("disappointed", "dissatisfied", "unhappy"),
            ("mediocre", "unremarkable", "forgettable"),
            ("soggy", "mushy"),
            ("greasy", "oily"),
            ("tough", "chewy", "rubbery"),
        ),
    },
    "noun": {
        NEUTRAL: (
            ("food", "fare", "cuisine"),
            ("waiter", "waitress", "server"),
            ("waiters", "waitresses", "servers"),
            ("restaurant", "place", "spot", "establishment"),
            ("staff", "employees", "crew"),
            ("price", "cost"),
            ("dish", "plate"),
            ("dishes", "plates"),
            ("dinner", "supper"),
            ("atmosphere", "ambiance", "ambience"),
            ("portion", "serving"),
            ("portions", "servings"),
            ("burger", "hamburger"),
            ("chef", "cook"),
            ("decor", "interior"),
            ("drink", "beverage"),
            ("drinks", "beverages"),
            ("bathroom", "restroom", "washroom"),
            ("experience", "visit"),
            ("town", "city"),
        ),
    },
    "verb": {
        POSITIVE: (
            ("love", "adore"),
            ("loved", "adored"),
            ("loves", "adores"),
            ("enjoyed", "liked", "relished"),
            ("impressed", "wowed"),
        ),
        NEGATIVE: (
            ("hate", "detest", "loathe"),
            ("hated", "detested", "loathed"),
        ),
        NEUTRAL: (
            ("ordered", "requested"),
            ("arrived", "came"),
        ),
    },
}

# Sentences that say nothing about the food, the service or the place.
NEUTRAL_SENTENCES = (
    "We went on a Tuesday.",
    "We came here for lunch.",
    "There were four of us.",
    "I came with my sister.",
    "We parked across the street.",
    "It was our first visit.",
)

WORD = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def entries() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """word -> (part of speech, polarity, its synonyms); a word in two groups is an error."""
    table: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for pos, by_polarity in GROUPS.items():
        for sentiment, groups in by_polarity.items():
            for group in groups:
                for word in group:
                    if word in table:
                        raise ValueError(f"lexicon: {word!r} is in two groups")
                    table[word] = (pos, sentiment, tuple(w for w in group if w != word))
    return table


def polarity(word: str) -> str | None:
    """positive/negative/neutral for a word of the lexicon, else None."""
    entry = entries().get(word.lower())
    return entry[1] if entry else None


def part_of_speech(word: str) -> str | None:
    """adjective/noun/verb for a word of the lexicon, else None."""
    entry = entries().get(word.lower())
    return entry[0] if entry else None


class CuratedLexicon:
    """The project's offline lexicon."""

    name = "curated"

    def synonyms(self, word: str) -> tuple[str, ...]:
        """Same part of speech, inflection and polarity; empty for unknown words."""
        entry = entries().get(word.lower())
        return entry[2] if entry else ()


class WordNetLexicon:
    """WordNet through nltk, restricted to the curated lexicon's words and parts of speech.

    Only words the curated lexicon knows are looked up, and only lemmas of the same part of
    speech whose polarity the curated lexicon does not contradict, so WordNet widens the choice
    without letting "cheap" stand in for "inexpensive".
    """

    name = "wordnet"
    POS = {"adjective": "a", "noun": "n", "verb": "v"}

    def __init__(self, wordnet) -> None:
        self.wordnet = wordnet

    def synonyms(self, word: str) -> tuple[str, ...]:
        """Single-word lemmas of the word's synsets, filtered as the class says."""
        entry = entries().get(word.lower())
        if entry is None:
            return ()
        pos, word_polarity, _ = entry
        found = []
        for synset in self.wordnet.synsets(word.lower(), pos=self.POS[pos]):
            for lemma in synset.lemma_names():
                other = polarity(lemma)
                if ("_" in lemma or lemma == word.lower() or lemma in found
                        or (other is not None and other != word_polarity)):
                    continue
                found.append(lemma)
        return tuple(found)


def wordnet_provider() -> WordNetLexicon | None:
    """WordNet if nltk and its corpus are installed; None (not an error) otherwise."""
    try:
        from nltk.corpus import wordnet  # pylint: disable=import-outside-toplevel

        wordnet.ensure_loaded()
    except (ImportError, LookupError, OSError):
        return None
    return WordNetLexicon(wordnet)


def providers(use_wordnet: bool = True) -> list:
    """The curated lexicon, then WordNet when available."""
    found: list = [CuratedLexicon()]
    if use_wordnet:
        wordnet = wordnet_provider()
        if wordnet is not None:
            found.append(wordnet)
    return found


def synonyms(word: str, sources: Iterable | None = None) -> tuple[str, ...]:
    """Synonyms from every provider, curated first, without repeats."""
    found: list[str] = []
    for provider in sources if sources is not None else [CuratedLexicon()]:
        found += [s for s in provider.synonyms(word) if s not in found]
    return tuple(found)
