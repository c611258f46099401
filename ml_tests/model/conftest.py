"""Fixtures of the Model suite: the repeated-CV figures several tests share, computed once."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.analysis import crossval
from pipeline.config import Config


@pytest.fixture(scope="session")
def configured_cv(config: Config, train_split) -> np.ndarray:
    """Per-fold repeated-CV accuracy of the configured model on the training split."""
    return crossval.cv_scores(config.model_spec, config.cv, train_split.texts,
                              train_split.labels)
