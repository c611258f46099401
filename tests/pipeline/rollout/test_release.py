"""The release check's holdout overlap on its own: hashed rows, honest duplicates, leaks."""

from __future__ import annotations

from pipeline.analysis.spec import ReviewedSpec
from pipeline.data.reviews import Reviews
from pipeline.rollout.release import HeldOut, ReleaseRules, check_release, seen_in_training
from pipeline.data.training_rows import row_hashes

RULES = ReleaseRules(0.0, 1.0, ReviewedSpec({}, "none"))
POPULATION = ["Great food.", "Great food.", "Rude waiter.", "Cold soup.", "Lovely staff."]


def test_an_honest_split_of_a_duplicated_review_is_not_a_leak() -> None:
    train, holdout = ["Great food.", "Rude waiter.", "Lovely staff."], ["Great food.", "Cold soup."]
    assert seen_in_training(holdout, row_hashes(train), POPULATION) == 0


def test_every_training_copy_beyond_the_population_counts_as_seen() -> None:
    holdout = ["Great food.", "Cold soup."]
    leaked = POPULATION + ["  great   FOOD. "]  # a re-spaced, re-cased copy is the same row
    assert seen_in_training(holdout, row_hashes(POPULATION), POPULATION) == 2
    assert seen_in_training(holdout, row_hashes(leaked), POPULATION) == 2
    assert seen_in_training(["Cold soup."], row_hashes(["Great food."]), POPULATION) == 0


def test_a_holdout_from_elsewhere_counts_what_training_holds() -> None:
    assert seen_in_training(["Nice view.", "Rude waiter."], row_hashes(["Rude waiter."]),
                            POPULATION) == 1


def test_a_package_without_training_rows_is_refused(tiny_model) -> None:
    holdout = Reviews(["Great food.", "Cold soup."], [1, 0])
    decision = check_release(tiny_model, {"version": "v1"}, None,
                             HeldOut(holdout, Reviews(POPULATION, None)), RULES)
    assert not decision.accepted and decision.n_seen_in_training is None
    assert decision.reasons == ["its metadata records no training rows, so nothing shows the 2"
                                " held-out reviews were unseen"]


def test_a_leaked_holdout_is_refused_with_the_count(tiny_model, tiny_reviews) -> None:
    holdout = Reviews(tiny_reviews.texts[2:6], tiny_reviews.labels[2:6])
    decision = check_release(tiny_model, {"version": "v1",
                                          "training_rows": row_hashes(tiny_reviews.texts)},
                             None, HeldOut(holdout, tiny_reviews), RULES)
    assert decision.n_seen_in_training == 4
    assert decision.reasons[0].startswith("4 of the 4 held-out reviews were in its training")
