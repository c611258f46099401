"""The Great Expectations suite over raw reviews: the statistical half of the data schema.

Row-level rules (header, field count, labels, empty text) are enforced by `reviews`, which
names the exact line. This suite checks what only the whole table shows: row counts, lengths,
label balance, uniqueness. Great Expectations is imported only when a suite runs (about 7 s).
"""

from __future__ import annotations

from typing import Any

from pipeline.config import SchemaConfig
from pipeline.data.reviews import LABEL, TEXT, Reviews


def reviews_frame(reviews: Reviews):
    """The reviews as a DataFrame with the file's column names."""
    import pandas as pd  # pylint: disable=import-outside-toplevel

    columns: dict[str, Any] = {TEXT: reviews.texts}
    if reviews.labels is not None:
        columns[LABEL] = reviews.labels
    return pd.DataFrame(columns)


def build_expectations(schema: SchemaConfig, labelled: bool) -> list:
    """The expectations of the raw-review schema, bounds taken from `schema` in params.yaml."""
    import great_expectations as gx  # pylint: disable=import-outside-toplevel

    expect = gx.expectations
    columns = [TEXT, LABEL] if labelled else [TEXT]
    expectations = [
        expect.ExpectTableColumnsToMatchOrderedList(column_list=columns),
        expect.ExpectTableRowCountToBeBetween(min_value=schema.min_rows,
                                              max_value=schema.max_rows),
        expect.ExpectColumnValuesToNotBeNull(column=TEXT),
        expect.ExpectColumnValueLengthsToBeBetween(column=TEXT,
                                                   min_value=schema.min_review_chars,
                                                   max_value=schema.max_review_chars),
        expect.ExpectColumnValuesToBeUnique(column=TEXT, mostly=schema.min_unique_share),
    ]
    if labelled:
        expectations += [
            expect.ExpectColumnValuesToNotBeNull(column=LABEL),
            expect.ExpectColumnValuesToBeInSet(column=LABEL, value_set=[0, 1]),
            expect.ExpectColumnMeanToBeBetween(column=LABEL,
                                               min_value=schema.min_positive_share,
                                               max_value=schema.max_positive_share),
        ]
    return expectations


def validate_frame(frame, expectations: list, name: str = "reviews") -> dict[str, Any]:
    """Run expectations over a DataFrame in an ephemeral context (nothing written, no network).

    Returns a JSON-ready summary: overall success and, per expectation, its type, column and
    outcome, so that a failure says which expectation caught it.
    """
    import great_expectations as gx  # pylint: disable=import-outside-toplevel

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (context.data_sources.add_pandas(name)
             .add_dataframe_asset(name)
             .add_batch_definition_whole_dataframe(name)
             .get_batch(batch_parameters={"dataframe": frame}))
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    result = batch.validate(suite)
    checks = []
    for outcome in result.results:
        config = outcome.expectation_config
        checks.append({
            "expectation": config.type,
            "column": config.kwargs.get("column"),
            "success": bool(outcome.success),
            "observed": _jsonable(outcome.result.get("observed_value")),
            "unexpected_count": outcome.result.get("unexpected_count"),
        })
    checks.sort(key=lambda check: (check["expectation"], check["column"] or ""))
    return {"success": bool(result.success), "checks": checks}


def failed_checks(summary: dict[str, Any]) -> list[str]:
    """Names of the expectations that failed, e.g. `expect_column_values_to_be_in_set(Liked)`."""
    return [f"{check['expectation']}({check['column'] or 'table'})"
            for check in summary["checks"] if not check["success"]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if hasattr(value, "item"):
        return value.item()
    return value
