"""The shared argument parser: a usage error is a PipelineError, never argparse's own exit."""

from __future__ import annotations

import pytest

from pipeline.cli import CommandParser
from pipeline.errors import PipelineError


def test_a_usage_error_becomes_one_pipeline_error_line():
    """Red when: argparse prints its usage and exits, so the dispatcher cannot say one line."""
    parser = CommandParser(prog="python -m pipeline x")
    parser.add_argument("--count", type=int)
    with pytest.raises(PipelineError, match="argument --count: invalid int value: 'many'"):
        parser.parse_args(["--count", "many"])
    with pytest.raises(PipelineError, match="unrecognized arguments: --nope"):
        parser.parse_args(["--nope"])


def test_subparsers_inherit_the_behaviour():
    """Every `python -m pipeline <command> <subcommand>` reports the same way."""
    parser = CommandParser(prog="python -m pipeline registry")
    parser.add_subparsers(dest="action", required=True).add_parser("list")
    with pytest.raises(PipelineError, match="invalid choice"):
        parser.parse_args(["nope"])
