"""The feature groups of the pipeline and how their value is judged (Data 2 and Data 3).

A group is one switch of `features` in params.yaml: a preprocessing step, sublinear tf, bigrams
or one optional text statistic. Groups are derived from params.yaml and the pipeline's own lists, so
a step added to `PREPROCESSING_KEYS` or `TextStats.AVAILABLE` is ablated without editing this
file.

Noise: the 5x5 repeated-CV folds overlap (every review is in 4 of 5 training folds of a repeat),
so the plain standard error of the paired differences understates their spread. The
Nadeau-Bengio correction, (1/J + n_test/n_train) * s^2, is the honest one for repeated CV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.config import FeaturesConfig
from pipeline.features import TextStats
from pipeline.model import PREPROCESSING_KEYS

# Controls that exist for another reason than accuracy; they are exempt from "beneficial" but
# must not cost accuracy beyond noise either, and have their own time budget (Data 3).
CONTROLS = {
    "mask_pii": "privacy control (Data 5): URLs, e-mails, phone and id numbers are masked before "
                "features whatever it does to accuracy",
    "fold_accents": "inclusion control (Model 7): 'café' and 'cafe', 'jalapeño' and 'jalapeno' "
                    "must be the same feature whatever it does to accuracy",
    "neutral_gender": "inclusion control (Model 7): 'waiter' and 'waitress' must be the same "
                      "feature whatever it does to accuracy",
    "neutral_origin": "inclusion control (Model 7): 'Thai' and 'Greek' must be the same feature "
                      "whatever it does to accuracy",
}


@dataclass(frozen=True)
class Group:
    """One feature group: its name, whether params.yaml enables it, the overrides toggling it."""

    name: str
    enabled: bool
    toggle: dict[str, Any]


def feature_groups(features: FeaturesConfig) -> list[Group]:
    """Every switchable feature group with the override that flips it from its configured state."""
    groups = [Group(key, bool(getattr(features, key)),
                    {f"features.{key}": not bool(getattr(features, key))})
              for key in (*PREPROCESSING_KEYS, "sublinear_tf")]
    ngram_max = int(features.ngram_max)
    groups.append(Group("bigrams", ngram_max >= 2,
                        {"features.ngram_max": 1 if ngram_max >= 2 else 2}))
    extra = list(features.extra)
    for name in TextStats.AVAILABLE:
        toggled = [item for item in extra if item != name] if name in extra else extra + [name]
        groups.append(Group(f"extra:{name}", name in extra, {"features.extra": toggled}))
    return groups


def paired_gain(with_group: np.ndarray, without_group: np.ndarray,
                n_splits: int) -> dict[str, float]:
    """Mean paired accuracy gain of having the group, and its corrected standard error
    (`n_splits`: cv.n_splits)."""
    differences = np.asarray(with_group) - np.asarray(without_group)
    variance = float(np.var(differences, ddof=1)) if len(differences) > 1 else 0.0
    standard_error = math.sqrt((1 / len(differences) + 1 / (n_splits - 1)) * variance)
    return {"gain": float(np.mean(differences)), "se": standard_error,
            "naive_se": math.sqrt(variance / len(differences))}
