"""Stage `download`: put the raw review files in place, verified by sha256.

Sources, in order: a verified copy already in place (reused, nothing touched), the directory named
by SENTIMENT_DATA_DIR, then `data.source`: the copy bundled with the project (the default) or each
file's public URL. Every copy is checked before it replaces anything, so a corrupt source never
reaches the next stage.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from pipeline.cli import CommandParser
from pipeline.config import FileSpec, load_config
from pipeline.data.sources import DATA_DIR_ENV, origin
from pipeline.errors import PipelineError
from pipeline.fileio import atomic_path, sha256_file

TIMEOUT_SECONDS = 30


def _verify(path: Path, expected: str, source: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise PipelineError(
            f"{source}: sha256 {actual} does not match params.yaml ({expected}); "
            "the file is corrupt or a different version"
        )


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


def main(argv: list[str]) -> int:
    """Fetch every file listed under data.files in params.yaml."""
    parser = CommandParser(prog="python -m pipeline download", description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    data = load_config(args.params).data
    raw_dir = Path(data.raw_dir)
    for spec in data.files.values():
        how = fetch_file(spec, raw_dir, origin(spec, data))
        print(f"{raw_dir / spec.name}: {how}")
    return 0
