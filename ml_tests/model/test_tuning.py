"""Model 3: all hyperparameters have been tuned.

Every hyperparameter in params.yaml (the family, each family's settings, each feature switch)
must have a search space there, and the configured values must be as good as the best the
search finds, within fold noise. The suite searches one coordinate round around the
configured values for the active family (each key swept with the others held): a configured
value that one move beats beyond noise is not tuned. The full multi-round search over all
families is `python -m pipeline tune`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ml_tests.support.once import computed_once
from pipeline.analysis import tune
from pipeline.config import LogisticRegressionSettings


class _WithTolerance(LogisticRegressionSettings):
    """The logistic regression settings as if `tol` had been added to the schema."""

    tol: float


def _with_tolerance(config, tol: float):
    """The config as if a new hyperparameter had been added to the schema and params.yaml (an
    override cannot add one: params.yaml accepts known keys only)."""
    settings = _WithTolerance(**config.model.logistic_regression.model_dump(), tol=tol)
    model = config.model.model_copy(update={"logistic_regression": settings})
    return config.model_copy(update={"model": model})


@pytest.fixture(scope="session")
def tuning(config, train_split, reports_dir, request):
    """One coordinate round over the active family's settings and the feature switches."""
    keys = [key for key in tune.hyperparameters(config)
            if key != "model.family"
            and (not key.startswith("model.") or key.split(".")[1] == config.model.family)]
    return computed_once(request, "tuning", lambda: tune.search(
        config, train_split.texts, train_split.labels, keys=keys, rounds=1),
        report=reports_dir / "tuning.json")


@pytest.mark.rubric("model", 3)
def test_every_hyperparameter_has_a_search_space(config):
    """Red when a hyperparameter is added to params.yaml without a search space (or a value is
    configured outside its space): it was never tuned."""
    assert tune.unsearched(config) == []
    extended = _with_tolerance(config, 1e-4)
    assert tune.unsearched(extended) == ["model.logistic_regression.tol: no search space"]


@pytest.mark.rubric("model", 3)
def test_configured_values_are_within_noise_of_the_best(tuning, config):
    """Red when a configured hyperparameter is beaten beyond noise by another value of its
    space: e.g. C=0.5 instead of 8 (0.80 vs 0.84), or min_df=3 (0.79)."""
    assert len(tuning["candidates"]) > len(tuning["keys"])
    shortfall = tuning["shortfall"]
    noise = config.model_checks.noise_z * shortfall["standard_error"]
    assert shortfall["difference"] <= noise, (
        f"best {tuning['best']} beats the configured values by {shortfall['difference']:.4f} "
        f"> {noise:.4f}")


@pytest.mark.rubric("model", 3)
def test_tune_command_writes_a_report(tmp_path: Path, config, train_split):
    """Red when `python -m pipeline tune` fails to search or to write its report; a tiny run
    (one key, one CV repeat) keeps it fast."""
    from pipeline.data.reviews import (
        Reviews,
        format_reviews,
    )  # pylint: disable=import-outside-toplevel

    small = config.with_overrides({"cv.n_repeats": 1})
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(small.as_mapping()), encoding="utf-8")
    (tmp_path / "train.tsv").write_bytes(
        format_reviews(Reviews(train_split.texts, train_split.labels)))
    out = tmp_path / "tuning.json"
    code = tune.main(["--params", str(tmp_path / "params.yaml"), "--train",
                      str(tmp_path / "train.tsv"), "--keys", "features.min_df", "--out", str(out)])
    import json  # pylint: disable=import-outside-toplevel

    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert {c["overrides"].get("features.min_df") for c in report["candidates"]} == {None, 2, 3}
    assert report["configured_within_noise"] is True
