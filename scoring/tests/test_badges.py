"""Badges: colours by the paper's bands, byte-stable SVGs, idempotent README block, --check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_ml_test_score import badges
from pytest_ml_test_score.catalogue import INTERPRETATION_BANDS

README = "# Project\n\n<!-- BADGES:START -->\nold\n<!-- BADGES:END -->\n\nText.\n"


def quality(coverage: float = 93.456, pylint: float = 9.871, score: float = 7.0,
            complete: bool = True) -> dict[str, Any]:
    return {"schema": 1, "pylint": {"score": pylint}, "coverage": {"percent": coverage},
            "ml_test_score": {"score": score, "max": 7, "complete": complete},
            "bandit": {"counts": {"HIGH": 0, "MEDIUM": 0, "LOW": 0}},
            "thresholds": {"pylint": 9.0, "coverage": 90.0, "ml_test_score": 7.0}}


@pytest.fixture(name="badge_project")
def badge_project_fixture(project: Path) -> Path:
    (project / "README.md").write_text(README, encoding="utf-8")
    write_quality(project, quality())
    return project


def write_quality(root: Path, data: dict[str, Any]) -> None:
    (root / "reports" / "quality.json").write_text(json.dumps(data), encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in [root / "README.md", *sorted((root / "badges").glob("*.svg"))]}


@pytest.mark.parametrize(
    ("score", "color"),
    [(0.0, badges.RED), (0.5, badges.ORANGE), (1.0, badges.ORANGE), (1.5, badges.YELLOW),
     (2.0, badges.YELLOW), (3.0, badges.YELLOWGREEN), (3.5, badges.GREEN), (5.0, badges.GREEN),
     (5.5, badges.BRIGHTGREEN), (7.0, badges.BRIGHTGREEN)],
)
def test_ml_score_bands_close_on_the_right(score: float, color: str) -> None:
    assert badges.ml_score_color(score) == color


def test_every_band_of_the_interpretation_has_its_own_colour() -> None:
    """Colour and report text come from one band lookup, so they change at the same scores."""
    colors = [badges.ml_score_color(upper) for upper, _ in INTERPRETATION_BANDS[:-1]]
    colors.append(badges.ml_score_color(7.0))
    assert len(set(colors)) == len(INTERPRETATION_BANDS)
    with pytest.raises(ValueError, match="not a number"):
        badges.ml_score_color(float("nan"))


def test_a_score_without_a_band_is_a_badge_error() -> None:
    with pytest.raises(badges.BadgeError, match="ml_test_score: score nan is not a number"):
        badges.badge_specs(quality(score=float("nan")))


def test_specs_round_and_colour_by_gate() -> None:
    specs = {s.name: s for s in badges.badge_specs(quality(coverage=89.4, pylint=9.876))}
    assert (specs["coverage"].value, specs["coverage"].color) == ("89%", badges.RED)
    assert (specs["pylint"].value, specs["pylint"].color) == ("9.88", badges.BRIGHTGREEN)
    assert specs["ml_test_score"].value == "7/7"
    partial = badges.badge_specs(quality(score=6.5, complete=False))[0]
    assert (partial.value, partial.color) == ("6.5/7 incomplete", badges.GREY)


def test_svg_depends_only_on_the_figures() -> None:
    spec = badges.BadgeSpec("coverage", "coverage", "93%", badges.BRIGHTGREEN)
    first = badges.render_svg(spec)
    badges.render_svg(badges.BadgeSpec("pylint", "pylint", "9.50", badges.GREEN))
    assert badges.render_svg(spec) == first
    assert "anybadge_" not in first and ">93%<" in first


def test_badges_write_then_idempotent(badge_project: Path) -> None:
    assert badges.main(["--root", str(badge_project)]) == 0
    first = snapshot(badge_project)
    assert sorted(first) == ["README.md", "badges/coverage.svg", "badges/ml_test_score.svg",
                             "badges/pylint.svg"]
    readme = first["README.md"].decode()
    assert "![coverage: 93%](badges/coverage.svg)" in readme
    assert readme.startswith("# Project\n\n<!-- BADGES:START -->\n![ML Test Score: 7/7]")
    assert readme.endswith("<!-- BADGES:END -->\n\nText.\n") and "old" not in readme
    assert badges.main(["--root", str(badge_project)]) == 0
    assert snapshot(badge_project) == first
    assert badges.main(["--root", str(badge_project), "--check"]) == 0


def test_same_rounded_figure_changes_nothing(badge_project: Path) -> None:
    badges.main(["--root", str(badge_project)])
    first = snapshot(badge_project)
    write_quality(badge_project, quality(coverage=93.2))
    assert badges.main(["--root", str(badge_project), "--check"]) == 0
    assert snapshot(badge_project) == first


def test_check_reports_stale_and_changes_nothing(badge_project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    badges.main(["--root", str(badge_project)])
    write_quality(badge_project, quality(coverage=80.0))
    before = snapshot(badge_project)
    assert badges.main(["--root", str(badge_project), "--check"]) == 1
    assert snapshot(badge_project) == before
    err = capsys.readouterr().err
    assert "README.md" in err and "badges/coverage.svg" in err and "pylint.svg" not in err


@pytest.mark.parametrize("text", ["# No block\n", "<!-- BADGES:END --> <!-- BADGES:START -->\n"])
def test_readme_without_block_is_a_clear_error(badge_project: Path, text: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (badge_project / "README.md").write_text(text, encoding="utf-8")
    assert badges.main(["--root", str(badge_project)]) == 2
    assert "expected one <!-- BADGES:START --> ... <!-- BADGES:END --> block" in \
        capsys.readouterr().err
    assert not (badge_project / "badges").exists()


def test_missing_figure_or_quality_is_a_clear_error(badge_project: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = quality()
    data["coverage"] = {"error": "reports/coverage.json is missing"}
    write_quality(badge_project, data)
    assert badges.main(["--root", str(badge_project)]) == 2
    assert "no coverage figure (reports/coverage.json is missing)" in capsys.readouterr().err
    (badge_project / "reports" / "quality.json").unlink()
    assert badges.main(["--root", str(badge_project), "--check"]) == 2
    assert "quality.json is missing" in capsys.readouterr().err
