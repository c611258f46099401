"""A seeded, stratified train/test split of labelled reviews."""

from __future__ import annotations

from pipeline.config import SplitConfig
from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError


def split_reviews(reviews: Reviews, split: SplitConfig, seed: int) -> tuple[Reviews, Reviews]:
    """Split by `split` (test_size, stratify) and the seed; the same inputs always give the same
    split."""
    from sklearn.model_selection import train_test_split  # pylint: disable=import-outside-toplevel

    if reviews.labels is None:
        raise PipelineError("prepare: the training file has no labels")
    labels = reviews.labels
    try:
        train_x, test_x, train_y, test_y = train_test_split(
            reviews.texts, labels,
            test_size=split.test_size,
            random_state=seed,
            stratify=labels if split.stratify else None,
        )
    except ValueError as error:
        raise PipelineError(f"prepare: cannot split {len(labels)} reviews: {error}") from None
    return Reviews(train_x, train_y), Reviews(test_x, test_y)
