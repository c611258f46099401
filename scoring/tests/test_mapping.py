"""``ml_score_map``: parsing and matching, and a project scored by the map alone."""

from __future__ import annotations

import json

import pytest

from pytest_ml_test_score.mapping import (
    VALID_LINES,
    MapEntry,
    MapError,
    MapUse,
    mapped_refs,
    parse_line,
    parse_map,
    unmatched_patterns,
)
from pytest_ml_test_score.marks import RubricRef

DATA_1, DATA_2, INFRA_3 = RubricRef("data", 1), RubricRef("data", 2), RubricRef("infra", 3)


def test_a_line_maps_a_pattern_to_sorted_unique_items():
    assert parse_line(" tests/serving/* = infra:3, data:2 data:1 data:2 ") == MapEntry(
        "tests/serving/*", (DATA_1, DATA_2, INFRA_3))


def test_blank_and_comment_lines_are_skipped():
    assert parse_map(["", "  # a comment", "test_x = data:1"]) == (
        MapEntry("test_x", (DATA_1,)),)


@pytest.mark.parametrize(("line", "problem"), [
    ("tests/* data:1", "no PATTERN = before the items"),
    (" = data:1", "no PATTERN = before the items"),
    ("tests/* =", "no SECTION:ITEM after ="),
    ("tests/* = data", "'data' is not SECTION:ITEM"),
    ("tests/* = Data:1", "unknown section 'Data'"),
    ("tests/* = data:8", "item 8 of section 'data' is not an integer 1-7"),
    ("tests/* = data:one", "item 'one' of section 'data' is not an integer 1-7"),
])
def test_a_malformed_line_names_the_entry_the_problem_and_the_valid_form(line, problem):
    with pytest.raises(MapError) as caught:
        parse_line(line)
    assert str(caught.value) == (f"ml_score_map: invalid entry {line.strip()!r}: {problem}; "
                                 f"{VALID_LINES}")


def test_patterns_match_node_ids_or_parameterless_names():
    entries = parse_map(["tests/data/* = data:1", "test_leak* = data:2",
                         "*::TestServing::* = infra:3"])
    assert mapped_refs(entries, "tests/data/test_schema.py::test_rows[1]", "test_rows") == (
        DATA_1,)
    assert mapped_refs(entries, "tests/data/test_meta.py::test_leak_free", "test_leak_free") == (
        DATA_1, DATA_2)
    assert mapped_refs(entries, "t.py::TestServing::test_a", "test_a") == (INFRA_3,)
    assert mapped_refs(entries, "other.py::test_leak", "test_leak") == (DATA_2,)
    assert mapped_refs(entries, "Tests/data/x.py::test_a", "test_a") == ()  # case-sensitive


def test_unmatched_patterns_keep_configuration_order():
    entries = parse_map(["b* = data:1", "a* = data:2", "test_* = data:3", "b* = infra:1"])
    assert unmatched_patterns(entries, [("t.py::test_x", "test_x")]) == ["b*", "a*"]
    assert unmatched_patterns(entries, []) == ["b*", "a*", "test_*"]
    assert unmatched_patterns((), [("t.py::test_x", "test_x")]) == []


MARKED = '''
import pytest

@pytest.mark.rubric("data", 1)
def test_schema(): pass

@pytest.mark.rubric("model", 1)
@pytest.mark.parametrize("x", [1, 2])
def test_baseline(x): assert x

@pytest.mark.rubric("infra", 1)
def test_reproducible(): assert 0

class TestMonitoring:
    @pytest.mark.rubric("monitoring", 1)
    def test_deps(self): pass

def test_unrelated(): pass
'''
UNMARKED = MARKED.replace('@pytest.mark.rubric("data", 1)\n', "").replace(
    '@pytest.mark.rubric("model", 1)\n', "").replace(
    '@pytest.mark.rubric("infra", 1)\n', "").replace(
    '    @pytest.mark.rubric("monitoring", 1)\n', "")
MAP_INI = """[pytest]
ml_score_map =
    test_suite.py::test_schema = data:1
    test_baseline = model:1
    *reproducible* = infra:1
    *::TestMonitoring::* = monitoring:1
    tests/never/* = data:2
"""


def _scored(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = pytester.runpytest("-p", "no:cacheprovider", "--ml-score-report=out", *args)
    return result, json.loads((pytester.path / "out" / "ml_test_score.json").read_text())


def _score_of(report: dict) -> dict:
    return {key: report[key] for key in ("score", "complete", "sections")}


def test_the_map_alone_gives_the_score_of_the_marked_twin(pytester):
    assert "rubric" not in UNMARKED
    pytester.makepyfile(test_suite=MARKED)
    _, marked = _scored(pytester)
    pytester.makepyfile(test_suite=UNMARKED)
    pytester.makeini(MAP_INI)
    result, mapped = _scored(pytester, "--strict-markers")
    assert _score_of(mapped) == _score_of(marked)
    assert mapped["run"] == marked["run"]
    assert mapped["map"] == {"unmatched": ["tests/never/*"]}
    assert "map" not in marked
    result.stdout.fnmatch_lines(
        ["  ml_score_map: pattern 'tests/never/*' matched no collected test"])
    assert "- ml_score_map: pattern 'tests/never/*' matched no collected test" in (
        pytester.path / "out" / "ml_test_score.md").read_text()


def test_mapped_tests_are_selected_by_their_section_marker(pytester):
    pytester.makepyfile(test_suite=UNMARKED)
    pytester.makeini(MAP_INI)
    result, report = _scored(pytester, "-m", "model or monitoring")
    result.assert_outcomes(passed=3, deselected=3)
    assert report["run"]["sections_selected"] == ["model", "monitoring"]


def test_the_map_in_pyproject_toml(pytester):
    pytester.makepyfile(test_suite=UNMARKED)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\n'
                               'ml_score_map = ["test_schema = data:1"]\n')
    _, report = _scored(pytester)
    assert report["sections"]["data"]["items"]["1"]["tests"] == ["test_suite.py::test_schema"]
    assert report["map"] == {"unmatched": []}


def test_a_malformed_map_line_is_a_usage_error(pytester):
    pytester.makepyfile(test_suite=UNMARKED)
    pytester.makeini("[pytest]\nml_score_map =\n    test_schema = data:9\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: ml_score_map: invalid entry 'test_schema = data:9': item 9 of section 'data' is "
        "not an integer 1-7; expected lines PATTERN = SECTION:ITEM*"])


def test_the_map_under_xdist_matches_serial(pytester):
    pytester.makepyfile(test_suite=UNMARKED)
    pytester.makeini(MAP_INI)
    _, serial = _scored(pytester, "-p", "no:xdist")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ml-score-report=par",
                                           "-n", "2")
    assert "2 workers" in result.stdout.str()
    assert json.loads((pytester.path / "par" / "ml_test_score.json").read_text()) == serial


def test_map_use_reports_local_misses_or_those_common_to_every_worker():
    entries = parse_map(["a* = data:1", "b* = data:2", "c* = data:3"])
    assert MapUse(()).unmatched() is None
    assert MapUse(entries, local=["b*"]).unmatched() == ["b*"]
    assert MapUse(entries, workers=[["a*", "b*"], ["b*", "c*"]]).unmatched() == ["b*"]
    assert MapUse(entries).unmatched() == ["a*", "b*", "c*"]  # no worker reported back
