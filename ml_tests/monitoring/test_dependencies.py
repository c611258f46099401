"""Monitor 1: dependency changes result in notification.

Two halves: upstream, dependabot opens a pull request (which runs these suites) for every pip
and GitHub Actions update; downstream, `monitor deps --log` takes every version the prediction
log says was served, fetches its package from the registry, and compares the versions recorded
at packaging with the environment running the check, naming every package that changed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline import artifact
from pipeline.monitoring import deps
from pipeline.registry import LocalRegistry
from pipeline.serving.environment import RECORDED_DISTRIBUTIONS


@pytest.mark.rubric("monitoring", 1)
def test_served_version_records_the_environment_that_matters(
        served_traffic, tmp_path: Path) -> None:
    """The version serving answered with, fetched from the registry, records every library that
    shapes the model's output with its version.

    Red when the served package records no `environment` (or an empty one), or the registry
    hands back another package than the one served: the check would have nothing to compare.
    """
    store = LocalRegistry(served_traffic.registry)
    fetched = store.fetch(served_traffic.version, tmp_path / "served")
    recorded = deps.recorded_environment(artifact.read_metadata(fetched))
    assert set(RECORDED_DISTRIBUTIONS) <= set(recorded)
    assert {"python", "scikit-learn", "project"} <= set(recorded)
    assert all(None not in recorded[name] for name in RECORDED_DISTRIBUTIONS), recorded


@pytest.mark.rubric("monitoring", 1)
def test_monitor_deps_on_the_served_log_raises_no_alert(served_traffic, run_monitor,
                                                        record) -> None:
    """`monitor deps --log` over what the server logged: the version it names, fetched from the
    registry, was packaged in the environment running now, so exit 0 and no change.

    Red when the environment under the check differs from the one recorded for the served
    version (a library upgraded or gone), or when the check misreads the running environment.
    """
    code, report = run_monitor("deps", "--log", served_traffic.log_dir,
                               "--registry", served_traffic.registry)
    record("deps", report)
    assert (code, report["alert"]) == (0, False), report.get("message")
    assert list(report["versions"]) == [served_traffic.version]
    assert report["versions"][served_traffic.version]["checked"] >= len(RECORDED_DISTRIBUTIONS)


@pytest.mark.rubric("monitoring", 1)
def test_a_served_version_packaged_elsewhere_is_an_alert(served_traffic, run_monitor,
                                                         tmp_path: Path) -> None:
    """Checks the checker: the same log against a registry whose copy of the served version
    records another scikit-learn (a package built on another stack) exits 1 naming it.

    Red when the comparison stops alerting on a recorded version that differs.
    """
    package = LocalRegistry(served_traffic.registry).fetch(served_traffic.version,
                                                           tmp_path / "package")
    path = package / artifact.METADATA_NAME
    metadata = json.loads(path.read_text(encoding="utf-8"))
    other_version = f"{metadata['environment']['scikit-learn']}+other"
    metadata["environment"]["scikit-learn"] = other_version
    path.write_text(json.dumps(metadata), encoding="utf-8")
    other = LocalRegistry(tmp_path / "registry")
    other.publish(package)
    code, report = run_monitor("deps", "--log", served_traffic.log_dir,
                               "--registry", tmp_path / "registry")
    assert code == 1 and report["alert"]
    assert [(c["package"], c["recorded"]) for c in report["changes"]] == [("scikit-learn",
                                                                          other_version)]


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
