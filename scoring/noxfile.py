"""Compatibility matrix of pytest-ml-test-score: Python 3.10-3.13 x pytest 8.x and 9.x.

Run in this directory: ``nox`` (every session), ``nox -s tests_pytest9-3.12`` (one cell),
``nox -s package`` (wheel, sdist, ``twine check``). Each test session installs the package as a
wheel (not editable) with its ``gate`` and ``test`` extras and the newest pytest of that major
version, then runs the plugin's own tests from ``tests/``. ``lowest`` checks the floor the
metadata promises: Python 3.10 with pytest 8.0.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
nox.options.sessions = ["tests_pytest8", "tests_pytest9", "lowest", "package"]
nox.options.reuse_existing_virtualenvs = True


def _run_tests(session: nox.Session, pytest_spec: str) -> None:
    session.install(".[gate,test]", pytest_spec)
    session.run("python", "-m", "pip", "check")
    session.run("python", "-m", "pytest", "--version")
    session.run("python", "-m", "pytest", "-q", *session.posargs)


@nox.session(python=PYTHONS)
def tests_pytest8(session: nox.Session) -> None:
    """The plugin's tests with the newest pytest 8.x."""
    _run_tests(session, "pytest>=8,<9")


@nox.session(python=PYTHONS)
def tests_pytest9(session: nox.Session) -> None:
    """The plugin's tests with the newest pytest 9.x."""
    _run_tests(session, "pytest>=9,<10")


@nox.session(python="3.10")
def lowest(session: nox.Session) -> None:
    """The oldest supported combination: Python 3.10, pytest 8.0."""
    _run_tests(session, "pytest==8.0.*")


@nox.session(python="3.11")
def package(session: nox.Session) -> None:
    """Build the wheel and the sdist and check their metadata as PyPI would."""
    session.install("build>=1", "twine>=5")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("python", "-m", "twine", "check", "--strict", *_dists())


def _dists() -> list[str]:
    from pathlib import Path  # pylint: disable=import-outside-toplevel

    return sorted(str(path) for path in Path("dist").glob("pytest_ml_test_score-*"))
