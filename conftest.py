"""Fixtures shared by the harness's own tests (tests/) and the rubric suites (ml_tests/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.data import sources

# pytester drives the end-to-end tests of the plugin (scoring/tests) and of the project; pytest
# only honours `pytest_plugins` in the root conftest (a standalone run of scoring/tests gets it
# from scoring/pyproject.toml's addopts instead).
pytest_plugins = ["pytester"]

PROJECT_ROOT = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:  # pylint: disable=unused-argument
    """Make SENTIMENT_DATA_DIR absolute: tests run `dvc repro` and the CLI in other directories."""
    override = sources.override_dir()
    if override is not None:
        os.environ[sources.DATA_DIR_ENV] = str(override)


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root, so tests do not depend on the directory pytest was started from."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Where the raw review files are read from without downloading: SENTIMENT_DATA_DIR, else the
    copy bundled with the project; with `data.source: url`, the download stage's `data.raw_dir`.

    Missing data is a usage error of the test run, not a reason to skip: a suite that skips
    for want of data would score nothing and hide why.
    """
    data = load_config(PROJECT_ROOT / "params.yaml").data
    directory = PROJECT_ROOT / (sources.local_source(data) or data.raw_dir)
    if not directory.is_dir():
        raise pytest.UsageError(
            f"{directory}: no review data; run `dvc repro download` first, or set "
            f"{sources.DATA_DIR_ENV} to a directory holding the review files"
        )
    return directory
