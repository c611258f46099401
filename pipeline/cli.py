"""The argument parser every `python -m pipeline <command>` uses.

argparse reports a usage error with the usage text and its own exit; here it becomes a
PipelineError like every other user error: one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from pipeline.errors import PipelineError


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are PipelineErrors (subparsers inherit the behaviour)."""

    def error(self, message: str) -> NoReturn:
        raise PipelineError(message)  # the dispatcher prefixes the command name
