"""Where the raw review files come from and where the stages find them, by role.

One owner for the `data:` section of params.yaml: the stages, the benchmarks and the test suites
all ask here for "the training file" or "the serving batch", so a new data source or a renamed
file changes one place. The default source is the copy bundled with the project, so nothing
needs the network or an environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.params import get

DATA_DIR_ENV = "SENTIMENT_DATA_DIR"
SOURCES = ("bundled", "url")
# Roles name a file under data.files; `evaluation` holds labels the pipeline never trains on.
ROLES = ("training", "serving", "evaluation")


def file_spec(params: dict[str, Any], role: str) -> dict[str, Any]:
    """The `data.files` entry (name, sha256, url when public) of the file with this role."""
    return get(params, f"data.files.{get(params, f'data.{role}')}")


def raw_file(params: dict[str, Any], role: str, raw_dir: Path | None = None) -> Path:
    """The verified copy of the file with this role, where the download stage puts it."""
    directory = raw_dir if raw_dir is not None else Path(get(params, "data.raw_dir"))
    return directory / file_spec(params, role)["name"]


def override_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The directory named by SENTIMENT_DATA_DIR, made absolute (tests run stages elsewhere)."""
    configured = (os.environ if environ is None else environ).get(DATA_DIR_ENV)
    return Path(configured).resolve() if configured else None


def configured_source(params: dict[str, Any]) -> str:
    """`data.source`, checked: a typo must not silently fall back to another source."""
    source = get(params, "data.source")
    if source not in SOURCES:
        raise PipelineError(
            f"params.yaml: data.source must be one of {', '.join(SOURCES)} (got {source!r})")
    return str(source)


def origin(spec: dict[str, Any], params: dict[str, Any],
           environ: Mapping[str, str] | None = None) -> Path | str:
    """Where one file is copied from: a directory, or its URL when `data.source` is `url`.

    SENTIMENT_DATA_DIR overrides every file; a file without a public URL (the labelled
    evaluation batch) comes from the bundled copy even when `data.source` is `url`.
    """
    override = override_dir(environ)
    if override is not None:
        return override
    if configured_source(params) == "url" and spec.get("url"):
        return str(spec["url"])
    return Path(get(params, "data.bundled_dir"))


def local_source(params: dict[str, Any], environ: Mapping[str, str] | None = None) -> Path | None:
    """The directory every file can be read from without downloading, if there is one."""
    override = override_dir(environ)
    if override is not None:
        return override
    if configured_source(params) == "bundled":
        return Path(get(params, "data.bundled_dir"))
    return None
