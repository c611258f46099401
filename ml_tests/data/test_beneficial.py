"""Data 2: all features are beneficial.

Every feature group switchable in params.yaml is toggled in turn and compared with the
configured model on the same repeated-CV folds (paired). An enabled group must earn its place:
its accuracy gain must exceed `feature_costs.min_gain_se` corrected standard errors of the
paired differences. A gain within noise, or a loss, means the group is not beneficial and the
test fails. Privacy and inclusion controls (mask_pii for Data 5, fold_accents for Model 7) are
exempt from "beneficial", but they must not cost accuracy beyond noise. Disabled groups are
reported with the reason they stay off. Figures: reports/ablation.json.
"""

from __future__ import annotations

import pytest

from pipeline.fileio import write_json_atomic


def _reason(name: str, figures: dict) -> str:
    gain, noise = figures["gain"], figures["noise"]
    if figures["control"]:
        return f"{figures['control']}; accuracy gain {gain:+.4f} (noise {noise:.4f})"
    state = "enabled" if figures["enabled"] else "not enabled"
    if figures["beneficial"]:
        return f"{state}: gains {gain:+.4f} accuracy, beyond noise {noise:.4f}"
    verdict = "loses accuracy beyond noise" if figures["harmful"] else "gains nothing beyond noise"
    because = "because enabling it" if not figures["enabled"] else "but it"
    return f"{state} {because} {verdict}: {gain:+.4f} (noise {noise:.4f}) [{name}]"


@pytest.mark.rubric("data", 2)
def test_every_enabled_feature_group_is_beneficial(ablation, reports_dir):
    """Red when an enabled group adds nothing or hurts (e.g. `features.extra: [length]`, which
    loses 0.006, or a step made a no-op); also red when a privacy or inclusion control costs
    accuracy.
    """
    groups = ablation["groups"]
    for name, figures in groups.items():
        figures["reason"] = _reason(name, figures)
    write_json_atomic(reports_dir / "ablation.json", ablation)
    enabled = {name: g for name, g in groups.items() if g["enabled"]}
    assert enabled, "no feature group is enabled: nothing to ablate"
    not_beneficial = {name: g["reason"] for name, g in enabled.items()
                      if not g["control"] and not g["beneficial"]}
    costly_controls = {name: g["reason"] for name, g in enabled.items()
                       if g["control"] and g["harmful"]}
    assert not not_beneficial, f"enabled feature groups that are not beneficial: {not_beneficial}"
    assert not costly_controls, f"controls that cost accuracy: {costly_controls}"


@pytest.mark.rubric("data", 2)
def test_ablation_covers_every_switch(ablation, config):
    """Red when a preprocessing switch or extra feature escapes ablation (a new step not listed)."""
    from pipeline.features import TextStats  # pylint: disable=import-outside-toplevel
    from pipeline.model import PREPROCESSING_KEYS  # pylint: disable=import-outside-toplevel

    expected = {*PREPROCESSING_KEYS, "sublinear_tf", "bigrams",
                *(f"extra:{name}" for name in TextStats.AVAILABLE)}
    assert set(ablation["groups"]) == expected
    switches = {key for key, value in config.features.model_dump().items()
                if isinstance(value, bool)}
    assert switches <= set(ablation["groups"]), switches - set(ablation["groups"])
    assert ablation["folds"] == config.cv.n_splits * config.cv.n_repeats
