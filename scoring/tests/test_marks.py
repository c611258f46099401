"""The exact collection error for a malformed rubric mark, and parsing refs back from text."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pytest_ml_test_score.marks import VALID_VALUES, RubricMarkError, RubricRef, refs_from_marks


def mark(*args, **kwargs) -> SimpleNamespace:
    return SimpleNamespace(args=args, kwargs=kwargs)


@pytest.mark.parametrize(("bad", "described", "problem"), [
    (mark("data", 1, size=2, colour="x"), "rubric('data', 1, size=2, colour='x')",
     "unexpected keyword argument(s) colour, size"),
    (mark("data", 1, item=1), "rubric('data', 1, item=1)", "takes exactly 2 arguments, got 3"),
    (mark("data", 1, 2), "rubric('data', 1, 2)", "takes exactly 2 arguments, got 3"),
    (mark(section="data"), "rubric(section='data')", "takes exactly 2 arguments, got 1"),
])
def test_the_collection_error_names_test_mark_problem_and_valid_values(bad, described, problem):
    with pytest.raises(RubricMarkError) as caught:
        refs_from_marks([mark("model", 2), bad], "ml_tests/test_x.py::test_y")
    assert str(caught.value) == (f"ml_tests/test_x.py::test_y: invalid rubric mark {described}: "
                                 f"{problem}; {VALID_VALUES}")


@pytest.mark.parametrize(("text", "problem"), [
    ("data:x", "item 'x' of section 'data' is not an integer 1-7"),
    ("data:", "item '' of section 'data' is not an integer 1-7"),
    ("data:3:4", "item '3:4' of section 'data' is not an integer 1-7"),
    ("Data:3", "unknown section 'Data'"),
])
def test_a_malformed_ref_from_a_worker_is_a_rubric_error_not_a_crash(text, problem):
    with pytest.raises(RubricMarkError) as caught:
        RubricRef.parse(text)
    assert str(caught.value) == problem


def test_parse_is_the_inverse_of_str():
    ref = RubricRef("monitoring", 7)
    assert RubricRef.parse(str(ref)) == ref
