"""Data 3: no feature's cost is too much.

Each feature group's cost is measured against the configured model in the same run: extraction
time per review (preprocessing + vectorising, interleaved repeats, best of each), the number of
model features, and the size of the saved artifact. Each is a share of the model without the
group, so the figures are ratios, never absolute times. An enabled group may cost at most
`feature_costs.max_*_per_point` per accuracy point (0.01) it gains in the Data 2 ablation, a
privacy or inclusion control at most `max_control_time_share`. Costs below `negligible_share`,
or within the timing noise of two runs of the identical configuration, count as nothing.
Figures: reports/feature_costs.json.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ml_tests.data.feature_groups import feature_groups
from pipeline import artifact
from pipeline.config import FeatureCostsConfig
from pipeline.fileio import write_json_atomic
from pipeline.model import train_model
from pipeline.perf import measurement

TIMED_REVIEWS = 240
REPEATS = 7
METRICS = ("time_per_review", "features", "artifact_bytes")


def _extract(model, texts):
    return model.named_steps["features"].transform(model.named_steps["preprocess"].transform(texts))


def _measure(models: dict[str, Any], texts: list[str]) -> dict[str, dict[str, float]]:
    timings: dict[str, list[float]] = {name: [] for name in models}
    with measurement.untraced():  # a coverage tracer would inflate the Python steps' share
        for _ in range(REPEATS):  # interleaved, so drift of the machine hits every config alike
            for name, model in models.items():
                start = time.thread_time()
                _extract(model, texts)
                timings[name].append(time.thread_time() - start)
    return {name: {"time_per_review": min(timings[name]) / len(texts),
                   "features": int(_extract(model, texts[:2]).shape[1]),
                   "artifact_bytes": len(artifact.dumps_model(model))}
            for name, model in models.items()}


def _share(value: float, reference: float) -> float:
    return (value - reference) / reference


@pytest.fixture(scope="module")
def measured(config, train_split) -> dict[str, dict[str, float]]:
    """The costs of the configured model, of it again (the timing noise), and of each toggle."""
    configs = {"configured": config, "configured (again)": config,
               **{g.name: config.with_overrides(g.toggle) for g in feature_groups(config.features)}}
    models = {name: train_model(train_split, variant.model_spec)
              for name, variant in configs.items()}
    return _measure(models, list(train_split.texts[:TIMED_REVIEWS]))


@pytest.fixture(scope="module")
def costs(config, measured, ablation) -> dict[str, Any]:
    """Per group: its costs as shares of the model without it, and its gain from the ablation.

    `measured` comes first, so on two workers this one measures while the other computes the
    ablation, instead of waiting for it.
    """
    groups = feature_groups(config.features)
    base = measured["configured"]
    noise = abs(_share(measured["configured (again)"]["time_per_review"], base["time_per_review"]))
    result: dict[str, Any] = {"configured": base, "time_noise_share": round(noise, 4),
                              "timed_reviews": TIMED_REVIEWS, "repeats": REPEATS, "groups": {}}
    for group in groups:
        toggled = measured[group.name]
        with_group, without = (base, toggled) if group.enabled else (toggled, base)
        gain = ablation["groups"][group.name]
        result["groups"][group.name] = {
            "enabled": group.enabled,
            "control": gain["control"],
            "gain_points": round(100 * gain["gain"], 2),
            **{f"{metric}_share": round(_share(with_group[metric], without[metric]), 4)
               for metric in METRICS},
        }
    return result


def _over_budget(name: str, group: dict[str, Any], budgets: FeatureCostsConfig,
                 time_noise: float) -> list[str]:
    negligible = float(budgets.negligible_share)
    shares = {"time_per_review_share": (budgets.max_time_share_per_point,
                                        max(negligible, time_noise)),
              "features_share": (budgets.max_vocabulary_growth_per_point, negligible),
              "artifact_bytes_share": (budgets.max_size_growth_per_point, negligible)}
    problems = []
    for key, (per_point, allowance) in shares.items():
        if group["control"]:
            budget = float(budgets.max_control_time_share) if key.startswith("time") else 1.0
        else:
            budget = float(per_point) * max(group["gain_points"], 0.0)
        if group[key] > budget + allowance:
            problems.append(f"{name}: {key} {group[key]:+.3f} > budget {budget:.3f} "
                            f"(+{allowance:.3f} allowance) for a gain of {group['gain_points']} "
                            "points")
    return problems


@pytest.mark.rubric("data", 3)
def test_no_enabled_feature_costs_too_much(costs, config, reports_dir):
    """Red when an enabled group is slow or bulky for its gain (e.g. a step made 3x slower, or
    bigrams enabled: +190 % features for no gain); figures in reports/feature_costs.json.
    """
    budgets = config.feature_costs
    for name, group in costs["groups"].items():
        group["over_budget"] = _over_budget(name, group, budgets, costs["time_noise_share"])
    write_json_atomic(reports_dir / "feature_costs.json", costs)
    problems = [problem for group in costs["groups"].values() if group["enabled"]
                for problem in group["over_budget"]]
    assert not problems, problems


@pytest.mark.rubric("data", 3)
def test_costs_are_measured_not_assumed(costs):
    """Red when the measurement is blind: groups that change the feature space by construction
    must show it (bigrams add columns to the unigrams, case folding can only merge terms)."""
    groups = costs["groups"]
    assert groups["bigrams"]["features_share"] > 0
    assert groups["lowercase"]["features_share"] <= 0
    assert costs["configured"]["time_per_review"] > 0
    assert all(costs["configured"][m] > 0 for m in ("features", "artifact_bytes"))
