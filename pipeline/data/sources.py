"""Where the raw review files come from and where the stages find them, by role.

One owner of the `data:` section of params.yaml (`DataConfig`): the stages, the benchmarks and
the test suites all ask here for "the training file" or "the serving batch", so a new data
source or a renamed file changes one place. The default source is the copy bundled with the
project, so nothing needs the network or an environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pipeline.config import ROLES, SOURCES, DataConfig, FileSpec

DATA_DIR_ENV = "SENTIMENT_DATA_DIR"
# ROLES name a file under data.files (`evaluation` holds labels the pipeline never trains on);
# SOURCES are the values of data.source. Both are checked when params.yaml is loaded.
__all__ = ["DATA_DIR_ENV", "ROLES", "SOURCES", "file_spec", "local_source", "origin",
           "override_dir", "raw_file"]


def file_spec(data: DataConfig, role: str) -> FileSpec:
    """The `data.files` entry (name, sha256, url when public) of the file with this role."""
    return data.file(role)


def raw_file(data: DataConfig, role: str, raw_dir: Path | None = None) -> Path:
    """The verified copy of the file with this role, where the download stage puts it."""
    directory = raw_dir if raw_dir is not None else Path(data.raw_dir)
    return directory / data.file(role).name


def override_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The directory named by SENTIMENT_DATA_DIR, made absolute (tests run stages elsewhere)."""
    configured = (os.environ if environ is None else environ).get(DATA_DIR_ENV)
    return Path(configured).resolve() if configured else None


def origin(spec: FileSpec, data: DataConfig,
           environ: Mapping[str, str] | None = None) -> Path | str:
    """Where one file is copied from: a directory, or its URL when `data.source` is `url`.

    SENTIMENT_DATA_DIR overrides every file; a file without a public URL (the labelled
    evaluation batch) comes from the bundled copy even when `data.source` is `url`.
    """
    override = override_dir(environ)
    if override is not None:
        return override
    if data.source == "url" and spec.url:
        return spec.url
    return Path(data.bundled_dir)


def local_source(data: DataConfig, environ: Mapping[str, str] | None = None) -> Path | None:
    """The directory every file can be read from without downloading, if there is one."""
    override = override_dir(environ)
    if override is not None:
        return override
    if data.source == "bundled":
        return Path(data.bundled_dir)
    return None
