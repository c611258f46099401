"""``--ml-score-report DIR`` never re-roots a session: it runs as meant or stops in one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_ml_test_score import rootdir

SUITE = '''
import pytest

@pytest.mark.rubric("data", 1)
def test_schema(): pass
'''


def test_spaced_values_are_the_tokens_after_the_option():
    tokens = ["-q", "--ml-score-report", "a", "--ml-score-report=b", "--ml-score-report"]
    assert rootdir.spaced_values(tokens) == ["a"]


def test_early_tokens_put_pytest_addopts_first():
    assert rootdir.early_tokens(["-x"], {"PYTEST_ADDOPTS": "--ml-score-report '/a b'"}) == [
        "--ml-score-report", "/a b", "-x"]
    assert rootdir.early_tokens(["-x"], {}) == ["-x"]


def test_trap_message_only_when_the_value_changes_the_setup():
    same = (Path("/p"), Path("/p/pytest.ini"))
    assert rootdir.trap_message("../out", same, same) is None
    assert rootdir.trap_message("../out", (Path("/"), None), same) == (
        "--ml-score-report ../out: pytest took the directory for a test path and moved the "
        "rootdir to / (inifile: none) from /p (inifile: /p/pytest.ini); write "
        "--ml-score-report=../out")


def test_check_asks_the_setup_with_and_without_each_existing_value(tmp_path):
    calls = []

    def setup(args):
        calls.append(args)
        return (Path("/elsewhere") if str(tmp_path) in args else Path("/p")), None

    tokens = ["--ml-score-report", "no-such-dir", "--ml-score-report", str(tmp_path)]
    assert "moved the rootdir to /elsewhere" in rootdir.check(tokens, ["tests"], setup)
    assert calls == [["tests", str(tmp_path)], ["tests"]]
    assert rootdir.check(tokens, ["tests"], None) is None
    assert rootdir.check(["--ml-score-report=" + str(tmp_path)], [], setup) is None


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with an ini file (which sets an option the test can see) and one rubric test."""
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nconsole_output_style = count\n")
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_suite.py").write_text(SUITE)
    return pytester


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An existing directory outside the project."""
    return tmp_path_factory.mktemp("reports-outside")


@pytest.mark.parametrize("run", ["runpytest_inprocess", "runpytest_subprocess"])
def test_an_existing_directory_outside_the_project_stops_the_run_in_one_line(project, outside,
                                                                             run):
    result = getattr(project, run)("--ml-score-report", str(outside))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    moved_to = Path(os.path.commonpath([project.path, outside]))
    assert [line for line in result.stderr.lines if line.strip()] == [
        f"ERROR: --ml-score-report {outside}: pytest took the directory for a test path and "
        f"moved the rootdir to {moved_to} (inifile: none) from {project.path} (inifile: "
        f"{project.path / 'tox.ini'}); write --ml-score-report={outside}"]
    assert not list(outside.iterdir())


def test_with_equals_the_report_has_rootdir_relative_node_ids(project, outside):
    result = project.runpytest(f"--ml-score-report={outside}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"rootdir: {project.path}", "configfile: tox.ini",
                                 "*[[]1/1[]]*"])
    report = json.loads((outside / "ml_test_score.json").read_text())
    assert list(report["run"]["tests"]) == ["tests/test_suite.py::test_schema"]
    assert report["sections"]["data"]["items"]["1"]["tests"] == ["tests/test_suite.py::test_schema"]


def test_a_directory_inside_the_project_runs_with_a_space(project):
    (project.path / "reports").mkdir()
    result = project.runpytest("--ml-score-report", "reports")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"rootdir: {project.path}"])
    report = json.loads((project.path / "reports" / "ml_test_score.json").read_text())
    assert list(report["run"]["tests"]) == ["tests/test_suite.py::test_schema"]


def test_a_directory_that_does_not_exist_yet_runs_with_a_space(project, outside):
    result = project.runpytest("--ml-score-report", str(outside / "new"))
    result.assert_outcomes(passed=1)
    assert (outside / "new" / "ml_test_score.json").is_file()
