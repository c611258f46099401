"""Model 7: the model is tested for considerations of inclusion.

Counterfactual sets (ml_tests/model/counterfactuals.py) built from the held-out reviews swap
cuisines and nationalities, reviewer names, gendered words and accented spellings; within a set
only that term differs, so the predicted label must not change. The flip rate (share of
variants whose label differs from their set's majority) must stay within
`model_checks.max_counterfactual_flip_rate` for every group.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ml_tests.model import counterfactuals
from pipeline.fileio import write_json_atomic
from pipeline.model import predict_labels

GROUPS = tuple(counterfactuals.FRAMES)


def flip_summary(model, texts, group) -> dict:
    """Variants, flips against each set's majority label, and the widest probability spread."""
    sets = list(counterfactuals.counterfactual_sets(texts, group))
    flat = [text for variants in sets for text in variants]
    labels, probability = predict_labels(model, flat)
    flips, spread, start = 0, 0.0, 0
    examples = []
    for variants in sets:
        chunk = labels[start:start + len(variants)]
        majority = Counter(chunk).most_common(1)[0][0]
        disagree = sum(label != majority for label in chunk)
        flips += disagree
        if disagree and len(examples) < 5:
            examples.append(variants[chunk.index(1 - majority)])
        spread = max(spread, float(np.ptp(probability[start:start + len(variants)])))
        start += len(variants)
    return {"sets": len(sets), "variants": len(flat), "flips": flips,
            "flip_rate": round(flips / len(flat), 4), "max_probability_spread": round(spread, 4),
            "substituted_sets": sum(not variants[0].startswith(
                counterfactuals.FRAMES[group][0].split("{}")[0]) for variants in sets),
            "examples": examples}


@pytest.fixture(scope="session")
def inclusion_report(trained_model, test_split, historic, config, reports_dir):
    """Flip rates per group over the held-out reviews, written to reports/inclusion.json."""
    texts = list(dict.fromkeys(test_split.texts + historic.texts))
    report = {"max_flip_rate": config.model_checks.max_counterfactual_flip_rate,
              "min_sets": config.model_checks.min_slice_size,
              "groups": {group: flip_summary(trained_model, texts, group) for group in GROUPS}}
    write_json_atomic(reports_dir / "inclusion.json", report)
    return report


@pytest.mark.rubric("model", 7)
@pytest.mark.parametrize("group", GROUPS)
def test_counterfactuals_keep_the_prediction(inclusion_report, group):
    """Red when a protected term carries sentiment: checked with a model trained on data where
    one cuisine ("Mexican") appears only in complaints (the origin group turns red)."""
    row = inclusion_report["groups"][group]
    assert row["sets"] >= inclusion_report["min_sets"], row
    assert row["flip_rate"] <= inclusion_report["max_flip_rate"], row
