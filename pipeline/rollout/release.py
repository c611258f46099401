"""The release check: a model is validated on held-out data it never saw before it is served.

`release(package_dir, registry, rules, data)` loads the candidate package
(sha256-verified) and refuses it outright when its recorded spec is not the reviewed one
(`pipeline.analysis.spec`: params.yaml as committed at git HEAD, or `--reviewed-spec FILE`),
or when its model was not built from that recorded spec (its estimator parameters differ).
It then scores the candidate and the currently served version on the same held-out reviews
(the pipeline's test split, `data/prepared/test.tsv`, unless given) and promotes the candidate
only if

- none of those held-out reviews was in its training data: the package records the hashes of
  the reviews it was fitted on (`training_rows`, see `pipeline.serving.packaging`), and a model
  that saw its holdout would be judged on its memory, not on unseen reviews;
- its accuracy is at least `quality.min_accuracy`, and
- it is not worse than the served version by more than `release.max_accuracy_drop`
  (both models score the same reviews, so the comparison is paired).

A review text can occur twice in the raw data, once on each side of an honest split, so a
holdout review counts as seen only for the training copies beyond those the population (the
labelled file the split was drawn from) holds outside the holdout (`seen_in_training`).

A refused candidate is neither published nor promoted: the served version stays in place and
`ReleaseRefused` (a `PipelineError`, so one line and exit code 2 on the command line) says why.
An accepted one is published, its reviewed spec's sha256 recorded with the version (the server
serves nothing else), then promoted. Users run it as the last step of the canary command, which
checks the candidate against live traffic first and releases only when both pass:

    python -m pipeline canary --candidate models            # canary, release check, promote
    python -m pipeline canary --candidate models --dry-run  # both checks, no promotion
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.analysis.spec import ReviewedSpec, require_built_from_recorded_spec
from pipeline.artifact import load_package
from pipeline.config import QualityConfig, ReleaseConfig
from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError
from pipeline.metrics import evaluate_model
from pipeline.data.training_rows import TRAINING_ROWS, row_hashes


@dataclass(frozen=True)
class ReleaseRules:
    """The rules of the check: `quality.min_accuracy`, `release.max_accuracy_drop` and the
    reviewed spec the candidate must have been trained from."""

    min_accuracy: float
    max_accuracy_drop: float
    reviewed: ReviewedSpec

    @classmethod
    def from_config(cls, quality: QualityConfig, section: ReleaseConfig,
                    reviewed: ReviewedSpec) -> ReleaseRules:
        """The rules of the `quality:` and `release:` (`section`) sections of params.yaml."""
        return cls(quality.min_accuracy, section.max_accuracy_drop, reviewed)


@dataclass(frozen=True)
class HeldOut:
    """The labelled reviews a candidate is judged on, and the labelled file they were drawn
    from (the `population`, which tells an honest duplicate from a leaked holdout row)."""

    reviews: Reviews
    population: Reviews


@dataclass(frozen=True)
class ReleaseDecision:
    """What the release check measured and concluded."""

    candidate: str
    served: str | None
    candidate_accuracy: float
    served_accuracy: float | None
    min_accuracy: float
    max_accuracy_drop: float
    n_holdout: int
    reasons: list[str] = field(default_factory=list)
    n_seen_in_training: int | None = None  # None: the package records no training rows

    @property
    def accepted(self) -> bool:
        """True when no rule refused the candidate."""
        return not self.reasons


class ReleaseRefused(PipelineError):
    """The candidate failed the release check; `decision` holds the figures."""

    def __init__(self, decision: ReleaseDecision) -> None:
        super().__init__(f"release of {decision.candidate} refused: {'; '.join(decision.reasons)};"
                         f" {decision.served or 'nothing'} stays served")
        self.decision = decision


def served_model(registry: Any) -> tuple[Any, dict[str, Any]] | None:
    """The served version's model and metadata (fetched and sha256-verified), or None."""
    version = registry.served()
    if version is None:
        return None
    return registry.load(version)


def seen_in_training(holdout: list[str], training_rows: list[str],
                     population: list[str]) -> int:
    """How many holdout reviews the model was trained on, from the package's `training_rows`.

    Per review text: the training copies beyond those the population holds outside the holdout
    came from the holdout (at most as many as the holdout has).
    """
    held, trained, drawn = (Counter(row_hashes(holdout)), Counter(training_rows),
                            Counter(row_hashes(population)))
    return sum(min(count, max(0, trained[row] - (drawn[row] - min(drawn[row], count))))
               for row, count in held.items())


def check_release(candidate: Any, metadata: dict[str, Any],
                  served: tuple[Any, dict[str, Any]] | None, data: HeldOut,
                  rules: ReleaseRules) -> ReleaseDecision:
    """Score candidate and served model on the holdout; the decision lists every failed rule."""
    holdout = data.reviews
    if not holdout.texts or holdout.labels is None:
        raise PipelineError("release: the held-out set must be labelled and not empty")
    floor = rules.min_accuracy
    tolerance = rules.max_accuracy_drop
    accuracy = float(evaluate_model(candidate, holdout.texts, holdout.labels)["accuracy"])
    reasons = []
    training_rows = metadata.get(TRAINING_ROWS)
    seen = None
    if training_rows is None:
        reasons.append("its metadata records no training rows, so nothing shows the"
                       f" {len(holdout.texts)} held-out reviews were unseen")
    else:
        seen = seen_in_training(holdout.texts, training_rows, data.population.texts)
        if seen:
            reasons.append(f"{seen} of the {len(holdout.texts)} held-out reviews were in its"
                           f" training data (held-out accuracy {accuracy:.3f} is not held out)")
    if accuracy < floor:
        reasons.append(f"held-out accuracy {accuracy:.3f} is below quality.min_accuracy"
                       f" {floor:.3f}")
    served_accuracy = None
    served_version = None
    if served is not None:
        served_version = served[1]["version"]
        served_accuracy = float(evaluate_model(served[0], holdout.texts,
                                               holdout.labels)["accuracy"])
        if accuracy < served_accuracy - tolerance:
            reasons.append(f"held-out accuracy {accuracy:.3f} is worse than the served"
                           f" {served_version} ({served_accuracy:.3f}) by more than"
                           f" release.max_accuracy_drop {tolerance:.3f}")
    return ReleaseDecision(metadata["version"], served_version, accuracy, served_accuracy, floor,
                           tolerance, len(holdout.texts), reasons, seen)


def release(package_dir: str | Path, registry: Any, rules: ReleaseRules, data: HeldOut,
            promote: bool = True) -> ReleaseDecision:
    """Check the candidate package, then publish and serve it; raises ReleaseRefused (or
    SpecNotReviewed) if it fails.

    `registry` is a `pipeline.registry.Registry`; with `promote=False` only the checks run.
    """
    candidate, metadata = load_package(package_dir)
    rules.reviewed.require(metadata)
    require_built_from_recorded_spec(candidate, metadata)
    decision = check_release(candidate, metadata, served_model(registry), data, rules)
    if not decision.accepted:
        raise ReleaseRefused(decision)
    if promote:
        version = registry.publish(package_dir)
        registry.record_release(version, rules.reviewed.sha256)
        registry.promote(version)
    return decision
