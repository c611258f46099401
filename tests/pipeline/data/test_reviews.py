"""Row-level schema of review files: every bad input names the file and the line."""

from __future__ import annotations

import pytest

from pipeline.data.reviews import Reviews, format_reviews, parse_reviews
from pipeline.errors import PipelineError

GOOD = b"Review\tLiked\nGreat food.\t1\nCold soup.\t0\n"


def test_good_file_parses_literally():
    data = b'Review\tLiked\n"As for the ""mains,"" uninspired."\t0\nNice!\t1\n'
    reviews = parse_reviews("r.tsv", data)
    assert reviews.texts == ['"As for the ""mains,"" uninspired."', "Nice!"]
    assert reviews.labels == [0, 1]


def test_round_trip_is_exact():
    reviews = parse_reviews("r.tsv", GOOD)
    assert format_reviews(reviews) == GOOD
    assert parse_reviews("r.tsv", format_reviews(reviews)) == reviews


def test_unlabelled_batch():
    reviews = parse_reviews("a2.tsv", b"Review\nFine.\n", labelled=False)
    assert reviews == Reviews(["Fine."], None)
    assert format_reviews(reviews) == b"Review\nFine.\n"


@pytest.mark.parametrize(
    ("data", "labelled", "message"),
    [
        (b"", True, "empty file"),
        (b"Review\tLiked\n", True, "no data rows"),
        (b"Text\tLiked\nx\t1\n", True, "line 1: header"),
        (b"Review\tLiked\tExtra\nx\t1\t2\n", True, "line 1: header"),
        (b"Review\tLiked\nok\t1\nbad, split\there\t0\n", True, "line 3: 3 tab-separated fields"),
        (b"Review\tLiked\nok\t2\n", True, "line 2: label '2'"),
        (b"Review\tLiked\nok\t\n", True, "line 2: label ''"),
        (b"Review\tLiked\n   \t1\n", True, "line 2: empty review"),
        (b"Review\tLiked\nok\t1\r\n", True, "carriage return"),
        (b"Review\tLiked\nok\t1\ncaf\xe9\t1\n", True, "line 3: not valid UTF-8"),
        (b"Review\tLiked\nok\t1\n", False, "line 1: header"),
        (b"Review\nok\textra\n", False, "line 2: 2 tab-separated fields"),
    ],
)
def test_bad_input_is_one_clear_line(data, labelled, message):
    with pytest.raises(PipelineError) as caught:
        parse_reviews("batch.tsv", data, labelled=labelled)
    text = str(caught.value)
    assert text.startswith("batch.tsv: ") and message in text and "\n" not in text


def test_missing_file_and_directory(tmp_path):
    from pipeline.data.reviews import read_reviews  # pylint: disable=import-outside-toplevel

    with pytest.raises(PipelineError, match="file not found"):
        read_reviews(tmp_path / "absent.tsv")
    with pytest.raises(PipelineError, match="is a directory"):
        read_reviews(tmp_path)
