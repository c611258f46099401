"""Manual evidence: the exact one-line problems a user sees, and the age boundaries.

Evidence executed by hand earns half a point only while it is fresh; the boundaries (today,
exactly the maximum age, one day more, one day in the future) decide whether stale paperwork
passes for testing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pytest_ml_test_score.manual import load_manual
from pytest_ml_test_score.marks import RubricRef

TODAY = dt.date(2026, 6, 30)
LABEL = "ml_test_score_manual.toml"
FIELDS_LINE = "expected exactly the fields date, summary, results"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "evidence.md").write_text("results\n", encoding="utf-8")
    path = tmp_path / LABEL
    path.write_text(text, encoding="utf-8")
    return path


def entry(date: str = "2026-06-01", summary: str = '"A/B check"',
          results: str = '"evidence.md"') -> str:
    return f"date = {date}\nsummary = {summary}\nresults = {results}\n"


def load(path: Path, max_age_days: int = 180):
    return load_manual(path, max_age_days, TODAY, label=LABEL)


@pytest.mark.parametrize(("date", "valid"), [
    ("2026-06-30", True),   # executed today
    ("2026-06-29", True),
    ("2026-01-01", True),   # exactly 180 days old
    ("2025-12-31", False),  # 181 days old
])
def test_evidence_is_valid_from_today_up_to_exactly_the_maximum_age(tmp_path, date, valid):
    evidence = load(write(tmp_path, "[model.2]\n" + entry(date=date)))
    assert (RubricRef("model", 2) in evidence.valid) is valid
    if valid:
        assert evidence.valid[RubricRef("model", 2)] == {
            "date": date, "summary": "A/B check", "results": "evidence.md"}
        assert evidence.problems == []
    else:
        assert evidence.problems == [
            f"{LABEL}: [model.2]: expired: dated 2025-12-31, 181 days old, more than the "
            "maximum of 180 (ml_score_manual_max_age_days)"]


def test_a_configured_maximum_age_moves_the_boundary(tmp_path):
    path = write(tmp_path, "[model.2]\n" + entry(date="2026-06-20"))
    assert RubricRef("model", 2) in load(path, max_age_days=10).valid
    assert load(path, max_age_days=9).problems == [
        f"{LABEL}: [model.2]: expired: dated 2026-06-20, 10 days old, more than the maximum "
        "of 9 (ml_score_manual_max_age_days)"]


def test_evidence_dated_tomorrow_is_rejected(tmp_path):
    evidence = load(write(tmp_path, "[data.1]\n" + entry(date="2026-07-01")))
    assert evidence.valid == {}
    assert evidence.problems == [f"{LABEL}: [data.1]: date 2026-07-01 is in the future"]


@pytest.mark.parametrize(("body", "problem"), [
    ('date = 2026-06-01\nsummary = "s"\n', f"{FIELDS_LINE}; missing results"),
    ('summary = "s"\n', f"{FIELDS_LINE}; missing date, results"),
    (entry() + 'owner = "me"\nzone = 1\n', f"{FIELDS_LINE}; unknown owner, zone"),
    ('date = 2026-06-01\nsummary = "s"\nowner = "me"\n',
     f"{FIELDS_LINE}; missing results; unknown owner"),
    (entry(summary='"   "'), "summary must be a non-empty string"),
    (entry(summary="3"), "summary must be a non-empty string"),
    (entry(results='""'), "results must be a non-empty string"),
    (entry(results='"nowhere.md"'),
     "results 'nowhere.md' does not exist (a path relative to the file, or a URL)"),
    (entry(date='"last week"'), "date must be a TOML date such as 2026-01-15, got 'last week'"),
])
def test_a_bad_entry_is_one_line_naming_file_item_and_field(tmp_path, body, problem):
    evidence = load(write(tmp_path, "[infra.4]\n" + body))
    assert evidence.valid == {}
    assert evidence.problems == [f"{LABEL}: [infra.4]: {problem}"]


def test_an_entry_that_is_not_a_table_names_the_expected_fields(tmp_path):
    evidence = load(write(tmp_path, "[infra]\n4 = \"done\"\n"))
    assert evidence.problems == [
        f"{LABEL}: [infra.4]: expected a table with date, summary, results"]


def test_a_url_needs_no_local_file_and_a_string_date_is_accepted(tmp_path):
    evidence = load(write(tmp_path, "[monitoring.7]\n" + entry(
        date='"2026-06-01"', results='" https://example.org/report "')))
    assert evidence.valid[RubricRef("monitoring", 7)]["results"] == "https://example.org/report"
    assert evidence.valid[RubricRef("monitoring", 7)]["date"] == "2026-06-01"


def test_problems_do_not_hide_the_valid_entries_after_them(tmp_path):
    text = ("[serving.1]\n" + entry()
            + "[data]\n9 = 1\n"
            + "[data.2]\n" + entry()
            + "[model]\n[model.3]\n" + entry()
            + "[model.x]\n" + entry())
    text = text.replace("[data]\n9 = 1\n[data.2]", "[data.9]\n" + entry() + "[data.2]")
    evidence = load(write(tmp_path, text))
    assert sorted(evidence.valid) == [RubricRef("data", 2), RubricRef("model", 3)]
    assert evidence.problems == [
        f"{LABEL}: [serving]: expected a table named after a section (data, model, infra, "
        "monitoring) holding tables named 1-7",
        f"{LABEL}: [data.9]: item must be 1-7",
        f"{LABEL}: [model.x]: item must be 1-7",
    ]


def test_a_section_that_is_a_value_not_a_table_is_reported(tmp_path):
    evidence = load(write(tmp_path, 'data = "all good"\n[model.1]\n' + entry()))
    assert evidence.problems == [
        f"{LABEL}: [data]: expected a table named after a section (data, model, infra, "
        "monitoring) holding tables named 1-7"]
    assert list(evidence.valid) == [RubricRef("model", 1)]


def test_messages_name_the_path_when_no_label_is_given(tmp_path):
    path = write(tmp_path, "[data.8]\n" + entry())
    assert load_manual(path, 180, TODAY).problems == [f"{path}: [data.8]: item must be 1-7"]


def test_non_ascii_utf8_text_is_read(tmp_path):
    path = write(tmp_path, "[data.1]\n" + entry(summary='"Prüfung der Qualität"'))
    assert load(path).valid[RubricRef("data", 1)]["summary"] == "Prüfung der Qualität"
