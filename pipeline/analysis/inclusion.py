"""Counterfactual invariance of a trained model (Model 7, inclusion).

A counterfactual set holds texts that differ only in a protected term (a cuisine, a name, a
gendered word, an accent), so they should share one prediction. Two things make such a set no
evidence at all, and the study separates them from the sets that test the model:

- the preprocessing maps the terms to one feature (gender-neutral words, folded accents, a
  masked name) or drops them (pronouns are stop words): invariance holds by construction;
- a term is out of the model's vocabulary: it cannot move the prediction because the model has
  never seen it, which says nothing about what the model would do once it had.

Only sets whose variants reach the classifier as different feature rows are judged; terms are
reported as tested, neutralised, dropped or untested (out of vocabulary).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.model import NGRAMS, feature_steps, predict_labels

TESTED, NEUTRALISED, DROPPED, UNTESTED = "tested", "neutralised", "dropped", "untested"
STATUSES = (TESTED, NEUTRALISED, DROPPED, UNTESTED)


def _row_keys(model: Any, texts: Sequence[str]) -> list[bytes]:
    """One hashable key per text: its feature row exactly as the classifier receives it."""
    rows = model[:-1].transform(list(texts))
    if not hasattr(rows, "tocsr"):
        return [np.ascontiguousarray(row).tobytes() for row in np.asarray(rows)]
    rows = rows.tocsr()
    rows.sort_indices()
    return [rows.indices[rows.indptr[i]:rows.indptr[i + 1]].tobytes()
            + rows.data[rows.indptr[i]:rows.indptr[i + 1]].tobytes() for i in range(rows.shape[0])]


def _set_slices(sizes: Sequence[int]) -> list[slice]:
    bounds = np.cumsum([0, *sizes])
    return [slice(int(low), int(high)) for low, high in zip(bounds[:-1], bounds[1:], strict=True)]


def flip_study(model: Any, sets: Sequence[Sequence[str]], examples: int = 5) -> dict[str, Any]:
    """How often the label changes within counterfactual sets the model can tell apart.

    A variant flips when its label differs from its set's majority label. `flip_rate` is the
    share of flipped variants and `flip_share` the share of judged sets with any flip; sets whose
    variants are identical feature rows count as `invariant_sets`, not as judged ones.
    """
    flat = [text for variants in sets for text in variants]
    labels, probability = predict_labels(model, flat) if flat else ([], [])
    keys = _row_keys(model, flat) if flat else []
    judged = [part for part in _set_slices([len(variants) for variants in sets])
              if len(set(keys[part])) > 1]
    flipped: list[list[str]] = []
    for part in judged:
        majority = Counter(labels[part]).most_common(1)[0][0]
        flipped.append([text for text, label in zip(flat[part], labels[part], strict=True)
                        if label != majority])
    variants = sum(part.stop - part.start for part in judged)
    flips = sum(map(len, flipped))
    with_flip = [texts for texts in flipped if texts]
    return {"sets": len(sets), "judged_sets": len(judged),
            "invariant_sets": len(sets) - len(judged), "variants": variants, "flips": flips,
            "flip_rate": round(flips / variants, 4) if variants else 0.0,
            "sets_with_flip": len(with_flip),
            "flip_share": round(len(with_flip) / len(judged), 4) if judged else 0.0,
            "max_probability_spread": round(max(
                (float(np.ptp(probability[part])) for part in judged), default=0.0), 4),
            "examples": [texts[0] for texts in with_flip[:examples]]}


def term_status(model: Any, frame: str, terms: Sequence[str]) -> dict[str, list[str]]:
    """Each term by what the model makes of it in `frame` (a sentence with one `{}`).

    A term's features are the tokens the preprocessing adds to the frame. No tokens: dropped;
    the same tokens as another term: neutralised; none of them in the vocabulary: untested
    (out of vocabulary, so it cannot move the prediction); otherwise tested.
    """
    preprocess = model.named_steps["preprocess"]
    vocabulary = dict(feature_steps(model))[NGRAMS].vocabulary_
    empty = Counter(preprocess.transform_one(frame.format("")).split())
    added = {term: tuple(sorted((Counter(preprocess.transform_one(frame.format(term)).split())
                                 - empty).elements())) for term in dict.fromkeys(terms)}
    shared = Counter(added.values())
    status: dict[str, list[str]] = {name: [] for name in STATUSES}
    for term, tokens in added.items():
        if not tokens:
            status[DROPPED].append(term)
        elif shared[tokens] > 1:
            status[NEUTRALISED].append(term)
        elif not any(token in vocabulary for token in tokens):
            status[UNTESTED].append(term)
        else:
            status[TESTED].append(term)
    return status
