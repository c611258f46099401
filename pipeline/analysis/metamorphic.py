"""Metamorphic relations over review text, their mutants, and automatic inconsistency repair.

Three relations, each with a mutator:
- synonym (invariance): one word replaced by a curated synonym (`lexicon`) keeps the label;
- neutral (invariance): a sentence about nothing that matters added before or after keeps it;
- negation (directional): negating a polar adjective after a copula ("was good" -> "was not
  good"), or removing such a negation, moves the positive probability against (or back
  towards) the adjective's polarity.

Repair follows the black-box scheme of mutation-based repair: an input's repaired prediction is
the confidence-weighted vote (the mean positive probability) of the input and its own
label-preserving mutants. Every input, a source or a mutant, is repaired the same way from its
own text alone: no labels, no other inputs, nothing written anywhere.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.analysis import lexicon

SYNONYM, NEUTRAL, NEGATION = "synonym", "neutral", "negation"
INVARIANT = (SYNONYM, NEUTRAL)
RELATIONS = (SYNONYM, NEGATION, NEUTRAL)
COPULA = r"is|was|are|were"
INTENSIFIER = r"(?:(?:very|so|really|too|quite|extremely|super|just|that)\s+)?"
NEGATABLE = re.compile(rf"\b({COPULA})(\s+){INTENSIFIER}([A-Za-z]+)\b", re.IGNORECASE)
NEGATED = re.compile(rf"\b(?:({COPULA})\s+not|(is|was|are|were)n't)(\s+){INTENSIFIER}([A-Za-z]+)\b",
                     re.IGNORECASE)

Predictor = Callable[[list[str]], Sequence[float]]


@dataclass(frozen=True)
class Mutant:
    """A changed copy of a source review and what the relation expects of it.

    `direction` is 0 for invariance, -1 when the positive probability must fall, +1 when it
    must rise.
    """

    source: int
    relation: str
    text: str
    detail: str
    direction: int = 0


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def synonym_variants(text: str, sources: Sequence | None = None) -> list[tuple[str, str]]:
    """Every one-word synonym substitution of `text`: (mutated text, "old->new")."""
    variants = []
    for match in lexicon.WORD.finditer(text):
        word = match.group(0)
        for synonym in lexicon.synonyms(word, sources):
            mutated = text[:match.start()] + _match_case(word, synonym) + text[match.end():]
            variants.append((mutated, f"{word}->{synonym}"))
    return variants


def neutral_variants(text: str) -> list[tuple[str, str]]:
    """The review with each neutral sentence added before or after it."""
    variants = []
    stripped = text.strip()
    for sentence in lexicon.NEUTRAL_SENTENCES:
        ending = "" if stripped[-1:] in ".!?" else "."
        variants.append((f"{stripped}{ending} {sentence}", f"+after: {sentence}"))
        variants.append((f"{sentence} {stripped}", f"+before: {sentence}"))
    return variants


def negation_variants(text: str) -> list[tuple[str, str, int]]:
    """Negations inserted before, or removed from, polar adjectives: (text, detail, direction)."""
    variants = []
    for match in NEGATABLE.finditer(text):
        word_polarity = lexicon.polarity(match.group(3))
        if word_polarity not in (lexicon.POSITIVE, lexicon.NEGATIVE) or \
                lexicon.part_of_speech(match.group(3)) != "adjective":
            continue
        cut = match.end(1)
        mutated = text[:cut] + " not" + text[cut:]
        variants.append((mutated, f"+not {match.group(3)}",
                         -1 if word_polarity == lexicon.POSITIVE else 1))
    for match in NEGATED.finditer(text):
        word = match.group(4)
        word_polarity = lexicon.polarity(word)
        if word_polarity not in (lexicon.POSITIVE, lexicon.NEGATIVE) or \
                lexicon.part_of_speech(word) != "adjective":
            continue
        copula = match.group(1) or match.group(2)
        mutated = text[:match.start()] + copula + match.group(3) + text[match.end(3):]
        variants.append((mutated, f"-not {word}",
                         1 if word_polarity == lexicon.POSITIVE else -1))
    return variants


def _rng(seed: int, text: str, salt: str) -> random.Random:
    """A generator seeded by params and the text itself, so order of inputs does not matter."""
    digest = hashlib.sha256(f"{seed}\0{salt}\0{text}".encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


def _pick(candidates: list, count: int, rng: random.Random, source: str) -> list:
    """Up to `count` candidates whose text differs from the source, without duplicate texts."""
    unique: dict[str, Any] = {}
    for candidate in candidates:
        if candidate[0] != source and candidate[0] not in unique:
            unique[candidate[0]] = candidate
    chosen = list(unique.values())
    rng.shuffle(chosen)
    return chosen[:count]


def mutate(text: str, index: int, per_relation: int, seed: int,
           sources: Sequence | None = None) -> list[Mutant]:
    """Up to `per_relation` changed mutants of one review for each relation."""
    mutants = []
    for mutated, detail in _pick(synonym_variants(text, sources), per_relation,
                                 _rng(seed, text, SYNONYM), text):
        mutants.append(Mutant(index, SYNONYM, mutated, detail))
    for mutated, detail in _pick(neutral_variants(text), per_relation,
                                 _rng(seed, text, NEUTRAL), text):
        mutants.append(Mutant(index, NEUTRAL, mutated, detail))
    for mutated, detail, direction in _pick(negation_variants(text), per_relation,
                                            _rng(seed, text, NEGATION), text):
        mutants.append(Mutant(index, NEGATION, mutated, detail, direction))
    return mutants


def generate(texts: Sequence[str], per_relation: int, seed: int,
             sources: Sequence | None = None) -> list[Mutant]:
    """Mutants of every review (only those that differ from their source)."""
    return [mutant for index, text in enumerate(texts)
            for mutant in mutate(text, index, per_relation, seed, sources)]


def repair(predict: Predictor, texts: Sequence[str], votes: int, seed: int,
           sources: Sequence | None = None) -> list[float]:
    """Repaired positive probabilities: the mean over each input and its invariant mutants.

    Mean probability is a confidence-weighted majority: a confident voter outweighs a hesitant
    one, and a review whose mutants all agree keeps its prediction. Each input is repaired from
    its own text only.
    """
    groups: list[list[str]] = []
    for text in texts:
        variants = [m.text for m in mutate(text, 0, votes, seed, sources)
                    if m.relation in INVARIANT]
        groups.append([text] + variants)
    flat = [member for group in groups for member in group]
    probabilities = list(predict(flat))
    repaired, start = [], 0
    for group in groups:
        repaired.append(sum(probabilities[start:start + len(group)]) / len(group))
        start += len(group)
    return repaired


def holds(mutant: Mutant, source_probability: float, mutant_probability: float) -> bool:
    """Whether the relation holds for one mutant given the two positive probabilities."""
    if mutant.direction == 0:
        return (source_probability >= 0.5) == (mutant_probability >= 0.5)
    return (mutant_probability - source_probability) * mutant.direction > 0


def consistency(mutants: Sequence[Mutant], source_probability: Sequence[float],
                mutant_probability: Sequence[float]) -> dict[str, Any]:
    """Share of mutants whose relation holds, overall and per relation."""
    results = [holds(m, source_probability[m.source], p)
               for m, p in zip(mutants, mutant_probability, strict=True)]
    per_relation = {}
    for relation in RELATIONS:
        chosen = [ok for m, ok in zip(mutants, results, strict=True) if m.relation == relation]
        per_relation[relation] = {"mutants": len(chosen),
                                  "consistency": sum(chosen) / len(chosen) if chosen else None}
    return {"overall": sum(results) / len(results) if results else None,
            "per_relation": per_relation, "holds": results}


def worst_examples(mutants: Sequence[Mutant], texts: Sequence[str],
                   source_probability: Sequence[float], mutant_probability: Sequence[float],
                   relation: str, count: int = 5) -> list[dict[str, Any]]:
    """The violations of a relation that moved the probability furthest the wrong way."""
    rows = []
    for mutant, probability in zip(mutants, mutant_probability, strict=True):
        before = source_probability[mutant.source]
        if mutant.relation != relation or holds(mutant, before, probability):
            continue
        shift = probability - before
        badness = abs(shift) if mutant.direction == 0 else -shift * mutant.direction
        rows.append((badness, {"source": texts[mutant.source], "mutant": mutant.text,
                               "change": mutant.detail, "expected": mutant.direction,
                               "p_positive_source": round(before, 4),
                               "p_positive_mutant": round(probability, 4)}))
    rows.sort(key=lambda row: -row[0])
    return [row for _, row in rows[:count]]
