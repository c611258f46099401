"""Stage `train`: fit the configured Pipeline on the training split and save the artifact."""

from __future__ import annotations

import math
from typing import Any

from pipeline.artifact import save_model
from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.layout import TRAIN_SPLIT, TRAINED_MODEL
from pipeline.model import build_model
from pipeline.params import load_params
from pipeline.reviews import Reviews, read_reviews


def train_model(reviews: Reviews, params: dict[str, Any]):
    """Fit a fresh model; degenerate data fails with a clear error instead of a NaN model."""
    if reviews.labels is None or len(set(reviews.labels)) < 2:
        raise PipelineError("train: the training data must contain both labels 0 and 1")
    model = build_model(params)
    try:
        model.fit(reviews.texts, reviews.labels)
    except ValueError as error:  # e.g. an empty vocabulary: every review was only stop words
        raise PipelineError(f"train: cannot fit the model: {error}") from None
    coefficients = getattr(model[-1], "coef_", None)
    if coefficients is not None and not all(math.isfinite(v) for v in coefficients.ravel()):
        raise PipelineError("train: the fitted model has non-finite coefficients")
    return model


def main(argv: list[str]) -> int:
    """Train on data/prepared/train.tsv and write data/model/model.skops."""
    parser = CommandParser(prog="python -m pipeline train", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    model = train_model(read_reviews(TRAIN_SPLIT), load_params(args.params))
    digest = save_model(model, TRAINED_MODEL)
    print(f"{TRAINED_MODEL}: sha256 {digest}")
    return 0
