"""``ml-test-score <command>`` (also ``python -m pytest_ml_test_score``): one module per command.

Each command is ``pytest_ml_test_score.<module>:main(argv) -> int``, the module named after the
command, so that the module to read for a command is never a guess.

Modules are imported only when their command runs, so that a quick ``report`` does not pay for
what ``audit`` or ``gate`` import, and a command whose module is not installed fails cleanly.
"""

from __future__ import annotations

import importlib
import sys

PACKAGE = "pytest_ml_test_score"
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("report", "render a report, optionally compared with a base report"),
    "gate": ("gate", "check the quality figures against their thresholds"),
    "badges": ("badges", "write the badges and the README badge block"),
    "audit": ("audit", "run the fault audit of the rubric tests"),
    "mutation": ("mutation", "run mutmut and report the mutation score per module"),
    "merge": ("merge", "merge the score reports of shards into the report of one full run"),
}
USAGE = "usage: ml-test-score {" + ",".join(COMMANDS) + "} [args...]"


def _help() -> str:
    lines = [USAGE, "", "commands:"]
    lines += [f"  {name:<8} {summary}" for name, (_, summary) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch; usage errors and absent command modules give one line and exit code 2."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_help(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"ml-test-score: unknown command {command!r}; expected one of "
              f"{', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module_name = f"{PACKAGE}.{COMMANDS[command][0]}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        print(f"ml-test-score: command {command!r} is not available: module {module_name} "
              "is not installed", file=sys.stderr)
        return 2
    return int(module.main(rest))
