"""``ml-test-score report REPORT.json [--compare BASE.json] [--audit AUDIT.json]``.

Markdown on stdout; with an audit, the stricter figure of points whose tests proved their teeth.
"""

from __future__ import annotations

import argparse
import sys

from pytest_ml_test_score.audit import AuditError, load_audit, teeth_markdown
from pytest_ml_test_score.compare import compare_reports
from pytest_ml_test_score.render import comparison_markdown, markdown
from pytest_ml_test_score.reportfile import ReportError, load_report


def main(argv: list[str]) -> int:
    """Render a report, or what changed since a base report; bad input exits 2 with one line."""
    parser = argparse.ArgumentParser(
        prog="ml-test-score report",
        description="Render an ml_test_score.json as Markdown; with --compare, show what was "
                    "gained or lost against a base report.")
    parser.add_argument("report", metavar="REPORT.json")
    parser.add_argument("--compare", metavar="BASE.json", default=None)
    parser.add_argument("--audit", metavar="FAULT_AUDIT.json", default=None,
                        help="add the points with proven teeth from `ml-test-score audit`")
    args = parser.parse_args(argv)
    try:
        head = load_report(args.report)
        base = load_report(args.compare) if args.compare else None
        audit = load_audit(args.audit) if args.audit else None
    except (ReportError, AuditError) as exc:
        print(f"ml-test-score report: {exc}", file=sys.stderr)
        return 2
    if base is None:
        sys.stdout.write(markdown(head))
    else:
        sys.stdout.write(comparison_markdown(compare_reports(base, head)))
    if audit is not None:
        sys.stdout.write(teeth_markdown(head, audit))
    return 0
