"""Repeated stratified cross-validation of configurations: how candidates are compared.

One 180-review test split is noisy (about +-0.03), so model choices, ablations and tuning are
judged on repeated CV. Every candidate sees the same folds (seeded by the spec's seed), which
makes the comparisons paired. Candidates are `Config.with_overrides` variants of params.yaml.

The preprocessing step learns nothing (`ReviewPreprocessor` is stateless), so each candidate's
texts are preprocessed once and only the steps after it are fitted per fold: the folds and
scores are those of the whole Pipeline, at a fraction of the cost (preprocessing is most of a
fit, and there are `n_repeats` x `n_splits` fits per candidate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.config import CVConfig, ModelSpec
from pipeline.model import build_model


def _folds(spec: ModelSpec, cv: CVConfig) -> Any:
    # pylint: disable-next=import-outside-toplevel
    from sklearn.model_selection import RepeatedStratifiedKFold

    return RepeatedStratifiedKFold(n_splits=cv.n_splits, n_repeats=cv.n_repeats,
                                   random_state=spec.seed)


def _fold_inputs(spec: ModelSpec, texts: Sequence[str]) -> tuple[Any, np.ndarray]:
    """The model after its stateless preprocessing step, and the preprocessed texts."""
    model = build_model(spec)
    return model[1:], model.named_steps["preprocess"].transform(list(texts))


def cv_scores(spec: ModelSpec, cv: CVConfig, texts: Sequence[str], labels: Sequence[int],
              scoring: str = "accuracy") -> np.ndarray:
    """Per-fold scores of the model `spec` describes, over `cv.n_repeats` x `cv.n_splits`."""
    from sklearn.model_selection import cross_val_score  # pylint: disable=import-outside-toplevel

    model, features = _fold_inputs(spec, texts)
    return cross_val_score(model, features, list(labels), cv=_folds(spec, cv), scoring=scoring)


def cv_means(spec: ModelSpec, cv: CVConfig, texts: Sequence[str], labels: Sequence[int],
             scorings: Sequence[str]) -> dict[str, float]:
    """Mean score per scikit-learn scoring name, all from the same fits and folds as
    `cv_scores` (one pass for several metrics)."""
    from sklearn.model_selection import cross_validate  # pylint: disable=import-outside-toplevel

    model, features = _fold_inputs(spec, texts)
    scores = cross_validate(model, features, list(labels), cv=_folds(spec, cv),
                            scoring=list(scorings))
    return {name: float(np.mean(scores[f"test_{name}"])) for name in scorings}


def summarise(scores: np.ndarray) -> dict[str, float]:
    """Mean and spread (standard deviation over folds) for reports."""
    return {"mean": round(float(np.mean(scores)), 4), "std": round(float(np.std(scores)), 4),
            "folds": int(len(scores))}
