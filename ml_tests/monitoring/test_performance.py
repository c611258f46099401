"""Monitor 6: computing performance has not regressed.

When `dvc repro` packages a model it times the served path (`ServedModel.score`, what the
server runs per request) against the course baseline fitted on the training split, in the same
run, and records the ratios in metadata.json (`performance_baseline`): latency of one review
and of the held-out batch, throughput, and the tracemalloc peak of a batch prediction.
`monitor performance --registry` fetches the version being served and measures it against the
same reference now, so machine speed cancels, and compares with what its release recorded.
A slowdown in code every model shares (preprocessing) moves the served version against its
own release figures; the reference, which shares no code with it, does not move.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_tests.support.traffic import publish_and_promote
from pipeline import artifact
from pipeline.monitoring import performance
from pipeline.registry import LocalRegistry


@pytest.mark.rubric("monitoring", 6)
def test_served_version_performs_as_recorded_at_release(served_traffic, served_package: Path,
                                                        run_monitor, record) -> None:
    """The version that answered the traffic, measured now against the reference, is within
    the tolerances of the figures its release recorded.

    Red when the served path became hungrier or much slower than at release (densified
    features, a costlier serving wrapper), or when the release figures were not recorded with the
    package the registry serves. Not reliably red for a slowdown of two or three times in the
    preprocessing every model shares: the release figure is measured once, during `dvc repro`,
    against a reference whose costs do not scale with machine load as the model's do, and it
    moves between runs by about as much.
    """
    code, report = run_monitor("performance", "--registry", served_traffic.registry,
                               "--log", served_traffic.log_dir)
    record("performance", report)
    _, metadata = LocalRegistry(served_traffic.registry).load(served_traffic.version)
    assert report.get("model_version") == served_traffic.version, report.get("message")
    assert report["recorded"] == performance.recorded_baseline(metadata)
    assert metadata["performance_baseline"] == artifact.read_metadata(
        served_package)["performance_baseline"], "recorded by dvc repro, not in this session"
    assert (code, report["alert"]) == (0, False), (report["message"], report["relative"])
    assert report["logged"]["reviews"] == served_traffic.sent.reviews


@pytest.mark.rubric("monitoring", 6)
def test_version_that_was_three_times_cheaper_at_release_raises_the_alert(
        served_package_copy, tmp_path: Path, run_monitor, record) -> None:
    """The same artifact served with release figures a third of today's costs (and three times
    today's throughput): every figure is flagged.

    Red when the check does not compare with the served version's own release figures (a
    constant, or a model measured against itself), or when its tolerances let a 3x regression
    of latency, throughput or memory pass.
    """
    baseline = artifact.read_metadata(served_package_copy("measured"))["performance_baseline"]
    relative = {name: value * 3 if name in performance.SPEEDS else value / 3
                for name, value in baseline["relative"].items()}
    cheaper = served_package_copy("cheaper", performance_baseline={**baseline,
                                                                   "relative": relative})
    registry = tmp_path / "registry"
    publish_and_promote(cheaper, registry)
    code, report = run_monitor("performance", "--registry", registry)
    record("performance_three_times_cheaper_at_release", report)
    assert code == 1 and report["alert"], report.get("message")
    assert set(report["regressed"]) == {*performance.COSTS, *performance.SPEEDS}, report["ratios"]
