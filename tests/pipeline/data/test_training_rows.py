"""The training-rows record: written from the reviews fitted, read back or refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.data.training_rows import (
    TRAINING_ROWS,
    read_training_record,
    row_hashes,
    write_training_record,
)
from pipeline.errors import PipelineError


def test_the_record_read_back_is_the_hashes_of_the_reviews_written(
        tmp_path: Path, tiny_reviews) -> None:
    path = tmp_path / "training_rows.json"
    write_training_record(path, tiny_reviews)
    assert read_training_record(path) == {TRAINING_ROWS: row_hashes(tiny_reviews.texts)}


def test_a_re_spaced_or_re_cased_review_is_the_same_row() -> None:
    assert row_hashes(["Great  food"]) == row_hashes(["great food "])


@pytest.mark.parametrize("text", [None, "{not json", '{"training_rows": [1]}', "[]"])
def test_a_missing_or_malformed_record_is_a_one_line_error(tmp_path: Path, text) -> None:
    path = tmp_path / "training_rows.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError, match=str(path)) as refused:
        read_training_record(path)
    assert "\n" not in str(refused.value)
