"""Marks added after collection count and are selected by ``-m <section>``."""

from __future__ import annotations

import json

import pytest

from pytest_ml_test_score.selection import names_a_section

SUITE = '''
def test_schema(): pass
def test_model(): pass
def test_other(): pass
'''
ADD_MARKS = '''
    for item in items:
        if item.name == "test_schema":
            item.add_marker(pytest.mark.rubric("data", 1))
        if item.name == "test_model":
            item.add_marker(pytest.mark.rubric("model", 1))
'''
# Every place a conftest hook can add marks: before pytest's deselection, after it, and in the
# second half of a wrapper.
PLACEMENTS = {
    "plain": "def pytest_collection_modifyitems(items):" + ADD_MARKS,
    "tryfirst": "@pytest.hookimpl(tryfirst=True)\ndef pytest_collection_modifyitems(items):"
                + ADD_MARKS,
    "trylast": "@pytest.hookimpl(trylast=True)\ndef pytest_collection_modifyitems(items):"
               + ADD_MARKS,
    "wrapper": "@pytest.hookimpl(wrapper=True)\ndef pytest_collection_modifyitems(items):\n"
               "    yield" + ADD_MARKS,
}


@pytest.mark.parametrize(("expression", "named"), [
    ("data", True), ("not data", True), ("model or slow", True), ("(infra and not slow)", True),
    ("monitoring(kind='x')", True), ("slow", False), ("database", False), ("", False),
    (None, False), ("not dataset", False),
])
def test_names_a_section(expression, named):
    assert names_a_section(expression) is named


@pytest.fixture(params=sorted(PLACEMENTS))
def late_marks(request, pytester: pytest.Pytester) -> pytest.Pytester:
    """A suite whose rubric marks a conftest adds in pytest_collection_modifyitems."""
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeconftest("import pytest\n\n" + PLACEMENTS[request.param])
    return pytester


def test_marks_added_by_a_conftest_hook_count(late_marks):
    result = late_marks.runpytest("-p", "no:cacheprovider", "--ml-score-report=out")
    result.assert_outcomes(passed=3)
    report = json.loads((late_marks.path / "out" / "ml_test_score.json").read_text())
    assert report["sections"]["data"]["items"]["1"]["status"] == "automated"
    assert report["sections"]["model"]["items"]["1"]["tests"] == ["test_suite.py::test_model"]


@pytest.mark.parametrize(("expression", "passed"), [
    ("data", ["test_schema"]), ("model or data", ["test_schema", "test_model"]),
    ("not data", ["test_model", "test_other"]),
])
def test_marks_added_by_a_conftest_hook_are_selected_by_section(late_marks, expression, passed):
    result = late_marks.runpytest("-p", "no:cacheprovider", "-m", expression, "-v")
    result.assert_outcomes(passed=len(passed), deselected=3 - len(passed))
    for name in passed:
        result.stdout.fnmatch_lines([f"test_suite.py::{name} PASSED*"])


def test_other_markers_are_still_selected_by_pytest_alone(pytester):
    pytester.makepyfile(test_suite='''
        import pytest
        @pytest.mark.slow
        def test_slow(): pass
        def test_fast(): pass
    ''')
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-m", "not slow")
    result.assert_outcomes(passed=1, deselected=1)


def test_a_malformed_mark_added_late_is_a_usage_error(pytester):
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeconftest('''
        import pytest
        def pytest_collection_modifyitems(items):
            items[0].add_marker(pytest.mark.rubric("data", 9))
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: test_suite.py::test_schema: invalid rubric mark "
                                 "rubric('data', 9): item 9 of section 'data'*"])


def test_deselection_by_keyword_and_by_node_id_still_apply(late_marks):
    result = late_marks.runpytest("-p", "no:cacheprovider", "-m", "data or model", "-k",
                                  "not model", "--deselect", "test_suite.py::test_other")
    result.assert_outcomes(passed=1, deselected=2)
