"""The project's own lint configuration: the ML rules load from it and find nothing to flag."""

# The snippet below is deliberately smelly code; its literal is data, not a path we use.
# pylint: disable=hardcoded-path

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
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


def test_the_lint_step_fails_on_every_ml_smell_in_every_source_path() -> None:
    """Red when: an ML rule is missing from pylint's fail-on, a hook disables one, or a source
    path is outside every pylint hook: the lint step CI runs would then pass smelly code.

    The lint step itself (pre-commit's pylint hooks, with this configuration) is what keeps the
    project's own code free of ML smells; running pylint over the whole tree again here would
    only repeat it, at a minute per run.
    """
    pylint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pylint"]
    rules = {symbol for _, symbol, _ in MLSmellChecker.msgs.values()}
    assert rules <= set(pylint["main"]["fail-on"])
    repos = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in repos["repos"] for hook in repo["hooks"]
             if hook["entry"].split()[0] == "pylint"]
    for hook in hooks:
        assert not rules & set(re.findall(r"[a-z][a-z-]+", hook["entry"])), hook["id"]
    for source in load_config(ROOT / "pyproject.toml").source_paths():
        assert any(re.search(hook.get("files", ""), f"{source}/module.py")
                   for hook in hooks), source
