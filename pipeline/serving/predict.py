"""`python -m pipeline predict TEXT...`: label reviews with the packaged model."""

from __future__ import annotations

from pathlib import Path

from pipeline.artifact import load_package
from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.layout import MODELS_DIR
from pipeline.model import predict_labels

LABEL_NAMES = {0: "negative", 1: "positive"}


def format_prediction(label: int, positive_probability: float) -> str:
    """One output line: the label and the probability of that label."""
    probability = positive_probability if label == 1 else 1.0 - positive_probability
    return f"{LABEL_NAMES[label]}\t{probability:.3f}"


def main(argv: list[str]) -> int:
    """Print one line per text: label and its probability."""
    parser = CommandParser(prog="python -m pipeline predict", description=__doc__)
    parser.add_argument("texts", nargs="+", metavar="TEXT")
    parser.add_argument("--model-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    if any(not text.strip() for text in args.texts):
        raise PipelineError("predict: empty review text; expected some words")
    model, _ = load_package(args.model_dir)
    predicted, probability = predict_labels(model, args.texts)
    for label, positive in zip(predicted, probability, strict=True):
        print(format_prediction(label, positive))
    return 0
