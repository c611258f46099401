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


def test_the_project_configuration_loads_the_ml_rules(tmp_path: Path) -> None:
    """pyproject.toml's [tool.pylint.main] names the installed plugin's checker."""
    snippet = tmp_path / "smelly.py"
    snippet.write_text('DATA = "/home/alice/reviews.tsv"\n', encoding="utf-8")
    result = subprocess.run(  # nosec B603
        [sys.executable, "-m", "pylint", f"--rcfile={ROOT / 'pyproject.toml'}", "--disable=all",
         "--enable=hardcoded-path", "--score=n", "--output-format=parseable", str(snippet)],
        capture_output=True, text=True, check=False,
    )
    assert "[W9501(hardcoded-path)" in result.stdout, result.stdout + result.stderr


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
