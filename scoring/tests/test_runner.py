"""Cold and warm pytest runs for the audit: the same run either way, and the warm one's limits."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from pytest_ml_test_score import audit, runner
from pytest_ml_test_score.targets import Target

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="warm runs fork")


def test_patched_preloaded_names_only_the_targets_the_fork_had_imported():
    targets = [Target("setattr", "toy.triple", "toy"), Target("setenv", "SEED"),
               Target("setattr", "other.f", "other")]
    assert runner.patched_preloaded(targets, {"toy", "json"}) == ["toy"]
    assert runner.patched_preloaded(targets, set()) == []


def test_a_cold_run_records_no_preloaded_modules(tmp_path):
    assert runner.preloaded_modules(tmp_path) == set()
    (tmp_path / runner.PRELOADED_NAME).write_text("not json", encoding="utf-8")
    assert runner.preloaded_modules(tmp_path) == set()


def test_nothing_to_preload_means_cold_runs():
    with runner.make_runner([], dict(os.environ)) as chosen:
        assert isinstance(chosen, runner.ColdRunner)


@needs_fork
def test_warm_runs_are_pytest_runs_with_their_own_environment(pytester, monkeypatch):
    pytester.makepyfile(test_env="import os, sys\n\n"
                                 "def test_env():\n"
                                 "    assert os.environ['RUN'] == 'yes'\n"
                                 "    assert 'json' in sys.modules\n")
    monkeypatch.chdir(pytester.path)
    base = {**os.environ, "RUN": "no"}
    args = ["test_env.py", "-q", "-p", "no:cacheprovider"]
    with runner.make_runner(["json"], base) as warm:
        assert warm.warm
        work = [pytester.mkdir(name) for name in ("a", "b", "c")]
        envs = [{**base, "RUN": "yes"}, {**base, "RUN": "yes"}, base]
        with ThreadPoolExecutor(max_workers=3) as pool:  # runs overlap in one server
            done = list(pool.map(lambda pair: warm.run(args, pair[0], pair[1]),
                                 zip(envs, work, strict=True)))
    assert [finished.returncode for finished in done] == [0, 0, 1]
    assert "1 passed" in done[0].output and "1 failed" in done[2].output
    assert "json" in runner.preloaded_modules(work[0])


@needs_fork
def test_a_warm_run_collects_garbage_but_not_the_preloaded_heap(pytester, monkeypatch):
    """Without the freeze, every collection of a fork walks the whole preloaded stack (pytest
    forces full ones at exit): about 0.8 s of a 1.5 s fault run of this project's audit."""
    pytester.makepyfile(test_gc="import gc\n\n"
                                "def test_gc():\n"
                                "    assert gc.isenabled()\n"
                                "    assert gc.get_freeze_count() > 0\n")
    monkeypatch.chdir(pytester.path)
    with runner.make_runner(["json"], dict(os.environ)) as warm:
        finished = warm.run(["test_gc.py", "-q", "-p", "no:cacheprovider"], dict(os.environ),
                            pytester.path)
    assert finished.returncode == 0, finished.output


@needs_fork
def test_a_warm_server_that_cannot_preload_fails_each_run(pytester, monkeypatch):
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    monkeypatch.chdir(pytester.path)
    with runner.make_runner(["no_such_module_anywhere"], dict(os.environ)) as warm:
        finished = warm.run(["test_ok.py"], dict(os.environ), pytester.path)
    assert finished.returncode != 0 and finished.output == ""


TOY = "def triple(x):\n    return 3 * x\n"
# Binds `triple` at import: a fault patching toy after this module loaded would not reach it.
USER = "from warm_toy import triple\n\n\ndef twelve():\n    return triple(4)\n"
FAULTS = (
    "from pytest_ml_test_score.faults import FaultRegistry\n"
    "FAULTS = FaultRegistry()\n"
    "@FAULTS.fault('triple-is-double', 'triple multiplies by two', [('model', 1)], kind='code')\n"
    "def _triple(monkeypatch):\n"
    "    import warm_toy\n"
    "    monkeypatch.setattr(warm_toy, 'triple', lambda x: 2 * x)\n"
)
TESTS = ("import pytest, warm_user\n\n"
         "@pytest.mark.rubric('model', 1)\n"
         "def test_twelve():\n"
         "    assert warm_user.twelve() == 12\n")


@needs_fork
@pytest.mark.parametrize("preload", [["json"], ["warm_user"]], ids=["unrelated", "patched"])
def test_a_warm_audit_judges_like_a_cold_one(pytester, monkeypatch, preload):
    """With the patched module preloaded, the warm run cannot see the fault: the audit must
    notice from the run's targets and repeat it cold, or the item would be undetected."""
    # Names of their own: other tests import a `toy` into this process.
    pytester.makepyfile(warm_toy=TOY, warm_user=USER, warm_faults=FAULTS, test_warm=TESTS)
    pytester.makefile(".toml", pyproject=(
        "[tool.ml_test_score.audit]\n"
        "faults = 'warm_faults:FAULTS'\n"
        "paths = ['test_warm.py']\n"
        f"preload = {json.dumps(preload)}\n"))
    monkeypatch.chdir(pytester.path)
    monkeypatch.delenv("ML_TEST_SCORE_FAULT", raising=False)
    assert audit.main(["--report", "out", "--quiet"]) == 0
    result = json.loads((pytester.path / "out" / audit.AUDIT_NAME).read_text())
    assert result["items"]["model"]["1"]["caught_by"] == {
        "triple-is-double": ["test_warm.py::test_twelve"]}
