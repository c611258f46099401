"""Monitor 1: dependency changes result in notification.

Two halves: upstream, dependabot opens a pull request (which runs these suites) for every pip
and GitHub Actions update; downstream, `monitor deps` compares the serving environment with the
versions recorded in the package and names every package that changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline import artifact
from pipeline.monitoring import deps
from pipeline.serving.environment import RECORDED_DISTRIBUTIONS, installed_versions


@pytest.mark.rubric("monitoring", 1)
def test_package_records_the_environment_that_matters(packaged_model: Path) -> None:
    """Every library that shapes the model's output is recorded with its version at packaging.

    Red when packaging stops recording `environment` (or records an empty one): the check
    below would then have nothing to compare and could never notify.
    """
    metadata = artifact.read_metadata(packaged_model)
    recorded = deps.recorded_environment(metadata)
    assert set(RECORDED_DISTRIBUTIONS) <= set(recorded)
    assert {"python", "scikit-learn", "project"} <= set(recorded)
    assert all(None not in recorded[name] for name in RECORDED_DISTRIBUTIONS), recorded


@pytest.mark.rubric("monitoring", 1)
def test_unchanged_environment_raises_no_alert(packaged_model: Path, record) -> None:
    """The package built in this run, checked in this run: nothing changed, no alert.

    Red when the check misreads the running environment (e.g. a recorded version no longer
    installed, or a comparison that always differs), which would page on every run.
    """
    result = deps.check_dependencies(artifact.read_metadata(packaged_model))
    record("deps", result)
    assert not result["alert"], result["message"]
    assert result["checked"] >= len(RECORDED_DISTRIBUTIONS) + 2


@pytest.mark.rubric("monitoring", 1)
def test_every_changed_dependency_is_reported(packaged_model: Path, monkeypatch) -> None:
    """Recorded versions that differ, a package gone and one newly present are each named.

    Red when the check compares only some packages (e.g. only scikit-learn), ignores missing
    distributions, or stops alerting on a difference.
    """
    metadata = artifact.read_metadata(packaged_model)
    metadata["environment"] = {**metadata["environment"], "numpy": "1.0.0", "nltk": None}
    metadata["versions"] = {**metadata["versions"], "scikit-learn": "0.24.2"}
    real = installed_versions

    def without_skops(names: tuple[str, ...]) -> dict[str, str | None]:
        return {**real(names), **({"skops": None} if "skops" in names else {})}

    monkeypatch.setattr(deps, "installed_versions", without_skops)
    result = deps.check_dependencies(metadata)
    changes = {change["package"]: change["change"] for change in result["changes"]}
    assert result["alert"]
    assert changes == {"numpy": "version", "scikit-learn": "version", "nltk": "added",
                       "skops": "missing"}


@pytest.mark.rubric("monitoring", 1)
def test_monitor_deps_command_exits_non_zero_on_a_change(package_copy, run_monitor) -> None:
    """`python -m pipeline monitor deps` exits 1 and writes the changes; 0 when unchanged.

    Red when the command swallows the alert (exit 0), so a scheduler would never notify.
    """
    unchanged = package_copy("same")
    code, report = run_monitor("deps", "--model-dir", unchanged)
    assert (code, report["alert"]) == (0, False), report.get("message")
    environment = artifact.read_metadata(unchanged)["environment"]
    changed = package_copy("changed", environment={**environment, "scikit-learn": "0.24.2"})
    code, report = run_monitor("deps", "--model-dir", changed)
    assert code == 1 and report["alert"]
    assert [c["package"] for c in report["changes"]] == ["scikit-learn"]


@pytest.mark.rubric("monitoring", 1)
def test_dependabot_watches_pip_and_actions(project_root: Path) -> None:
    """Dependabot watches the pip manifest at the root and the workflows, weekly or faster.

    Red when the file is missing, invalid, or drops the pip ecosystem (updates of scikit-learn
    and friends would then arrive unannounced).
    """
    config = yaml.safe_load((project_root / ".github" / "dependabot.yml").read_text("utf-8"))
    assert config["version"] == 2
    updates = {entry["package-ecosystem"]: entry for entry in config["updates"]}
    assert {"pip", "github-actions"} <= set(updates)
    pip = updates["pip"]
    assert (project_root / pip["directory"].lstrip("/") / "pyproject.toml").is_file()
    assert all(entry["schedule"]["interval"] in {"daily", "weekly"} for entry in updates.values())
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if checker is None:
        pytest.fail("check-jsonschema (dev extra) is needed to validate dependabot.yml")
    completed = subprocess.run(  # noqa: S603  # fixed arguments, a file of the repository
        [checker, "--builtin-schema", "vendor.dependabot",
         str(project_root / ".github" / "dependabot.yml")],
        capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
