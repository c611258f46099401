"""The exact text of the Markdown report, the terminal summary and the JSON bytes.

Pull-request comments and CI logs are read by people and diffed by tools, so every row, header
and blank line below is part of the output a user relies on.
"""

from __future__ import annotations

import json

from pytest_ml_test_score.compare import compare_reports
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.render import (
    comparison_markdown,
    markdown,
    terminal_lines,
    threshold_line,
    to_json,
    why,
)
from pytest_ml_test_score.score import build_report

DATA_TESTS = ["ml_tests/data/test_a.py::test_x", "ml_tests/data/test_a.py::test_y[a|b]"]


def mixed_report(complete: bool = False) -> dict:
    """Every status in Data, a wholly skipped Model section, nothing in the other two."""
    tallies = {
        RubricRef("data", 1): ItemTally(passed=2, tests=list(DATA_TESTS)),
        RubricRef("data", 2): ItemTally(passed=1, failed=2, tests=["t::a", "t::b", "t::c"],
                                        failing=["t::b", "t::c"]),
        RubricRef("data", 3): ItemTally(skipped=1, tests=["t::s"]),
        RubricRef("data", 5): ItemTally(failed=1, tests=["t::f"]),
    }
    for number in range(1, 8):
        tallies[RubricRef("model", number)] = ItemTally(skipped=1, tests=["m::only"])
    manual = {RubricRef("data", 4): {"date": "2026-11-01", "results": "docs/evidence/d4.md"}}
    return build_report(tallies, manual, complete)


DATA_TABLE = [
    "### Data: 1.5 / 7",
    "",
    "| # | Item | Status | Points | Tests |",
    "|---:|---|---|---:|---|",
    "| 1 | Feature expectations are captured in a schema. | automated | 1.0 | "
    "`ml_tests/data/test_a.py::test_x`<br>`ml_tests/data/test_a.py::test_y[a\\|b]` |",
    "| 2 | All features are beneficial. | failed<br>2 of 3 test(s) failed or errored: t::b, "
    "t::c | 0.0 | `t::a`<br>`t::b`<br>`t::c` |",
    "| 3 | No feature's cost is too much. | skipped<br>none of its 1 test(s) ran to a pass "
    "(skipped, xfailed or deselected) | 0.0 | `t::s` |",
    "| 4 | Features adhere to meta-level requirements. | manual<br>executed by hand on "
    "2026-11-01, results in docs/evidence/d4.md | 0.5 | none |",
    "| 5 | The data pipeline has appropriate privacy controls. | failed<br>1 of 1 test(s) "
    "failed or errored | 0.0 | `t::f` |",
    "| 6 | New features can be added quickly. | missing<br>no test marked "
    "rubric(\"data\", 6) | 0.0 | none |",
    "| 7 | All input feature code is tested. | missing<br>no test marked "
    "rubric(\"data\", 7) | 0.0 | none |",
    "",
]


def test_markdown_head_and_summary_table_are_exact():
    lines = markdown(mixed_report()).splitlines()
    assert lines[:13] == [
        "## ML Test Score: 0.0 / 7",
        "",
        "> More of a research project than a productionized system.",
        "",
        "Final score = minimum of the four section scores; INCOMPLETE run: not every section "
        "had tests selected and run, so this is not the project's score.",
        "",
        "| Section | Score | Automated | Manual | Failed | Skipped | Missing |",
        "|---|---:|---:|---:|---:|---:|---:|",
        "| Data | 1.5 / 7 | 1 | 1 | 2 | 1 | 2 |",
        "| Model | 0.0 / 7 | 0 | 0 | 0 | 7 | 0 |",
        "| Infrastructure | 0.0 / 7 | 0 | 0 | 0 | 0 | 7 |",
        "| Monitoring | 0.0 / 7 | 0 | 0 | 0 | 0 | 7 |",
        "",
    ]


def test_markdown_item_table_explains_every_item_short_of_its_point():
    lines = markdown(mixed_report()).splitlines()
    start = lines.index("### Data: 1.5 / 7")
    assert lines[start:start + len(DATA_TABLE)] == DATA_TABLE
    assert lines[start - 1] == ""


def test_markdown_without_manual_evidence_ends_with_the_last_table_row():
    text = markdown(mixed_report(complete=True))
    assert "### Manual evidence" not in text
    assert text.endswith("| 7 | Prediction quality has not regressed. | missing<br>no test marked "
                         "rubric(\"monitoring\", 7) | 0.0 | none |\n")
    assert "\n\n\n" not in text
    assert "complete run (tests of all four sections selected)." in text.splitlines()[4]


def test_markdown_lists_manual_evidence_problems_and_unused_entries_last():
    report = mixed_report()
    report["manual_evidence"] = {
        "problems": ["manual.yaml: data 6: date: expected YYYY-MM-DD"],
        "unused": ["infra 1: not used, the item is automated by its tests"],
    }
    text = markdown(report)
    assert text.startswith("## ML Test Score: 0.0 / 7\n\n> ")
    assert text.endswith(
        "| none |\n"
        "\n"
        "### Manual evidence\n"
        "\n"
        "- manual evidence problem: manual.yaml: data 6: date: expected YYYY-MM-DD\n"
        "- manual evidence infra 1: not used, the item is automated by its tests\n")


def test_manual_evidence_with_only_one_kind_of_note_renders_that_kind():
    report = mixed_report()
    report["manual_evidence"] = {"unused": ["data 1: not used, the item is automated"]}
    assert markdown(report).endswith(
        "### Manual evidence\n\n- manual evidence data 1: not used, the item is automated\n")
    assert terminal_lines(report)[-1] == "  manual evidence data 1: not used, the item is automated"
    report["manual_evidence"] = {"problems": ["manual.yaml: not a mapping"]}
    assert markdown(report).endswith(
        "### Manual evidence\n\n- manual evidence problem: manual.yaml: not a mapping\n")
    assert terminal_lines(report)[-1] == "  manual evidence problem: manual.yaml: not a mapping"


def test_terminal_summary_table_is_column_aligned():
    lines = terminal_lines(mixed_report())
    assert lines[:7] == [
        "Final score: 0.0 / 7 (weakest: Model, Infrastructure, Monitoring); INCOMPLETE run: "
        "not every section had tests selected and run, so this is not the project's score",
        "More of a research project than a productionized system.",
        "section           score  automated    manual    failed   skipped   missing",
        "Data                1.5          1         1         2         1         2",
        "Model               0.0          0         0         0         7         0",
        "Infrastructure      0.0          0         0         0         0         7",
        "Monitoring          0.0          0         0         0         0         7",
    ]


def test_terminal_collapses_a_wholly_skipped_section_and_goes_on_with_the_next():
    lines = terminal_lines(mixed_report())
    assert lines[7:15] == [
        "  Data 2            failed   All features are beneficial. (2 of 3 test(s) failed or "
        "errored: t::b, t::c)",
        "  Data 3            skipped  No feature's cost is too much. (none of its 1 test(s) ran "
        "to a pass (skipped, xfailed or deselected))",
        "  Data 4            manual   Features adhere to meta-level requirements. (executed by "
        "hand on 2026-11-01, results in docs/evidence/d4.md)",
        "  Data 5            failed   The data pipeline has appropriate privacy controls. (1 of 1 "
        "test(s) failed or errored)",
        "  Data 6            missing  New features can be added quickly. (no test marked "
        "rubric(\"data\", 6))",
        "  Data 7            missing  All input feature code is tested. (no test marked "
        "rubric(\"data\", 7))",
        "  Model 1-7         skipped  none of the section's 1 test(s) ran to a pass (skipped, "
        "xfailed or deselected)",
        "  Infrastructure 1  missing  Training is reproducible. (no test marked "
        "rubric(\"infra\", 1))",
    ]
    assert lines[-1] == ("  Monitoring 7      missing  Prediction quality has not regressed. "
                         "(no test marked rubric(\"monitoring\", 7))")
    assert len(lines) == 7 + 6 + 1 + 7 + 7


def test_why_for_hand_edited_evidence_without_date_or_results_shows_question_marks():
    item = {"status": "manual", "tests": [], "evidence": {"results": "docs/x.md"}}
    assert why("data", "4", item) == "executed by hand on ?, results in docs/x.md"
    item = {"status": "manual", "tests": [], "evidence": {"date": "2026-01-02"}}
    assert why("data", "4", item) == "executed by hand on 2026-01-02, results in ?"


def test_why_for_a_passing_item_counts_its_passes():
    item = {"status": "automated", "tests": ["a", "b", "c"], "passed": 2}
    assert why("data", "1", item) == "2 of 3 test(s) passed"


def test_json_bytes_are_two_space_indented_utf8_with_a_final_newline():
    text = to_json({"title": "Qualität", "n": [1]})
    assert text == '{\n  "title": "Qualität",\n  "n": [\n    1\n  ]\n}\n'
    report = mixed_report()
    assert json.loads(to_json(report)) == report


def test_comparison_markdown_is_exact_including_blank_lines():
    base = build_report({RubricRef("infra", 2): ItemTally(passed=1, tests=["t"])}, {}, False)
    head = build_report({RubricRef("data", 3): ItemTally(passed=1, tests=["t"])}, {}, True)
    assert comparison_markdown(compare_reports(base, head)) == (
        "## ML Test Score: 0.0 / 7 (+0.0 from 0.0)\n"
        "\n"
        "| Section | Base | Head | Change |\n"
        "|---|---:|---:|---:|\n"
        "| Data | 0.0 | 1.0 | +1.0 |\n"
        "| Model | 0.0 | 0.0 | +0.0 |\n"
        "| Infrastructure | 1.0 | 0.0 | -1.0 |\n"
        "| Monitoring | 0.0 | 0.0 | +0.0 |\n"
        "\n"
        "| Item | Title | Base | Head | Points |\n"
        "|---|---|---|---|---:|\n"
        "| Data 3 | No feature's cost is too much. | missing | automated | +1.0 |\n"
        "| Infrastructure 2 | Model specs are unit tested. | automated | missing | -1.0 |\n"
        "\n"
        "Run completeness changed: base complete=False, head complete=True.\n")


def test_the_threshold_line_says_reached_at_the_threshold_and_fail_below_it():
    assert threshold_line(3.5, 3.5) == (
        True, "Required ML Test Score of 3.5 reached. Final score: 3.5")
    assert threshold_line(3.0, 3.5) == (
        False, "FAIL Required ML Test Score of 3.5 not reached. Final score: 3.0")
