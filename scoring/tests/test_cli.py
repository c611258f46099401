"""The command line: ``ml-test-score report`` and the dispatcher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_ml_test_score import cli, cli_report
from pytest_ml_test_score.marks import RubricRef
from pytest_ml_test_score.outcomes import ItemTally
from pytest_ml_test_score.render import to_json
from pytest_ml_test_score.score import build_report

ALL_FIRST_ITEMS = {RubricRef(s, 1): ItemTally(1, 0, 0, [f"t.py::test_{s}"], [])
                   for s in ("data", "model", "infra", "monitoring")}


@pytest.fixture
def reports(tmp_path):
    """A base report at 1.0 and a head report where Model 1 broke and Data 2 was added."""
    base = build_report(ALL_FIRST_ITEMS, {}, complete=True)
    head_tallies = {**ALL_FIRST_ITEMS,
                    RubricRef("model", 1): ItemTally(0, 1, 0, ["t.py::test_model"],
                                                     ["t.py::test_model"]),
                    RubricRef("data", 2): ItemTally(2, 0, 0, ["t.py::a", "t.py::b"], [])}
    head = build_report(head_tallies, {}, complete=True)
    paths = {}
    for name, report in (("base", base), ("head", head)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(to_json(report))
    return paths


def test_report_renders_markdown(reports, capsys):
    assert cli.main(["report", str(reports["base"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## ML Test Score: 1.0 / 7\n")
    assert "| Data | 1.0 / 7 | 1 | 0 | 0 | 0 | 6 |" in out
    assert "| 1 | Feature expectations are captured in a schema. | automated | 1.0 | " \
           "`t.py::test_data` |" in out


def test_compare_shows_items_sections_and_final_change(reports, capsys):
    assert cli_report.main([str(reports["head"]), "--compare", str(reports["base"])]) == 0
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


def test_dispatcher_errors(capsys, monkeypatch):
    assert cli.main([]) == 2
    assert "usage: ml-test-score" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0
    assert "report" in capsys.readouterr().out
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err
    monkeypatch.setitem(cli.COMMANDS, "later", ("not_written_yet", "a future command"))
    assert cli.main(["later"]) == 2
    assert capsys.readouterr().err == (
        "ml-test-score: command 'later' is not available: module "
        "pytest_ml_test_score.not_written_yet is not installed\n")


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "pytest_ml_test_score"],
    [str(Path(sys.executable).with_name("ml-test-score"))],
], ids=["python-m", "console-script"])
def test_python_dash_m_and_the_console_script_report(reports, tmp_path, command):
    ok = subprocess.run([*command, "report", str(reports["head"])],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and ok.stdout.startswith("## ML Test Score: 0.0 / 7")
    bad = subprocess.run([*command, "report", str(tmp_path / "no.json")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1
