"""Fixtures shared by the harness's own tests (tests/) and the rubric suites (ml_tests/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# pytester drives the end-to-end tests of the plugin (scoring/tests) and of the project; pytest
# only honours `pytest_plugins` in the root conftest (a standalone run of scoring/tests gets it
# from scoring/pyproject.toml's addopts instead).
pytest_plugins = ["pytester"]

PROJECT_ROOT = Path(__file__).resolve().parent
DATA_DIR_ENV = "SENTIMENT_DATA_DIR"


def pytest_configure(config: pytest.Config) -> None:  # pylint: disable=unused-argument
    """Make SENTIMENT_DATA_DIR absolute: tests run `dvc repro` and the CLI in other directories."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        os.environ[DATA_DIR_ENV] = str(Path(configured).resolve())


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root, so tests do not depend on the directory pytest was started from."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Where the raw review dumps are: SENTIMENT_DATA_DIR, else the pipeline's data/raw.

    Missing data is a usage error of the test run, not a reason to skip: a suite that skips
    for want of data would score nothing and hide why.
    """
    configured = os.environ.get(DATA_DIR_ENV)
    directory = Path(configured) if configured else PROJECT_ROOT / "data" / "raw"
    if not directory.is_dir():
        raise pytest.UsageError(
            f"{directory}: no review data; set {DATA_DIR_ENV} to a directory holding the dumps "
            "(e.g. ../shared/data) or run `dvc repro` first"
        )
    return directory
