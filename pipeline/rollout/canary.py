"""`python -m pipeline canary --candidate DIR`: try a new model beside the served one first.

A model that passed offline evaluation can still break serving: it may label live traffic very
differently from the model users know, fail on reviews nobody would get wrong, be much slower,
or turn odd inputs into NaN. The canary runs the candidate and the served model side by side
before anything is promoted and checks, with thresholds from `canary:` in params.yaml:

- agreement: the share of a serving batch (`data.serving`, or `--traffic`) on which both
  models give the same label is at least `min_agreement`;
- labelled canary reviews (`CANARY_REVIEWS`, unambiguous handwritten reviews): the candidate's
  error rate is at most `max_error_rate`;
- latency: the candidate's median time per single-review prediction is at most
  `max_latency_ratio` times the served model's, both measured interleaved in the same run;
- hostile inputs (Monitor 5's `HOSTILE_INPUTS`: empty, huge, binary, markup, other scripts):
  every one gets a finite probability in [0, 1] with rows summing to 1, and no exception.

Agreement and latency need a reference: without a served model (a first release) they are
skipped and said so. A candidate whose recorded spec is not the reviewed one (params.yaml at git
HEAD, or `--reviewed-spec FILE`) is refused before any of this. When the canary passes, the
release check (`pipeline.rollout.release`: a holdout unseen in training, held-out accuracy against
`quality.min_accuracy` and against the served version) runs, and only then is the candidate
published, its reviewed spec recorded, and promoted. Any failure exits with code 2 and one line
naming every failed check; the served version is left in place. Figures go to `reports/canary.json`.

    python -m pipeline canary --candidate models                  # check, release, promote
    python -m pipeline canary --candidate DIR --served VERSION|DIR --dry-run
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.artifact import load_package
from pipeline.cli import CommandParser
from pipeline.analysis.spec import reviewed_spec
from pipeline.config import CanaryConfig, Config, DataConfig, load_config
from pipeline.data.reviews import read_reviews
from pipeline.data.sources import raw_file
from pipeline.errors import PipelineError
from pipeline.fileio import write_json_atomic
from pipeline.layout import REPORTS_DIR, TEST_SPLIT
from pipeline.monitoring.stability import HOSTILE_INPUTS, output_problems
from pipeline.perf import measurement

CANARY_REPORT = REPORTS_DIR / "canary.json"

# Handwritten, deliberately unambiguous reviews (1 = liked): any usable model labels them right,
# so errors here mean a broken model, not a hard review.
CANARY_REVIEWS: tuple[tuple[str, int], ...] = (
    ("The food was delicious and the staff were friendly.", 1),
    ("Great service, amazing pasta, we will definitely come back!", 1),
    ("Best burger I have had in years.", 1),
    ("Loved the atmosphere and the desserts were excellent.", 1),
    ("Wonderful place, fresh ingredients and fair prices.", 1),
    ("Our waiter was attentive and the steak was perfect.", 1),
    ("Really good sushi, I highly recommend it.", 1),
    ("Fantastic breakfast, the coffee was great too.", 1),
    ("Awesome food and a very nice, cozy place.", 1),
    ("Everything was tasty and fresh, we loved it.", 1),
    ("The food was cold and tasteless.", 0),
    ("Terrible service, we waited an hour and left hungry.", 0),
    ("Worst meal I have ever had, never again.", 0),
    ("The fries were soggy and the burger was bland.", 0),
    ("Rude staff and a dirty table, very disappointing.", 0),
    ("Overpriced and the portions were tiny.", 0),
    ("I would not recommend this place to anyone.", 0),
    ("The chicken was dry and the soup was awful.", 0),
    ("Horrible experience, the manager did not even apologize.", 0),
    ("Not good at all, the pizza was burnt.", 0),
)


@dataclass(frozen=True)
class Latency:
    """Median milliseconds per single-review prediction, measured side by side."""

    candidate_ms: float
    served_ms: float
    ratio: float


@dataclass
class CanaryReport:
    """The canary's figures and, in `reasons`, every check that failed."""

    candidate: str
    served: str | None
    n_traffic: int
    agreement: float | None          # None: no served model to compare with
    labelled_errors: int | None      # of the len(CANARY_REVIEWS) canary reviews
    latency: Latency | None
    invalid_outputs: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return not self.reasons


def _positive_probability(model: Any, texts: list[str]) -> list[float]:
    return [float(row[1]) for row in model.predict_proba(texts)]


def _labels(model: Any, texts: list[str]) -> list[int]:
    return [int(p >= 0.5) for p in _positive_probability(model, texts)]


def invalid_outputs(model: Any, texts: Iterable[str] | None = None) -> list[str]:
    """Inputs (shortened repr) for which the model raises or returns unusable probabilities;
    by default the hostile inputs of Monitor 5."""
    problems = []
    for text in HOSTILE_INPUTS.values() if texts is None else texts:
        shown = repr(text[:24]) + ("..." if len(text) > 24 else "")
        problems += [f"{shown}: {problem}" for problem in output_problems(model, text)]
    return problems


def latency_ms(candidate: Any, served: Any, texts: list[str],
               repeats: int) -> tuple[float, float, float]:
    """Median milliseconds per single-review prediction of each model, and their paired ratio.

    The two are measured alternately, review by review, so a busy machine slows both alike; the
    ratio is the median over those pairs, which stays meaningful where an absolute time would
    not.
    """
    timings = measurement.item_latencies(
        {"candidate": candidate.predict_proba, "served": served.predict_proba}, texts,
        warmup=1, repeats=repeats)  # the warm-up pays for lazy imports and caches
    return (timings["candidate"].median * 1e3, timings["served"].median * 1e3,
            measurement.paired_ratio(timings["candidate"], timings["served"]))


def _labelled_errors(candidate: Any, limit: float) -> tuple[int, str | None]:
    texts = [text for text, _ in CANARY_REVIEWS]
    errors = sum(predicted != label for predicted, (_, label)
                 in zip(_labels(candidate, texts), CANARY_REVIEWS, strict=True))
    rate = errors / len(CANARY_REVIEWS)
    if rate <= limit:
        return errors, None
    return errors, (f"{errors} of {len(CANARY_REVIEWS)} labelled canary reviews wrong (error"
                    f" rate {rate:.2f} > canary.max_error_rate {limit:.2f})")


def _agreement(candidate: Any, served: Any, traffic: list[str], limit: float,
               served_version: str | None) -> tuple[float, str | None]:
    mine, theirs = _labels(candidate, traffic), _labels(served, traffic)
    agreement = sum(a == b for a, b in zip(mine, theirs, strict=True)) / len(traffic)
    if agreement >= limit:
        return agreement, None
    return agreement, (f"agrees with {served_version or 'the served model'} on {agreement:.2f}"
                       f" of {len(traffic)} serving reviews (< canary.min_agreement {limit:.2f})")


def _latency(candidate: Any, served: Any, traffic: list[str],
             canary: CanaryConfig) -> tuple[Latency, str | None]:
    sample = traffic[:canary.latency_sample]
    repeats = canary.latency_repeats
    limit = canary.max_latency_ratio

    def measure() -> list[measurement.Comparison]:
        mine, theirs, ratio = latency_ms(candidate, served, sample, repeats)
        return [measurement.Comparison("latency", mine, theirs, limit, paired=ratio)]

    # A ratio over the limit is measured again: a slow candidate stays slow, load beside the
    # release job does not.
    best = measurement.confirmed(measure, canary.latency_attempts)[0]
    latency = Latency(best.candidate, best.reference, best.ratio)
    mine, theirs = latency.candidate_ms, latency.served_ms
    if latency.ratio <= limit:
        return latency, None
    return latency, (f"{latency.ratio:.2f}x the served model's latency ({mine:.2f} vs"
                     f" {theirs:.2f} ms per review; > canary.max_latency_ratio {limit:.2f})")


def run_canary(candidate: Any, served: Any | None, traffic: list[str], canary: CanaryConfig,
               versions: tuple[str, str | None] = ("candidate", None)) -> CanaryReport:
    """Compare `candidate` with `served` (None: first release) and list every failed check.

    `versions` names the candidate and the served model in the report and its reasons.
    """
    if not traffic:
        raise PipelineError("canary: the traffic batch is empty; expected some reviews")
    limits = {key: float(getattr(canary, key))
              for key in ("min_agreement", "max_error_rate", "max_latency_ratio")}
    report = CanaryReport(versions[0], versions[1], len(traffic), None, None, None,
                          invalid_outputs(candidate), limits)
    if report.invalid_outputs:
        report.reasons.append(f"{len(report.invalid_outputs)} of {len(HOSTILE_INPUTS)} hostile"
                              f" inputs gave no valid probability (first:"
                              f" {report.invalid_outputs[0]})")
        return report  # NaN labels and timings would mean nothing: stop here
    report.labelled_errors, reason = _labelled_errors(candidate, limits["max_error_rate"])
    report.reasons += [reason] if reason else []
    if served is not None:
        report.agreement, reason = _agreement(candidate, served, traffic,
                                              limits["min_agreement"], versions[1])
        report.reasons += [reason] if reason else []
        report.latency, reason = _latency(candidate, served, traffic, canary)
        report.reasons += [reason] if reason else []
    return report


def _reference(served: str | None, registry: Any) -> tuple[Any, dict[str, Any]] | None:
    """The model to compare with: a package directory, a registry version, or the served one."""
    from pipeline.rollout.release import served_model  # pylint: disable=import-outside-toplevel

    if served is None:
        return served_model(registry)
    if Path(served).is_dir():
        return load_package(served)
    return registry.load(served)


def _traffic(path: Path | None, data: DataConfig) -> list[str]:
    if path is None:
        path = raw_file(data, "serving")
    return read_reviews(path, labelled=False).texts


def _release_inputs(args: argparse.Namespace, config: Config) -> tuple[Any, Any]:
    """The release rules (with the reviewed spec) and the held-out data the command names."""
    from pipeline.rollout.release import (  # pylint: disable=import-outside-toplevel
        HeldOut,
        ReleaseRules,
    )

    rules = ReleaseRules.from_config(config.quality, config.release,
                                     reviewed_spec(args.params, args.reviewed_spec))
    return rules, HeldOut(read_reviews(args.holdout or TEST_SPLIT),
                          read_reviews(args.population or raw_file(config.data, "training")))


def main(argv: list[str]) -> int:
    """Canary, then release check, then publish and promote (unless --dry-run)."""
    # pylint: disable-next=import-outside-toplevel
    from pipeline.registry import open_registry
    from pipeline.rollout.release import release  # pylint: disable=import-outside-toplevel

    parser = CommandParser(prog="python -m pipeline canary", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidate", type=Path, required=True,
                        help="the candidate package directory (model.skops + metadata.json)")
    parser.add_argument("--served", metavar="VERSION|DIR",
                        help="what to compare with (default: the registry's served version)")
    parser.add_argument("--registry", metavar="URI",
                        help="directory or hf://owner/name (default: registry.uri in params.yaml)")
    parser.add_argument("--traffic", type=Path,
                        help="an unlabelled reviews file (default: data.serving from params)")
    parser.add_argument("--holdout", type=Path,
                        help="labelled held-out reviews for the release check"
                             " (default: data/prepared/test.tsv)")
    parser.add_argument("--population", type=Path, metavar="FILE",
                        help="the labelled file the holdout was split from, which tells its"
                             " own duplicates from leaked rows (default: data.training)")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--reviewed-spec", type=Path, metavar="FILE",
                        help="the reviewed params file the candidate must have been trained from"
                             " (default: --params as committed at git HEAD)")
    parser.add_argument("--report", type=Path, default=CANARY_REPORT)
    parser.add_argument("--dry-run", action="store_true", help="check only, promote nothing")
    args = parser.parse_args(argv)
    config = load_config(args.params)
    rules, held_out = _release_inputs(args, config)
    registry = open_registry(args.registry or config.registry.uri, args.params)
    candidate, metadata = load_package(args.candidate)
    rules.reviewed.require(metadata)  # before the canary: an unreviewed spec needs no measuring
    reference = _reference(args.served, registry)
    report = run_canary(candidate, reference[0] if reference else None,
                        _traffic(args.traffic, config.data), config.canary,
                        (metadata["version"], reference[1]["version"] if reference else None))
    write_json_atomic(args.report, {**asdict(report), "passed": report.passed})
    if not report.passed:
        raise PipelineError(f"canary: {report.candidate} not promoted: {'; '.join(report.reasons)}")
    decision = release(args.candidate, registry, rules, held_out, promote=not args.dry_run)
    figures = (f"agreement {report.agreement:.2f}, latency x{report.latency.ratio:.2f}"
               if report.latency is not None else "no served model to compare with")
    print(f"canary passed: {figures}, canary errors {report.labelled_errors}/"
          f"{len(CANARY_REVIEWS)}, held-out accuracy {decision.candidate_accuracy:.3f}")
    print(f"{'checked (dry run)' if args.dry_run else 'promoted'}: {report.candidate}")
    return 0
