"""The `python -m pipeline monitor` command's contract for schedulers: exit 0 when all is well,
1 on an alert, 2 on a user error (one line on stderr, no traceback, no report written)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline import __main__ as entry


def test_user_errors_exit_2_with_one_line_and_no_report(project_root: Path, tmp_path: Path,
                                                        capsys) -> None:
    """A missing input, a missing package, an unknown check, a missing log and a log given
    together with a batch file are user errors, not alerts."""
    reports = tmp_path / "reports"
    common = ["--params", str(project_root / "params.yaml"), "--reports", str(reports)]
    cases = [
        ["monitor", "inputs", *common, "--input", str(tmp_path / "absent.tsv")],
        ["monitor", "staleness", *common, "--model-dir", str(tmp_path / "no-package")],
        ["monitor", "no-such-check"],
        ["monitor", "skew", *common, "--log", str(tmp_path / "no-log")],
        ["monitor", "inputs", *common, "--log", str(tmp_path), "--input", str(tmp_path)],
    ]
    for argv in cases:
        assert entry.main(argv) == 2, argv
        error = capsys.readouterr().err.strip()
        assert len(error.splitlines()) == 1 and "Traceback" not in error, error
    assert not reports.exists()


def test_alert_is_exit_code_1_from_a_real_process(project_root: Path, package_copy,
                                                  tmp_path: Path) -> None:
    """As a scheduler runs it: `python -m pipeline monitor staleness` exits 0 for the fresh
    package and 1 for one packaged in 2001, leaving its report and an ALERT line on stderr."""
    reports = tmp_path / "reports"

    def run(package: Path) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603  # the project's own command, fixed arguments
            [sys.executable, "-m", "pipeline", "monitor", "staleness", "--model-dir",
             str(package), "--params", str(project_root / "params.yaml"),
             "--reports", str(reports)],
            capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(project_root)})

    fresh = run(package_copy("fresh"))
    assert fresh.returncode == 0, fresh.stderr
    assert (reports / "monitor_staleness.json").is_file()
    old = run(package_copy("old", created_at="2001-01-01T00:00:00+00:00"))
    assert old.returncode == 1, old.stdout + old.stderr
    assert "ALERT" in old.stderr and "Traceback" not in old.stderr


def test_a_log_check_from_a_real_process(project_root: Path, served_traffic,
                                         tmp_path: Path) -> None:
    """As a scheduler runs it: `python -m pipeline monitor skew --log DIR --registry DIR`
    exits 0 on the served log and 2, with one line, when the log names a version that the
    given package directory does not hold."""
    reports = tmp_path / "reports"

    def run(*source: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603  # the project's own command, fixed arguments
            [sys.executable, "-m", "pipeline", "monitor", "skew", "--log",
             str(served_traffic.log_dir), *source, "--params", str(project_root / "params.yaml"),
             "--reports", str(reports)],
            capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(project_root)})

    served = run("--registry", str(served_traffic.registry))
    assert served.returncode == 0, served.stdout + served.stderr
    other = tmp_path / "other"
    shutil.copytree(served_traffic.registry / "versions" / served_traffic.version, other)
    metadata = json.loads((other / "metadata.json").read_text(encoding="utf-8"))
    (other / "metadata.json").write_text(json.dumps({**metadata, "version": "other"}),
                                         encoding="utf-8")
    refused = run("--model-dir", str(other))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "pass --registry" in refused.stderr and "Traceback" not in refused.stderr
