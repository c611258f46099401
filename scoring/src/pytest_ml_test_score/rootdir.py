"""The rootdir trap of ``--ml-score-report DIR`` (a space, not ``=``).

pytest chooses its rootdir and inifile before it knows any plugin's options, so in
``pytest --ml-score-report /tmp/out`` it takes ``/tmp/out`` for a test path. When that directory
lies outside the project, the session is silently re-rooted: the project's ini file is ignored
and node ids get path prefixes. The plugin cannot change how pytest parses, so it detects the
case once the option is known and stops with one line asking for ``--ml-score-report=DIR``.

The check asks pytest's own setup function whether adding the value to the paths it saw changes
rootdir or inifile; ``--ml-score-report reports`` inside the project changes neither and runs.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

OPTION = "--ml-score-report"
Setup = Callable[[list[str]], tuple[Path, Path | None]]


def spaced_values(tokens: Sequence[str], option: str = OPTION) -> list[str]:
    """Values given to OPTION as a separate token (``--opt VALUE``), in order."""
    return [tokens[index + 1] for index, token in enumerate(tokens[:-1]) if token == option]


def trap_message(value: str, with_value: tuple[Path, Path | None],
                 without_value: tuple[Path, Path | None], option: str = OPTION) -> str | None:
    """The one-line stop when taking VALUE for a test path changed rootdir or inifile."""
    if with_value == without_value:
        return None
    (root, ini), (real_root, real_ini) = with_value, without_value
    return (f"{option} {value}: pytest took the directory for a test path and moved the rootdir "
            f"to {root} (inifile: {ini or 'none'}) from {real_root} (inifile: "
            f"{real_ini or 'none'}); write {option}={value}")


def early_tokens(invocation_args: Iterable[str], environ: dict[str, str] | None = None
                 ) -> list[str]:
    """The arguments pytest saw when it chose the rootdir: PYTEST_ADDOPTS, then the command line.

    The ini file's ``addopts`` come later and cannot move the rootdir.
    """
    env = os.environ if environ is None else environ
    return shlex.split(env.get("PYTEST_ADDOPTS", "")) + list(invocation_args)


def pytest_setup(namespace: Any, invocation_dir: Path) -> Setup | None:
    """pytest's own rootdir/inifile function, bound to this run's options; None if unavailable.

    ``determine_setup`` is internal to pytest and its keyword arguments differ between 8.x and
    9.x, so it is called with the ones its signature names; without it the check is skipped.
    """
    import inspect  # pylint: disable=import-outside-toplevel  # only for --ml-score-report DIR

    try:
        # pylint: disable-next=import-outside-toplevel
        from _pytest.config.findpaths import determine_setup
    except ImportError:  # pragma: no cover - a pytest without the internal function
        return None
    known = {
        "inifile": getattr(namespace, "inifilename", None),
        "override_ini": getattr(namespace, "override_ini", None),
        "rootdir_cmd_arg": getattr(namespace, "rootdir", None) or None,
        "invocation_dir": invocation_dir,
    }
    parameters = inspect.signature(determine_setup).parameters
    if "args" not in parameters:  # pragma: no cover - an unknown future signature
        return None
    kwargs = {name: value for name, value in known.items() if name in parameters}

    def setup(args: list[str]) -> tuple[Path, Path | None]:
        found = determine_setup(args=args, **kwargs)
        return Path(found[0]), None if found[1] is None else Path(found[1])

    return setup


def check(tokens: Sequence[str], paths: Sequence[str], setup: Setup | None) -> str | None:
    """The stop message for the first spaced value that re-roots the session, else None.

    PATHS are the positional arguments pytest parsed once the option was known (without VALUE).
    """
    if setup is None:
        return None
    for value in spaced_values(tokens):
        if not Path(value).exists():
            continue  # pytest ignores arguments that are not existing paths
        message = trap_message(value, setup([*paths, value]), setup(list(paths)))
        if message:
            return message
    return None
