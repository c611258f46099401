"""Fixtures of the Data suite: the feature-group ablation, computed once per session."""

from __future__ import annotations

from typing import Any

import pytest

from ml_tests.data.feature_groups import CONTROLS, feature_groups, paired_gain
from ml_tests.support.once import computed_once
from pipeline.analysis import crossval
from pipeline.config import Config


@pytest.fixture(scope="session")
def ablation(config: Config, train_split, request) -> dict[str, Any]:
    """Repeated-CV accuracy of the configured model and of each group toggled, on paired folds.

    `gain` is always "with the group minus without it": for an enabled group the configured
    model is the "with" side, for a disabled one the toggled model is.
    """
    return computed_once(request, "ablation", lambda: _ablation(config, train_split))


def _ablation(config: Config, train_split) -> dict[str, Any]:
    texts, labels = train_split.texts, train_split.labels
    baseline = crossval.cv_scores(config.model_spec, config.cv, texts, labels)
    threshold = float(config.feature_costs.min_gain_se)
    groups: dict[str, Any] = {}
    for group in feature_groups(config.features):
        toggled = crossval.cv_scores(config.with_overrides(group.toggle).model_spec, config.cv,
                                     texts, labels)
        with_group, without_group = (baseline, toggled) if group.enabled else (toggled, baseline)
        figures = paired_gain(with_group, without_group, config.cv.n_splits)
        noise = threshold * figures["se"]
        groups[group.name] = {
            "enabled": group.enabled,
            "toggle": group.toggle,
            "toggled": crossval.summarise(toggled),
            "gain": round(figures["gain"], 4),
            "se": round(figures["se"], 4),
            "naive_se": round(figures["naive_se"], 4),
            "noise": round(noise, 4),
            "beneficial": figures["gain"] > noise,
            "harmful": figures["gain"] < -noise,
            "control": CONTROLS.get(group.name),
        }
    return {"baseline": crossval.summarise(baseline), "min_gain_se": threshold,
            "folds": len(baseline), "groups": groups}
