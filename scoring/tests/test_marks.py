"""The exact collection error for a malformed rubric mark, and parsing refs back from text."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pytest_ml_test_score import marks as marks_module
from pytest_ml_test_score.marks import (
    VALID_VALUES,
    RubricMarkError,
    RubricRef,
    parse_mark_args,
    refs_from_marks,
)


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


@pytest.mark.parametrize(("args", "kwargs"), [
    (("data", 1), {}), (("data",), {"item": 1}), ((), {"section": "data", "item": 1}),
])
def test_mark_forms_accepted(args, kwargs):
    assert parse_mark_args(args, kwargs) == RubricRef("data", 1)


@pytest.mark.parametrize(("args", "kwargs"), [
    (("Data", 1), {}), (("data", 0), {}), (("data", 8), {}), (("data", "1"), {}),
    (("data", True), {}), (("data", 1.0), {}), (("data",), {}), ((), {}),
    (("data", 1, 2), {}), (("data", 1), {"item": 2}), (("data", 1), {"weight": 2}),
    ((1, "data"), {}),
])
def test_malformed_marks_rejected_naming_test_and_valid_values(args, kwargs):
    mark = pytest.mark.rubric(*args, **kwargs).mark
    with pytest.raises(RubricMarkError) as info:
        refs_from_marks([mark], "t.py::test_x")
    message = str(info.value)
    assert message.startswith("t.py::test_x: invalid rubric mark")
    assert "data, model, infra, monitoring" in message and "1-7" in message
    assert "\n" not in message


def test_refs_are_sorted_and_deduplicated():
    marks = [pytest.mark.rubric(s, n).mark for s, n in [("model", 2), ("data", 1), ("data", 1)]]
    assert refs_from_marks(marks, "x") == (RubricRef("data", 1), RubricRef("model", 2))
    assert RubricRef.parse("model:2") == RubricRef("model", 2)


def test_remembered_parses_keep_values_of_equal_hash_apart():
    """1 and True hash alike; only one of them is an item number, whichever is read first."""
    assert refs_from_marks([SimpleNamespace(args=("data", 1), kwargs={})], "x") == (
        RubricRef("data", 1),)
    with pytest.raises(RubricMarkError):
        refs_from_marks([SimpleNamespace(args=("data", True), kwargs={})], "x")
    with pytest.raises(RubricMarkError):  # unhashable: parsed as it is, refused all the same
        refs_from_marks([SimpleNamespace(args=("data", [1]), kwargs={})], "x")


def test_the_mark_cache_stays_bounded_and_never_answers_for_another_object():
    """A long-lived process (in-process pytester runs) parses many marks: the cache must neither
    grow without end nor hand one mark's ref to a later object that reuses its id."""
    # pylint: disable=protected-access
    for number in range(3 * marks_module._BY_MARK_SIZE):
        refs_from_marks([mark("data", number % 7 + 1)], "x")
    assert len(marks_module._BY_MARK) <= marks_module._BY_MARK_SIZE
    for number in range(50):  # each temporary mark dies, so ids repeat
        assert refs_from_marks([mark("model", number % 7 + 1)], "x") == (
            RubricRef("model", number % 7 + 1),)
