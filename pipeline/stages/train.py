"""Stage `train`: fit the configured Pipeline on the training split and save the artifact.

Beside it goes the record of the very reviews it fitted (`data/model/training_rows.json`), which
the package stage copies into metadata.json for the release check.
"""

from __future__ import annotations

from pipeline.artifact import save_model
from pipeline.cli import CommandParser
from pipeline.config import load_config
from pipeline.data.reviews import read_reviews
from pipeline.data.training_rows import write_training_record
from pipeline.layout import TRAIN_SPLIT, TRAINED_MODEL, TRAINING_ROWS_RECORD
from pipeline.model import train_model


def main(argv: list[str]) -> int:
    """Train on data/prepared/train.tsv; write data/model/model.skops and training_rows.json."""
    parser = CommandParser(prog="python -m pipeline train", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    reviews = read_reviews(TRAIN_SPLIT)
    model = train_model(reviews, load_config(args.params).model_spec)
    digest = save_model(model, TRAINED_MODEL)
    write_training_record(TRAINING_ROWS_RECORD, reviews)
    print(f"{TRAINED_MODEL}: sha256 {digest}")
    return 0
