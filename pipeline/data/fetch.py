"""Putting a verified copy of a review file in place, from a directory or a URL.

Every copy is checked against the sha256 in params.yaml before it replaces anything, so a corrupt
source never reaches the next stage; a verified copy already in place is reused untouched.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from pipeline.config import FileSpec
from pipeline.data.sources import DATA_DIR_ENV
from pipeline.errors import PipelineError
from pipeline.fileio import atomic_path, require_sha256, sha256_file

TIMEOUT_SECONDS = 30


def _verify(path: Path, expected: str, source: str) -> None:
    require_sha256(sha256_file(path), expected, source, "params.yaml",
                   "the file is corrupt or a different version")


def _fetch_url(url: str, destination: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # nosec B310
            with open(destination, "wb") as handle:
                shutil.copyfileobj(response, handle)
    except (urllib.error.URLError, OSError) as error:
        raise PipelineError(
            f"{url}: download failed ({getattr(error, 'reason', error)}); without network, use "
            f"data.source: bundled (the default) or set {DATA_DIR_ENV} to a directory holding "
            "the raw files"
        ) from None


def fetch_file(spec: FileSpec, raw_dir: Path, source: Path | str) -> str:
    """Make `raw_dir/<name>` a verified copy of `source` (a directory or a URL).

    Returns how the copy was obtained, for the log.
    """
    name, expected = spec.name, spec.sha256
    target = raw_dir / name
    if target.is_file() and sha256_file(target) == expected:
        return "verified copy reused"
    with atomic_path(target) as temporary:
        if isinstance(source, Path):
            origin_file = source / name
            if not origin_file.is_file():
                raise PipelineError(f"{origin_file}: not found; expected the review file {name} "
                                    f"in {source}")
            shutil.copyfile(origin_file, temporary)
            _verify(temporary, expected, str(origin_file))
            how = f"copied from {origin_file}"
        else:
            _fetch_url(source, temporary)
            _verify(temporary, expected, source)
            how = f"downloaded from {source}"
    return how
