"""``[tool.ml_test_score.*]`` of ``pyproject.toml``, read once into one typed value per section.

The commands share one file, so they share one reader: every setting is checked here, against
the type and range its field declares, and a bad one is a single line naming the file, the key
and what was expected, before any command starts work. Each command then receives only its own
section (``gates``, ``badges``, ``mutation``, ``audit``) and never looks at TOML itself.

Keys this version does not know are ignored, as they always were, so that a configuration
written for a newer plugin still runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pytest_ml_test_score.tomlcompat import tomllib

PYPROJECT = "pyproject.toml"
TABLE = "tool.ml_test_score"
# Bandit's severities, worst first: the order in which the gate shows its counts.
SEVERITIES = ("HIGH", "MEDIUM", "LOW")

Check = Callable[[Any], Any]


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the file and the key."""


class _Invalid(ValueError):
    """A value a check refused; the message says what was expected and what was found."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(low: float | None = None, high: float | None = None) -> Check:
    expected = "a number" if low is None or high is None else f"a number {low:g}-{high:g}"

    def check(value: Any) -> float:
        if not _is_number(value) or (low is not None and value < low) \
                or (high is not None and value > high):
            raise _Invalid(f"expected {expected}, got {value!r}")
        return float(value)
    return check


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Invalid(f"expected a whole number of at least 1, got {value!r}")
    return value


def _text(expected: str = "a string", empty: bool = True) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (not empty and not value):
            raise _Invalid(f"expected {expected}, got {value!r}")
        return value
    return check


def _texts(expected: str = "a list of strings") -> Check:
    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _Invalid(f"expected {expected}, got {value!r}")
        return tuple(value)
    return check


def _severities(value: Any) -> tuple[str, ...]:
    names = _texts()(value)
    unknown = sorted(set(names) - set(SEVERITIES))
    if unknown:
        raise _Invalid(f"unknown severity {unknown[0]!r}; expected some of {', '.join(SEVERITIES)}")
    return names


def _setting(default: Any, check: Check) -> Any:
    """A dataclass field whose TOML value passes CHECK (which also converts it)."""
    # pylint: disable-next=invalid-field-call  # the result is a field of the dataclass below
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class GateConfig:
    """``[tool.ml_test_score.gates]``: where the figures come from and the thresholds."""

    reports: str = _setting("reports", _text())
    pylint_paths: tuple[str, ...] = _setting((), _texts())
    bandit_paths: tuple[str, ...] = _setting((), _texts())
    sources: tuple[str, ...] = _setting((), _texts())  # unset: the pylint and bandit paths
    pylint: float = _setting(9.0, _number())
    coverage: float = _setting(90.0, _number())
    ml_test_score: float = _setting(7.0, _number())
    bandit_fail_on: tuple[str, ...] = _setting(("MEDIUM", "HIGH"), _severities)

    def source_paths(self) -> tuple[str, ...]:
        """Where the code lives that the test reports describe."""
        return self.sources or tuple(dict.fromkeys(self.pylint_paths + self.bandit_paths))

    def thresholds(self) -> dict[str, Any]:
        """The thresholds as recorded in quality.json."""
        return {"pylint": self.pylint, "coverage": self.coverage,
                "ml_test_score": self.ml_test_score, "bandit_fail_on": list(self.bandit_fail_on)}


@dataclass(frozen=True)
class BadgesConfig:
    """``[tool.ml_test_score.badges]``: where the SVGs go and which README shows them."""

    dir: str = _setting(".github/badges", _text("a directory name", empty=False))
    readme: str = _setting("README.md", _text("a file name", empty=False))


@dataclass(frozen=True)
class MutationConfig:
    """``[tool.ml_test_score.mutation]``.

    ``exclude`` holds ``module.function`` globs left out of the score (and listed as such):
    orchestration whose only tests run it in a subprocess, where mutmut cannot attribute them.
    """

    min_score: float = _setting(80.0, _number(0, 100))
    reports: str = _setting("reports", _text("a directory name", empty=False))
    exclude: tuple[str, ...] = _setting((), _texts("a list of 'module.function' globs"))


@dataclass(frozen=True)
class AuditConfig:
    """``[tool.ml_test_score.audit]``: where the faults are, what to run, how many runs at once.

    ``faults`` (``module:attribute`` of a ``faults.FaultRegistry``) has no default: only the
    audit needs it, and it says so when it is unset. ``test_paths`` and ``test_modules`` say
    what is test code or test support (see ``targets.is_test_code``): a fault that patches
    only those is refused. ``preload`` names modules that a warm interpreter imports once for
    every run (``runner``): the project's heavy dependencies, never code a fault patches.
    ``run_last`` names markers of expensive tests that a faulted run starts only after the
    others (``fault_stop``). ``clean_args`` go to the clean run only, after ``pytest_args``: it
    runs alone, so it may use every core (``["-n", "2"]`` with pytest-xdist) where each fault
    run gets one.
    """

    faults: str | None = _setting(None, _text("'module:attribute'", empty=False))
    paths: tuple[str, ...] = _setting(("ml_tests",), _texts())
    jobs: int = _setting(2, _count)
    pytest_args: tuple[str, ...] = _setting(("-p", "no:cacheprovider"), _texts())
    clean_args: tuple[str, ...] = _setting((), _texts())
    test_paths: tuple[str, ...] = _setting(("tests", "conftest.py", "test_*.py", "*_test.py"),
                                           _texts())
    test_modules: tuple[str, ...] = _setting((), _texts("a list of module names"))
    preload: tuple[str, ...] = _setting((), _texts("a list of module names"))
    run_last: tuple[str, ...] = _setting((), _texts("a list of marker names"))


@dataclass(frozen=True)
class ProjectConfig:
    """Every section, with its defaults where the file has none."""

    gates: GateConfig = field(default_factory=GateConfig)
    badges: BadgesConfig = field(default_factory=BadgesConfig)
    mutation: MutationConfig = field(default_factory=MutationConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)


_SECTIONS: dict[str, type] = {"gates": GateConfig, "badges": BadgesConfig,
                              "mutation": MutationConfig, "audit": AuditConfig}


def read_table(pyproject: Path) -> dict[str, Any]:
    """The raw ``[tool.ml_test_score]`` table of PYPROJECT, empty when absent."""
    try:
        with pyproject.open("rb") as stream:
            data = tomllib.load(stream)
    except OSError as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("ml_test_score", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [{TABLE}] must be a table")
    return table


def parse(table: Mapping[str, Any], where: str = PYPROJECT) -> ProjectConfig:
    """Check and convert every known section of TABLE; WHERE names the file in errors."""
    sections: dict[str, Any] = {}
    for name, kind in _SECTIONS.items():
        raw = table.get(name, {})
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} [{TABLE}.{name}]: expected a table, got {raw!r}")
        values = {}
        for setting in fields(kind):
            if setting.name in raw:
                try:
                    values[setting.name] = setting.metadata["check"](raw[setting.name])
                except _Invalid as exc:
                    raise ConfigError(f"{where} [{TABLE}.{name}] {setting.name}: {exc}") from None
        sections[name] = kind(**values)
    return ProjectConfig(**sections)


def load(pyproject: Path) -> ProjectConfig:
    """Read and check PYPROJECT once; the commands take their section from the result."""
    return parse(read_table(pyproject), pyproject.name)


def add_root_option(parser: argparse.ArgumentParser) -> None:
    """``--root``, shared by the commands that read the project's configuration."""
    parser.add_argument("--root", type=Path, default=None,
                        help="project root (default: nearest directory with a pyproject.toml)")


def project_root(given: Path | None) -> Path:
    """GIVEN, or the nearest directory at or above the working directory with a pyproject.toml."""
    start = Path.cwd()
    for candidate in ([given] if given else [start, *start.parents]):
        if (candidate / PYPROJECT).is_file():
            return candidate.resolve()
    raise ConfigError(f"no {PYPROJECT} in {given or start}"
                      + ("" if given else " or any parent directory"))
