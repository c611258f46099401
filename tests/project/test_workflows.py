"""The CI/CD workflows: valid against GitHub's schema (offline) and doing what they promise."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_ml_test_score.cli import COMMANDS as SCORING_COMMANDS

from pipeline.__main__ import COMMANDS as PIPELINE_COMMANDS
from pipeline.monitoring.cli import CHECKS as MONITOR_CHECKS

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # nosec B603
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, paths)],
        capture_output=True, text=True, check=False,
    )


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def scripts(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values()
                     for step in job["steps"])


def uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"] for job in workflow["jobs"].values() for step in job["steps"]
            if "uses" in step]


def test_workflows_match_the_github_schema() -> None:
    assert [f.name for f in FILES] == ["ci.yml", "monitor.yml", "plugin.yml", "pr.yml",
                                       "release.yml"]
    result = check_jsonschema(*FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: run\n",
                      encoding="utf-8")
    assert check_jsonschema(broken).returncode != 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_command_named_in_a_workflow_exists(path: Path) -> None:
    text = scripts(load(path.name))
    for name in re.findall(r"python -m pipeline (?:--\S+ \S+ )*(\w+)", text):
        assert name in PIPELINE_COMMANDS, f"{path.name}: python -m pipeline {name}"
    for name in re.findall(r"ml-test-score (\w+)", text):
        assert name in SCORING_COMMANDS, f"{path.name}: ml-test-score {name}"


def test_push_runs_lint_unit_tests_and_data_suite() -> None:
    ci = load("ci.yml")
    assert "push" in ci["on"]
    text = scripts(ci)
    assert "pre-commit run --all-files" in text
    assert "python -m pytest tests scoring/tests" in text
    assert "python -m pytest -m data" in text


def test_badges_are_committed_only_from_main() -> None:
    ci = load("ci.yml")
    committing = [name for name, job in ci["jobs"].items()
                  if any("git push" in step.get("run", "") for step in job["steps"])]
    assert committing == ["badges"]
    assert ci["jobs"]["badges"]["if"] == "github.ref == 'refs/heads/main'"
    assert "ml-test-score badges" in scripts(ci)


def test_pull_request_runs_pipeline_and_compares_with_base() -> None:
    pr = load("pr.yml")
    assert "pull_request" in pr["on"]
    text = scripts(pr)
    assert "dvc repro" in text
    assert "ml-test-score merge shards/*/ml_test_score.json --out reports" in text
    assert "ml-test-score gate" in text
    assert ("ml-test-score report reports/ml_test_score.json "
            "--compare base/ml_test_score.json >> \"$GITHUB_STEP_SUMMARY\"") in text
    base = pr["jobs"]["base-score"]
    checkout = next(s for s in base["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert pr["jobs"]["full"]["needs"] == ["base-score", "lint", "suites"]


def test_release_on_tags_publishes_pushes_releases_and_validates() -> None:
    release = load("release.yml")
    assert release["on"]["push"]["tags"] == ["v*"]
    text = scripts(release)
    assert "python -m pipeline registry" in text and " publish models" in text
    assert "dvc push" in text
    assert "from pipeline.registry import load_model" in text
    assert any(u.startswith("softprops/action-gh-release") for u in uses(release))
    publish = next(step for step in release["jobs"]["release"]["steps"]
                   if step.get("id") == "publish")
    assert publish["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    assert release["jobs"]["validate"]["needs"] == "release"


ROOT = WORKFLOWS.parents[1]
CI_RUN = ROOT / ".ci" / "run"


def readme_commands() -> list[str]:
    """The README's first two fenced bash commands: set up and run; run the tests."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def job_commands(workflow: dict[str, Any], job: str) -> list[str]:
    return [step["run"].strip() for step in workflow["jobs"][job]["steps"] if "run" in step]


@pytest.mark.parametrize("path", [*FILES, CI_RUN, ROOT / "README.md"],
                         ids=lambda p: p.name)
def test_nothing_needs_data_beside_the_clone_or_an_environment_variable(path: Path) -> None:
    """A fresh clone on a runner has no ../shared and no SENTIMENT_DATA_DIR."""
    text = path.read_text(encoding="utf-8")
    assert "SENTIMENT_DATA_DIR" not in text and "../shared" not in text


def test_ci_run_runs_what_the_main_branch_workflow_runs_in_the_same_order() -> None:
    """`.ci/run` is CI here: it must fail where ci.yml's `lint` and `badges` jobs fail on GitHub."""
    script = CI_RUN.read_text(encoding="utf-8")
    ci = load("ci.yml")
    lint = job_commands(ci, "lint")
    kept = ("pip ", "dvc ", "python ", "ml-test-score gate")
    badges = [c for c in job_commands(ci, "badges") if c.startswith(kept)]
    positions = []
    for command in [*lint, *badges[1:]]:
        line = command.replace("pip install", "pip install --quiet --no-compile")
        assert line in script, f".ci/run does not run `{line}`"
        positions.append(script.index(line))
    assert positions == sorted(positions), "the order differs from ci.yml"
    assert badges[0] == lint[0], "the jobs install differently"


def test_pull_request_shards_the_sections_and_merges_them() -> None:
    pr = load("pr.yml")
    shards = pr["jobs"]["suites"]["strategy"]["matrix"]["include"]
    assert {s["select"] for s in shards} >= {"data", "model", "infra", "monitoring"}
    assert "coverage combine" in scripts(pr)


def test_workflows_and_ci_run_use_the_readme_test_command() -> None:
    setup, tests = readme_commands()
    assert setup.endswith("python -m pytest ml_tests --ml-score-report reports")
    assert "dvc repro" in setup
    assert tests in CI_RUN.read_text(encoding="utf-8")
    for name, job in (("ci.yml", "badges"), ("release.yml", "release")):
        assert any(tests in command for command in job_commands(load(name), job)), name


def test_release_checks_its_secrets_before_any_work() -> None:
    """A fork without secrets stops at once with one line naming them, not after 20 minutes."""
    release = load("release.yml")
    for name, job in release["jobs"].items():
        secrets = set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job)))
        if not secrets:
            continue
        first = job["steps"][0]
        assert "run" in first and "exit 1" in first["run"], name
        assert secrets <= set(first.get("env", {})), f"{name}: {secrets - set(first['env'])}"


def test_release_takes_the_dvc_remote_from_a_repository_variable() -> None:
    release = load("release.yml")
    assert "vars.DVC_REMOTE_URL" in release["env"]["DVC_REMOTE_URL"]
    assert 'dvc remote modify --local storage url "$DVC_REMOTE_URL"' in scripts(release)


def test_badge_commit_survives_a_protected_or_moved_main() -> None:
    commit = next(step for step in load("ci.yml")["jobs"]["badges"]["steps"]
                  if "git push" in step.get("run", ""))
    script = commit["run"]
    assert "git pull --rebase origin main" in script
    assert script.rstrip().splitlines()[-1].startswith('echo "::notice::')


def test_base_score_copes_with_a_base_commit_without_bundled_data() -> None:
    base = load("pr.yml")["jobs"]["base-score"]
    sparse = [step for step in base["steps"]
              if step.get("with", {}).get("sparse-checkout") == "pipeline/data/bundled"]
    assert sparse, "the head's bundled data is not fetched for the base run"
    assert "cp head-data/pipeline/data/bundled/*.tsv data/raw/" in scripts(load("pr.yml"))


def monitor_checks_step() -> dict[str, Any]:
    return next(step for step in load("monitor.yml")["jobs"]["monitor"]["steps"]
                if step.get("name") == "Every monitor check")


def test_monitoring_runs_daily_and_on_demand() -> None:
    """Red when: nothing runs the monitors unless someone remembers to."""
    triggers = load("monitor.yml")["on"]
    assert "workflow_dispatch" in triggers
    (schedule,) = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")


def test_monitoring_checks_the_served_version_and_the_log_from_repository_settings() -> None:
    """Every check runs, against the registry and the log the repository variables name, with
    the secrets checked first (one line naming what is missing)."""
    monitor = load("monitor.yml")
    assert monitor["env"]["REGISTRY_URI"] == "${{ vars.REGISTRY_URI }}"
    assert monitor["env"]["PREDICTION_LOG_URI"] == "${{ vars.PREDICTION_LOG_URI }}"
    script = monitor_checks_step()["run"]
    assert 'python -m pipeline monitor "$check" --registry "$REGISTRY_URI"' in script
    for check in MONITOR_CHECKS:
        assert re.search(rf"\b{check}\b", script), check
    job = monitor["jobs"]["monitor"]
    secrets = set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job)))
    first = job["steps"][0]
    assert secrets and secrets <= set(first["env"]) and "exit 1" in first["run"]


def test_monitoring_uploads_its_figures_even_when_a_check_fails() -> None:
    """Red when: the reports of a red run, the ones that say why, are thrown away."""
    steps = load("monitor.yml")["jobs"]["monitor"]["steps"]
    upload = next(step for step in steps
                  if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "reports/monitor_*.json"
    assert steps.index(upload) > steps.index(monitor_checks_step())


STUB_PYTHON = """#!/usr/bin/env bash
if [ "$1 $2 $3" = "-m pipeline monitor" ]; then
  echo "$4 $*" >> calls.txt
  case " $FAILING " in
    *" $4:2 "*) exit 2 ;;
    *" $4:1 "*) printf '{"alert": true, "message": "stub alert of %s"}' "$4" \
                  > "reports/monitor_$4.json"; exit 1 ;;
  esac
  printf '{"alert": false, "message": "ok"}' > "reports/monitor_$4.json"
  exit 0
fi
exec "$REAL_PYTHON" "$@"
"""


def run_monitor_checks(tmp_path: Path, failing: str) -> tuple[int, str, str]:
    """The workflow's check step in bash with `python -m pipeline monitor` stubbed: checks named
    in `failing` as `check:code` exit with that code; (exit code, summary, calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "python"
    stub.write_text(STUB_PYTHON, encoding="utf-8")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "REAL_PYTHON": sys.executable, "FAILING": failing, "REGISTRY_URI": "hf://o/m",
           "LABELS_URI": "s3://labels", "GITHUB_STEP_SUMMARY": str(summary)}
    # GitHub runs a step as `bash --noprofile --norc -eo pipefail {0}`
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",  # nosec B603
                             monitor_checks_step()["run"]],
                            cwd=tmp_path, env=env, capture_output=True, text=True,
                            check=False, timeout=60)
    return (result.returncode, summary.read_text(encoding="utf-8"),
            (tmp_path / "calls.txt").read_text(encoding="utf-8"))


def test_monitoring_goes_red_on_an_alert_with_the_failed_checks_in_the_summary(
        tmp_path: Path) -> None:
    """An alert (exit 1) and a check that could not run (exit 2) turn the job red and are listed
    in the job summary; every other check still ran."""
    code, summary, calls = run_monitor_checks(tmp_path, "drift:1 skew:2")
    assert code == 1
    assert "| drift | 1 | stub alert of drift |" in summary
    assert "| skew | 2 | no report" in summary
    assert {line.split()[0] for line in calls.splitlines()} == set(MONITOR_CHECKS)
    assert all('--registry hf://o/m' in line for line in calls.splitlines())


def test_monitoring_stays_green_when_every_check_passes(tmp_path: Path) -> None:
    """No alert: exit 0 and a summary that says so."""
    code, summary, _ = run_monitor_checks(tmp_path, "")
    assert code == 0
    assert "Every check passed." in summary
