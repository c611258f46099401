"""The project's own lint configuration: the ML rules load from it and find nothing to flag."""

# The snippet below is deliberately smelly code; its literal is data, not a path we use.
# pylint: disable=hardcoded-path

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_ml_test_score.gate import load_config
from pytest_ml_test_score.lint_rules import MLSmellChecker

ROOT = Path(__file__).resolve().parents[2]


def test_plugin_loads_through_project_config(tmp_path: Path) -> None:
    """The installed project's pylint configuration loads the rules with no path tricks."""
    snippet = tmp_path / "smelly.py"
    snippet.write_text(
        'from sklearn.model_selection import train_test_split\n'
        'DATA = "/home/alice/reviews.tsv"\n'
        'PARTS = train_test_split([1, 2, 3, 4])\n',
        encoding="utf-8",
    )
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "pylint", f"--rcfile={ROOT / 'pyproject.toml'}",
         "--disable=all", "--enable=hardcoded-path,missing-random-state",
         "--output-format=parseable", str(snippet)],
        capture_output=True, text=True, check=False,
    )
    assert "[W9501(hardcoded-path)" in result.stdout, result.stdout + result.stderr
    assert "[W9502(missing-random-state)" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_project_code_has_no_ml_smells() -> None:
    """The project practises what the rules preach: no smell anywhere in its own code."""
    sources = load_config(ROOT / "pyproject.toml").source_paths()
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "pylint", "--disable=all",
         f"--enable={','.join(symbol for _, symbol, _ in MLSmellChecker.msgs.values())}",
         "--output-format=parseable", "--score=n", *sources],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
