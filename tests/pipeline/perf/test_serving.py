"""`python -m pipeline serve-bench` (pipeline.perf.serving): a tiny run and its helpers.

Figures are checked for being measured and consistent, never against a speed limit.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from pipeline.__main__ import main as pipeline_main
from pipeline.perf.serving import count_log_lines, mean_batch, server_memory_mb, verdicts


@pytest.mark.slow
def test_a_small_benchmark_run_measures_everything_and_loses_no_line(
        tmp_path, project_config, packages, data_dir, capsys):
    del data_dir  # the benchmark reads the training reviews as request bodies
    params = project_config.as_mapping()
    params["serving"]["bench"].update(warmup_requests=5, latency_requests=20,
                                      load_requests=200, load_seconds=60, concurrency=4)
    params_path = tmp_path / "params.yaml"
    params_path.write_text(yaml.safe_dump(params), encoding="utf-8")
    output = tmp_path / "serving_benchmarks.json"
    assert pipeline_main(["serve-bench", "--model-dir", str(packages[0]), "--params",
                          str(params_path), "--output", str(output)]) == 0
    figures = json.loads(output.read_text(encoding="utf-8"))
    assert figures["errors"] == 0 and figures["lost_lines"] == 0
    assert figures["broken_log_lines"] == 0 and figures["server_stopped_cleanly"]
    assert figures["single_requests"] == 20 and figures["load_requests"] == 200
    assert figures["reviews_answered"] == figures["log_lines"] == 5 + 20 + 200
    assert figures["throughput_per_s"] > 0 and figures["single_latency_p50_ms"] > 0
    assert figures["load_latency_p99_ms"] >= figures["load_latency_p50_ms"] > 0
    assert figures["mean_batch_reviews"] >= 1 and figures["server_peak_rss_mb"] > 0
    assert set(figures["goals"]) == set(params["serving"]["bench"]["goals"])
    assert all(isinstance(goal["met"], bool) for goal in figures["goals"].values())
    printed = capsys.readouterr().out
    assert "throughput_per_s" in printed and f"{output}: written" in printed


def test_goals_are_minimums_for_throughput_and_maximums_otherwise():
    figures = {"throughput_per_s": 900.0, "load_latency_p99_ms": 20.0, "errors": 0,
               "single_latency_p99_ms": None}
    result = verdicts(figures, {"throughput_per_s": 1000, "load_latency_p99_ms": 25,
                                "errors": 0, "single_latency_p99_ms": 25})
    assert {name: goal["met"] for name, goal in result.items()} == {
        "throughput_per_s": False, "load_latency_p99_ms": True, "errors": True,
        "single_latency_p99_ms": False}
    assert result["throughput_per_s"]["goal"] == ">= 1000"


def test_mean_batch_comes_from_the_servers_histogram():
    text = "serving_batch_reviews_count 4.0\nserving_batch_reviews_sum 10.0\n"
    assert mean_batch(text) == 2.5
    assert mean_batch("serving_batch_reviews_count 0.0\n") is None


def test_log_lines_are_counted_whole_or_broken(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b'{"a": 1}\n{"b": 2}\n{"c"')
    (tmp_path / "b.jsonl").write_bytes(b'{"d": 4}')
    assert count_log_lines(tmp_path) == (2, 2)


def test_server_memory_of_a_process_and_of_none():
    memory = server_memory_mb(os.getpid())
    assert memory["peak_rss_mb"] >= memory["rss_mb"] > 0
    assert server_memory_mb(2**22 + 12345) == {"rss_mb": None, "peak_rss_mb": None}
