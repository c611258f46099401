"""The audit end to end on a foreign toy project, and its pure judging functions."""

from __future__ import annotations

import json

import pytest

from pytest_ml_test_score import audit, runner
from pytest_ml_test_score.catalogue import CATALOGUE, ITEM_NUMBERS, SECTIONS
from pytest_ml_test_score.config import AuditConfig
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.score import build_report

TOY = "def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n"
FAULTS = (
    "from pytest_ml_test_score.faults import FaultRegistry\n"
    "FAULTS = FaultRegistry()\n"
    "@FAULTS.fault('double-is-identity', 'double returns its input', [('data', 1)], kind='code')\n"
    "def _double(monkeypatch):\n"
    "    import toy\n"
    "    monkeypatch.setattr(toy, 'double', lambda x: x)\n"
    "@FAULTS.fault('triple-is-double', 'triple multiplies by two', [('model', 1)], kind='code')\n"
    "def _triple(monkeypatch):\n"
    "    import toy\n"
    "    monkeypatch.setattr(toy, 'triple', lambda x: 2 * x)\n"
)
WITH_TEETH = "    assert toy.triple(2) == 6\n"
# The same test with its teeth pulled: it can no longer fail, whatever triple does.
TOOTHLESS = "    assert toy.triple(2) == toy.triple(2)\n"
PYPROJECT = (
    "[tool.ml_test_score.audit]\n"
    "faults = 'toy_faults:FAULTS'\n"
    "paths = ['test_toy.py']\n"
    "jobs = 2\n"
)


def _tests(triple_body: str) -> str:
    return ("import pytest, toy\n\n"
            "@pytest.mark.rubric('data', 1)\n"
            "def test_double():\n"
            "    assert toy.double(2) == 4\n\n"
            "@pytest.mark.rubric('model', 1)\n"
            "def test_triple():\n" + triple_body)


@pytest.fixture
def toy_project(pytester, monkeypatch):
    """A project with two rubric tests and one fault against each."""
    pytester.makepyfile(toy=TOY, toy_faults=FAULTS, test_toy=_tests(WITH_TEETH))
    pytester.makefile(".toml", pyproject=PYPROJECT)
    monkeypatch.chdir(pytester.path)
    monkeypatch.delenv("ML_TEST_SCORE_FAULT", raising=False)
    return pytester


def test_every_scored_item_detected(toy_project, capsys):
    assert audit.main(["--report", "out"]) == 0
    result = json.loads((toy_project.path / "out" / audit.AUDIT_NAME).read_text())
    assert result["schema"] == 1 and result["total"] == 28 and result["detected"] == 2
    assert result["items"]["data"]["1"]["caught_by"] == {
        "double-is-identity": ["test_toy.py::test_double"]}
    assert result["items"]["model"]["1"]["detected"] is True
    assert result["items"]["infra"]["3"] == {
        "faults": [], "detected": False, "caught_by": {}, "kinds": [], "proven": False,
        "scored": False}
    captured = capsys.readouterr()
    assert "detected 2 of 28; undetected scored items: none" in captured.out
    progress = captured.err.splitlines()
    assert progress[0].endswith("clean run of test_toy.py")
    assert sorted(line.split("fault ")[1][:6] for line in progress[2:]) == ["1 of 2", "2 of 2"]
    assert all("1 test(s) failed" in line for line in progress[2:])


def test_clean_args_go_to_the_clean_run(toy_project, capsys):
    toy_project.makefile(".toml", pyproject=PYPROJECT + "clean_args = ['-k', 'not triple']\n")
    assert audit.main([]) == 2
    assert "the clean run is not green (model:1 skipped)" in capsys.readouterr().err


def test_a_clean_run_on_two_xdist_workers_judges_like_one_process(toy_project, capsys):
    toy_project.makefile(".toml", pyproject=PYPROJECT + "clean_args = ['-n', '2']\n")
    assert audit.main(["--report", "out"]) == 0
    result = json.loads((toy_project.path / "out" / audit.AUDIT_NAME).read_text())
    assert result["detected"] == 2 and result["proven"] == 2
    capsys.readouterr()


def test_the_fault_whose_tests_took_longest_in_the_clean_run_starts_first(toy_project, capsys):
    """Registry order would start `double-is-identity` first; its test is the quick one."""
    toy_project.makepyfile(test_toy=_tests("    import time\n    time.sleep(0.5)\n"
                                           + WITH_TEETH))
    assert audit.main(["--jobs", "1"]) == 0
    progress = capsys.readouterr().err.splitlines()
    assert "fault 1 of 2: triple-is-double" in progress[2], progress
    assert "fault 2 of 2: double-is-identity" in progress[3], progress


class _RecordingRunner:
    """Stands in for the runner: notes each run's arguments, runs nothing."""

    warm = False

    def __init__(self) -> None:
        self.args: list[list[str]] = []

    def run(self, args, env, workdir):
        del env, workdir
        self.args.append(list(args))
        return runner.Finished(1, "")


def test_fault_runs_report_each_failure_in_one_line_and_a_project_may_say_otherwise(tmp_path):
    """A fault run's log goes with the audit's scratch directory; the tracebacks in it, each
    frame's source parsed, cost a tenth of a second of most fault runs."""
    recording = _RecordingRunner()
    config = AuditConfig(faults="toy_faults:FAULTS", pytest_args=("--tb=short",))
    for fault in ("some-fault", None):
        with pytest.raises(audit.AuditError, match="wrote no score report"):
            audit.run_pytest(["t.py"], config, tmp_path, fault, recording)
    faulted, clean = recording.args
    assert faulted[:3] == ["t.py", "--tb=line", "--tb=short"]  # pytest takes the last one
    assert "--tb=line" not in clean


@pytest.mark.usefixtures("toy_project")
def test_quiet_leaves_only_the_table(capsys):
    assert audit.main(["--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "detected 2 of 28" in captured.out


def test_a_toothless_test_is_reported_undetected(toy_project, capsys):
    toy_project.makepyfile(test_toy=_tests(TOOTHLESS))
    assert audit.main(["--report", "out"]) == 1
    result = json.loads((toy_project.path / "out" / audit.AUDIT_NAME).read_text())
    assert result["items"]["model"]["1"]["detected"] is False
    assert result["items"]["data"]["1"]["detected"] is True
    assert result["undetected_scored"] == ["model:1"]
    assert "model:1       NO" in capsys.readouterr().out


def test_a_red_clean_run_stops_the_audit(toy_project, capsys):
    toy_project.makepyfile(toy=TOY.replace("2 * x", "x + 1"))
    assert audit.main([]) == 2
    assert "the clean run is not green (data:1 failed)" in capsys.readouterr().err


def test_a_complete_green_report_stands_in_for_the_clean_run(toy_project, capsys):
    others = "".join(f"@pytest.mark.rubric('{section}', 1)\ndef test_{section}():\n    pass\n"
                     for section in ("infra", "monitoring"))
    toy_project.makepyfile(test_toy=_tests(WITH_TEETH) + "\n" + others)
    toy_project.runpytest("-p", "no:cacheprovider", "--ml-score-report=run").assert_outcomes(
        passed=4)
    # The reused run scores four items; the two new ones have no fault, so they are unproven.
    assert audit.main(["--clean-report", "run/ml_test_score.json", "--report", "out"]) == 1
    captured = capsys.readouterr()
    assert "clean run: run/ml_test_score.json" in captured.err
    assert "detected 2 of 28; undetected scored items: infra:1, monitoring:1" in captured.out
    assert json.loads((toy_project.path / "out" / audit.AUDIT_NAME).read_text())["seconds"][
        "clean"] == 0.0


def test_an_incomplete_report_cannot_stand_in_for_the_clean_run(toy_project, capsys):
    toy_project.runpytest("-p", "no:cacheprovider", "--ml-score-report=run")
    assert audit.main(["--clean-report", "run/ml_test_score.json"]) == 2
    assert ("run/ml_test_score.json: an incomplete run cannot stand in for the clean run"
            in capsys.readouterr().err)
    assert audit.main(["--clean-report", "nowhere.json"]) == 2
    assert "nowhere.json" in capsys.readouterr().err


def test_missing_configuration_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.other]\n", encoding="utf-8")
    assert audit.main([]) == 2
    assert "needs faults = 'module:attr'" in capsys.readouterr().err


def test_failing_tests_come_from_the_score_report():
    report = {"sections": {
        "data": {"items": {"1": {"status": "failed", "failing": ["a.py::test_x[1-2]"]},
                           "2": {"status": "automated"}}},
        "model": {"items": {"3": {"status": "failed", "failing": ["b.py::T::test_y"]}}}}}
    assert audit.failing_tests(report) == {"a.py::test_x[1-2]", "b.py::T::test_y"}
    assert audit.failing_tests({}) == set()


def _audited(detected: set[RubricRef]) -> dict:
    return {"items": {section: {str(number): {"detected": RubricRef(section, number) in detected}
                                for number in ITEM_NUMBERS} for section in SECTIONS}}


def test_proven_points_follow_the_rule_of_the_score_on_audited_items_only():
    every = {RubricRef(section, number) for section in SECTIONS for number in ITEM_NUMBERS}
    report = build_report({ref: ItemTally(passed=1, tests=["t.py::test"]) for ref in every}, {},
                          complete=True)
    assert audit.proven_points(report, _audited(every)) == {
        "score": 7.0, "sections": dict.fromkeys(SECTIONS, 7.0)}
    proven = audit.proven_points(report, _audited(every - {RubricRef("infra", 2)}))
    assert proven == {"score": 6.0, "sections": {**dict.fromkeys(SECTIONS, 7.0), "infra": 6.0}}
    assert audit.scored_items(report) == [RubricRef(*key) for key in CATALOGUE]
    assert audit.proven_points(report, _audited(set()))["score"] == 0.0


def test_report_shows_points_with_proven_teeth(toy_project, capsys):
    toy_project.makepyfile(test_toy=_tests(TOOTHLESS))
    assert audit.main(["--report", "out"]) == 1
    toy_project.runpytest_subprocess("test_toy.py", "--ml-score-report", "out")
    capsys.readouterr()
    # pylint: disable-next=import-outside-toplevel
    from pytest_ml_test_score.report import main as report_main

    assert report_main(["out/ml_test_score.json", "--audit", f"out/{audit.AUDIT_NAME}"]) == 0
    text = capsys.readouterr().out
    assert "Points with proven teeth: 0 / 7" in text
    assert "| data | 1 | 1 |" in text and "| model | 1 | 0 |" in text
    assert "Scored but not proven: model:1." in text
    assert report_main(["out/ml_test_score.json", "--audit", "out/ml_test_score.json"]) == 2


def _registry(*declarations):
    # pylint: disable-next=import-outside-toplevel
    from pytest_ml_test_score.faults import FaultRegistry

    registry = FaultRegistry()
    for name, kind, ref in declarations:
        registry.add(name, name, [ref], lambda patch: None, kind=kind)
    return registry


def _clean(tests_by_item):
    every = {RubricRef(section, number) for section in SECTIONS for number in ITEM_NUMBERS}
    return build_report({ref: ItemTally(passed=1, tests=tests_by_item.get(ref, ["t.py::other"]))
                         for ref in every}, {}, complete=True)


SYSTEM = audit.Target("setattr", "toy.double", "toy", "/project/toy.py")


def test_only_a_caught_fault_of_a_kind_other_than_tolerance_proves_teeth(tmp_path):
    data1, model1 = RubricRef("data", 1), RubricRef("model", 1)
    clean = _clean({data1: ["t.py::test_a"], model1: ["t.py::test_b"]})
    registry = _registry(("loose", "tolerance", ("data", 1)), ("real", "config", ("model", 1)),
                         ("missed", "code", ("model", 1)))
    runs = {"loose": audit.RunResult({"x": 1}, {"t.py::test_a"}, targets=[SYSTEM]),
            "real": audit.RunResult({"x": 1}, {"t.py::test_b"}, targets=[SYSTEM]),
            "missed": audit.RunResult({"x": 1}, set(), targets=[SYSTEM])}
    result = audit.judge(clean, registry, runs, root=tmp_path)
    assert result["items"]["data"]["1"] == {
        "faults": ["loose"], "detected": True, "caught_by": {"loose": ["t.py::test_a"]},
        "kinds": ["tolerance"], "proven": False, "scored": True}
    assert result["items"]["model"]["1"]["kinds"] == ["config"]
    assert result["items"]["model"]["1"]["proven"] is True
    assert "data:1" in result["unproven_scored"] and "data:1" not in result["undetected_scored"]
    assert "model:1" not in result["unproven_scored"]
    assert result["faults"]["real"]["kind"] == "config"
    assert result["faults"]["real"]["targets"] == [
        {"how": "setattr", "name": "toy.double", "test_code": False}]
    assert audit.proven_points(clean, result)["sections"]["data"] == 0.0


def test_a_refused_fault_detects_nothing_even_when_its_tests_fail(tmp_path):
    config = audit.AuditConfig(test_paths=("tests",), test_modules=("fake_cloud",))
    clean = _clean({RubricRef("infra", 3): ["t.py::test_remote"]})
    registry = _registry(("stand-in", "config", ("infra", 3)))
    stand_in = audit.Target("setattr", "fake_cloud.Bucket.put", "fake_cloud", "/venv/fc.py")
    helper = audit.Target("setattr", "tests.helpers.f", "tests.helpers",
                          str(tmp_path / "tests" / "helpers.py"))
    runs = {"stand-in": audit.RunResult({"x": 1}, {"t.py::test_remote"},
                                        targets=[stand_in, helper])}
    result = audit.judge(clean, registry, runs, config, tmp_path)
    entry = result["items"]["infra"]["3"]
    assert entry["detected"] is False and entry["caught_by"] == {} and entry["proven"] is False
    assert result["refused"] == ["stand-in"]
    assert result["faults"]["stand-in"]["refused"].startswith(
        "it patches only test code or test support: fake_cloud.Bucket.put")
    assert [t["test_code"] for t in result["faults"]["stand-in"]["targets"]] == [True, True]
    runs["stand-in"].targets = None  # no process said what it patched: nothing is proven
    assert "no process recorded" in audit.judge(clean, registry, runs, config,
                                                tmp_path)["faults"]["stand-in"]["refused"]


def test_a_fault_patching_only_test_support_is_refused_end_to_end(toy_project, capsys):
    toy_project.makepyfile(support=TOY, toy_faults=FAULTS.replace(
        "import toy\n    monkeypatch.setattr(toy, 'double'",
        "import support\n    monkeypatch.setattr(support, 'double'"))
    toy_project.makefile(".toml", pyproject=PYPROJECT + "test_paths = ['support.py']\n")
    assert audit.main(["--report", "out"]) == 1
    result = json.loads((toy_project.path / "out" / audit.AUDIT_NAME).read_text())
    assert result["refused"] == ["double-is-identity"]
    assert result["faults"]["double-is-identity"]["targets"] == [
        {"how": "setattr", "name": "support.double", "test_code": True}]
    assert result["items"]["data"]["1"]["detected"] is False  # its test did not even fail
    assert result["unproven_scored"] == ["data:1"]
    out = capsys.readouterr().out
    assert "refused double-is-identity (code): it patches only test code" in out


def test_fault_selection_and_kinds_in_the_report(toy_project, capsys):
    toy_project.makepyfile(toy_faults=FAULTS.replace("[('data', 1)], kind='code'",
                                                     "[('data', 1)], kind='tolerance'"))
    assert audit.main(["--report", "out", "--fault", "double-is-identity"]) == 1
    result = json.loads((toy_project.path / "out" / audit.AUDIT_NAME).read_text())
    assert result["faults"]["triple-is-double"]["error"] == "not run"
    assert result["items"]["data"]["1"]["kinds"] == ["tolerance"]
    assert result["unproven_scored"] == ["data:1", "model:1"]
    assert "data:1        TOL     tolerance" in capsys.readouterr().out
    toy_project.runpytest_subprocess("test_toy.py", "--ml-score-report", "out")
    # pylint: disable-next=import-outside-toplevel
    from pytest_ml_test_score.report import main as report_main

    capsys.readouterr()
    assert report_main(["out/ml_test_score.json", "--audit", f"out/{audit.AUDIT_NAME}"]) == 0
    text = capsys.readouterr().out
    assert "| data:1 | tolerance |" in text and "| model:1 | none |" in text
    assert audit.main(["--fault", "nope"]) == 2
    assert "unknown fault 'nope'" in capsys.readouterr().err
