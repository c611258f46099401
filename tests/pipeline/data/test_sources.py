"""Data sources: the bundled copy is the default, complete and attributed; overrides explicit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.config import Config, DataConfig
from pipeline.data import fetch, sources
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file


def _with_source(config: Config, source: str) -> DataConfig:
    return config.with_overrides({"data.source": source}).data


def test_every_configured_file_is_bundled_with_its_checksum_and_attribution(project_root,
                                                                            project_config):
    """A fresh clone has every file the pipeline and the suites read, byte for byte as params.yaml
    pins it, with the licence and the attribution the data's CC BY 4.0 licence requires."""
    bundled = project_root / project_config.data.bundled_dir
    readme = (bundled / "README.md").read_text(encoding="utf-8")
    for spec in project_config.data.files.values():
        assert sha256_file(bundled / spec.name) == spec.sha256, spec.name
        assert spec.name in readme and spec.sha256 in readme, spec.name
    assert "CC BY 4.0" in readme and "Kotzias" in readme


def test_every_role_names_a_configured_file(project_config):
    for role in sources.ROLES:
        assert sources.file_spec(project_config.data, role).name.endswith(".tsv")


def test_default_source_is_the_bundled_copy_and_needs_no_environment(project_config):
    data = project_config.data
    spec = sources.file_spec(data, "training")
    assert sources.origin(spec, data, environ={}) == Path(data.bundled_dir)
    assert sources.local_source(data, environ={}) == Path(data.bundled_dir)


def test_data_dir_overrides_every_source_and_is_made_absolute(project_config, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    environ = {sources.DATA_DIR_ENV: "copies"}
    for source in sources.SOURCES:
        data = _with_source(project_config, source)
        spec = sources.file_spec(data, "training")
        assert sources.origin(spec, data, environ) == tmp_path / "copies"
        assert sources.local_source(data, environ) == tmp_path / "copies"


def test_url_source_downloads_files_with_a_url_and_bundles_the_rest(project_config):
    data = _with_source(project_config, "url")
    training = sources.file_spec(data, "training")
    evaluation = sources.file_spec(data, "evaluation")
    assert sources.origin(training, data, environ={}) == training.url
    assert evaluation.url is None
    assert sources.origin(evaluation, data, environ={}) == Path(data.bundled_dir)
    assert sources.local_source(data, environ={}) is None


def test_unknown_source_is_a_one_line_error_naming_the_key(project_config):
    with pytest.raises(PipelineError,
                       match=r"data.source: expected one of bundled, url, got 'ftp'$"):
        _with_source(project_config, "ftp")


def test_raw_file_is_where_the_download_stage_puts_it(project_config, tmp_path):
    data = project_config.data
    name = sources.file_spec(data, "serving").name
    assert sources.raw_file(data, "serving") == Path(data.raw_dir) / name
    assert sources.raw_file(data, "serving", tmp_path) == tmp_path / name


def test_download_stage_copies_the_bundle_without_network_or_environment(
        project_root, project_config, tmp_path, monkeypatch):
    """The default `dvc repro` path: every file copied from the bundle and verified."""
    monkeypatch.delenv(sources.DATA_DIR_ENV, raising=False)
    data = project_config.with_overrides(
        {"data.bundled_dir": str(project_root / project_config.data.bundled_dir)}).data
    for spec in data.files.values():
        how = fetch.fetch_file(spec, tmp_path, sources.origin(spec, data))
        assert how.startswith("copied from"), how
        assert hashlib.sha256((tmp_path / spec.name).read_bytes()).hexdigest() == spec.sha256
