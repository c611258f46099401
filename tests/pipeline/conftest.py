"""A tiny model, trained on handwritten reviews, for the pipeline's unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.data.reviews import Reviews
from pipeline.config import Config, load_config

# Handwritten for these tests (not from the dumps): enough words for a vocabulary.
TINY_REVIEWS = Reviews(
    texts=["Great food and friendly staff!", "Loved the pasta, will come back.",
           "Delicious soup and a warm welcome.", "The service was excellent.",
           "Cold fries and rude waiter.", "Not good, the steak was dry.",
           "Terrible service, never again.", "The soup was bland and cold."],
    labels=[1, 1, 1, 1, 0, 0, 0, 0],
)


@pytest.fixture(scope="session")
def project_config(project_root: Path) -> Config:
    """The project's params.yaml, validated."""
    return load_config(project_root / "params.yaml")


@pytest.fixture(scope="session")
def tiny_reviews() -> Reviews:
    """Eight handwritten, labelled reviews."""
    return TINY_REVIEWS


@pytest.fixture(scope="session")
def tiny_model(project_config):
    """The project's model pipeline fitted on the handwritten reviews."""
    from pipeline.model import train_model  # pylint: disable=import-outside-toplevel

    return train_model(TINY_REVIEWS, project_config.model_spec)
