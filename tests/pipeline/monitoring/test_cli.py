"""`monitor <check> --log`: reading the log and the versions it names."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pipeline.artifact import read_metadata
from pipeline.errors import PipelineError
from pipeline.model import train_model
from pipeline.monitoring import cli
from pipeline.registry import LocalRegistry
from pipeline.serving import predlog
from tests.pipeline.conftest import package_model
from tests.pipeline.monitoring.conftest import log_records


def _args(**values) -> argparse.Namespace:
    defaults = {"log": None, "input": None, "registry": None, "model_dir": None}
    return argparse.Namespace(**{**defaults, **values})


def _write_log(directory: Path, records: list[dict]) -> Path:
    directory.mkdir(parents=True)
    (directory / "predictions-2026-01-01-r.jsonl").write_bytes(
        b"".join(predlog.encode_line(r) for r in records))
    return directory


def test_log_arguments_only_for_log_checks():
    """Red when: a check that cannot read the log accepts --log and ignores it."""
    parser = cli._parser()  # pylint: disable=protected-access
    for check in cli.CHECKS:
        argv = [check, "--log", "logs"]
        if check in cli.LOG_CHECKS:
            assert parser.parse_args(argv).log == "logs"
        else:
            with pytest.raises(PipelineError):
                parser.parse_args(argv)


def test_read_served_log_refuses_an_empty_log_and_an_input_file(tmp_path):
    """Red when: a log without records is checked (vacuously fine) or --input is ignored."""
    empty = _write_log(tmp_path / "empty", [])
    with pytest.raises(PipelineError, match="no whole prediction record"):
        cli.read_served_log(_args(log=str(empty)))
    with pytest.raises(PipelineError, match="--input and --log"):
        cli.read_served_log(_args(log=str(empty), input=Path("batch.tsv")))


def test_logged_models_come_from_the_registry_or_a_matching_package(tmp_path, tiny_model,
                                                                    tiny_reviews,
                                                                    project_config):
    """Red when: a version the log names is served by another package's model."""
    other = project_config.with_overrides({"model.logistic_regression.C": 2.0})
    packages = [package_model(tiny_model, tmp_path / "one", project_config),
                package_model(train_model(tiny_reviews, other.model_spec), tmp_path / "two",
                              other)]
    version = read_metadata(packages[0])["version"]
    store = LocalRegistry(tmp_path / "registry")
    store.publish(packages[0])
    records = log_records(tiny_model, ["Fine."], version=version)
    from_registry = cli.logged_models(_args(registry=str(tmp_path / "registry")), records)
    assert list(from_registry) == [version]
    from_package = cli.logged_models(_args(model_dir=packages[0]), records)
    assert from_package[version][1]["version"] == version
    with pytest.raises(PipelineError, match="pass --registry"):
        cli.logged_models(_args(model_dir=packages[1], log="logs"), records)
