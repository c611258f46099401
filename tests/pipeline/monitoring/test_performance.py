"""The served path's computing figures relative to the course baseline, recorded and checked."""

from __future__ import annotations

import pytest

from pipeline.artifact import dumps_model
from pipeline.errors import PipelineError
from pipeline.monitoring import performance
from pipeline.serving.served import ServedModel

TEXTS = ["Great food and friendly staff!", "Cold fries and rude waiter.",
         "Not good, the steak was dry."] * 10
PLAN = performance.Plan(rounds=7, warmup=1, singles=3, seed=0)


def _figures(**relative: float) -> dict:
    base = {"single_latency": 1.5, "batch_latency": 2.0, "throughput": 0.5,
            "peak_memory": 0.03}
    side = {"single_latency_ms": 1.0, "batch_latency_ms": 1.0, "throughput_per_s": 1.0,
            "peak_memory_bytes": 1}
    return {"relative": {**base, **relative}, "served": side, "reference": side}


@pytest.fixture(name="served")
def fixture_served(tiny_model) -> ServedModel:
    """The tiny model as the server serves it, with release figures of 2x batch latency."""
    metadata = {"version": "tiny", "artifact": "model.skops",
                "performance_baseline": {"relative": _figures()["relative"]}}
    return ServedModel(tiny_model, metadata)


def test_paired_ratios_see_a_threefold_cost_and_not_an_equal_one(tiny_model):
    """Red when: the sides are swapped, or the ratio is not served over reference."""
    def thrice(texts):
        for _ in range(3):
            tiny_model.predict_proba(texts)

    same = performance.measure(tiny_model.predict_proba, tiny_model.predict_proba, TEXTS, PLAN)
    slow = performance.measure(thrice, tiny_model.predict_proba, TEXTS, PLAN)
    assert same["relative"]["batch_latency"] == pytest.approx(1.0, abs=0.3)
    assert slow["relative"]["batch_latency"] > 2 * same["relative"]["batch_latency"]
    assert slow["relative"]["throughput"] < same["relative"]["throughput"]
    assert same["relative"]["peak_memory"] == pytest.approx(1.0, abs=0.2)


def test_throughput_is_paired_by_round_like_batch_latency(monkeypatch):
    """Red when throughput is a ratio of the two sides' medians: under load that differs from
    round to round, a quiet round of one side would be compared with a busy one of the other."""
    def served(texts):
        return texts

    def reference(texts):
        return texts

    batch_seconds = {served: iter([1.0, 5.0, 2.0, 6.0, 3.0, 7.0, 4.0]),
                     reference: iter([1.0, 1.0, 3.0, 3.0, 2.0, 2.0, 4.0])}
    monkeypatch.setattr(performance, "_seconds", lambda predict, sample: next(
        batch_seconds[predict]) if len(sample) > 1 else 1.0)
    monkeypatch.setattr(performance.measurement, "traced_peak", lambda call: (call(), 1))
    figures = performance.measure(served, reference, TEXTS,
                                  performance.Plan(rounds=7, warmup=0, singles=3, seed=0))
    assert figures["relative"]["batch_latency"] == 1.5
    assert figures["relative"]["throughput"] == pytest.approx(1 / 1.5)


def test_release_figures_keep_the_median_of_the_attempts(served, project_config, monkeypatch):
    """One busy attempt at build time must not become the version's yardstick."""
    batches = iter([2.0, 9.0, 2.2])
    monkeypatch.setattr(performance, "measure",
                        lambda *args: _figures(batch_latency=next(batches)))
    workload = performance.Workload(served.score, TEXTS)
    recorded = performance.release_figures(served, workload, project_config.monitoring, 0)
    assert recorded["relative"]["batch_latency"] == 2.2
    assert recorded["attempts"] == project_config.monitoring.performance_attempts == 3


@pytest.mark.parametrize(("now", "regressed"), [
    ({}, []),
    ({"batch_latency": 6.0, "throughput": 0.15}, ["batch_latency", "throughput"]),
    ({"peak_memory": 0.3}, ["peak_memory"]),
])
def test_now_against_the_release_figures(served, project_config, monkeypatch, now, regressed):
    """Red when: costs and speeds are oriented the wrong way, or a regression seen on every
    attempt does not alert."""
    monkeypatch.setattr(performance, "measure", lambda *args: _figures(**now))
    workload = performance.Workload(served.score, TEXTS)
    result = performance.check_performance(served, workload, project_config.monitoring, 0)
    assert result["regressed"] == regressed
    assert result["alert"] == bool(regressed)
    assert result["ratios"]["batch_latency"] == pytest.approx(now.get("batch_latency", 2.0) / 2.0,
                                                              abs=1e-4)
    assert result["ratios"]["throughput"] == pytest.approx(0.5 / now.get("throughput", 0.5),
                                                           abs=1e-4)


def test_a_regression_that_goes_away_on_a_second_look_does_not_alert(served, project_config,
                                                                     monkeypatch):
    """A burst of load beside one measurement is measured again, not paged."""
    batches = iter([6.0, 2.1, 2.0])
    monkeypatch.setattr(performance, "measure",
                        lambda *args: _figures(batch_latency=next(batches)))
    workload = performance.Workload(served.score, TEXTS)
    result = performance.check_performance(served, workload, project_config.monitoring, 0)
    assert not result["alert"] and result["attempts"] == 2


def test_a_package_without_release_figures_is_a_user_error(tiny_model, project_config):
    """Nothing recorded: nothing to compare with, said in one line, not a silent pass."""
    served = ServedModel(tiny_model, {"version": "tiny", "artifact": "model.skops"})
    workload = performance.Workload(served.score, TEXTS)
    with pytest.raises(PipelineError, match="performance_baseline"):
        performance.check_performance(served, workload, project_config.monitoring, 0)


def test_release_baseline_measures_the_artifact_being_packaged(tiny_model, tiny_reviews,
                                                               project_config):
    """Red when: packaging records figures of something else than the artifact's served path."""
    metadata = {"version": "tiny", "artifact": "model.skops"}
    fields = performance.release_baseline(dumps_model(tiny_model), metadata, tiny_reviews,
                                          project_config)
    baseline = fields["performance_baseline"]
    assert set(baseline["relative"]) == {"single_latency", "batch_latency", "throughput",
                                         "peak_memory"}
    assert performance.recorded_baseline({**metadata, **fields}) == baseline["relative"]
