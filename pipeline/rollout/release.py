"""The release check: a model is validated on held-out data before it is served.

`release(package_dir, registry, rules)` loads the candidate package (sha256-verified), scores
it and the currently served version on the same held-out reviews (the pipeline's test split,
`data/prepared/test.tsv`, unless given), and promotes the candidate only if

- its accuracy is at least `quality.min_accuracy`, and
- it is not worse than the served version by more than `release.max_accuracy_drop`
  (both models score the same reviews, so the comparison is paired).

A refused candidate is neither published nor promoted: the served version stays in place and
`ReleaseRefused` (a `PipelineError`, so one line and exit code 2 on the command line) says why.
Users run it as the last step of the canary command, which checks the candidate against live
traffic first and releases only when both pass:

    python -m pipeline canary --candidate models            # canary, release check, promote
    python -m pipeline canary --candidate models --dry-run  # both checks, no promotion
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifact import load_package
from pipeline.config import QualityConfig, ReleaseConfig
from pipeline.data.reviews import Reviews, read_reviews
from pipeline.errors import PipelineError
from pipeline.layout import TEST_SPLIT
from pipeline.metrics import evaluate_model


@dataclass(frozen=True)
class ReleaseRules:
    """The two rules of the check: `quality.min_accuracy` and `release.max_accuracy_drop`."""

    min_accuracy: float
    max_accuracy_drop: float

    @classmethod
    def from_config(cls, quality: QualityConfig, section: ReleaseConfig) -> ReleaseRules:
        """The rules of the `quality:` and `release:` (`section`) sections of params.yaml."""
        return cls(quality.min_accuracy, section.max_accuracy_drop)


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


def check_release(candidate: Any, version: str, served: tuple[Any, dict[str, Any]] | None,
                  holdout: Reviews, rules: ReleaseRules) -> ReleaseDecision:
    """Score candidate and served model on `holdout`; the decision lists every failed rule."""
    if not holdout.texts or holdout.labels is None:
        raise PipelineError("release: the held-out set must be labelled and not empty")
    floor = rules.min_accuracy
    tolerance = rules.max_accuracy_drop
    accuracy = float(evaluate_model(candidate, holdout.texts, holdout.labels)["accuracy"])
    reasons = []
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
    return ReleaseDecision(version, served_version, accuracy, served_accuracy, floor, tolerance,
                           len(holdout.texts), reasons)


def release(package_dir: str | Path, registry: Any, rules: ReleaseRules,
            holdout: Reviews | None = None, promote: bool = True) -> ReleaseDecision:
    """Check the candidate package, then publish and serve it; raises ReleaseRefused if it fails.

    `registry` is a `pipeline.registry.Registry`; with `promote=False` only the check runs.
    """
    candidate, metadata = load_package(package_dir)
    holdout = read_reviews(TEST_SPLIT) if holdout is None else holdout
    decision = check_release(candidate, metadata["version"], served_model(registry), holdout,
                             rules)
    if not decision.accepted:
        raise ReleaseRefused(decision)
    if promote:
        registry.promote(registry.publish(package_dir))
    return decision
