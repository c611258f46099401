"""Stage `prepare`: a seeded, stratified train/test split of the labelled reviews."""

from __future__ import annotations

from pipeline.cli import CommandParser
from pipeline.config import load_config
from pipeline.data.reviews import format_reviews, read_reviews
from pipeline.data.sources import raw_file
from pipeline.data.split import split_reviews
from pipeline.fileio import write_bytes_atomic
from pipeline.layout import TEST_SPLIT, TRAIN_SPLIT


def main(argv: list[str]) -> int:
    """Write data/prepared/train.tsv and test.tsv."""
    parser = CommandParser(prog="python -m pipeline prepare", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    config = load_config(args.params)
    train, test = split_reviews(read_reviews(raw_file(config.data, "training")), config.split,
                                config.seed)
    write_bytes_atomic(TRAIN_SPLIT, format_reviews(train))
    write_bytes_atomic(TEST_SPLIT, format_reviews(test))
    print(f"{TRAIN_SPLIT}: {len(train.texts)} reviews; {TEST_SPLIT}: {len(test.texts)} reviews")
    return 0
