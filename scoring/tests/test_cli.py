"""The dispatcher of ``ml-test-score``, and the two ways of starting it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_ml_test_score import cli


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
