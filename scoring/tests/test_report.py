"""``ml-test-score report``: Markdown of a report, a comparison, one-line errors."""

from __future__ import annotations

import json

import pytest

from pytest_ml_test_score import cli
from pytest_ml_test_score.report import main as report_main


def test_report_renders_markdown(reports, capsys):
    assert cli.main(["report", str(reports["base"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## ML Test Score: 1.0 / 7\n")
    assert "| Data | 1.0 / 7 | 1 | 0 | 0 | 0 | 6 |" in out
    assert "| 1 | Feature expectations are captured in a schema. | automated | 1.0 | " \
           "`t.py::test_data` |" in out


def test_compare_shows_items_sections_and_final_change(reports, capsys):
    assert report_main([str(reports["head"]), "--compare", str(reports["base"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## ML Test Score: 0.0 / 7 (-1.0 from 1.0)")
    assert "| Data | 1.0 | 2.0 | +1.0 |" in out
    assert "| Model | 1.0 | 0.0 | -1.0 |" in out
    assert "| Data 2 | All features are beneficial. | missing | automated | +1.0 |" in out
    assert "| Model 1 | Model specs are reviewed and submitted. | automated | failed | -1.0 |" \
        in out


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"),
    ("{not json", "invalid JSON at line 1 column 2"),
    ('{"schema": 2}', "schema: expected 1, got 2"),
    ("[]", "expected a JSON object, got list"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    assert cli.main(["report", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err and str(path) in captured.err


@pytest.mark.parametrize(("edit", "message"), [
    (lambda r: r["sections"].pop("infra"), "sections.infra: expected an object"),
    (lambda r: r["sections"]["data"]["items"].pop("7"), "sections.data.items: expected the keys"),
    (lambda r: r["sections"]["model"]["items"]["2"].update(status="great"),
     "sections.model.items.2.status: expected one of automated"),
    (lambda r: r["sections"]["model"]["items"]["1"].update(points=0.5),
     "sections.model.items.1.points: expected the points of its status, got 0.5"),
    (lambda r: r["sections"]["data"]["items"]["1"].update(passed=-1),
     "sections.data.items.1.passed: expected a count"),
])
def test_schema_violations_name_the_field(reports, capsys, edit, message):
    report = json.loads(reports["base"].read_text())
    edit(report)
    reports["base"].write_text(json.dumps(report))
    assert cli.main(["report", str(reports["head"]), "--compare", str(reports["base"])]) == 2
    assert message in capsys.readouterr().err
