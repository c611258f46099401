"""``python -m scoring <command>``: maps a command to ``scoring.<module>:main(argv) -> int``.

Modules are imported only when their command runs, so that a quick ``report`` does not pay for
what ``audit`` or ``gate`` import, and a command whose module is not installed fails cleanly.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("scoring.cli_report", "render a report, optionally compared with a base report"),
    "gate": ("scoring.gate", "check the quality figures against their thresholds"),
    "badges": ("scoring.badges", "write the badges and the README badge block"),
    "audit": ("scoring.audit", "run the fault audit of the rubric tests"),
    "mutation": ("scoring.mutation", "run mutmut and report the mutation score per module"),
}
USAGE = "usage: python -m scoring {" + ",".join(COMMANDS) + "} [args...]"


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
        print(f"python -m scoring: unknown command {command!r}; expected one of "
              f"{', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module_name = COMMANDS[command][0]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        print(f"python -m scoring: command {command!r} is not available: module {module_name} "
              "is not installed", file=sys.stderr)
        return 2
    return int(module.main(rest))
