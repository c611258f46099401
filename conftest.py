"""Fixtures shared by the harness's own tests (tests/) and the rubric suites (ml_tests/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.data import sources

# pytester drives the end-to-end tests of the plugin (scoring/tests) and of the project; pytest
# only honours `pytest_plugins` in the root conftest (a standalone run of scoring/tests gets it
# from scoring/pyproject.toml's addopts instead).
pytest_plugins = ["pytester"]

PROJECT_ROOT = Path(__file__).resolve().parent
# The rubric suites: the only tests that carry rubric marks (tests/project/test_structure.py).
RUBRIC_SUITES = PROJECT_ROOT / "ml_tests"
_SECTION = "(data|model|infra|monitoring)"
SECTIONS_ONLY = re.compile(rf"\s*{_SECTION}(\s+or\s+{_SECTION})*\s*")


def pytest_configure(config: pytest.Config) -> None:  # pylint: disable=unused-argument
    """Make SENTIMENT_DATA_DIR absolute: tests run `dvc repro` and the CLI in other directories."""
    override = sources.override_dir()
    if override is not None:
        os.environ[sources.DATA_DIR_ENV] = str(override)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under `-m data` (or sections joined by `or`) on the configured test paths, leave out
    everything but the rubric suites: it has no rubric mark, and collecting its thousand tests
    only to deselect them cost each xdist worker a second and a half of a 20 s budget."""
    if (config.args_source is not pytest.Config.ArgsSource.TESTPATHS
            or not SECTIONS_ONLY.fullmatch(config.option.markexpr or "")):
        return None
    related = (collection_path == RUBRIC_SUITES or RUBRIC_SUITES in collection_path.parents
               or collection_path in RUBRIC_SUITES.parents)
    return None if related else True


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
