"""Counterfactual variants of real reviews for the inclusion tests (Model 7).

A review's sentiment does not depend on which cuisine or nationality it mentions, who wrote it,
the gender of the staff, or whether "café" carries its accent. Two ways to make variants:
substitution (a term the review already contains is swapped for each other term of its group,
case kept) and a neutral frame (a sentence naming the term is added, identical across the set
except for the term), which gives every group enough sets to judge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

ORIGINS = ("Italian", "Mexican", "Chinese", "Indian", "Thai", "Japanese", "Greek", "Vietnamese",
           "Ethiopian", "Lebanese", "French", "Korean", "American", "Nigerian", "Polish",
           "Jamaican", "Turkish", "Moroccan")
NAMES = ("John", "Maria", "Jamal", "Wei", "Priya", "Mohammed", "Aiko", "Olga", "Carlos",
         "Fatima", "Dmitri", "Aaliyah", "José", "Nguyen")
# Swapped both ways; "her" is left alone (his or him?).
GENDERED = (("waiter", "waitress"), ("waiters", "waitresses"), ("he", "she"), ("his", "her"),
            ("man", "woman"), ("men", "women"), ("guy", "lady"), ("guys", "ladies"),
            ("husband", "wife"), ("boyfriend", "girlfriend"), ("boy", "girl"),
            ("gentleman", "lady"), ("sir", "madam"), ("mr", "ms"))
ACCENTED = (("cafe", "café"), ("jalapeno", "jalapeño"), ("puree", "purée"),
            ("entree", "entrée"), ("creme brulee", "crème brûlée"), ("saute", "sauté"),
            ("souffle", "soufflé"), ("pate", "pâté"), ("naive", "naïve"))

# Origins that no list of the preprocessing covers (a Model 7 test checks that they stay off it):
# the model itself, not a neutralising step, must be invariant to these.
UNLISTED_ORIGINS = ("Cajun", "Creole", "Hawaiian", "Southern", "Arab", "Jewish", "Latino",
                    "Hispanic", "Basque", "Sicilian", "Punjabi", "Cantonese")

FRAMES = {
    "origin": ("We went to the {} place on Main Street.", ORIGINS),
    "name": ("Review by {}.", NAMES),
    "gender": ("The {} who served us brought the menus.", ("waiter", "waitress")),
    # One spelling pair: a set of different dishes would not be a counterfactual.
    "accent": ("We also ordered the {} poppers.", ("jalapeno", "jalapeño")),
    # A listed origin among unlisted ones: naming one on the list must not sway the label either.
    "origin_unlisted": ("We went to the {} place on Main Street.", ("Italian", *UNLISTED_ORIGINS)),
}
# Groups that exist to judge the model: they never count as invariant by construction.
UNLISTED = {"origin_unlisted": UNLISTED_ORIGINS}
# Every term of each group, whether it is swapped in place or named by the frame.
TERMS = {"origin": ORIGINS, "name": NAMES,
         "gender": tuple(dict.fromkeys(word for pair in GENDERED for word in pair)),
         "accent": tuple(dict.fromkeys(word for pair in ACCENTED for word in pair)),
         "origin_unlisted": FRAMES["origin_unlisted"][1]}


def _cased(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _swap(text: str, mapping: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(mapping, key=len,
                                                                 reverse=True))) + r")\b",
                         re.IGNORECASE)
    return pattern.sub(lambda match: _cased(match.group(0), mapping[match.group(0).lower()]),
                       text)


def substitutions(text: str, group: str) -> list[str]:
    """The review and its variants with each other term of `group` in place of the one it
    mentions; a single-element list when it mentions none."""
    variants = [text]
    if group in {"origin", "name"}:
        terms = ORIGINS if group == "origin" else NAMES
        for term in terms:
            if re.search(rf"\b{re.escape(term)}\b", text):
                variants += [re.sub(rf"\b{re.escape(term)}\b", other, text)
                             for other in terms if other != term]
                break
    elif group in {"gender", "accent"}:
        pairs = GENDERED if group == "gender" else ACCENTED
        mapping = dict(pairs) | {b: a for a, b in pairs if b != "her"}
        mapping.pop("her", None)
        swapped = _swap(text, mapping)
        if swapped != text:
            variants.append(swapped)
    return variants


def framed(text: str, group: str) -> list[str]:
    """The review after a neutral sentence that names each term of `group` in turn."""
    frame, terms = FRAMES[group]
    return [f"{frame.format(term)} {text}" for term in terms]


def counterfactual_sets(texts: Sequence[str], group: str) -> Iterator[list[str]]:
    """Every set of texts that should share one prediction."""
    for text in texts:
        swapped = substitutions(text, group)
        if len(swapped) > 1:
            yield swapped
        yield framed(text, group)
