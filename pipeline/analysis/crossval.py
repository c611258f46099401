"""Repeated stratified cross-validation of configurations: how candidates are compared.

One 180-review test split is noisy (about +-0.03), so model choices, ablations and tuning are
judged on repeated CV. Every candidate sees the same folds (seeded by the spec's seed), which
makes the comparisons paired. Candidates are `Config.with_overrides` variants of params.yaml.

Each candidate's texts are preprocessed once (`pipeline.model.after_preprocessing`), and a study
of many candidates shares each fold's features between those with the same features step
(`CrossValidation`): the folds and scores are those of the whole Pipeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from pipeline.config import CVConfig, ModelSpec
from pipeline.model import after_preprocessing


def _folds(spec: ModelSpec, cv: CVConfig) -> Any:
    # pylint: disable-next=import-outside-toplevel
    from sklearn.model_selection import RepeatedStratifiedKFold

    return RepeatedStratifiedKFold(n_splits=cv.n_splits, n_repeats=cv.n_repeats,
                                   random_state=spec.seed)


class CrossValidation:
    """Repeated CV of many candidates over the same reviews, each fold's features fitted once.

    A search or a set of variants mostly changes the classifier (C, class weights, label
    noise aside), and the feature steps (TF-IDF, text statistics) are most of a fold's fit. So
    every fold's feature matrices are kept per distinct features step and input, and each
    candidate fits only its classifier on them: the same fits, folds and scores as the whole
    Pipeline's. One instance serves one study; nothing outlives it, so a study never sees
    features a changed feature code would no longer make.
    """

    def __init__(self) -> None:
        self._folds: dict[tuple[Any, ...], list[_Fold]] = {}

    def _fold_features(self, spec: ModelSpec, cv: CVConfig, texts: Sequence[str],
                       labels: Sequence[int]) -> tuple[Any, list[_Fold]]:
        model, preprocessed = after_preprocessing(spec, texts)
        y = np.asarray(list(labels))
        features = model.named_steps["features"]
        key = (spec.features.model_dump_json(), spec.seed, cv.n_splits, cv.n_repeats, y.tobytes(),
               hashlib.sha256("\0".join(preprocessed).encode("utf-8")).hexdigest())
        if key not in self._folds:
            folds = []
            for train, test in _folds(spec, cv).split(preprocessed, y):
                step = clone(features)
                folds.append(_Fold(step.fit_transform(preprocessed[train], y[train]),
                                   step.transform(preprocessed[test]), y[train], y[test]))
            self._folds[key] = folds
        return model.named_steps["classifier"], self._folds[key]

    def scores(self, spec: ModelSpec, cv: CVConfig, texts: Sequence[str],
               labels: Sequence[int], scorings: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-fold scores under each scikit-learn scoring name, all from the same fits."""
        from sklearn.metrics import get_scorer  # pylint: disable=import-outside-toplevel

        classifier, folds = self._fold_features(spec, cv, texts, labels)
        scorers = {name: get_scorer(name) for name in scorings}
        found: dict[str, list[float]] = {name: [] for name in scorings}
        for fold in folds:
            fitted = clone(classifier).fit(fold.train, fold.train_labels)
            for name, scorer in scorers.items():
                found[name].append(float(scorer(fitted, fold.test, fold.test_labels)))
        return {name: np.asarray(values) for name, values in found.items()}

    def cv_scores(self, spec: ModelSpec, cv: CVConfig, texts: Sequence[str],
                  labels: Sequence[int], scoring: str = "accuracy") -> np.ndarray:
        """Per-fold scores of the model `spec` describes, over `cv.n_repeats` x `cv.n_splits`."""
        return self.scores(spec, cv, texts, labels, (scoring,))[scoring]

    def means(self, spec: ModelSpec, cv: CVConfig, texts: Sequence[str], labels: Sequence[int],
              scorings: Sequence[str]) -> dict[str, float]:
        """Mean score per scikit-learn scoring name (one pass for several metrics)."""
        return {name: float(np.mean(values))
                for name, values in self.scores(spec, cv, texts, labels, scorings).items()}


@dataclass(frozen=True)
class _Fold:
    """One fold's feature matrices (fitted on its training rows) and labels."""

    train: Any
    test: Any
    train_labels: np.ndarray
    test_labels: np.ndarray


def cv_scores(spec: ModelSpec, cv: CVConfig, texts: Sequence[str], labels: Sequence[int],
              scoring: str = "accuracy") -> np.ndarray:
    """Per-fold scores of the model `spec` describes, over `cv.n_repeats` x `cv.n_splits`."""
    return CrossValidation().cv_scores(spec, cv, texts, labels, scoring)


def cv_means(spec: ModelSpec, cv: CVConfig, texts: Sequence[str], labels: Sequence[int],
             scorings: Sequence[str]) -> dict[str, float]:
    """Mean score per scikit-learn scoring name, all from the same fits and folds as
    `cv_scores` (one pass for several metrics)."""
    return CrossValidation().means(spec, cv, texts, labels, scorings)


def summarise(scores: np.ndarray) -> dict[str, float]:
    """Mean and spread (standard deviation over folds) for reports."""
    return {"mean": round(float(np.mean(scores)), 4), "std": round(float(np.std(scores)), 4),
            "folds": int(len(scores))}
