"""Stage `prepare`: a seeded, stratified train/test split of the labelled reviews."""

from __future__ import annotations

from typing import Any

from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.fileio import write_bytes_atomic
from pipeline.layout import TEST_SPLIT, TRAIN_SPLIT
from pipeline.params import get, load_params
from pipeline.reviews import Reviews, format_reviews, read_reviews
from pipeline.sources import raw_file


def split_reviews(reviews: Reviews, params: dict[str, Any]) -> tuple[Reviews, Reviews]:
    """Split by params (test_size, stratify, seed); the same inputs always give the same split."""
    from sklearn.model_selection import train_test_split  # pylint: disable=import-outside-toplevel

    if reviews.labels is None:
        raise PipelineError("prepare: the training file has no labels")
    labels = reviews.labels
    try:
        train_x, test_x, train_y, test_y = train_test_split(
            reviews.texts, labels,
            test_size=float(get(params, "split.test_size")),
            random_state=int(get(params, "seed")),
            stratify=labels if get(params, "split.stratify") else None,
        )
    except ValueError as error:
        raise PipelineError(f"prepare: cannot split {len(labels)} reviews: {error}") from None
    return Reviews(train_x, train_y), Reviews(test_x, test_y)


def main(argv: list[str]) -> int:
    """Write data/prepared/train.tsv and test.tsv."""
    parser = CommandParser(prog="python -m pipeline prepare", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    train, test = split_reviews(read_reviews(raw_file(params, "training")), params)
    write_bytes_atomic(TRAIN_SPLIT, format_reviews(train))
    write_bytes_atomic(TEST_SPLIT, format_reviews(test))
    print(f"{TRAIN_SPLIT}: {len(train.texts)} reviews; {TEST_SPLIT}: {len(test.texts)} reviews")
    return 0
