"""Data 1: feature expectations are captured in a schema.

Three layers, each checked on the real dumps (which must pass) and on corrupted copies (which
must fail, caught by the expectation or row rule meant for that corruption): the Great
Expectations suite over raw reviews (pipeline.data.schema), the suite over features
(pipeline.analysis.feature_schema), and the row-level rules of pipeline.data.reviews behind
`python -m pipeline validate`. Great Expectations is imported inside these tests only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.analysis import feature_schema
from pipeline.data import reviews, schema
from pipeline.errors import PipelineError

pytestmark = pytest.mark.rubric("data", 1)


def _raw_summary(frame, config, labelled=True):
    return schema.validate_frame(frame, schema.build_expectations(config.schema_, labelled))


def _feature_summary(batch, config):
    return feature_schema.validate_features(batch, config.features, config.feature_schema)


def test_real_dumps_meet_the_raw_schema(historic, fresh, config):
    """Red when the dumps or the bounds drift apart (e.g. a bound tightened below the data)."""
    for batch, labelled in ((historic, True), (fresh, False)):
        summary = _raw_summary(schema.reviews_frame(batch), config, labelled)
        assert summary["success"], schema.failed_checks(summary)
        assert len(summary["checks"]) == len(schema.build_expectations(config.schema_, labelled))


def _drop_label(frame):
    return frame.drop(columns=[reviews.LABEL])


def _label_two(frame):
    frame = frame.copy()
    frame.loc[frame.index[::10], reviews.LABEL] = 2
    return frame


def _empty_reviews(frame):
    frame = frame.copy()
    frame.loc[frame.index[::20], reviews.TEXT] = ""
    return frame


def _replayed_batch(frame):
    import pandas as pd  # pylint: disable=import-outside-toplevel

    return pd.concat([frame, frame.iloc[:100]], ignore_index=True)


def _flip_to_positive(frame):
    frame = frame.copy()
    frame[reviews.LABEL] = 1 - frame[reviews.LABEL] * 0  # every label 1: the balance is gone
    return frame


RAW_CORRUPTIONS = {
    "dropped column": (_drop_label, "expect_table_columns_to_match_ordered_list(table)"),
    "label outside {0,1}": (_label_two, "expect_column_values_to_be_in_set(Liked)"),
    "empty reviews": (_empty_reviews, "expect_column_value_lengths_to_be_between(Review)"),
    "replayed batch": (_replayed_batch, "expect_column_values_to_be_unique(Review)"),
    "label flip": (_flip_to_positive, "expect_column_mean_to_be_between(Liked)"),
}


@pytest.mark.parametrize("corruption", sorted(RAW_CORRUPTIONS))
def test_raw_schema_names_the_corruption(historic, config, corruption):
    """Red when an expectation is dropped or loosened so that its corruption slips through."""
    corrupt, expected = RAW_CORRUPTIONS[corruption]
    summary = _raw_summary(corrupt(schema.reviews_frame(historic)), config)
    assert not summary["success"]
    assert expected in schema.failed_checks(summary)


def test_features_meet_the_feature_schema(train_split, config):
    """Red when preprocessing empties reviews, stops splitting or the vocabulary leaves bounds."""
    summary = _feature_summary(train_split, config)
    assert summary["success"], schema.failed_checks(summary)
    names = {check["expectation"] for check in summary["checks"]}
    assert {"expect_column_values_to_be_between", "expect_column_unique_value_count_to_be_between",
            "expect_column_values_to_match_regex",
            "expect_column_distinct_values_to_equal_set"} <= names


def test_feature_schema_catches_reviews_that_lose_every_token(train_split, config):
    """Reviews made only of stop words pass the raw schema but reach the model empty."""
    texts = list(train_split.texts)
    texts[::25] = ["It was the one."] * len(texts[::25])
    summary = _feature_summary(reviews.Reviews(texts, train_split.labels), config)
    assert "expect_column_values_to_be_between(Tokens)" in schema.failed_checks(summary)
    assert _raw_summary(schema.reviews_frame(reviews.Reviews(texts, train_split.labels)),
                        config)["success"]


def test_feature_schema_catches_labels_outside_the_set(train_split, config):
    """A third class, or a lost one, changes the label set the features are trained on."""
    for labels in ([2 if i % 9 == 0 else y for i, y in enumerate(train_split.labels)],
                   [1] * len(train_split.labels)):
        summary = _feature_summary(reviews.Reviews(train_split.texts, labels), config)
        assert ("expect_column_distinct_values_to_equal_set(Liked)"
                in schema.failed_checks(summary))


def test_feature_schema_catches_a_broken_tokeniser(train_split, config, monkeypatch):
    """A tokeniser that stops splitting yields one multi-word "term" per review."""
    monkeypatch.setattr("pipeline.features.tokenize", lambda text: [text])
    failed = schema.failed_checks(_feature_summary(train_split, config))
    assert "expect_column_values_to_match_regex(Term)" in failed


def test_feature_schema_catches_a_collapsed_vocabulary(train_split, config, monkeypatch):
    """Character tokens leave a vocabulary of a few dozen terms, below the configured minimum."""
    monkeypatch.setattr("pipeline.features.tokenize", lambda text: [c for c in text if c.isalnum()])
    failed = schema.failed_checks(_feature_summary(train_split, config))
    assert "expect_column_unique_value_count_to_be_between(Term)" in failed


# Row-level rules: corrupt files as they circulate, written byte for byte.
def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _extra_column(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[5] = lines[5] + b"\textra"
    return b"\n".join(lines)


def _bad_label(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[7] = lines[7][:-1] + b"5"
    return b"\n".join(lines)


def _undecodable(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[9] = b"caf\xe9 " + lines[9]   # latin-1, not UTF-8
    return b"\n".join(lines)


ROW_CORRUPTIONS = {
    "crlf": (_crlf, "carriage return"),
    "extra column": (_extra_column, "line 6: 3 tab-separated fields"),
    "bad label": (_bad_label, "line 8: label '5'"),
    "undecodable": (_undecodable, "line 10: not valid UTF-8"),
}


def _corrupt_files(historic_path: Path, tmp_path: Path) -> dict[str, Path]:
    data = historic_path.read_bytes()
    files = {}
    for name, (corrupt, _) in ROW_CORRUPTIONS.items():
        path = tmp_path / f"{name.replace(' ', '_')}.tsv"
        path.write_bytes(corrupt(data))
        files[name] = path
    return files


def test_row_rules_name_file_line_and_problem(historic_path, tmp_path):
    """Red when a row rule is removed (e.g. CRLF accepted, a third field ignored)."""
    for name, path in _corrupt_files(historic_path, tmp_path).items():
        with pytest.raises(PipelineError) as error:
            reviews.read_reviews(path)
        assert str(path) in str(error.value)
        assert ROW_CORRUPTIONS[name][1] in str(error.value), name


def test_validate_command_exit_codes(historic_path, historic, tmp_path, project_root):
    """`python -m pipeline validate --input`: 0 on the real dump; 2 and one line per bad file."""
    files = {"real": historic_path, **_corrupt_files(historic_path, tmp_path)}
    runs = {name: subprocess.Popen([sys.executable, "-m", "pipeline", "validate", "--input",
                                    str(path)], cwd=project_root, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            for name, path in files.items()}
    results = {name: (run.wait(timeout=60), *run.communicate()) for name, run in runs.items()}
    code, out, err = results.pop("real")
    assert (code, err) == (0, ""), err
    assert f"valid ({len(historic.texts)} reviews)" in out
    for name, (code, _, err) in results.items():
        assert code == 2, name
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert str(files[name]) in lines[0] and ROW_CORRUPTIONS[name][1] in lines[0], lines[0]
