"""The record of exactly which reviews a model was fitted on, as short hashes (`training_rows`).

The train stage writes it next to the artifact (`data/model/training_rows.json`) from the very
reviews it fitted, and the package stage copies it into metadata.json, so the release check can
prove its holdout was unseen by what training did, not by what a split file says it should have
done. Hashes rather than texts: no review text leaves the data directory (a review may hold
personal data).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_bytes, write_json_atomic

TRAINING_ROWS = "training_rows"
ROW_HASH_CHARS = 16  # 64 bits: no chance collision among a few thousand reviews


def row_hashes(texts: Iterable[str]) -> list[str]:
    """One short sha256 per review, sorted, repeats kept; whitespace and case are normalised
    first, so a re-spaced or re-cased copy of a review is still the same row."""
    return sorted(sha256_bytes(" ".join(text.split()).casefold().encode("utf-8"))
                  [:ROW_HASH_CHARS] for text in texts)


def training_record(reviews: Reviews) -> dict[str, list[str]]:
    """The metadata field naming the reviews a model was fitted on; without it the release check
    refuses the package, since nothing shows its holdout was unseen."""
    return {TRAINING_ROWS: row_hashes(reviews.texts)}


def write_training_record(path: str | Path, reviews: Reviews) -> None:
    """Record, atomically, the reviews a model was just fitted on."""
    write_json_atomic(path, training_record(reviews))


def read_training_record(path: str | Path) -> dict[str, list[str]]:
    """The record the train stage wrote; a missing or malformed one is a one-line error."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{path}: no training-rows record; run the train stage") from None
    except json.JSONDecodeError as error:
        raise PipelineError(f"{path}: not JSON ({error.msg}, line {error.lineno})") from None
    rows = record.get(TRAINING_ROWS) if isinstance(record, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, str) for row in rows):
        raise PipelineError(f"{path}: expected {{{TRAINING_ROWS!r}: [row hashes]}}")
    return {TRAINING_ROWS: rows}
