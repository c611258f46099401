"""The rubric as data: the 28 items, their titles, and the bands of Table V."""

from __future__ import annotations

import pytest

from pytest_ml_test_score.catalogue import CATALOGUE, INTERPRETATION_BANDS, interpret, score_band


def test_catalogue_has_the_28_items_with_the_rubric_titles():
    assert len(CATALOGUE) == 28
    assert CATALOGUE[("data", 1)].title == "Feature expectations are captured in a schema."
    assert CATALOGUE[("monitoring", 7)].title == "Prediction quality has not regressed."
    assert CATALOGUE[("infra", 3)].title == "The ML pipeline is Integration tested."
    assert all(item.heading and item.hint for item in CATALOGUE.values())


@pytest.mark.parametrize(("score", "start"), [
    (0, "More of a research"), (0.5, "Not totally untested"), (1.0, "Not totally untested"),
    (1.5, "There's been first pass"), (2.0, "There's been first pass"),
    (3.0, "Reasonably tested"), (3.5, "Strong levels"), (5.0, "Strong levels"),
    (5.5, "Exceptional"), (7.0, "Exceptional"),
])
def test_interpretation_bins_close_on_the_right(score, start):
    assert interpret(score).startswith(start)


def test_interpretation_rejects_nan():
    with pytest.raises(ValueError):
        interpret(float("nan"))


def test_each_band_holds_its_upper_bound_and_the_meaning_is_its_text():
    for band in INTERPRETATION_BANDS[:-1]:
        assert score_band(band[0]) is band
        assert interpret(band[0]) == band[1]
    assert score_band(7.0) is INTERPRETATION_BANDS[-1]
    assert [upper for upper, _ in INTERPRETATION_BANDS] == sorted(
        upper for upper, _ in INTERPRETATION_BANDS)


def test_every_item_has_a_label_of_section_title_and_number():
    assert CATALOGUE[("infra", 3)].label == "Infrastructure 3"
    assert [item.label for item in CATALOGUE.values()][:2] == ["Data 1", "Data 2"]
