"""`python -m pipeline tune`: search every hyperparameter's space by paired repeated CV.

The spaces live in params.yaml (`search.spaces`), so "all hyperparameters have been tuned" is
checkable: every model and feature setting either has a space or is listed under `search.fixed`
with the reason it is policy rather than a modelling choice. The search is coordinate-wise
(each key swept with the others at their best so far, `search.rounds` passes), which on these
~15 keys costs tens of candidates instead of a grid's millions. Two candidates whose
difference is within fold noise are treated as equal, so defaults are kept unless beaten.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.analysis import crossval
from pipeline.cli import CommandParser
from pipeline.data.reviews import read_reviews
from pipeline.errors import PipelineError
from pipeline.fileio import write_json_atomic
from pipeline.layout import REPORTS_DIR, TRAIN_SPLIT
from pipeline.params import get, load_params

TUNING_REPORT = REPORTS_DIR / "tuning.json"
Scorer = Callable[[dict[str, Any], Sequence[str], Sequence[int]], np.ndarray]


def hyperparameters(params: dict[str, Any]) -> list[str]:
    """Dotted keys of every hyperparameter in params: the family, each family's settings and
    each feature switch, minus the keys `search.fixed` exempts (with a reason)."""
    fixed = set(get(params, "search").get("fixed") or {})
    keys = ["model.family"]
    for family, settings in get(params, "model").items():
        if isinstance(settings, dict):
            keys += [f"model.{family}.{name}" for name in settings]
    keys += [f"features.{name}" for name in get(params, "features")]
    return [key for key in keys if key not in fixed]


def spaces(params: dict[str, Any]) -> dict[str, list[Any]]:
    """The search space of each key, as declared in params.yaml."""
    declared = get(params, "search").get("spaces") or {}
    for key, values in declared.items():
        if not isinstance(values, list) or not values:
            raise PipelineError(f"params.yaml: search.spaces.{key} must be a non-empty list")
    return dict(declared)


def unsearched(params: dict[str, Any]) -> list[str]:
    """Hyperparameters with no search space, or whose configured value lies outside it."""
    declared = spaces(params)
    problems = []
    for key in hyperparameters(params):
        if key not in declared:
            problems.append(f"{key}: no search space")
        elif get(params, key) not in declared[key]:
            problems.append(f"{key}: configured value {get(params, key)!r} is outside its space "
                            f"{declared[key]}")
    return problems


def paired_noise(scores: np.ndarray, reference: np.ndarray,
                 params: dict[str, Any]) -> dict[str, float]:
    """Mean paired difference `scores - reference` over the same folds, and its standard error.

    Folds of repeated CV overlap, so the naive standard error is too small; the Nadeau-Bengio
    correction (1/k + n_test/n_train) accounts for that.
    """
    difference = np.asarray(scores, dtype=float) - np.asarray(reference, dtype=float)
    n_splits = int(get(params, "cv.n_splits"))
    factor = 1.0 / len(difference) + 1.0 / (n_splits - 1)
    spread = float(np.std(difference, ddof=1)) if len(difference) > 1 else 0.0
    return {"difference": float(np.mean(difference)),
            "standard_error": spread * math.sqrt(factor)}


def _active(key: str, overrides: dict[str, Any], params: dict[str, Any]) -> bool:
    """A family's settings only matter while that family is the one selected."""
    parts = key.split(".")
    if parts[0] == "model" and len(parts) == 3:
        family = overrides.get("model.family", get(params, "model.family"))
        return parts[1] == family
    return True


def search(params: dict[str, Any], texts: Sequence[str], labels: Sequence[int],
           keys: Sequence[str] | None = None, rounds: int | None = None,
           scorer: Scorer | None = None) -> dict[str, Any]:
    """Coordinate search from the configured values; returns every candidate and the best.

    A move is taken only when it beats the current best by more than `model_checks.noise_z`
    standard errors, so the result says which settings are distinguishable from noise.
    """
    scorer = scorer or crossval.cv_scores
    declared = spaces(params)
    if keys is None:
        keys = [key for key in hyperparameters(params) if key in declared]
    keys = list(keys)
    rounds = int(rounds if rounds is not None else get(params, "search").get("rounds", 1))
    z = float(get(params, "model_checks.noise_z"))
    evaluated: dict[str, dict[str, Any]] = {}

    def evaluate(overrides: dict[str, Any]) -> np.ndarray:
        label = repr(sorted(overrides.items()))
        if label not in evaluated:
            candidate = crossval.with_overrides(params, overrides)
            scores = np.asarray(scorer(candidate, texts, labels), dtype=float)
            evaluated[label] = {"overrides": dict(overrides), "scores": scores}
        return evaluated[label]["scores"]

    configured: dict[str, Any] = {}
    best, best_scores = dict(configured), evaluate(configured)
    for _ in range(rounds):
        moved = False
        for key in keys:
            if not _active(key, best, params):
                continue
            for value in declared[key]:
                if value == best.get(key, get(params, key)):
                    continue
                candidate = {**best, key: value}
                scores = evaluate(candidate)
                gain = paired_noise(scores, best_scores, params)
                if gain["difference"] > z * gain["standard_error"]:
                    best, best_scores, moved = candidate, scores, True
        if not moved:
            break
    top = max(evaluated.values(), key=lambda entry: float(np.mean(entry["scores"])))
    configured_scores = evaluate(configured)
    shortfall = paired_noise(top["scores"], configured_scores, params)
    return {
        "keys": keys,
        "rounds": rounds,
        "configured": {key: get(params, key) for key in keys},
        "configured_cv": crossval.summarise(configured_scores),
        "best": {"overrides": top["overrides"], "cv": crossval.summarise(top["scores"])},
        "selected": {"overrides": best, "cv": crossval.summarise(best_scores)},
        "shortfall": {name: round(value, 4) for name, value in shortfall.items()},
        "noise_z": z,
        "configured_within_noise": shortfall["difference"] <= z * shortfall["standard_error"],
        "candidates": [{"overrides": entry["overrides"], "cv": crossval.summarise(entry["scores"])}
                       for entry in evaluated.values()],
    }


def main(argv: list[str]) -> int:
    """Search the spaces on the training split and write reports/tuning.json."""
    parser = CommandParser(prog="python -m pipeline tune", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--train", type=Path, default=TRAIN_SPLIT,
                        help="labelled training split (default: the prepare stage's output)")
    parser.add_argument("--keys", nargs="+", help="search only these dotted keys")
    parser.add_argument("--out", type=Path, default=TUNING_REPORT)
    args = parser.parse_args(argv)
    params = load_params(args.params)
    problems = unsearched(params)
    if problems:
        raise PipelineError(f"{args.params}: {'; '.join(problems)}")
    unknown = sorted(set(args.keys or ()) - set(spaces(params)))
    if unknown:
        raise PipelineError(f"--keys: no search space for {', '.join(unknown)} in {args.params}")
    train = read_reviews(args.train)
    report = search(params, train.texts, train.labels, keys=args.keys)
    write_json_atomic(args.out, report)
    selected = report["selected"]
    print(f"{args.out}: {len(report['candidates'])} candidates; configured "
          f"{report['configured_cv']['mean']:.3f}, best {report['best']['cv']['mean']:.3f}, "
          f"selected {selected['overrides'] or 'the configured values'} "
          f"({selected['cv']['mean']:.3f})")
    if not report["configured_within_noise"]:
        print("params.yaml is beaten beyond noise: consider the selected values", flush=True)
    return 0
