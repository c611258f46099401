"""Fixtures of the Infrastructure suite: packaged model variants and end-to-end `dvc repro` runs.

The end-to-end runs work in temporary copies of the project (pipeline/, dvc.yaml, params.yaml,
.dvc/config, .dvcignore) with a fresh git repository and a DVC site cache inside the copy, so
the project's own outputs and caches are never touched. A second cold run starts together with
the first when a selected test compares the two; each run is made once per test run, shared by
the xdist workers (`ColdRepros`). The second run stops after `evaluate`: what it is compared on
(the split, the trained artifact, the metrics) is all built by then, and `package` only copies
the trained bytes and times them, which the first run's packaged artifact shows.

The first run's stages run under `ml_tests/support/trace_reads.py` (a `python` first on its
PATH hands `python -m pipeline STAGE` to the tracer), so Infra 3 reads what each stage opened
from the very run it checks, instead of running every stage a second time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ml_tests.support.once import in_xdist_worker, shared_dir
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
TRACER = Path(__file__).resolve().parents[1] / "support" / "trace_reads.py"


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

    def copied(self, target: Path) -> Path:
        """This run's project copied to `target`, for a test that changes it: the run itself is
        shared by every worker and must stay as built."""
        shutil.copytree(self.repo, target, symlinks=True)
        return target

    def reads(self, stage: str) -> list[str]:
        """The project files `stage` opened for reading in this run (a traced run only)."""
        path = _reads_dir(self.repo) / f"{stage}.json"
        assert path.is_file(), f"stage {stage} left no trace of its reads in {path}"
        return json.loads(path.read_text(encoding="utf-8"))


def _reads_dir(repo: Path) -> Path:
    return repo.parent / "reads"


def _tracing_python(repo: Path) -> Path:
    """A directory whose `python` runs `python -m pipeline STAGE ...` under the tracer (its
    reads land in `_reads_dir(repo)/STAGE.json`) and anything else as this interpreter does."""
    shims = repo.parent / "tracing-bin"
    shims.mkdir(exist_ok=True)
    _reads_dir(repo).mkdir(exist_ok=True)
    python = shims / "python"
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pipeline" ] && [ -n "$3" ]; then\n'
        f'    shift 2; exec "{sys.executable}" "{TRACER}" "{_reads_dir(repo)}/$1.json" "$@"\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    return shims


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


def start_repro(repo: Path, traced: bool = False,
                targets: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """Start `dvc repro [TARGETS]` in `repo` without waiting (the two cold runs overlap);
    `traced` records each stage's reads (`ReproRun.reads`)."""
    env = repro_env(None)
    if traced:
        env["PATH"] = f"{_tracing_python(repo)}{os.pathsep}{env['PATH']}"
    return subprocess.Popen([sys.executable, "-m", "dvc", "repro", *targets], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


class ColdRepros:
    """Cold `dvc repro` runs of the project, each in its own copy, started on demand and shared
    by every process of this test run.

    Run 1 is the whole pipeline, traced; run 2 goes up to `evaluate` (see the module docstring).
    A run started while another is going overlaps it: the pair costs about one run's wall time.
    Whichever xdist worker first needs a run claims it (a file created exclusively in the run's
    shared directory) and starts it; a thread of that worker waits for it and writes its result
    beside it, which every worker then reads. Built per worker, the runs were made twice
    whenever their tests landed on both workers: about 50 s of CPU on two cores.
    """

    TARGETS = {2: ("evaluate",)}
    WAIT_S = 1800.0  # far beyond a cold run; a claimer that died must not hang the session

    def __init__(self, directory: Path, project_root: Path, shared: bool):
        self._dir, self._root, self._shared = directory, project_root, shared
        self._started: list[tuple[subprocess.Popen[str], threading.Thread]] = []

    def _result(self, number: int) -> Path:
        return self._dir / f"repro{number}.json"

    def start(self, number: int) -> None:
        """Start run NUMBER unless some process of this run already did."""
        try:
            (self._dir / f"repro{number}.claim").touch(exist_ok=False)
        except FileExistsError:
            return
        repo = self._dir / f"repro{number}" / "repo"
        try:
            copy_project(self._root, repo)
            process = start_repro(repo, traced=number == 1,
                                  targets=self.TARGETS.get(number, ()))
        except (OSError, subprocess.SubprocessError) as exc:  # claimed: others wait for it
            self._write(number, repo, 0.0, -1, repr(exc))
            raise
        waiter = threading.Thread(target=self._record, daemon=True,
                                  args=(number, process, repo, time.perf_counter()))
        waiter.start()
        self._started.append((process, waiter))

    def _record(self, number: int, process: subprocess.Popen[str], repo: Path,
                started: float) -> None:
        output, _ = process.communicate()
        self._write(number, repo, time.perf_counter() - started, process.returncode, output)

    def _write(self, number: int, repo: Path, seconds: float, returncode: int,
               stdout: str) -> None:
        """The result every worker's `get` reads, written whole (a reader polls for it)."""
        write_json_atomic(self._result(number), {"repo": str(repo), "seconds": seconds,
                                                 "returncode": returncode, "stdout": stdout})

    def get(self, number: int) -> ReproRun:
        """Run NUMBER, finished (started now if no process had started it); a failed run fails
        the test with the end of its output."""
        self.start(number)
        result, deadline = self._result(number), time.monotonic() + self.WAIT_S
        while not result.is_file():
            if time.monotonic() > deadline:
                pytest.fail(f"cold run {number} left no result in {result}")
            time.sleep(0.2)
        run = json.loads(result.read_text(encoding="utf-8"))
        if run["returncode"] != 0:
            pytest.fail(f"dvc repro in {run['repo']} failed ({run['returncode']}):\n"
                        f"{run['stdout'][-3000:]}")
        return ReproRun(Path(run["repo"]), run["seconds"], run["stdout"])

    def finish(self) -> None:
        """At the session's end: wait for the runs this process started when another worker
        may still need them, else kill what is still going (a failed or stopped session must
        not leave a run behind)."""
        for process, waiter in self._started:
            if not self._shared and process.poll() is None:
                process.kill()
            waiter.join()


@pytest.fixture(scope="session")
def cold_repros(tmp_path_factory: pytest.TempPathFactory, project_root: Path,
                request: pytest.FixtureRequest):
    """The run's cold runs (see ColdRepros)."""
    runs = ColdRepros(shared_dir(request, tmp_path_factory, "cold-repros"), project_root,
                      shared=in_xdist_worker(request))
    yield runs
    runs.finish()


@pytest.fixture(scope="session")
def repro_run(cold_repros: ColdRepros, request: pytest.FixtureRequest) -> ReproRun:
    """One cold `dvc repro` of the project, from scratch. When a selected test also needs a
    second run (`repro_runs`), that one starts at the same time."""
    cold_repros.start(1)
    if any("repro_runs" in getattr(item, "fixturenames", ()) for item in request.session.items):
        cold_repros.start(2)
    return cold_repros.get(1)


@pytest.fixture(scope="session")
def repro_runs(repro_run: ReproRun, cold_repros: ColdRepros) -> tuple[ReproRun, ReproRun]:
    """Two independent cold `dvc repro` runs of the project (to compare what they built); the
    second one up to `evaluate`."""
    return repro_run, cold_repros.get(2)
