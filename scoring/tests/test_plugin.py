"""End-to-end tests of the plugin on pytester projects that know nothing about this repository."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree  # nosec B405: parses the XML this test run wrote

import pytest

FOREIGN_SUITE = '''
import pytest

@pytest.fixture
def broken_setup():
    raise RuntimeError("setup broke")

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")

@pytest.mark.rubric("data", 1)
def test_pass(): pass

@pytest.mark.rubric("data", 2)
def test_fail(): assert 1 == 2

@pytest.mark.rubric("data", 3)
def test_setup_error(broken_setup): pass

@pytest.mark.rubric("data", 4)
def test_teardown_error(broken_teardown): pass

@pytest.mark.rubric("data", 5)
def test_skip(): pytest.skip("not here")

@pytest.mark.rubric("data", 6)
@pytest.mark.xfail(reason="known")
def test_xfail(): assert 0

@pytest.mark.rubric("data", 7)
@pytest.mark.xfail(reason="flaky", strict=False)
def test_xpass(): pass

@pytest.mark.rubric("model", 1)
@pytest.mark.xfail(reason="must fail", strict=True)
def test_strict_xpass(): pass

@pytest.mark.rubric("model", 2)
@pytest.mark.parametrize("x", [1, 2, 3])
def test_param_one_fails(x): assert x != 2

@pytest.mark.rubric("model", 3)
@pytest.mark.parametrize("x", [1, 2])
def test_param_all_pass(x): pass

@pytest.mark.rubric("model", 4)
@pytest.mark.rubric("infra", 1)
def test_two_marks(): pass

def test_unmarked_failure(): assert 0

@pytest.mark.rubric("infra", 2)
class TestClassMark:
    def test_one(self): pass
    def test_two(self): pass

@pytest.mark.rubric("infra", 3)
def test_pass_beside_skip(): pass

@pytest.mark.rubric("infra", 3)
def test_skip_beside_pass(): pytest.skip("later")

@pytest.mark.rubric("monitoring", 1)
@pytest.mark.skipif(True, reason="never")
def test_skipif(): pass
'''

EXPECTED = {
    ("data", "1"): ("automated", 1.0, 1, 0, 0),
    ("data", "2"): ("failed", 0.0, 0, 1, 0),
    ("data", "3"): ("failed", 0.0, 0, 1, 0),
    ("data", "4"): ("failed", 0.0, 0, 1, 0),
    ("data", "5"): ("skipped", 0.0, 0, 0, 1),
    ("data", "6"): ("skipped", 0.0, 0, 0, 1),
    ("data", "7"): ("automated", 1.0, 1, 0, 0),
    ("model", "1"): ("failed", 0.0, 0, 1, 0),
    ("model", "2"): ("failed", 0.0, 2, 1, 0),
    ("model", "3"): ("automated", 1.0, 2, 0, 0),
    ("model", "4"): ("automated", 1.0, 1, 0, 0),
    ("infra", "1"): ("automated", 1.0, 1, 0, 0),
    ("infra", "2"): ("automated", 1.0, 2, 0, 0),
    ("infra", "3"): ("automated", 1.0, 1, 0, 1),
    ("monitoring", "1"): ("skipped", 0.0, 0, 0, 1),
}


def run_json(pytester: pytest.Pytester, *args: str, subprocess: bool = False,
             out: str = "out") -> tuple[pytest.RunResult, dict]:
    """Run pytest with a report directory and return the result and the parsed JSON."""
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    result = run("-p", "no:cacheprovider", "--ml-score-report", out, *args)
    return result, json.loads((pytester.path / out / "ml_test_score.json").read_text())


def statuses(report: dict) -> dict[tuple[str, str], tuple]:
    """Every item as (status, points, passed, failed, skipped)."""
    return {(section, number): (item["status"], item["points"], item["passed"], item["failed"],
                                item["skipped"])
            for section, body in report["sections"].items()
            for number, item in body["items"].items()}


@pytest.fixture
def foreign(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with its own marked tests and no ini registering any marker."""
    pytester.makepyfile(test_foreign=FOREIGN_SUITE)
    return pytester


def test_foreign_project_gets_the_contract_statuses(foreign):
    result, report = run_json(foreign, "--strict-markers", "-p", "no:xdist")
    result.assert_outcomes(passed=10, failed=4, errors=2, skipped=3, xfailed=1, xpassed=1)
    got = statuses(report)
    for key, expected in EXPECTED.items():
        assert got.pop(key) == expected, key
    assert {status for status, *_ in got.values()} == {"missing"}
    assert report["sections"]["data"]["score"] == 2.0
    assert report["sections"]["model"]["score"] == 2.0
    assert report["sections"]["infra"]["score"] == 3.0
    assert report["sections"]["monitoring"]["score"] == 0.0
    assert report["score"] == 0.0 and report["complete"] is True
    assert report["sections"]["model"]["items"]["2"]["tests"] == [
        f"test_foreign.py::test_param_one_fails[{x}]" for x in (1, 2, 3)]
    assert report["sections"]["model"]["items"]["2"]["failing"] == [
        "test_foreign.py::test_param_one_fails[2]"]
    assert "test_foreign.py::test_unmarked_failure" not in json.dumps(report)
    result.stdout.fnmatch_lines([
        "*= ML Test Score =*",
        "Final score: 0.0 / 7 (weakest: Monitoring); complete run*",
        "  Data 2 * failed * All features are beneficial. (1 of 1 test(s) failed*",
    ])
    md = (foreign.path / "out" / "ml_test_score.md").read_text()
    assert md.startswith("## ML Test Score: 0.0 / 7")
    assert "`test_foreign.py::test_two_marks`" in md


def test_reports_are_byte_identical_across_runs_and_under_xdist(foreign):
    _, serial = run_json(foreign, "-p", "no:xdist", out="serial")
    run_json(foreign, "-p", "no:xdist", out="again")
    result, parallel = run_json(foreign, "-n", "2", "--ml-score-fail-under", "0.5",
                                subprocess=True, out="parallel")
    assert "2 workers" in result.stdout.str()
    result.stdout.fnmatch_lines(["FAIL Required ML Test Score of 0.5 not reached.*"])
    assert parallel == serial
    for name in ("ml_test_score.json", "ml_test_score.md"):
        outs = ("serial", "again", "parallel")
        texts = {(foreign.path / out / name).read_bytes() for out in outs}
        assert len(texts) == 1, name


def test_section_marker_selects_and_partial_run_is_incomplete(foreign):
    result, report = run_json(foreign, "-m", "model")
    result.assert_outcomes(passed=5, failed=2, deselected=13)
    assert report["complete"] is False
    assert report["sections"]["model"]["score"] == 2.0
    assert statuses(report)[("data", "1")] == ("skipped", 0.0, 0, 0, 1)
    assert statuses(report)[("infra", "1")] == ("automated", 1.0, 1, 0, 0)  # shares a test
    assert statuses(report)[("monitoring", "2")][0] == "missing"
    result.stdout.fnmatch_lines([
        "*INCOMPLETE run*",
        "  Data 1-7          skipped  none of the section's 7 test(s) ran to a pass*",
    ])


def test_a_run_stopped_at_the_first_failure_is_scored_on_what_ran(foreign):
    result, report = run_json(foreign, "-x", "-p", "no:xdist")
    result.assert_outcomes(passed=1, failed=1)
    assert statuses(report)[("data", "1")] == ("automated", 1.0, 1, 0, 0)
    assert report["sections"]["data"]["items"]["2"]["failing"] == ["test_foreign.py::test_fail"]
    assert statuses(report)[("data", "3")] == ("skipped", 0.0, 0, 0, 1)  # never reached
    assert report["complete"] is False  # all sections selected, but not all of them ran
    result.stdout.fnmatch_lines(["*INCOMPLETE run*"])


def test_partial_run_under_xdist_matches_serial(foreign):
    _, serial = run_json(foreign, "-m", "data or infra", "-p", "no:xdist", out="serial")
    _, parallel = run_json(foreign, "-m", "data or infra", "-n", "2", subprocess=True,
                           out="parallel")
    assert parallel == serial
    assert serial["complete"] is False
    assert statuses(serial)[("model", "3")] == ("skipped", 0.0, 0, 0, 2)


@pytest.mark.parametrize("mark", [
    '"Data", 1', '"data", 8', '"data", 0', '"data"', '"data", "1"', '"data", 1, 2',
    'section="data"', '"data", item=1, weight=2',
])
def test_malformed_mark_is_a_collection_error_naming_test_and_valid_values(pytester, mark):
    pytester.makepyfile(f'''
        import pytest
        @pytest.mark.rubric({mark})
        def test_bad(): pass
        def test_fine(): pass
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([
        "test_malformed_mark_is_a_collection_error_naming_test_and_valid_values.py::test_bad: "
        "invalid rubric mark *; expected @pytest.mark.rubric(section, item) with section one of "
        "data, model, infra, monitoring and item an integer 1-7",
    ])


def test_malformed_class_mark_names_each_test(pytester):
    pytester.makepyfile('''
        import pytest
        pytestmark = pytest.mark.rubric("monitor", 1)
        def test_a(): pass
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*::test_a: invalid rubric mark rubric('monitor', 1): "
                                 "unknown section 'monitor'*"])


def test_markers_registered_once_and_strict_markers_pass_without_ini(pytester):
    pytester.makepyfile('''
        import pytest
        @pytest.mark.rubric("data", 1)
        @pytest.mark.data
        def test_a(): pass
    ''')
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nmarkers =\n    rubric(section, item): mine\n")
    markers = pytester.runpytest("--markers").stdout.str()
    assert markers.count("@pytest.mark.rubric(") == 1
    assert "@pytest.mark.monitoring:" in markers


def test_no_rubric_tests_no_section(pytester):
    pytester.makepyfile("def test_a(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert "ML Test Score" not in result.stdout.str()


def test_collect_only_scores_nothing(foreign):
    result = foreign.runpytest("--collect-only", "-p", "no:cacheprovider",
                               "--ml-score-report", "out")
    assert result.ret == 0
    assert "ML Test Score" not in result.stdout.str()
    assert not (foreign.path / "out").exists()


ONE_PER_SECTION = '''
import pytest

@pytest.mark.rubric("data", 1)
@pytest.mark.rubric("data", 2)
@pytest.mark.rubric("model", 1)
@pytest.mark.rubric("infra", 1)
@pytest.mark.rubric("monitoring", 1)
def test_all(): pass
'''


@pytest.mark.parametrize(("threshold", "ret", "line"), [
    ("0.5", 0, "Required ML Test Score of 0.5 reached. Final score: 1.0"),
    ("1", 0, "Required ML Test Score of 1.0 reached. Final score: 1.0"),
    ("1.5", 1, "FAIL Required ML Test Score of 1.5 not reached. Final score: 1.0"),
])
def test_fail_under(pytester, threshold, ret, line):
    pytester.makepyfile(ONE_PER_SECTION)
    result = pytester.runpytest("-p", "no:cacheprovider", "--ml-score-fail-under", threshold)
    assert result.ret == ret
    result.stdout.fnmatch_lines([line])
    result.assert_outcomes(passed=1)


def test_fail_under_out_of_range_is_a_usage_error(pytester):
    pytester.makepyfile(ONE_PER_SECTION)
    result = pytester.runpytest("--ml-score-fail-under", "8")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*expected a score from 0 to 7, got '8'*"])


MANUAL_SUITE = '''
import pytest

@pytest.mark.rubric("data", 1)
def test_automated(): pass

@pytest.mark.rubric("data", 2)
def test_red(): assert 0

@pytest.mark.rubric("model", 1)
def test_skipped(): pytest.skip("manual instead")
'''


def test_manual_evidence_fresh_expired_and_malformed(pytester):
    today = dt.date.today()
    fresh, old = today - dt.timedelta(days=10), today - dt.timedelta(days=31)
    pytester.makepyfile(MANUAL_SUITE)
    (pytester.path / "evidence").mkdir()
    (pytester.path / "evidence" / "review.md").write_text("results")
    pytester.makeini("[pytest]\nml_score_manual = evidence/manual.toml\n"
                     "ml_score_manual_max_age_days = 30\n")
    (pytester.path / "evidence" / "manual.toml").write_text(f'''
[data.1]
date = {fresh}
summary = "covered by tests anyway"
results = "review.md"

[data.2]
date = {fresh}
summary = "cannot hide a red test"
results = "review.md"

[model.1]
date = {fresh}
summary = "spec reviewed by two people"
results = "review.md"

[model.2]
date = {fresh}
summary = "no test at all, done by hand"
results = "https://example.org/results"

[model.3]
date = {old}
summary = "too old"
results = "review.md"

[model.4]
date = {fresh}
summary = "pointer to nothing"
results = "missing.md"

[model.5]
date = "yesterday"
summary = "bad date"
results = "review.md"

[infra.9]
date = {fresh}
summary = "no such item"
results = "review.md"

[monitoring.1]
date = {today + dt.timedelta(days=1)}
summary = "future"
results = "review.md"
''')
    result, report = run_json(pytester)
    got = statuses(report)
    assert got[("data", "1")] == ("automated", 1.0, 1, 0, 0)
    assert got[("data", "2")] == ("failed", 0.0, 0, 1, 0)
    assert got[("model", "1")] == ("manual", 0.5, 0, 0, 1)
    assert got[("model", "2")] == ("manual", 0.5, 0, 0, 0)
    assert [got[("model", n)][0] for n in "34567"] == ["missing"] * 5
    assert got[("monitoring", "1")][0] == "missing"
    assert report["sections"]["model"]["score"] == 1.0
    assert report["sections"]["model"]["items"]["1"]["evidence"] == {
        "date": fresh.isoformat(), "summary": "spec reviewed by two people",
        "results": "review.md"}
    evidence = report["manual_evidence"]
    assert evidence["file"] == "evidence/manual.toml"
    assert evidence["unused"] == ["data:1: not used, the item is automated by its tests",
                                  "data:2: not used, the item is failed by its tests"]
    problems = "\n".join(evidence["problems"])
    assert len(evidence["problems"]) == 5
    for text in ("[model.3]: expired: dated", "[model.4]: results 'missing.md' does not exist",
                 "[model.5]: date must be a TOML date", "[infra.9]: item must be 1-7",
                 "[monitoring.1]: date", "is in the future"):
        assert text in problems
    assert (f"  manual evidence problem: evidence/manual.toml: [model.3]: expired: dated {old}, "
            "31 days old, more than the maximum of 30") in result.stdout.str()


def test_invalid_toml_is_reported_not_fatal(pytester):
    pytester.makepyfile(MANUAL_SUITE)
    (pytester.path / "ml_test_score_manual.toml").write_text("[model.1\n")
    result, report = run_json(pytester)
    assert report["manual_evidence"]["problems"][0].startswith(
        "ml_test_score_manual.toml: not valid TOML")
    assert statuses(report)[("model", "1")][0] == "skipped"
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize("extra", [
    [], ["-p", "ml_test_score"], ["-p", "pytest_ml_test_score.plugin"],
    ["-p", "pytest_ml_test_score.plugin", "-p", "ml_test_score"],
], ids=["autoload", "entry-point-name", "module-name", "both"])
def test_naming_the_plugin_beside_the_entry_point_is_harmless(pytester, extra):
    pytester.makepyfile(ONE_PER_SECTION)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *extra)
    result.assert_outcomes(passed=1)
    assert result.stdout.str().count("= ML Test Score =") == 1


def test_conftest_pytest_plugins_naming_the_module_is_harmless(pytester):
    pytester.makepyfile(ONE_PER_SECTION)
    pytester.makeconftest('pytest_plugins = ["pytest_ml_test_score.plugin"]\n')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert result.stdout.str().count("= ML Test Score =") == 1


def test_the_plugin_loads_by_name_without_autoload_and_switches_off_by_name(
        pytester, monkeypatch):
    pytester.makepyfile(ONE_PER_SECTION)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("ml_test_score", "pytest_ml_test_score.plugin"):
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", name)
        assert "= ML Test Score =" in result.stdout.str(), name
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:ml_test_score")
    assert "ML Test Score" not in result.stdout.str()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_junit_xml_carries_the_rubric_items_as_properties(pytester, workers):
    pytester.makepyfile(test_junit='''
        import pytest

        @pytest.mark.rubric("data", 1)
        @pytest.mark.rubric("infra", 2)
        def test_marked(): pass

        def test_plain(): pass
    ''')
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml", *workers)
    root = ElementTree.parse(pytester.path / "junit.xml").getroot()  # nosec B314: our own file
    properties = {case.get("name"): [(p.get("name"), p.get("value"))
                                     for p in case.iter("property")]
                  for case in root.iter("testcase")}
    assert properties == {
        "test_marked": [("ml_test_score_rubric", "data:1"), ("ml_test_score_rubric", "infra:2")],
        "test_plain": [],
    }


def test_a_project_with_its_own_top_level_scoring_package_runs_and_is_scored(pytester):
    """The plugin's modules live in pytest_ml_test_score, so a project's `scoring` is its own."""
    pytester.mkpydir("scoring")
    (pytester.path / "scoring" / "plugin.py").write_text("WEIGHT = 3\n")
    pytester.makepyfile(test_model='''
        import pytest
        from scoring.plugin import WEIGHT

        @pytest.mark.rubric("model", 5)
        def test_weight(): assert WEIGHT == 3
    ''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ml-score-report=out")
    result.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "out" / "ml_test_score.json").read_text())
    assert report["sections"]["model"]["items"]["5"]["status"] == "automated"
