"""Stage `download`: put the raw review files in place, verified by sha256.

Sources, in order: a verified copy already in place (reused, nothing touched), the directory named
by SENTIMENT_DATA_DIR, then `data.source`: the copy bundled with the project (the default) or each
file's public URL (`pipeline.data.sources` chooses, `pipeline.data.fetch` copies and verifies).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.cli import CommandParser
from pipeline.config import load_config
from pipeline.data.fetch import fetch_file
from pipeline.data.sources import origin


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
