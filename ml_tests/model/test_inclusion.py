"""Model 7: the model is tested for considerations of inclusion.

Counterfactual sets (ml_tests/model/counterfactuals.py) are built from reviews the model was not
trained on: the held-out split and the serving batch, without any text that is also a training
row. Within a set only a cuisine or nationality, a reviewer's name, a gendered word or an accent
differs, so the predicted label must not change (pipeline.analysis.inclusion).

Names: the listed first names are masked (`features.mask_pii`, pipeline/data/bundled/
first_names.txt), so they are invariant by construction; names off the list that the model has
never seen are reported untested. That rests on the list's coverage, which the report shows.

Not covered: gendered words off the gender map (mom or dad, son or daughter, ...) and race are
not shown invariant; for gender only the mapped words are, by construction.

Only sets the model can tell apart are judged. A term out of the model's vocabulary cannot move
the prediction and is reported as untested, not counted as evidence; a group whose terms the
preprocessing maps to one feature or removes is invariant by construction, and the report says
so. One group judges the model itself: origins on no list of the preprocessing, with one listed
origin among them; it must be judged and pass on its own. The same study on a model trained
with the inclusion controls switched off (`model_checks.inclusion_controls`) shows what the
controls buy. Everything is written to reports/inclusion.json.
"""

from __future__ import annotations

from typing import Any

import pytest

from ml_tests.model import counterfactuals
from pipeline.analysis import inclusion
from pipeline.fileio import write_json_atomic
from pipeline.model import train_model

GROUPS = tuple(counterfactuals.FRAMES)


def study(model, texts: list[str]) -> dict[str, dict[str, Any]]:
    """Per group: the flip figures over its counterfactual sets and what became of each term."""
    rows = {}
    for group in GROUPS:
        row = inclusion.flip_study(model, list(counterfactuals.counterfactual_sets(texts, group)))
        terms = inclusion.term_status(model, counterfactuals.FRAMES[group][0],
                                      counterfactuals.TERMS[group])
        # No term the model can tell from another, and some the preprocessing maps to one
        # feature (listed names to `personname`) or removes (listed origins); the rest, out of
        # vocabulary, stay untested. The control test checks that the switches, not the
        # vocabulary, make it so. The unlisted groups are there to judge the model: never.
        rows[group] = {**row, "terms": terms, "by_construction": group not in
                       counterfactuals.UNLISTED and not terms[inclusion.TESTED]
                       and bool(terms[inclusion.NEUTRALISED] or terms[inclusion.DROPPED])}
    return rows


@pytest.fixture(scope="session")
def held_out_texts(train_split, test_split, fresh, labelled_fresh) -> list[str]:
    """The held-out split and the serving batch (unlabelled and labelled), minus training rows."""
    seen = set(train_split.texts)
    candidates = dict.fromkeys([*test_split.texts, *fresh.texts, *labelled_fresh.texts])
    return [text for text in candidates if text not in seen]


@pytest.fixture(scope="session")
def control_model(train_split, config):
    """The configured model trained with every inclusion control switched off."""
    controls = config.model_checks.inclusion_controls
    return train_model(train_split, config.with_overrides(dict.fromkeys(controls, False))
                       .model_spec)


@pytest.fixture(scope="session")
def inclusion_report(trained_model, control_model, held_out_texts, test_split, fresh,
                     labelled_fresh, config, reports_dir):
    """Flip figures per group for the configured model and the control run."""
    checks = config.model_checks
    shipped = study(trained_model, held_out_texts)
    report = {
        "texts": len(held_out_texts),
        "training_rows_excluded": len(set([*test_split.texts, *fresh.texts,
                                           *labelled_fresh.texts])) - len(held_out_texts),
        "max_flip_share": checks.max_counterfactual_flip_share,
        "min_sets": checks.min_slice_size,
        "untested_terms": {group: row["terms"][inclusion.UNTESTED]
                           for group, row in shipped.items()},
        "groups": shipped,
        "control": {"switched_off": list(checks.inclusion_controls),
                    "groups": study(control_model, held_out_texts)},
    }
    write_json_atomic(reports_dir / "inclusion.json", report)
    return report


@pytest.mark.rubric("model", 7)
@pytest.mark.parametrize("group", GROUPS)
def test_counterfactuals_keep_the_prediction(inclusion_report, group):
    """Red when a protected term carries sentiment on held-out reviews: more than
    `max_counterfactual_flip_share` of the judged sets hold a variant with another label (the
    origin words kept or the gender map dropped, a shared word that stands for every listed
    origin and carries a weight of its own, training data where one reviewer's name signs
    complaints, or an unlisted identity term that carries sentiment);
    also red when too few sets are judged and the group is not invariant by construction (its
    terms out of the model's vocabulary: untested)."""
    row = inclusion_report["groups"][group]
    if not row["by_construction"]:
        assert row["judged_sets"] >= inclusion_report["min_sets"], (
            f"{group}: {row['judged_sets']} judged sets; untested: {row['terms']['untested']}")
    assert row["flip_share"] <= inclusion_report["max_flip_share"], row


@pytest.mark.rubric("model", 7)
def test_the_inclusion_controls_are_what_makes_the_invariance(inclusion_report):
    """Red when a group counts as invariant by construction although the inclusion switches do
    not make it so: the control run, trained with them off, must judge every such group (a
    preprocessing that ignores its switch, or terms that are merely out of vocabulary)."""
    control = inclusion_report["control"]["groups"]
    hollow = [group for group, row in inclusion_report["groups"].items()
              if row["by_construction"] and not control[group]["judged_sets"]]
    assert not hollow, f"invariant with and without the controls: {hollow}"


@pytest.mark.rubric("model", 7)
def test_the_unlisted_groups_are_judged_by_the_model(inclusion_report):
    """Red when a term of the unlisted group is neutralised or removed by the preprocessing: the
    group would then stand for nothing but the terms the study's own lists cover (that enough of
    its sets are judged is checked with its flips)."""
    for group, unlisted in counterfactuals.UNLISTED.items():
        terms = inclusion_report["groups"][group]["terms"]
        covered = set(unlisted) & set(terms[inclusion.NEUTRALISED] + terms[inclusion.DROPPED])
        assert not covered, f"{group}: the preprocessing covers {sorted(covered)}"
