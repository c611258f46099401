"""Model registry: immutable published versions, a served pointer, and a history to roll back on.

`python -m pipeline registry ...`: publish, list, promote, roll back, print the served version and
fetch, on the registry `--registry` names (default: `registry.uri` in params.yaml).
"""

from __future__ import annotations

import argparse

from pipeline.cli import CommandParser
from pipeline.errors import PipelineError
from pipeline.registry.card import format_metric
from pipeline.registry.open import open_registry


def _parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="python -m pipeline registry", description=__doc__.splitlines()[0])
    parser.add_argument("--registry", metavar="URI",
                        help="directory or hf://owner/name (default: registry.uri in params.yaml)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    publish = commands.add_parser("publish", help="store a package directory as a version")
    publish.add_argument("package_dir")
    commands.add_parser("list", help="published versions, oldest first; * marks the served one")
    commands.add_parser("promote", help="serve a version").add_argument("version")
    commands.add_parser("rollback", help="serve the previously served version again")
    commands.add_parser("served", help="print the served version")
    fetch = commands.add_parser("fetch", help="download a verified package directory")
    fetch.add_argument("version")
    fetch.add_argument("dest")
    for sub in commands.choices.values():  # accept --registry after the subcommand too
        sub.add_argument("--registry", metavar="URI", default=argparse.SUPPRESS)
    return parser


def main(argv: list[str]) -> int:
    """`python -m pipeline registry ...`; user errors raise PipelineError (one line, exit 2)."""
    args = _parser().parse_args(argv)
    store = open_registry(args.registry)
    if args.command == "publish":
        print(store.publish(args.package_dir))
    elif args.command == "list":
        index = store.index()
        served = index["served"][-1] if index["served"] else None
        for entry in index["versions"]:
            metrics = " ".join(f"{k}={format_metric(v)}"
                               for k, v in sorted(entry["metrics"].items())
                               if k in ("accuracy", "f1"))
            print(f"{'*' if entry['version'] == served else ' '} {entry['version']}  "
                  f"{entry['published_at']}  {metrics}".rstrip())
    elif args.command == "promote":
        store.promote(args.version)
        print(args.version)
    elif args.command == "rollback":
        print(store.rollback())
    elif args.command == "served":
        version = store.served()
        if version is None:
            raise PipelineError(f"{store.uri}: no version is served; promote one first")
        print(version)
    else:
        print(store.fetch(args.version, args.dest))
    return 0
