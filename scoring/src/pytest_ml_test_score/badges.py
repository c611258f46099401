"""`ml-test-score badges [--check]`: true badges drawn from ``quality.json``.

The badges are committed, so they must be a pure function of the figures: rounded values, colours
chosen here, and anybadge's per-process mask counter replaced by a fixed id. Then rerunning the
test command, the gate and this command on an unchanged checkout leaves ``git status`` clean, and
``--check`` can tell a stale badge from a true one without writing anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_ml_test_score.catalogue import INTERPRETATION_BANDS, score_band
from pytest_ml_test_score.config import (
    PYPROJECT,
    BadgesConfig,
    ConfigError,
    add_root_option,
    load,
    project_root,
)
from pytest_ml_test_score.gate import QUALITY_NAME
from pytest_ml_test_score.reportfile import write_atomic

START, END = "<!-- BADGES:START -->", "<!-- BADGES:END -->"
_MASK_ID = re.compile(r"anybadge_\d+")

# Shields.io's palette, so the badges sit well beside others.
BRIGHTGREEN, GREEN, YELLOWGREEN = "#4c1", "#97ca00", "#a4a61d"
YELLOW, ORANGE, RED, GREY = "#dfb317", "#fe7d37", "#e05d44", "#9f9f9f"
# A colour for each band of the paper's Table V, worst first (zip fails on a band without one).
_BAND_COLORS: dict[tuple[float, str], str] = dict(
    zip(INTERPRETATION_BANDS, (RED, ORANGE, YELLOW, YELLOWGREEN, GREEN, BRIGHTGREEN), strict=True))


class BadgeError(Exception):
    """Badges cannot be drawn or placed; the message is one line with the remedy."""


@dataclass(frozen=True)
class BadgeSpec:
    """What one badge says; the SVG is derived from this alone."""

    name: str
    label: str
    value: str
    color: str


def ml_score_color(score: float) -> str:
    """The colour of the score's band, so a badge and the report's interpretation agree."""
    return _BAND_COLORS[score_band(score)]


def _figure(quality: dict[str, Any], name: str) -> dict[str, Any]:
    figure = quality.get(name)
    if not isinstance(figure, dict) or "error" in figure:
        why = figure.get("error") if isinstance(figure, dict) else "not recorded"
        raise BadgeError(f"{QUALITY_NAME} has no {name} figure ({why}); "
                         "run the test command and `ml-test-score gate` first")
    return figure


def badge_specs(quality: dict[str, Any]) -> list[BadgeSpec]:
    """The three badges; coverage and pylint are green exactly when their gate passes."""
    thresholds = quality.get("thresholds", {})
    ml = _figure(quality, "ml_test_score")
    ml_value = f"{ml['score']:g}/{ml['max']:g}"
    try:
        ml_color = ml_score_color(ml["score"]) if ml["complete"] else GREY
    except ValueError as exc:  # a NaN has no band
        raise BadgeError(f"{QUALITY_NAME}: ml_test_score: {exc}; rerun the gate") from None
    if not ml["complete"]:
        ml_value += " incomplete"
    coverage = round(_figure(quality, "coverage")["percent"])
    pylint = round(_figure(quality, "pylint")["score"], 2)
    return [
        BadgeSpec("ml_test_score", "ML Test Score", ml_value, ml_color),
        BadgeSpec("coverage", "coverage", f"{coverage}%",
                  BRIGHTGREEN if coverage >= thresholds.get("coverage", 0) else RED),
        BadgeSpec("pylint", "pylint", f"{pylint:.2f}",
                  BRIGHTGREEN if pylint >= thresholds.get("pylint", 0) else RED),
    ]


def render_svg(spec: BadgeSpec) -> str:
    """The badge's SVG text, with a stable mask id (anybadge numbers them per process)."""
    import anybadge  # pylint: disable=import-outside-toplevel  # only this command needs it

    badge = anybadge.Badge(spec.label, spec.value, default_color=spec.color)
    return _MASK_ID.sub(f"badge_{spec.name}", badge.badge_svg_text)


def readme_block(specs: list[BadgeSpec], readme: Path, badge_dir: Path) -> str:
    """Image links relative to the README, so they render on GitHub and in a clone."""
    relative = Path(os.path.relpath(badge_dir, readme.parent)).as_posix()
    return " ".join(f"![{s.label}: {s.value}]({relative}/{s.name}.svg)" for s in specs)


def replace_block(text: str, block: str, readme: Path) -> str:
    """TEXT with the content between the markers replaced by BLOCK."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start or text.count(START) != 1 or text.count(END) != 1:
        raise BadgeError(f"{readme}: expected one {START} ... {END} block where the badges go")
    return f"{text[:start + len(START)]}\n{block}\n{text[end:]}"


def planned_files(root: Path, config: BadgesConfig, reports: str) -> dict[Path, str]:
    """Every file the badges command owns, with the text it should have.

    REPORTS is the gate's reports directory, where its quality.json holds the figures.
    """
    badge_dir, readme = root / config.dir, root / config.readme
    quality_path = root / reports / QUALITY_NAME
    try:
        quality = json.loads(quality_path.read_text(encoding="utf-8"))
    except OSError:
        raise BadgeError(f"{quality_path} is missing: run `ml-test-score gate` first") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadgeError(f"{quality_path}: not a JSON document; rerun the gate") from None
    specs = badge_specs(quality)
    try:
        readme_text = readme.read_text(encoding="utf-8")
    except OSError:
        raise BadgeError(f"{readme} is missing: the badges go into its {START} block") from None
    files = {badge_dir / f"{spec.name}.svg": render_svg(spec) for spec in specs}
    files[readme] = replace_block(readme_text, readme_block(specs, readme, badge_dir), readme)
    return files


def stale_files(files: dict[Path, str]) -> list[Path]:
    """The planned files whose content on disk differs (or that do not exist)."""
    return [path for path, text in files.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when up to date (or updated), 1 when --check finds stale files, 2 on errors."""
    parser = argparse.ArgumentParser(
        prog="ml-test-score badges",
        description="Draw the ML Test Score, coverage and pylint badges from quality.json and "
                    "rewrite the README badge block.")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a badge or the README block is stale")
    add_root_option(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        root = project_root(args.root)
        config = load(root / PYPROJECT)
        files = planned_files(root, config.badges, config.gates.reports)
    except (ConfigError, BadgeError) as exc:
        print(f"ml-test-score badges: error: {exc}", file=sys.stderr)
        return 2
    stale = stale_files(files)
    names = ", ".join(str(path.relative_to(root)) for path in stale)
    if args.check:
        if stale:
            print(f"badges: stale: {names}; run `ml-test-score badges`", file=sys.stderr)
            return 1
        print("badges: up to date")
        return 0
    for path in stale:
        write_atomic(path, files[path])
    print(f"badges: updated {names}" if stale else "badges: up to date")
    return 0
