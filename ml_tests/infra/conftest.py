"""Fixtures of the Infrastructure suite: packaged model variants and end-to-end `dvc repro` runs.

The end-to-end runs work in temporary copies of the project (pipeline/, dvc.yaml, params.yaml,
.dvc/config, .dvcignore) with a fresh git repository and a DVC site cache inside the copy, so
the project's own outputs and caches are never touched. Both cold runs start at once (they are
independent) and each fixture is built once per session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ml_tests.support.s3 import s3_env
from pipeline import artifact
from pipeline.config import Config
from pipeline.data import sources
from pipeline.fileio import sha256_file, write_json_atomic
from pipeline.metrics import evaluate_model
from pipeline.data.reviews import Reviews
from pipeline.data.training_rows import training_record
from pipeline.serving.packaging import build_metadata

COPIED = ("pipeline", "dvc.yaml", "params.yaml", ".dvcignore", ".dvc/config")


def make_package(model: Any, directory: Path, claimed_metrics: dict[str, Any],
                 config: Config, data_path: Path, trained_on: Reviews) -> Path:
    """Write a package directory (artifact + metadata) for `model` without any quality gate.

    The metrics are whatever the builder claims: the release check must measure, not trust them.
    `trained_on` is what `model` was fitted on, recorded as the package stage records it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    sha = artifact.save_model(model, directory / artifact.ARTIFACT_NAME)
    metadata = build_metadata(sha, sha256_file(data_path), claimed_metrics, config.as_mapping())
    write_json_atomic(directory / artifact.METADATA_NAME,
                      {**metadata, **training_record(trained_on)})
    return directory


def package_for(model: Any, directory: Path, splits: tuple[Reviews, Reviews], config: Config,
                data_path: Path) -> Path:
    """A package of a model fitted on `splits` (train, test), with its real held-out metrics
    (what the package stage would write)."""
    trained_on, test_split = splits
    metrics = evaluate_model(model, test_split.texts, test_split.labels)
    return make_package(model, directory, metrics, config, data_path, trained_on)


@dataclass
class ReproRun:
    """A temporary project copy after a cold `dvc repro`, with its wall-clock time."""

    repo: Path
    seconds: float
    stdout: str


def copy_project(project_root: Path, target: Path) -> Path:
    """The files `dvc repro` needs, in a fresh git + DVC repository with its own site cache."""
    for name in COPIED:
        source = project_root / name
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, destination)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "config", "core.site_cache_dir",
                    str(target / ".dvc-site-cache")], cwd=target, check=True, env=repro_env(None))
    return target


def repro_env(data_dir: Path | None) -> dict[str, str]:
    """This interpreter first on PATH (dvc.yaml says `python`); `data_dir` as SENTIMENT_DATA_DIR.

    Without `data_dir` the run reads the data the way the project is configured (the bundled
    copy, or the caller's own SENTIMENT_DATA_DIR).
    """
    env = s3_env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    if data_dir is not None:
        env[sources.DATA_DIR_ENV] = str(data_dir)
    return env


def start_repro(repo: Path) -> subprocess.Popen[str]:
    """Start `dvc repro` in `repo` without waiting (the two cold runs overlap)."""
    return subprocess.Popen([sys.executable, "-m", "dvc", "repro"], cwd=repo,
                            env=repro_env(None), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str], repo: Path, started: float) -> ReproRun:
    """Wait for a started run; a failed run fails the test with the end of its output."""
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        pytest.fail(f"dvc repro in {repo} failed ({process.returncode}):\n{output[-3000:]}")
    return ReproRun(repo, seconds, output)


@pytest.fixture(scope="session")
def repro_runs(tmp_path_factory: pytest.TempPathFactory,
               project_root: Path) -> tuple[ReproRun, ReproRun]:
    """Two independent cold `dvc repro` runs of the project, from scratch, started together."""
    repos = [copy_project(project_root, tmp_path_factory.mktemp(f"repro{i}") / "repo")
             for i in (1, 2)]
    started = time.perf_counter()
    processes = [start_repro(repo) for repo in repos]
    try:
        first, second = [finish(p, r, started) for p, r in zip(processes, repos, strict=True)]
    finally:
        for process in processes:  # a failed first run must not leave the second one running
            if process.poll() is None:
                process.kill()
                process.wait()
    return first, second
