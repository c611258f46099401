"""Data sources: the bundled copy is the default, complete and attributed; overrides explicit."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest

from pipeline.data import sources
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file
from pipeline.data import fetch


def _with_source(params: dict, source: str) -> dict:
    changed = copy.deepcopy(params)
    changed["data"]["source"] = source
    return changed


def test_every_configured_file_is_bundled_with_its_checksum_and_attribution(project_root,
                                                                            project_params):
    """A fresh clone has every file the pipeline and the suites read, byte for byte as params.yaml
    pins it, with the licence and the attribution the data's CC BY 4.0 licence requires."""
    bundled = project_root / project_params["data"]["bundled_dir"]
    readme = (bundled / "README.md").read_text(encoding="utf-8")
    for spec in project_params["data"]["files"].values():
        assert sha256_file(bundled / spec["name"]) == spec["sha256"], spec["name"]
        assert spec["name"] in readme and spec["sha256"] in readme, spec["name"]
    assert "CC BY 4.0" in readme and "Kotzias" in readme


def test_every_role_names_a_configured_file(project_params):
    for role in sources.ROLES:
        assert sources.file_spec(project_params, role)["name"].endswith(".tsv")


def test_default_source_is_the_bundled_copy_and_needs_no_environment(project_params):
    spec = sources.file_spec(project_params, "training")
    assert sources.origin(spec, project_params, environ={}) == Path(
        project_params["data"]["bundled_dir"])
    assert sources.local_source(project_params, environ={}) == Path(
        project_params["data"]["bundled_dir"])


def test_data_dir_overrides_every_source_and_is_made_absolute(project_params, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    environ = {sources.DATA_DIR_ENV: "copies"}
    for source in sources.SOURCES:
        params = _with_source(project_params, source)
        spec = sources.file_spec(params, "training")
        assert sources.origin(spec, params, environ) == tmp_path / "copies"
        assert sources.local_source(params, environ) == tmp_path / "copies"


def test_url_source_downloads_files_with_a_url_and_bundles_the_rest(project_params):
    params = _with_source(project_params, "url")
    training = sources.file_spec(params, "training")
    evaluation = sources.file_spec(params, "evaluation")
    assert sources.origin(training, params, environ={}) == training["url"]
    assert "url" not in evaluation
    assert sources.origin(evaluation, params, environ={}) == Path(params["data"]["bundled_dir"])
    assert sources.local_source(params, environ={}) is None


def test_unknown_source_is_a_one_line_error_naming_the_key(project_params):
    with pytest.raises(PipelineError,
                       match=r"data.source must be one of bundled, url \(got 'ftp'\)"):
        sources.configured_source(_with_source(project_params, "ftp"))


def test_raw_file_is_where_the_download_stage_puts_it(project_params, tmp_path):
    name = sources.file_spec(project_params, "serving")["name"]
    assert sources.raw_file(project_params, "serving") == Path(
        project_params["data"]["raw_dir"]) / name
    assert sources.raw_file(project_params, "serving", tmp_path) == tmp_path / name


def test_download_stage_copies_the_bundle_without_network_or_environment(
        project_root, project_params, tmp_path, monkeypatch):
    """The default `dvc repro` path: every file copied from the bundle and verified."""
    monkeypatch.delenv(sources.DATA_DIR_ENV, raising=False)
    params = copy.deepcopy(project_params)
    params["data"]["bundled_dir"] = str(project_root / params["data"]["bundled_dir"])
    for spec in params["data"]["files"].values():
        how = fetch.fetch_file(spec, tmp_path, sources.origin(spec, params))
        assert how.startswith("copied from"), how
        assert hashlib.sha256((tmp_path / spec["name"]).read_bytes()).hexdigest() == spec["sha256"]
