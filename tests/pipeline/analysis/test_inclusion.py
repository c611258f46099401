"""The counterfactual study judges only sets the model can tell apart, and names each term."""

from __future__ import annotations

from pipeline.analysis.inclusion import flip_study, term_status


def test_sets_of_identical_feature_rows_are_invariant_not_judged(tiny_model):
    # "zebra" and "yak" are out of the tiny vocabulary: both variants are one feature row.
    result = flip_study(tiny_model, [["Great food zebra.", "Great food yak."]])
    assert (result["sets"], result["judged_sets"], result["invariant_sets"]) == (1, 0, 1)
    assert (result["flip_rate"], result["flip_share"], result["examples"]) == (0.0, 0.0, [])


def test_a_set_with_another_label_counts_once_and_per_variant(tiny_model):
    sets = [["Great food and friendly staff!", "Terrible food and rude staff.",
             "Great food and friendly staff!!"], ["Delicious soup.", "Delicious soup!"]]
    result = flip_study(tiny_model, sets)
    assert (result["judged_sets"], result["variants"], result["flips"]) == (2, 5, 1)
    assert (result["sets_with_flip"], result["flip_share"], result["flip_rate"]) == (1, 0.5, 0.2)
    assert result["examples"] == ["Terrible food and rude staff."]
    assert 0 < result["max_probability_spread"] <= 1


def test_no_sets_is_no_evidence(tiny_model):
    assert flip_study(tiny_model, [])["judged_sets"] == 0


def test_terms_are_tested_neutralised_dropped_or_untested(tiny_model):
    status = term_status(tiny_model, "The {} was there.",
                         ["staff", "waiter", "waitress", "she", "zebra"])
    assert status == {"tested": ["staff"], "neutralised": ["waiter", "waitress"],
                      "dropped": ["she"], "untested": ["zebra"]}
