"""Row-level schema of review files: every bad input names the file and the line."""

from __future__ import annotations

import pytest

from pipeline.data.reviews import Reviews, format_reviews, parse_reviews, read_reviews
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


@pytest.mark.parametrize(("data", "labelled", "message"), [
    (b"", True, "f.tsv: empty file; expected a header Review<TAB>Liked"),
    (b"", False, "f.tsv: empty file; expected a header Review"),
    (b"Text\tLiked\nx\t1\n", True,
     "f.tsv: line 1: header is 'Text<TAB>Liked'; expected 'Review<TAB>Liked'"),
    (b"Review\tLiked\n", True,
     "f.tsv: no data rows after the header; expected at least one review"),
    (b"Review\tLiked\nok\t1\na\tb\tc\n", True,
     "f.tsv: line 3: 3 tab-separated fields; expected 2 (Review, Liked)"),
    (b"Review\nok\textra\n", False, "f.tsv: line 2: 2 tab-separated fields; expected 1 (Review)"),
    (b"Review\tLiked\n \t1\n", True, "f.tsv: line 2: empty review; expected some text"),
    (b"Review\tLiked\nok\tyes\n", True,
     "f.tsv: line 2: label 'yes' in column Liked; expected 0 or 1"),
    (b"Review\tLiked\r\nok\t1\r\n", True,
     "f.tsv: carriage return found; expected LF line endings"),
    (b"Review\tLiked\nok\t1\n\xff\t1\n", True, "f.tsv: line 3: not valid UTF-8 text"),
    (b"\xffReview\tLiked\n", True, "f.tsv: line 1: not valid UTF-8 text"),
])
def test_messages_are_exact(data, labelled, message):
    with pytest.raises(PipelineError) as caught:
        parse_reviews("f.tsv", data, labelled=labelled)
    assert str(caught.value) == message


def test_a_byte_order_mark_and_a_missing_final_newline_are_accepted():
    reviews = parse_reviews("f.tsv", "\ufeffReview\tLiked\nGood.\t1\nBad.\t0".encode())
    assert reviews == Reviews(["Good.", "Bad."], [1, 0])


def test_only_one_trailing_newline_is_dropped():
    with pytest.raises(PipelineError, match="line 3: 1 tab-separated fields"):
        parse_reviews("f.tsv", b"Review\tLiked\nGood.\t1\n\n")


def test_labels_are_integers_and_texts_keep_their_spaces():
    reviews = parse_reviews("f.tsv", b"Review\tLiked\n  Good  \t1\n")
    assert reviews.texts == ["  Good  "]
    assert reviews.labels == [1] and isinstance(reviews.labels[0], int)


def test_read_reviews_from_disk_labelled_and_not(tmp_path):
    path = tmp_path / "batch.tsv"
    path.write_bytes(b"Review\nFine.\n")
    assert read_reviews(path, labelled=False) == Reviews(["Fine."], None)
    with pytest.raises(PipelineError) as caught:
        read_reviews(path)
    assert str(caught.value) == (f"{path}: line 1: header is 'Review'; "
                                 "expected 'Review<TAB>Liked'")
    with pytest.raises(PipelineError) as missing:
        read_reviews(tmp_path / "absent.tsv")
    assert str(missing.value) == f"{tmp_path / 'absent.tsv'}: file not found"
    with pytest.raises(PipelineError) as directory:
        read_reviews(tmp_path)
    assert str(directory.value) == f"{tmp_path}: is a directory; expected a reviews file"


def test_a_header_separated_by_spaces_is_refused():
    with pytest.raises(PipelineError) as caught:
        parse_reviews("f.tsv", b"Review  Liked\nok\t1\n")
    assert str(caught.value) == ("f.tsv: line 1: header is 'Review  Liked'; "
                                 "expected 'Review<TAB>Liked'")


def test_formatting_refuses_texts_and_labels_of_different_lengths():
    with pytest.raises(ValueError):
        format_reviews(Reviews(["a", "b"], [1]))
