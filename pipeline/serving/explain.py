"""`python -m pipeline explain TEXT...`: how the packaged model reached its prediction.

A wrong label is debugged by looking at what the model actually saw: the text after each
preprocessing step (`ReviewPreprocessor.steps`), the features those tokens became, and, for a
linear model, each feature's contribution (coefficient x feature value). The contributions and
the intercept are computed here from the fitted parts, not read back from the model's own
output, so they add up to the model's decision value (the log-odds of "positive") exactly when
the explanation describes the computation that serving really performs.

Only families with coefficients (`coef_`, e.g. logistic_regression) can be explained this way;
for the others the command fails with one line rather than printing a made-up decomposition.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.artifact import load_package
from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.layout import MODELS_DIR
from pipeline.model import feature_steps

DEFAULT_TOP = 10


@dataclass(frozen=True)
class Contribution:
    """One active feature: its name, its value for this text, its weight and their product."""

    feature: str
    value: float
    coefficient: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """Everything `explain` shows for one text."""

    text: str
    steps: list[tuple[str, str]]
    contributions: list[Contribution]   # active features, largest |contribution| first
    intercept: float
    decision: float                     # intercept + sum of contributions
    probability: float                  # of the positive class, sigmoid(decision)
    label: int


def _linear_parts(model: Any) -> tuple[Any, float]:
    """Coefficients and intercept of the final step, or a clear error for other families."""
    classifier = model[-1]
    coefficients = getattr(classifier, "coef_", None)
    intercept = getattr(classifier, "intercept_", None)
    if coefficients is None or intercept is None or getattr(coefficients, "shape", (0,))[0] != 1:
        raise PipelineError(
            f"explain: the model's classifier {type(classifier).__name__} has no per-feature "
            "coefficients; explanations need a linear family with coef_ "
            "(model.family: logistic_regression)")
    return coefficients[0], float(intercept[0])


def feature_names(model: Any) -> list[str]:
    """Column names of the features step's output, `<transformer>__<feature>`."""
    return [f"{name}__{column}" for name, transformer in feature_steps(model)
            for column in transformer.get_feature_names_out()]


def explain_text(model: Any, text: str) -> Explanation:
    """Explain one prediction of a fitted preprocess -> features -> classifier Pipeline."""
    coefficients, intercept = _linear_parts(model)
    preprocessor, features = model.named_steps["preprocess"], model.named_steps["features"]
    steps = preprocessor.steps(text)
    row = features.transform(preprocessor.transform([text]))
    names = feature_names(model)
    if len(names) != row.shape[1] or len(names) != len(coefficients):
        raise PipelineError(f"explain: {len(names)} feature names for {row.shape[1]} columns and"
                            f" {len(coefficients)} coefficients; the model is inconsistent")
    row = row.tocsr() if hasattr(row, "tocsr") else row
    if hasattr(row, "indices"):
        active = zip(row.indices.tolist(), row.data.tolist(), strict=True)
    else:
        active = ((i, v) for i, v in enumerate(row[0].tolist()) if v != 0.0)
    contributions = [
        Contribution(str(names[i]), float(value), float(coefficients[i]),
                     float(coefficients[i]) * float(value))
        for i, value in active]
    contributions.sort(key=lambda c: (-abs(c.contribution), c.feature))
    decision = intercept + math.fsum(c.contribution for c in contributions)
    probability = 1.0 / (1.0 + math.exp(-decision)) if decision > -700 else 0.0
    return Explanation(text, steps, contributions, intercept, decision, probability,
                       int(probability >= 0.5))


def format_explanation(explanation: Explanation, top: int = DEFAULT_TOP) -> str:
    """Human-readable report: steps, then the top contributions, then the total."""
    lines = [f"text: {explanation.text}", "preprocessing:"]
    lines += [f"  {name:<20} {output}" for name, output in explanation.steps]
    shown = explanation.contributions[:top] if top > 0 else explanation.contributions
    lines.append(f"features ({len(explanation.contributions)} active, "
                 f"largest {len(shown)} shown): value x coefficient = contribution")
    lines += [f"  {c.feature:<30} {c.value:8.4f} x {c.coefficient:+9.4f} = {c.contribution:+9.4f}"
              for c in shown]
    hidden = explanation.contributions[len(shown):]
    if hidden:
        lines.append(f"  ({len(hidden)} more)"
                     f"{'':<21}{math.fsum(c.contribution for c in hidden):+9.4f}")
    lines.append(f"  {'intercept':<30} {'':<21}{explanation.intercept:+9.4f}")
    lines.append(f"decision {explanation.decision:+.4f} -> P(positive) "
                 f"{explanation.probability:.3f} -> "
                 f"{'positive' if explanation.label == 1 else 'negative'}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print an explanation per text (or JSON with --json)."""
    parser = CommandParser(prog="python -m pipeline explain", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("texts", nargs="+", metavar="TEXT")
    parser.add_argument("--model-dir", type=Path, default=MODELS_DIR,
                        help="a package directory (default: models)")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP,
                        help="contributions to list per text; 0 lists all")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    if any(not text.strip() for text in args.texts):
        raise PipelineError("explain: empty review text; expected some words")
    model, metadata = load_package(args.model_dir)
    explanations = [explain_text(model, text) for text in args.texts]
    if args.json:
        print(json.dumps({"version": metadata["version"],
                          "explanations": [asdict(e) for e in explanations]}, indent=2))
    else:
        print(f"model {metadata['version']} ({args.model_dir})")
        print("\n\n".join(format_explanation(e, args.top) for e in explanations))
    return 0
