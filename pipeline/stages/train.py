"""Stage `train`: fit the configured Pipeline on the training split and save the artifact."""

from __future__ import annotations

from pipeline.artifact import save_model
from pipeline.cli import CommandParser
from pipeline.config import load_config
from pipeline.data.reviews import read_reviews
from pipeline.layout import TRAIN_SPLIT, TRAINED_MODEL
from pipeline.model import train_model


def main(argv: list[str]) -> int:
    """Train on data/prepared/train.tsv and write data/model/model.skops."""
    parser = CommandParser(prog="python -m pipeline train", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    model = train_model(read_reviews(TRAIN_SPLIT), load_config(args.params).model_spec)
    digest = save_model(model, TRAINED_MODEL)
    print(f"{TRAINED_MODEL}: sha256 {digest}")
    return 0
