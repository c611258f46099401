"""Stage and command `validate`: reviews files against the schema.

`python -m pipeline validate --input PATH [--unlabelled]` checks one file (row-level rules, fast;
add `--expectations` for the Great Expectations suite too). Without `--input` it is the DVC stage:
the training and serving files through both layers, a report in reports/validation.json, and a
non-zero exit that stops `dvc repro` when any check fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.cli import CommandParser
from pipeline.config import DataConfig, SchemaConfig, load_config
from pipeline.data.reviews import read_reviews
from pipeline.data.sources import ROLES, raw_file
from pipeline.errors import PipelineError
from pipeline.fileio import sha256_file, write_json_atomic
from pipeline.layout import VALIDATION_REPORT


def validate_file(path: Path, labelled: bool, schema: SchemaConfig | None) -> dict[str, Any]:
    """Row-level checks, then (when a schema is given) the expectation suite; raises on
    failure."""
    reviews = read_reviews(path, labelled=labelled)
    summary: dict[str, Any] = {"rows": len(reviews.texts), "labelled": labelled}
    if schema is not None:
        # pylint: disable-next=import-outside-toplevel
        from pipeline.data.schema import (
            build_expectations,
            failed_checks,
            reviews_frame,
            validate_frame,
        )

        result = validate_frame(reviews_frame(reviews), build_expectations(schema, labelled))
        summary["expectations"] = result
        failed = failed_checks(result)
        if failed:
            raise PipelineError(f"{path}: failed expectations: {', '.join(failed)}")
    return summary


def validate_sources(data: DataConfig, schema: SchemaConfig) -> dict[str, Any]:
    """The DVC stage's work: the file of every role, labelled or not by its role."""
    report: dict[str, Any] = {}
    for role in ROLES:
        path = raw_file(data, role)
        report[getattr(data, role)] = {
            "role": role, "file": str(path), "sha256": sha256_file(path),
            **validate_file(path, role != "serving", schema)}
    return report


def main(argv: list[str]) -> int:
    """Validate one file (--input) or, as the DVC stage, every configured file."""
    parser = CommandParser(prog="python -m pipeline validate", description=__doc__)
    parser.add_argument("--input", type=Path, help="a reviews file to check")
    parser.add_argument("--unlabelled", action="store_true",
                        help="a serving batch: the single column Review")
    parser.add_argument("--expectations", action="store_true",
                        help="also run the Great Expectations suite on --input")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    if args.input is not None:
        schema = load_config(args.params).schema_ if args.expectations else None
        summary = validate_file(args.input, not args.unlabelled, schema)
        print(f"{args.input}: valid ({summary['rows']} reviews)")
        return 0
    config = load_config(args.params)
    report = validate_sources(config.data, config.schema_)
    write_json_atomic(VALIDATION_REPORT, report)
    print(f"{VALIDATION_REPORT}: " + ", ".join(f"{k} valid" for k in report))
    return 0
