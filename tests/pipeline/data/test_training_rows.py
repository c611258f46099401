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


def test_row_hashes_are_short_sorted_and_blind_to_spacing_and_case() -> None:
    hashes = row_hashes(["Great  food!", "great food! ", "Rude waiter."])
    assert hashes == sorted(hashes) and all(len(row) == 16 for row in hashes)
    assert len(set(hashes)) == 2, "re-spaced and re-cased copies are the same row"


@pytest.mark.parametrize("text", [None, "{not json", '{"training_rows": [1]}', "[]"])
def test_a_missing_or_malformed_record_is_a_one_line_error(tmp_path: Path, text) -> None:
    path = tmp_path / "training_rows.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError, match=str(path)) as refused:
        read_training_record(path)
    assert "\n" not in str(refused.value)
