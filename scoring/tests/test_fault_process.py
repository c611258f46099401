"""Faults reach child processes through the shipped sitecustomize (and a wrapped Popen)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_ml_test_score import fault_process
from pytest_ml_test_score.faults import FAULT_ENV, REGISTRY_ENV
from toy_fault import TOY, TOY_FAULTS

CHILD = "import toy; print(toy.double(2))"
# A test that starts a child the way pipeline tests do: an explicit environment without
# PYTHONPATH. Under the fault the child answers 2, and the test fails.
TEST_CHILD = (
    "import os, subprocess, sys\n"
    "import pytest\n\n"
    "@pytest.mark.rubric('data', 1)\n"
    "def test_child_doubles():\n"
    "    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}\n"
    f"    done = subprocess.run([sys.executable, '-c', {CHILD!r}], env=env,\n"
    "                          capture_output=True, text=True, check=True)\n"
    "    assert done.stdout.strip() == '4', done.stdout + done.stderr\n"
)


def _child_env(**variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ML_TEST_SCORE_FAULT") and key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(fault_process.SITE_DIR)
    env.update(variables)
    return env


def _run(cwd: Path, env: dict[str, str], code: str = CHILD) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)


@pytest.fixture
def toy_dir(tmp_path: Path) -> Path:
    """toy.py and its registry."""
    (tmp_path / "toy.py").write_text(TOY, encoding="utf-8")
    (tmp_path / "toy_faults.py").write_text(TOY_FAULTS, encoding="utf-8")
    return tmp_path


def test_a_child_sees_the_fault_and_records_its_targets(toy_dir):
    targets = toy_dir / "targets.jsonl"
    env = _child_env(**{FAULT_ENV: "identity", REGISTRY_ENV: "toy_faults:FAULTS",
                        fault_process.PATH_ENV: str(toy_dir), fault_process.MODULES_ENV: "toy",
                        fault_process.TARGETS_ENV: str(targets)})
    done = _run(toy_dir, env)
    assert (done.stdout, done.stderr) == ("2\n", "")
    line = json.loads(targets.read_text(encoding="utf-8"))
    assert line["fault"] == "identity" and line["targets"][0]["name"] == "toy.double"
    # Without a list of modules the fault goes in just before the command runs.
    del env[fault_process.MODULES_ENV]
    assert _run(toy_dir, env).stdout == "2\n"


def test_without_the_variable_nothing_happens(toy_dir):
    done = _run(toy_dir, _child_env(**{REGISTRY_ENV: "toy_faults:FAULTS"}))
    assert (done.stdout, done.stderr) == ("4\n", "")


@pytest.mark.parametrize(("spec", "message"), [
    ("no_such_registry:FAULTS", "fault registry 'no_such_registry:FAULTS': cannot import"),
    ("toy_faults:NOPE", "NOPE is not a FaultRegistry"),
])
def test_a_broken_registry_is_one_line_on_stderr_not_a_crash(toy_dir, spec, message):
    done = _run(toy_dir, _child_env(**{FAULT_ENV: "identity", REGISTRY_ENV: spec,
                                       fault_process.PATH_ENV: str(toy_dir)}))
    assert done.returncode == 0 and done.stdout == "4\n"
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert done.stderr.startswith("ml-test-score: fault identity not injected in this process")


def test_the_shadowed_sitecustomize_still_runs(toy_dir, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    (other / "sitecustomize.py").write_text("import builtins\nbuiltins.CHAINED = True\n",
                                            encoding="utf-8")
    env = _child_env(**{FAULT_ENV: "identity", REGISTRY_ENV: "toy_faults:FAULTS",
                        fault_process.PATH_ENV: str(toy_dir)})
    env["PYTHONPATH"] += os.pathsep + str(other)
    code = "import builtins, toy; print(toy.double(2), getattr(builtins, 'CHAINED', False))"
    assert _run(toy_dir, env, code).stdout == "2 True\n"
    del env[FAULT_ENV]
    assert _run(toy_dir, env, code).stdout == "4 True\n"


def test_a_faulted_test_run_passes_the_fault_to_children_with_their_own_environment(
        pytester, monkeypatch):
    pytester.makepyfile(toy=TOY, toy_faults=TOY_FAULTS, test_child=TEST_CHILD)
    monkeypatch.delenv(FAULT_ENV, raising=False)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    monkeypatch.setenv(FAULT_ENV, "identity")
    monkeypatch.setenv(REGISTRY_ENV, "toy_faults:FAULTS")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: 2*"])


def test_child_environment_keeps_a_child_unfaulted_only_when_the_caller_removed_the_fault():
    parent = {FAULT_ENV: "f", REGISTRY_ENV: "m:F", fault_process.PATH_ENV: "/p",
              "PYTHONPATH": "/x"}
    unfaulted = {"HOME": "/h"}
    assert fault_process.child_environment(unfaulted, parent) is unfaulted
    adjusted = fault_process.child_environment({FAULT_ENV: "f", "PYTHONPATH": "/y"}, parent)
    assert adjusted == {FAULT_ENV: "f", REGISTRY_ENV: "m:F", fault_process.PATH_ENV: "/p",
                        "PYTHONPATH": os.pathsep.join([str(fault_process.SITE_DIR), "/y"])}
    again = fault_process.child_environment(adjusted, parent)
    assert again["PYTHONPATH"] == adjusted["PYTHONPATH"]  # put first once, not twice


def test_child_variables_name_the_registry_root_and_the_patched_modules(toy_dir, monkeypatch):
    monkeypatch.syspath_prepend(str(toy_dir))
    # pylint: disable-next=import-outside-toplevel,import-error
    import toy_faults

    fault = toy_faults.FAULTS.get("identity")
    target = fault_process.Target("setattr", "toy.double", "toy", str(toy_dir / "toy.py"))
    variables = fault_process.child_variables(fault, "toy_faults:FAULTS", [target],
                                              {"PYTHONPATH": "/x"})
    assert variables == {FAULT_ENV: "identity", REGISTRY_ENV: "toy_faults:FAULTS",
                         fault_process.PATH_ENV: str(toy_dir.resolve()),
                         fault_process.MODULES_ENV: "toy",
                         "PYTHONPATH": os.pathsep.join([str(fault_process.SITE_DIR), "/x"])}


def test_the_trigger_waits_for_a_patched_module_or_the_start_of_the_run(monkeypatch):
    fired = []
    monkeypatch.setattr(fault_process, "_inject_or_warn", lambda: fired.append(True))
    hook = fault_process.make_trigger(["toy_never_loaded"])
    hook("import", ("json",))
    hook("cpython.run_command", ("code",))  # toy_never_loaded is not loaded yet: wait
    assert not fired
    hook("import", ("toy_never_loaded.sub",))
    hook("import", ("toy_never_loaded",))
    assert fired == [True]  # once
    early = fault_process.make_trigger([])
    early("import", ("anything",))
    early("cpython.run_module", ("x",))
    loaded = fault_process.make_trigger(["os"])  # already imported: at the start of the run
    loaded("cpython.run_file", ("x.py",))
    assert fired == [True, True, True]
