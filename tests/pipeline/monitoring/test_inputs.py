"""The logged-input check: row rules and distribution tests against held-out reviews."""

from __future__ import annotations

import urllib.parse

import pytest

from pipeline.errors import PipelineError
from pipeline.monitoring import inputs
from tests.pipeline.conftest import TINY_REVIEWS

ALPHA = 0.001


def test_vocabulary_figures_count_known_tokens_and_empty_reviews(tiny_model):
    """Red when: tokens outside the vocabulary are counted as known, or empty rows missed."""
    figures = inputs.vocabulary_figures(tiny_model, ["great food", "zzz qqq"])
    assert figures == {"reviews": 2, "tokens": 4, "known_tokens": 2, "empty_reviews": 1}


def test_reviews_like_the_reference_raise_no_alert(tiny_model, records_of, project_config):
    """Red when: the same reviews as the reference are called shifted (false alarm)."""
    records = records_of(list(TINY_REVIEWS.texts))
    result = inputs.check_logged_inputs(records, tiny_model, TINY_REVIEWS.texts,
                                        project_config.schema_, ALPHA)
    assert not result["alert"], result["message"]
    assert all(test["p_value"] == pytest.approx(1.0) or test["p_value"] >= 0.5
               for test in result["tests"].values()), result["tests"]


def test_encoded_reviews_are_a_coverage_alert(tiny_model, records_of, project_config):
    """Red when: reviews whose tokens miss the vocabulary pass the coverage test."""
    texts = [urllib.parse.quote(text) for text in TINY_REVIEWS.texts * 20]
    records = records_of([f"{text} {n}" for n, text in enumerate(texts)])
    result = inputs.check_logged_inputs(records, tiny_model, TINY_REVIEWS.texts * 20,
                                        project_config.schema_, ALPHA)
    assert result["alert"] and "coverage" in result["message"]
    assert result["tests"]["coverage"]["served"] < result["tests"]["coverage"]["reference"]


def test_row_rules_name_the_logged_review(tiny_model, records_of, project_config):
    """Red when: an empty or over-long logged review passes the row rules."""
    records = records_of(list(TINY_REVIEWS.texts))
    records[0]["review"] = " "
    records[1]["review"] = "x" * (project_config.schema_.max_review_chars + 1)
    result = inputs.check_logged_inputs(records, tiny_model, TINY_REVIEWS.texts,
                                        project_config.schema_, ALPHA)
    assert result["alert"] and result["row_violations"] == 2
    assert result["reasons"][0] == "request req#0: empty review"


def test_a_log_without_text_is_an_error(tiny_model, records_of, project_config):
    """Red when: a log with nothing to compare is reported as matching the reference."""
    records = records_of(["Fine."])
    records[0]["review"] = None
    with pytest.raises(PipelineError, match="no logged or reference review text"):
        inputs.check_logged_inputs(records, tiny_model, TINY_REVIEWS.texts,
                                   project_config.schema_, ALPHA)
