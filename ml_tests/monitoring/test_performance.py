"""Monitor 6: computing performance has not regressed.

A candidate (the model the pipeline trains now) is measured against the served package in the
same run, interleaved, after a warm-up: single-review latency, batch latency, throughput and the
tracemalloc peak of a batch prediction, as ratios with tolerances from params.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.config import Config
from pipeline.data.reviews import Reviews
from pipeline.model import train_model
from pipeline.monitoring import performance


class Slowed:
    """A candidate that does its work three times: a realistic 3x regression (e.g. a
    preprocessing step run once per feature family instead of once)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict_proba(self, texts):
        """Two wasted predictions, then the real one."""
        for _ in range(2):
            self.model.predict_proba(texts)
        return self.model.predict_proba(texts)


class Densified:
    """A candidate that turns the sparse TF-IDF matrix dense on the way (a memory regression)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict_proba(self, texts):
        """The same probabilities, through a dense copy of the features."""
        dense = self.model[:-1].transform(texts).toarray()
        return self.model[-1].predict_proba(dense)


@pytest.fixture(name="candidate")
def fixture_candidate(train_split: Reviews, config: Config):
    """The model the pipeline trains now, built at test time (what would be promoted)."""
    return train_model(train_split, config.model_spec)


@pytest.mark.rubric("monitoring", 6)
def test_retrained_candidate_performs_like_the_served_model(candidate, served_model,
                                                            fresh: Reviews, config,
                                                            record) -> None:
    """The pipeline's current model is within the latency and memory tolerances of the served one.

    Red when training now yields a slower or hungrier model than the one served (a costlier
    preprocessing step, a larger vocabulary, densified features).
    """
    result = performance.check_performance(candidate, served_model, fresh.texts,
                                           config.monitoring, config.seed)
    record("performance", result)
    assert not result["alert"], result["message"]


@pytest.mark.rubric("monitoring", 6)
def test_three_times_slower_candidate_raises_the_alert(candidate, served_model, fresh: Reviews,
                                                       config, record) -> None:
    """A candidate doing its work three times is flagged on single and batch latency.

    Red when the check compares absolute times to a loose constant, measures only one of the
    two models, or lets warm-up or ordering effects hide a 3x difference.
    """
    result = performance.check_performance(Slowed(candidate), served_model, fresh.texts,
                                           config.monitoring, config.seed)
    record("performance_slowed", result)
    assert result["alert"]
    assert {"single_latency", "batch_latency"} <= set(result["regressed"]), result["ratios"]
    assert result["ratios"]["batch_latency"] > config.monitoring.max_latency_ratio


@pytest.mark.rubric("monitoring", 6)
def test_memory_hungry_candidate_raises_the_alert(candidate, served_model, fresh: Reviews,
                                                  config, record) -> None:
    """A candidate that densifies the feature matrix is flagged on peak memory.

    Red when memory is not measured or not compared with the served model.
    """
    result = performance.check_performance(Densified(candidate), served_model, fresh.texts,
                                           config.monitoring, config.seed)
    record("performance_densified", result)
    assert "peak_memory" in result["regressed"], result["ratios"]


@pytest.mark.rubric("monitoring", 6)
def test_monitor_performance_command_compares_two_packages(packaged_model, serving_path,
                                                           run_monitor) -> None:
    """`monitor performance` with the same package as candidate and served: exit 0, ratios ~1.

    Red when the command measures the two packages differently (e.g. warms up only one).
    """
    code, report = run_monitor("performance", "--candidate", packaged_model,
                               "--served", packaged_model, "--input", serving_path)
    assert (code, report["alert"]) == (0, False), report.get("message")
    assert set(report["ratios"]) == {"single_latency", "batch_latency", "throughput",
                                     "peak_memory"}
