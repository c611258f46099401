"""`python -m pipeline tune`: search every hyperparameter's space by paired repeated CV.

The spaces live in params.yaml (`search.spaces`), so "all hyperparameters have been tuned" is
checkable: every model and feature setting either has a space or is listed under `search.fixed`
with the reason it is policy rather than a modelling choice. The search is coordinate-wise
(each key swept with the others at their best so far, `search.rounds` passes), which on these
~15 keys costs tens of candidates instead of a grid's millions. Two candidates whose
difference is within fold noise are treated as equal, so defaults are kept unless beaten.
Each candidate is `Config.with_overrides` of its dotted keys, validated like params.yaml itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.analysis import crossval
from pipeline.cli import CommandParser
from pipeline.config import FAMILIES, Config, CVConfig, ModelSpec, load_config
from pipeline.data.reviews import read_reviews
from pipeline.errors import PipelineError
from pipeline.fileio import write_json_atomic
from pipeline.layout import REPORTS_DIR, TRAIN_SPLIT

TUNING_REPORT = REPORTS_DIR / "tuning.json"
Scorer = Callable[[ModelSpec, CVConfig, Sequence[str], Sequence[int]], np.ndarray]


def _set_fields(section: Any) -> list[str]:
    """The settings a section was given (in params.yaml or an override), in schema order."""
    return [name for name in type(section).model_fields if name in section.model_fields_set]


def hyperparameters(config: Config) -> list[str]:
    """Dotted keys of every hyperparameter in params.yaml: the family, each family's settings and
    each feature switch, minus the keys `search.fixed` exempts (with a reason)."""
    keys = ["model.family"]
    for family in FAMILIES:
        keys += [f"model.{family}.{name}" for name in _set_fields(getattr(config.model, family))]
    keys += [f"features.{name}" for name in _set_fields(config.features)]
    return [key for key in keys if key not in config.search.fixed]


def spaces(config: Config) -> dict[str, list[Any]]:
    """The search space of each key, as declared in params.yaml (`search.spaces`)."""
    return {key: list(values) for key, values in config.search.spaces.items()}


def unsearched(config: Config) -> list[str]:
    """Hyperparameters with no search space, or whose configured value lies outside it."""
    declared = spaces(config)
    problems = []
    for key in hyperparameters(config):
        if key not in declared:
            problems.append(f"{key}: no search space")
        elif config.lookup(key) not in declared[key]:
            problems.append(f"{key}: configured value {config.lookup(key)!r} is outside its "
                            f"space {declared[key]}")
    return problems


def paired_noise(scores: np.ndarray, reference: np.ndarray,
                 n_splits: int) -> dict[str, float]:
    """Mean paired difference `scores - reference` over the same folds, and its standard error.

    Folds of repeated CV overlap, so the naive standard error is too small; the Nadeau-Bengio
    correction (1/k + n_test/n_train) accounts for that; `n_splits` is cv.n_splits.
    """
    difference = np.asarray(scores, dtype=float) - np.asarray(reference, dtype=float)
    factor = 1.0 / len(difference) + 1.0 / (n_splits - 1)
    spread = float(np.std(difference, ddof=1)) if len(difference) > 1 else 0.0
    return {"difference": float(np.mean(difference)),
            "standard_error": spread * math.sqrt(factor)}


def _active(key: str, overrides: dict[str, Any], family: str) -> bool:
    """A family's settings only matter while that family is the one selected."""
    parts = key.split(".")
    if parts[0] == "model" and len(parts) == 3:
        return parts[1] == overrides.get("model.family", family)
    return True


def search(config: Config, texts: Sequence[str], labels: Sequence[int],
           keys: Sequence[str] | None = None, rounds: int | None = None,
           scorer: Scorer | None = None) -> dict[str, Any]:
    """Coordinate search from the configured values; returns every candidate and the best.

    A move is taken only when it beats the current best by more than `model_checks.noise_z`
    standard errors, so the result says which settings are distinguishable from noise.
    """
    scorer = scorer or crossval.CrossValidation().cv_scores
    declared = spaces(config)
    if keys is None:
        keys = [key for key in hyperparameters(config) if key in declared]
    keys = list(keys)
    rounds = int(rounds if rounds is not None else config.search.rounds)
    z = config.model_checks.noise_z
    evaluated: dict[str, dict[str, Any]] = {}

    def evaluate(overrides: dict[str, Any]) -> np.ndarray:
        label = repr(sorted(overrides.items()))
        if label not in evaluated:
            candidate = config.with_overrides(overrides)
            scores = np.asarray(scorer(candidate.model_spec, candidate.cv, texts, labels),
                                dtype=float)
            evaluated[label] = {"overrides": dict(overrides), "scores": scores}
        return evaluated[label]["scores"]

    configured: dict[str, Any] = {}
    best, best_scores = dict(configured), evaluate(configured)
    for _ in range(rounds):
        moved = False
        for key in keys:
            if not _active(key, best, config.model.family):
                continue
            for value in declared[key]:
                if value == best.get(key, config.lookup(key)):
                    continue
                candidate = {**best, key: value}
                scores = evaluate(candidate)
                gain = paired_noise(scores, best_scores, config.cv.n_splits)
                if gain["difference"] > z * gain["standard_error"]:
                    best, best_scores, moved = candidate, scores, True
        if not moved:
            break
    top = max(evaluated.values(), key=lambda entry: float(np.mean(entry["scores"])))
    configured_scores = evaluate(configured)
    shortfall = paired_noise(top["scores"], configured_scores, config.cv.n_splits)
    return {
        "keys": keys,
        "rounds": rounds,
        "configured": {key: config.lookup(key) for key in keys},
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
    config = load_config(args.params)
    problems = unsearched(config)
    if problems:
        raise PipelineError(f"{args.params}: {'; '.join(problems)}")
    unknown = sorted(set(args.keys or ()) - set(spaces(config)))
    if unknown:
        raise PipelineError(f"--keys: no search space for {', '.join(unknown)} in {args.params}")
    train = read_reviews(args.train)
    report = search(config, train.texts, train.labels, keys=args.keys)
    write_json_atomic(args.out, report)
    selected = report["selected"]
    print(f"{args.out}: {len(report['candidates'])} candidates; configured "
          f"{report['configured_cv']['mean']:.3f}, best {report['best']['cv']['mean']:.3f}, "
          f"selected {selected['overrides'] or 'the configured values'} "
          f"({selected['cv']['mean']:.3f})")
    if not report["configured_within_noise"]:
        print("params.yaml is beaten beyond noise: consider the selected values", flush=True)
    return 0
