"""Text renderings of a schema-1 report: terminal summary, JSON bytes and Markdown.

Everything is derived from the report dict alone, so that a report read back from disk renders
exactly like the one the plugin just computed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_ml_test_score.catalogue import CATALOGUE, MAX_SCORE, SECTION_TITLES, SECTIONS, STATUSES

Report = Mapping[str, Any]


def to_json(report: Report) -> str:
    """Stable bytes: same run, same file (no timestamps, fixed key order)."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def fmt_points(value: float) -> str:
    """Scores are multiples of 0.5: print them as 3.5, 4.0."""
    return f"{value:.1f}"


def status_counts(section: Mapping[str, Any]) -> dict[str, int]:
    """How many of a section's items have each status."""
    counts = dict.fromkeys(STATUSES, 0)
    for item in section["items"].values():
        counts[item["status"]] += 1
    return counts


def weakest_sections(report: Report) -> list[str]:
    """The sections whose sum is the final score."""
    return [s for s in SECTIONS if report["sections"][s]["score"] == report["score"]]


def why(section: str, number: str, item: Mapping[str, Any]) -> str:
    """One line explaining the status of an item that did not earn its full point."""
    total = len(item["tests"])
    status = item["status"]
    if status == "failed":
        failing = item.get("failing") or []
        named = f": {', '.join(failing)}" if failing else ""
        return f"{item['failed']} of {total} test(s) failed or errored{named}"
    if status == "manual":
        evidence = item.get("evidence") or {}
        return (f"executed by hand on {evidence.get('date', '?')}, results in "
                f"{evidence.get('results', '?')}")
    if status == "skipped":
        return f"none of its {total} test(s) ran to a pass (skipped, xfailed or deselected)"
    if status == "missing":
        return f'no test marked rubric("{section}", {number})'
    return f"{item['passed']} of {total} test(s) passed"


def completeness_line(report: Report) -> str:
    """Whether the run selected tests of all four sections and ran them all."""
    if report["complete"]:
        return "complete run (tests of all four sections selected)"
    return ("INCOMPLETE run: not every section had tests selected and run, so this is not the "
            "project's score")


def terminal_lines(report: Report) -> list[str]:
    """The compact table printed in pytest's terminal summary."""
    lines = [
        f"Final score: {fmt_points(report['score'])} / {report['max']} "
        f"(weakest: {', '.join(SECTION_TITLES[s] for s in weakest_sections(report))}); "
        f"{completeness_line(report)}",
        report["interpretation"],
        f"{'section':<16}{'score':>7}  " + " ".join(f"{s:>9}" for s in STATUSES),
    ]
    for section in SECTIONS:
        body = report["sections"][section]
        counts = status_counts(body)
        lines.append(f"{SECTION_TITLES[section]:<16}{fmt_points(body['score']):>7}  "
                     + " ".join(f"{counts[s]:>9}" for s in STATUSES))
    for section in SECTIONS:
        items = report["sections"][section]["items"]
        if all(item["status"] == "skipped" for item in items.values()):
            tests = len({test for item in items.values() for test in item["tests"]})
            lines.append(f"  {SECTION_TITLES[section] + ' 1-7':<17} skipped  none of the "
                         f"section's {tests} test(s) ran to a pass (skipped, xfailed or "
                         "deselected)")
            continue
        for number, item in items.items():
            if item["status"] != "automated":
                label = CATALOGUE[(section, int(number))].label
                lines.append(f"  {label:<17} {item['status']:<8} {item['title']} "
                             f"({why(section, number, item)})")
    lines += _manual_lines(report, prefix="  ")
    lines += _map_lines(report, prefix="  ")
    return lines


def threshold_line(score: float, threshold: float) -> tuple[bool, str]:
    """Whether SCORE reaches ``--ml-score-fail-under`` THRESHOLD, and the summary line saying so."""
    reached = score >= threshold
    line = (f"Required ML Test Score of {fmt_points(threshold)} "
            f"{'reached' if reached else 'not reached'}. Final score: {fmt_points(score)}")
    return reached, line if reached else f"FAIL {line}"


def _manual_lines(report: Report, prefix: str) -> list[str]:
    evidence = report.get("manual_evidence") or {}
    lines = [f"{prefix}manual evidence problem: {p}" for p in evidence.get("problems", [])]
    lines += [f"{prefix}manual evidence {n}" for n in evidence.get("unused", [])]
    return lines


def _map_lines(report: Report, prefix: str) -> list[str]:
    unmatched = (report.get("map") or {}).get("unmatched", [])
    return [f"{prefix}ml_score_map: pattern {pattern!r} matched no collected test"
            for pattern in unmatched]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(report: Report) -> str:
    """A report fit for a pull-request comment."""
    out = [
        f"## ML Test Score: {fmt_points(report['score'])} / {report['max']}",
        "",
        f"> {report['interpretation']}",
        "",
        f"Final score = minimum of the four section scores; {completeness_line(report)}.",
        "",
        "| Section | Score | " + " | ".join(s.capitalize() for s in STATUSES) + " |",
        "|---|---:|" + "---:|" * len(STATUSES),
    ]
    for section in SECTIONS:
        body = report["sections"][section]
        counts = status_counts(body)
        out.append(f"| {SECTION_TITLES[section]} | {fmt_points(body['score'])} / {MAX_SCORE} | "
                   + " | ".join(str(counts[s]) for s in STATUSES) + " |")
    for section in SECTIONS:
        body = report["sections"][section]
        out += ["", f"### {SECTION_TITLES[section]}: {fmt_points(body['score'])} / {MAX_SCORE}",
                "", "| # | Item | Status | Points | Tests |", "|---:|---|---|---:|---|"]
        for number, item in body["items"].items():
            tests = "<br>".join(f"`{_md_escape(t)}`" for t in item["tests"]) or "none"
            detail = "" if item["status"] == "automated" else f"<br>{why(section, number, item)}"
            out.append(f"| {number} | {_md_escape(item['title'])} | {item['status']}"
                       f"{_md_escape(detail)} | {fmt_points(item['points'])} | {tests} |")
    manual = _manual_lines(report, prefix="- ")
    if manual:
        out += ["", "### Manual evidence", "", *manual]
    mapped = _map_lines(report, prefix="- ")
    if mapped:
        out += ["", "### Test map", "", *(_md_escape(line) for line in mapped)]
    return "\n".join(out) + "\n"


def comparison_markdown(diff: Mapping[str, Any]) -> str:
    """Render ``compare.compare_reports`` output: what was gained or lost."""
    score = diff["score"]
    out = [
        f"## ML Test Score: {fmt_points(score['head'])} / {MAX_SCORE} "
        f"({_signed(score['delta'])} from {fmt_points(score['base'])})",
        "",
        "| Section | Base | Head | Change |",
        "|---|---:|---:|---:|",
    ]
    for section, change in diff["sections"].items():
        out.append(f"| {SECTION_TITLES[section]} | {fmt_points(change['base'])} | "
                   f"{fmt_points(change['head'])} | {_signed(change['delta'])} |")
    out.append("")
    if diff["items"]:
        out += ["| Item | Title | Base | Head | Points |", "|---|---|---|---|---:|"]
        for change in diff["items"]:
            label = CATALOGUE[(change["section"], change["item"])].label
            out.append(f"| {label} | {_md_escape(change['title'])} | {change['base_status']} | "
                       f"{change['head_status']} | {_signed(change['delta'])} |")
    else:
        out.append("No item changed status.")
    if diff["complete"]["base"] != diff["complete"]["head"]:
        out += ["", f"Run completeness changed: base complete={diff['complete']['base']}, "
                    f"head complete={diff['complete']['head']}."]
    return "\n".join(out) + "\n"


def _signed(value: float) -> str:
    return f"{value:+.1f}"
