"""The logged-skew check: recomputing logged requests through the training path."""

from __future__ import annotations

from pipeline.monitoring import skew
from tests.pipeline.monitoring.conftest import VERSION

TEXTS = ["Great food, friendly staff!", "Not good: the steak was dry.", "Call 555-123-4567 now"]


def test_records_serving_wrote_match_the_training_path(tiny_model, records_of):
    """Red when: recomputing the server's own records finds a difference (false alarm)."""
    records = records_of(TEXTS) + records_of(TEXTS[:1], request_id="single")
    result = skew.check_logged_skew({VERSION: tiny_model}, records)
    assert not result["alert"], result
    assert result["recomputed"] == len(records) and result["max_feature_difference"] == 0.0


def test_a_changed_feature_probability_or_text_is_a_mismatch(tiny_model, records_of):
    """Red when: one kind of difference goes unseen."""
    records = records_of(TEXTS)
    records[0]["features"]["values"][0] += 1e-9
    records[1]["probability"] -= 1e-9
    records[2]["review"] = "Call 555-123-4567 now"  # raw: the model's PII step would mask it
    result = skew.check_logged_skew({VERSION: tiny_model}, records)
    assert result["alert"]
    assert (result["feature_mismatches"], result["prediction_mismatches"],
            result["unfaithful_texts"]) == (1, 1, 1)
    assert result["examples"] == ["req#0", "req#1", "req#2"]


def test_feature_indices_outside_the_vocabulary_are_a_mismatch(tiny_model, records_of):
    """Red when: a row logged by another vectoriser is silently cut to this one's width."""
    records = records_of(TEXTS[:1])
    records[0]["features"]["indices"][0] = 10 ** 6
    result = skew.check_logged_skew({VERSION: tiny_model}, records)
    assert result["feature_mismatches"] == 1


def test_faithful_is_the_pii_steps_fixed_point(tiny_model, records_of):
    """Red when: logged text the PII step would change (or no text) counts as faithful."""
    records = records_of(TEXTS)
    records[1]["review"] = None
    records[2]["review"] = "MIXED Case"
    assert skew.faithful(tiny_model, records).tolist() == [True, False, False]


def test_nothing_recomputable_is_an_alert(tiny_model, records_of):
    """Red when: a log without text passes as 'no skew' although nothing was compared."""
    records = records_of(TEXTS[:1])
    records[0]["review"] = None
    assert skew.check_logged_skew({VERSION: tiny_model}, records)["alert"]
