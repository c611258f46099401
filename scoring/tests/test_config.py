"""``[tool.ml_test_score.*]``: defaults, conversions, one-line errors, and finding the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_ml_test_score import gate
from pytest_ml_test_score.config import (
    AuditConfig,
    BadgesConfig,
    ConfigError,
    GateConfig,
    MutationConfig,
    ProjectConfig,
    load,
    parse,
    project_root,
)

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text, encoding="utf-8")
    return pyproject


def test_gate_thresholds_and_validation(tmp_path: Path) -> None:
    pyproject = write(tmp_path, '[tool.ml_test_score.gates]\ncoverage = 80\npylint_paths = ["a"]\n')
    config = load(pyproject).gates
    assert (config.coverage, config.pylint, config.ml_test_score) == (80.0, 9.0, 7.0)
    assert config.bandit_fail_on == ("MEDIUM", "HIGH")
    assert config.source_paths() == ("a",)
    assert gate.load_config(pyproject) == config
    write(tmp_path, '[tool.ml_test_score.gates]\ncoverage = "high"\n')
    with pytest.raises(ConfigError, match="coverage: expected a number"):
        load(pyproject)
    write(tmp_path, '[tool.ml_test_score.gates]\nbandit_fail_on = ["SEVERE"]\n')
    with pytest.raises(ConfigError, match="unknown severity 'SEVERE'"):
        load(pyproject)


def test_mutation_defaults_and_values(tmp_path: Path) -> None:
    pyproject = write(tmp_path, "[project]\nname = 'x'\n")
    assert load(pyproject).mutation == MutationConfig(min_score=80.0, reports="reports")
    write(tmp_path, "[tool.ml_test_score.mutation]\nmin_score = 65.5\nreports = 'out'\n")
    assert load(pyproject).mutation == MutationConfig(min_score=65.5, reports="out")
    write(tmp_path, "[tool.ml_test_score.mutation]\nexclude = ['a.main', 'b.*']\n")
    assert load(pyproject).mutation.exclude == ("a.main", "b.*")


@pytest.mark.parametrize("body, key", [
    ("min_score = true", "min_score"), ("min_score = 101", "min_score"),
    ("min_score = '80'", "min_score"), ("min_score = -1", "min_score"),
    ("reports = ''", "reports"), ("reports = 3", "reports"),
    ("exclude = 'a.main'", "exclude"), ("exclude = [1]", "exclude"),
])
def test_mutation_errors_name_the_key(tmp_path: Path, body: str, key: str) -> None:
    pyproject = write(tmp_path, f"[tool.ml_test_score.mutation]\n{body}\n")
    with pytest.raises(ConfigError, match=rf"\[tool.ml_test_score.mutation\] {key}: expected"):
        load(pyproject)


def test_an_empty_file_gives_every_default() -> None:
    assert parse({}) == ProjectConfig(GateConfig(), BadgesConfig(), MutationConfig(),
                                      AuditConfig())
    assert parse({}).badges == BadgesConfig(dir=".github/badges", readme="README.md")
    assert parse({}).audit.faults is None


def test_audit_and_badges_sections_are_converted() -> None:
    config = parse({"audit": {"faults": "m:F", "paths": ["t"], "jobs": 3, "pytest_args": [],
                              "clean_args": ["-n", "2"]},
                    "badges": {"dir": "b", "readme": "R.md"}, "other": {"x": 1}})
    assert config.audit == AuditConfig(faults="m:F", paths=("t",), jobs=3, pytest_args=(),
                                       clean_args=("-n", "2"))
    assert config.badges == BadgesConfig(dir="b", readme="R.md")


@pytest.mark.parametrize("table, message", [
    ({"audit": {"jobs": 0}}, "pyproject.toml [tool.ml_test_score.audit] jobs: expected a whole "
                             "number of at least 1, got 0"),
    ({"audit": {"jobs": "2"}}, "[tool.ml_test_score.audit] jobs: expected a whole number"),
    ({"audit": {"faults": ""}}, "audit] faults: expected 'module:attribute', got ''"),
    ({"audit": {"pytest_args": "-q"}}, "audit] pytest_args: expected a list of strings"),
    ({"audit": {"clean_args": "-n 2"}}, "audit] clean_args: expected a list of strings"),
    ({"badges": {"dir": 1}}, "[tool.ml_test_score.badges] dir: expected a directory name, got 1"),
    ({"gates": {"pylint": True}}, "gates] pylint: expected a number, got True"),
    ({"gates": {"sources": "pkg"}}, "gates] sources: expected a list of strings, got 'pkg'"),
    ({"gates": ["x"]}, "pyproject.toml [tool.ml_test_score.gates]: expected a table, got ['x']"),
])
def test_every_bad_setting_is_one_line_naming_section_key_and_expectation(table, message):
    with pytest.raises(ConfigError) as caught:
        parse(table)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_or_invalid_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pyproject.toml: cannot read"):
        load(tmp_path / "pyproject.toml")
    pyproject = write(tmp_path, "not toml [")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML"):
        load(pyproject)
    write(tmp_path, "[tool]\nml_test_score = 3\n")
    with pytest.raises(ConfigError, match=r"\[tool.ml_test_score\] must be a table"):
        load(pyproject)


def test_the_project_root_is_the_nearest_directory_with_a_pyproject(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert project_root(None) == tmp_path.resolve()
    assert project_root(tmp_path) == tmp_path.resolve()
    with pytest.raises(ConfigError, match=r"^no pyproject.toml in .*b$"):
        project_root(nested)


def test_the_repository_configuration_loads() -> None:
    config = load(REPO / "pyproject.toml")
    assert config.audit.faults and config.gates.pylint_paths and config.mutation.min_score
