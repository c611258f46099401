"""Fixtures of the Model suite: the repeated-CV figures several tests share, computed once."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pipeline.analysis import crossval


@pytest.fixture(scope="session")
def configured_cv(params: dict[str, Any], train_split) -> np.ndarray:
    """Per-fold repeated-CV accuracy of the configured model on the training split."""
    return crossval.cv_scores(params, train_split.texts, train_split.labels)
