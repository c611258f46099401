"""Repeated stratified cross-validation of configurations: how candidates are compared.

One 180-review test split is noisy (about +-0.03), so model choices, ablations and tuning are
judged on repeated CV. Every candidate sees the same folds (seeded from params), which makes
the comparisons paired.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.model import build_model
from pipeline.params import get


def with_overrides(params: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of params with dotted keys replaced, e.g. {"features.stem": False}."""
    result = copy.deepcopy(params)
    for dotted, value in overrides.items():
        node = result
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return result


def cv_scores(params: dict[str, Any], texts: Sequence[str], labels: Sequence[int],
              scoring: str = "accuracy") -> np.ndarray:
    """Per-fold scores of the model that params describe, over `cv.n_repeats` x `cv.n_splits`."""
    # pylint: disable-next=import-outside-toplevel
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

    folds = RepeatedStratifiedKFold(n_splits=int(get(params, "cv.n_splits")),
                                    n_repeats=int(get(params, "cv.n_repeats")),
                                    random_state=int(get(params, "seed")))
    return cross_val_score(build_model(params), list(texts), list(labels), cv=folds,
                           scoring=scoring)


def summarise(scores: np.ndarray) -> dict[str, float]:
    """Mean and spread (standard deviation over folds) for reports."""
    return {"mean": round(float(np.mean(scores)), 4), "std": round(float(np.std(scores)), 4),
            "folds": int(len(scores))}
