"""Infra 3: dvc.yaml declares every input each stage reads, so `dvc repro` rebuilds what changed.

The cold `dvc repro` ran each stage under `trace_reads`, which lists the project files the stage
really opened (data, reports and every module it imports). In a copy of that project, every
traced file and every params key the packaged model records in `metadata.json` is then changed,
and `dvc status` must report each of them for the stage that read it. The lists come from the
code's own behaviour and records, not from a second hand-written list that could drift with
dvc.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ml_tests.support.s3 import dvc
from pipeline.fileio import sha256_file

PARAMS = "params.yaml"


def _covered(path: str, declared: list[str]) -> bool:
    return any(path == entry or path.startswith(entry.rstrip("/") + "/") for entry in declared)


def _paths(entries: list[Any]) -> list[str]:
    """Paths of a dvc.yaml list whose items are `path` or `{path: options}`."""
    return [next(iter(entry)) if isinstance(entry, dict) else entry for entry in entries]


def _outputs(stage: dict[str, Any]) -> list[str]:
    return [path for kind in ("outs", "metrics", "plots") for path in _paths(stage.get(kind, []))]


def _leaves(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Key paths of every leaf (as tuples: some keys, like `search.spaces`, contain dots)."""
    keys = []
    for key, value in tree.items():
        path = (*prefix, str(key))
        keys += _leaves(value, path) if isinstance(value, dict) and value else [path]
    return keys


def _changed(value: Any) -> Any:
    """A different value of the same kind (only DVC reads the result, never a stage)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "~"
    if isinstance(value, list):
        return [*value, "~"]
    return 1 if value is None else {"~": 1}


def _change(tree: dict[str, Any], path: tuple[str, ...]) -> None:
    *parents, last = path
    for part in parents:
        tree = tree[part]
    tree[last] = _changed(tree[last])


@pytest.fixture(scope="module")
def traced_repo(repro_run, tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[Path, dict[str, Any], dict[str, list[str]]]:
    """A copy of the cold-built project, up to date for DVC, with what each of its stages read
    in that cold run (where `download` really copied from its source)."""
    repo = repro_run.copied(tmp_path_factory.mktemp("inputs") / "repo")
    stages = yaml.safe_load((repo / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    reads = {name: repro_run.reads(name) for name in stages}
    assert "up to date" in dvc(repo, "status").stdout
    return repo, stages, reads


def _inputs(stage: dict[str, Any], read: list[str]) -> list[str]:
    """What a stage read that is neither params.yaml (checked by key) nor its own output."""
    return [path for path in read if path != PARAMS and not _covered(path, _outputs(stage))]


@pytest.mark.slow
@pytest.mark.rubric("infra", 3)
def test_every_file_a_stage_reads_is_declared_in_dvc_yaml(traced_repo) -> None:
    """Red when a stage reads a file (data, report or an imported module) that dvc.yaml does not
    list among its deps: editing that file would leave the stage's outputs stale."""
    _, stages, reads = traced_repo
    undeclared = [f"{name} reads {path}" for name, stage in stages.items()
                  for path in _inputs(stage, reads[name])
                  if not _covered(path, _paths(stage.get("deps", [])))]
    assert not undeclared, "not declared in dvc.yaml:\n" + "\n".join(undeclared)


@pytest.mark.slow
@pytest.mark.rubric("infra", 3)
def test_changing_any_recorded_input_makes_dvc_status_report_its_stage(traced_repo) -> None:
    """Red when a params key that metadata.json records, the data file it records by sha256, or
    any file a stage reads can change while `dvc status` still says "up to date": the package
    would keep a stale spec, the model stale data."""
    repo, stages, reads = traced_repo
    metadata = json.loads((repo / "models" / "metadata.json").read_text(encoding="utf-8"))
    recorded_data = [path for path in reads["package"]
                     if (repo / path).is_file() and sha256_file(repo / path) ==
                     metadata["data_sha256"]]
    assert recorded_data, "the package stage never read the file its data_sha256 names"
    params = yaml.safe_load((repo / PARAMS).read_text(encoding="utf-8"))
    keys = _leaves(metadata["params"])
    for key in keys:
        _change(params, key)
    (repo / PARAMS).write_text(yaml.safe_dump(params), encoding="utf-8")
    inputs = {name: _inputs(stage, reads[name]) for name, stage in stages.items()}
    for path in sorted({path for paths in inputs.values() for path in paths}):
        with open(repo / path, "ab") as handle:
            handle.write(b"\n# changed\n" if path.endswith(".py") else b"~")

    status = json.loads(dvc(repo, "status", "--json").stdout)
    reported = {name: {} for name in stages}
    for name, entries in status.items():
        for entry in entries:
            if isinstance(entry, dict):
                reported[name].update(entry.get("changed deps", {}))
    missing = [f"{name}: {path}" for name, paths in inputs.items() for path in paths
               if not _covered(path, [p for p in reported[name] if p != PARAMS])]
    params_reported = [tuple(key.split(".")) for key in reported["package"].get(PARAMS, {})]
    missing += [f"package: params {'.'.join(key)}" for key in keys
                if not any(key[:len(given)] == given for given in params_reported)]
    assert not missing, "changed, yet `dvc status` does not report it:\n" + "\n".join(missing)
