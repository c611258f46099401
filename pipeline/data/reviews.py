"""Reading review files and checking them against the training (or serving) schema.

The checks here are plain Python on purpose: `python -m pipeline validate` must answer in well
under a second and name the exact row at fault, which a full Great Expectations run cannot do
cheaply. The Great Expectations suite (pipeline.data.schema) adds the statistical expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

TEXT = "Review"
LABEL = "Liked"
LABELLED_HEADER = (TEXT, LABEL)
UNLABELLED_HEADER = (TEXT,)
LABELS = ("0", "1")


@dataclass(frozen=True)
class Reviews:
    """The rows of a reviews file, as read (labels are None for a serving batch)."""

    texts: list[str]
    labels: list[int] | None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PipelineError(f"{path}: line {line}: not valid UTF-8 text") from None


def parse_reviews(path: str | Path, data: bytes, labelled: bool = True) -> Reviews:
    """Parse and check a tab-separated reviews file; the first problem found is a PipelineError.

    Fields are taken literally (csv.QUOTE_NONE semantics): some reviews carry CSV-style quotes
    that are part of the text.
    """
    path = Path(path)
    text = _decode(path, data)
    if "\r" in text:
        raise PipelineError(f"{path}: carriage return found; expected LF line endings")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    expected = LABELLED_HEADER if labelled else UNLABELLED_HEADER
    if not lines:
        raise PipelineError(f"{path}: empty file; expected a header {'<TAB>'.join(expected)}")
    header = tuple(lines[0].lstrip("\ufeff").split("\t"))
    if header != expected:
        raise PipelineError(
            f"{path}: line 1: header is {'<TAB>'.join(header)!r}; "
            f"expected {'<TAB>'.join(expected)!r}"
        )
    if len(lines) < 2:
        raise PipelineError(f"{path}: no data rows after the header; expected at least one review")
    texts: list[str] = []
    labels: list[int] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(expected):
            raise PipelineError(
                f"{path}: line {number}: {len(fields)} tab-separated fields; "
                f"expected {len(expected)} ({', '.join(expected)})"
            )
        if not fields[0].strip():
            raise PipelineError(f"{path}: line {number}: empty review; expected some text")
        if labelled:
            if fields[1] not in LABELS:
                raise PipelineError(
                    f"{path}: line {number}: label {fields[1]!r} in column {LABEL}; expected 0 or 1"
                )
            labels.append(int(fields[1]))
        texts.append(fields[0])
    return Reviews(texts=texts, labels=labels if labelled else None)


def read_reviews(path: str | Path, labelled: bool = True) -> Reviews:
    """Read and check a reviews file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise PipelineError(f"{path}: is a directory; expected a reviews file") from None
    return parse_reviews(path, data, labelled=labelled)


def format_reviews(reviews: Reviews) -> bytes:
    """The inverse of parse_reviews, so split files read back exactly as written."""
    if reviews.labels is None:
        rows = [TEXT] + reviews.texts
    else:
        pairs = zip(reviews.texts, reviews.labels, strict=True)
        rows = [f"{TEXT}\t{LABEL}"] + [f"{text}\t{label}" for text, label in pairs]
    return ("\n".join(rows) + "\n").encode("utf-8")
