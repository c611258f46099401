"""The base/head comparison: every point gained or lost is accounted for, and shown."""

from __future__ import annotations

from hypothesis import given
from run_strategies import report_of, runs

from pytest_ml_test_score.compare import compare_reports
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.render import comparison_markdown
from pytest_ml_test_score.score import build_report


def report(passed: dict[RubricRef, int], complete: bool = True) -> dict:
    tallies = {ref: ItemTally(passed=n, tests=[f"t::{ref}"]) for ref, n in passed.items()}
    return build_report(tallies, {}, complete)


ALL_DATA = {RubricRef("data", n): 1 for n in range(1, 8)}


def test_comparison_lists_changed_items_and_signed_deltas():
    base = report({RubricRef("model", 1): 1, RubricRef("infra", 2): 1}, complete=False)
    head = report({RubricRef("model", 1): 1, RubricRef("data", 3): 1})
    text = comparison_markdown(compare_reports(base, head))
    lines = text.splitlines()
    assert lines[0] == "## ML Test Score: 0.0 / 7 (+0.0 from 0.0)"
    assert "| Data | 0.0 | 1.0 | +1.0 |" in lines
    assert "| Infrastructure | 1.0 | 0.0 | -1.0 |" in lines
    assert "| Model | 1.0 | 1.0 | +0.0 |" in lines
    assert "| Item | Title | Base | Head | Points |" in lines
    assert "| Data 3 | No feature's cost is too much. | missing | automated | +1.0 |" in lines
    assert ("| Infrastructure 2 | Model specs are unit tested. | automated | missing | -1.0 |"
            in lines)
    assert "Run completeness changed: base complete=False, head complete=True." in lines
    assert text.endswith(".\n")


def test_comparison_without_changes_says_so():
    same = report(ALL_DATA)
    text = comparison_markdown(compare_reports(same, same))
    assert "No item changed status." in text.splitlines()
    assert "| Item |" not in text and "completeness" not in text


def test_final_score_change_is_signed():
    everything = {RubricRef(s, n): 1 for s in ("data", "model", "infra", "monitoring")
                  for n in range(1, 8)}
    text = comparison_markdown(compare_reports(report(ALL_DATA), report(everything)))
    assert text.splitlines()[0] == "## ML Test Score: 7.0 / 7 (+7.0 from 0.0)"


@given(runs, runs)
def test_compare_accounts_for_every_point(base_run, head_run):
    base, head = report_of(base_run), report_of(head_run)
    diff = compare_reports(base, head)
    assert diff["score"]["delta"] == head["score"] - base["score"]
    for section, change in diff["sections"].items():
        moved = sum(c["delta"] for c in diff["items"] if c["section"] == section)
        assert change["delta"] == moved
    assert compare_reports(head, head)["items"] == []
