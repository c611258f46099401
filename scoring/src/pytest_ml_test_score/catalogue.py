"""The rubric as data: the single source every report and validator reads.

Titles are those of the paper's Tables I-IV (Breck et al., IEEE Big Data 2017); headings are the
longer forms of the paper's body; hints say what an automated test for the item has to check, so
that a reader of a report knows what a missing item asks for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECTIONS: tuple[str, ...] = ("data", "model", "infra", "monitoring")
SECTION_TITLES: dict[str, str] = {
    "data": "Data",
    "model": "Model",
    "infra": "Infrastructure",
    "monitoring": "Monitoring",
}
ITEM_NUMBERS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
MAX_SCORE = 7
STATUSES: tuple[str, ...] = ("automated", "manual", "failed", "skipped", "missing")
POINTS: dict[str, float] = {
    "automated": 1.0,
    "manual": 0.5,
    "failed": 0.0,
    "skipped": 0.0,
    "missing": 0.0,
}


@dataclass(frozen=True)
class RubricItem:
    """One of the 28 tests of the rubric."""

    section: str
    number: int
    title: str
    heading: str
    hint: str

    @property
    def label(self) -> str:
        """Short human label such as ``Data 3``."""
        return f"{SECTION_TITLES[self.section]} {self.number}"


_RAW: dict[str, tuple[tuple[str, str, str], ...]] = {
    "data": (
        ("Feature expectations are captured in a schema.",
         "Data 1: Feature expectations are captured in a schema",
         "input data is validated against an explicit schema; a violating row is rejected"),
        ("All features are beneficial.",
         "Data 2: All features are beneficial",
         "removing or permuting each feature group lowers model quality"),
        ("No feature's cost is too much.",
         "Data 3: No feature's cost is too much",
         "each feature's latency/memory/size cost is measured against its benefit"),
        ("Features adhere to meta-level requirements.",
         "Data 4: Features adhere to meta-level requirements",
         "only features from an allow-list are used (no forbidden or deprecated sources)"),
        ("The data pipeline has appropriate privacy controls.",
         "Data 5: The data pipeline has appropriate privacy controls",
         "personal data (e-mails, phone numbers, ...) is removed or masked before use"),
        ("New features can be added quickly.",
         "Data 6: New features can be added quickly",
         "a new feature can be plugged in and trained end to end within the test"),
        ("All input feature code is tested.",
         "Data 7: All input feature code is tested",
         "feature transformations have unit tests with known inputs and outputs"),
    ),
    "model": (
        ("Model specs are reviewed and submitted.",
         "Model 1: Every model specification undergoes a code review and is checked in to a "
         "repository",
         "the model configuration is versioned and every run is traceable to it"),
        ("Offline and online metrics correlate.",
         "Model 2: Offline proxy metrics correlate with actual online impact metrics",
         "offline metric changes predict the change of the served (online) metric"),
        ("All hyperparameters have been tuned.",
         "Model 3: All hyperparameters have been tuned",
         "chosen hyperparameters are at least as good as the alternatives of a search"),
        ("The impact of model staleness is known.",
         "Model 4: The impact of model staleness is known",
         "quality of an older model on newer data is measured"),
        ("A simpler model is not better.",
         "Model 5: A simpler model is not better",
         "the model beats a simple baseline on held-out data"),
        ("Model quality is sufficient on important data slices.",
         "Model 6: Model quality is sufficient on all important data slices",
         "quality on each important slice stays within a margin of the overall quality"),
        ("The model is tested for considerations of inclusion.",
         "Model 7: The model has been tested for considerations of inclusion",
         "predictions do not change with protected attributes or identity terms"),
    ),
    "infra": (
        ("Training is reproducible.",
         "Infra 1: Training is reproducible",
         "two trainings from the same data and seeds give identical models"),
        ("Model specs are unit tested.",
         "Infra 2: Model specification code is unit tested",
         "model code is unit tested (loss decreases, shapes, a single step trains)"),
        ("The ML pipeline is Integration tested.",
         "Infra 3: The full ML pipeline is integration tested",
         "the whole pipeline runs end to end from raw data to a served prediction"),
        ("Model quality is validated before serving.",
         "Infra 4: Model quality is validated before attempting to serve it",
         "a model below the quality threshold is refused before it is pushed"),
        ("The model is debuggable.",
         "Infra 5: The model allows debugging by observing the step-by-step computation of "
         "training or inference on a single example",
         "a single prediction can be explained step by step"),
        ("Models are canaried before serving.",
         "Infra 6: Models are tested via a canary process before they enter production "
         "serving environments",
         "a new model is loaded and checked on canary inputs before it replaces the old one"),
        ("Serving models can be rolled back.",
         "Infra 7: Models can be quickly and safely rolled back to a previous serving version",
         "a previous model version can be restored and serves as before"),
    ),
    "monitoring": (
        ("Dependency changes result in notification.",
         "Monitor 1: Dependency changes result in notification",
         "a change of an upstream dependency or data source is detected and reported"),
        ("Data invariants hold for inputs.",
         "Monitor 2: Data invariants hold in training and serving inputs",
         "serving inputs are checked against the training schema"),
        ("Training and serving are not skewed.",
         "Monitor 3: Training and serving features compute the same values",
         "training and serving paths compute the same features for the same input"),
        ("Models are not too stale.",
         "Monitor 4: Models are not too stale",
         "the age of the served model is checked against a maximum"),
        ("Models are numerically stable.",
         "Monitor 5: The model is numerically stable",
         "no NaN or infinite values appear in training or predictions"),
        ("Computing performance has not regressed.",
         "Monitor 6: The model has not experienced a dramatic or slow-leak regressions in "
         "training speed, serving latency, throughput, or RAM usage",
         "latency, throughput and memory are compared with a reference from the same run"),
        ("Prediction quality has not regressed.",
         "Monitor 7: The model has not experienced a regression in prediction quality on "
         "served data",
         "quality on served data is compared with the quality at training time"),
    ),
}

CATALOGUE: dict[tuple[str, int], RubricItem] = {
    (section, number): RubricItem(section, number, title, heading, hint)
    for section, rows in _RAW.items()
    for number, (title, heading, hint) in zip(ITEM_NUMBERS, rows, strict=True)
}

# Paper, Table V. Each band is (upper bound, meaning); bins are closed on the right.
INTERPRETATION_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "More of a research project than a productionized system."),
    (1.0, "Not totally untested, but it is worth considering the possibility of serious holes "
          "in reliability."),
    (2.0, "There's been first pass at basic productionization, but additional investment may "
          "be needed."),
    (3.0, "Reasonably tested, but it's possible that more of those tests and procedures may be "
          "automated."),
    (5.0, "Strong levels of automated testing and monitoring, appropriate for mission-critical "
          "systems."),
    (math.inf, "Exceptional levels of automated testing and monitoring."),
)


def score_band(score: float) -> tuple[float, str]:
    """The band of Table V holding SCORE: the one place its bounds are compared.

    Bins close on the right (1.0 is in (0, 1], 3.0 in (2, 3]); whatever is shown per band, the
    report's text or a badge's colour, is looked up by the band this returns.
    """
    for band in INTERPRETATION_BANDS:
        if score <= band[0]:
            return band
    raise ValueError(f"score {score!r} is not a number")


def interpret(score: float) -> str:
    """Meaning of a final score per the paper's Table V."""
    return score_band(score)[1]
