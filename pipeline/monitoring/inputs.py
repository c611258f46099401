"""Monitor 2: serving inputs must satisfy the schema the training data satisfies.

A batch file gets the same two layers as training data (pipeline.data.reviews row rules, then the
Great Expectations suite of pipeline.data.schema for unlabelled data), applied before anything is
scored: a corrupted batch is reported with its reason and never reaches the model. The prediction
log (what serving actually answered) gets the row rules per logged review and distribution
invariants against held-out training reviews: length, vocabulary coverage and reviews the
vocabulary does not reach at all, where a broken upstream (encoded text, another language, a
changed PII step) shows before any label arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import SchemaConfig
from pipeline.data import reviews
from pipeline.errors import PipelineError
from pipeline.model import NGRAMS, feature_steps, predict_labels
from pipeline.monitoring import stats
from pipeline.serving.served import masked_texts

EXAMPLES = 5  # row violations quoted in the message; all are counted


def check_inputs(path: str | Path, bounds: SchemaConfig) -> dict[str, Any]:
    """Row rules first (they name the line), then the table expectations (`bounds`: the
    `schema:` section of params.yaml); alert on any failure."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: serving batch not found")
    try:
        batch = reviews.read_reviews(path, labelled=False)
    except PipelineError as error:
        return {"alert": True, "message": str(error), "input": str(path), "rows": None,
                "reasons": [str(error)], "layer": "rows"}
    from pipeline.data import schema  # pylint: disable=import-outside-toplevel  # ~7 s import

    summary = schema.validate_frame(schema.reviews_frame(batch),
                                    schema.build_expectations(bounds, labelled=False),
                                    name="serving")
    failed = schema.failed_checks(summary)
    reasons = [f"{path}: failed expectation {name}" for name in failed]
    return {
        "alert": bool(failed),
        "message": "; ".join(reasons) if failed else f"{path}: {len(batch.texts)} reviews valid",
        "input": str(path),
        "rows": len(batch.texts),
        "reasons": reasons,
        "layer": "expectations",
        "expectations": summary,
    }


def score_if_valid(path: str | Path, bounds: SchemaConfig, model: Any) -> dict[str, Any]:
    """Check the batch and score it only when it passes: `scored` is 0 for a flagged batch."""
    result = check_inputs(path, bounds)
    if result["alert"]:
        return {**result, "scored": 0}
    texts = reviews.read_reviews(path, labelled=False).texts
    predicted, _ = predict_labels(model, texts)
    return {**result, "scored": len(predicted),
            "positive_rate": sum(predicted) / len(predicted)}


def vocabulary_figures(model: Any, masked: Sequence[str]) -> dict[str, int]:
    """Tokens the model's vectoriser sees in `masked` reviews (texts after its PII step), how
    many of them its vocabulary knows, and the reviews left with no known token at all."""
    steps = model.named_steps
    vectoriser = dict(feature_steps(model))[NGRAMS]
    analyse, vocabulary = vectoriser.build_analyzer(), vectoriser.vocabulary_
    tokens = known = empty = 0
    for text in steps["preprocess"].transform(list(masked)):
        analysed = analyse(text)
        hits = sum(token in vocabulary for token in analysed)
        tokens, known, empty = tokens + len(analysed), known + hits, empty + (hits == 0)
    return {"reviews": len(masked), "tokens": tokens, "known_tokens": known,
            "empty_reviews": empty}


def _row_violations(records: Sequence[dict[str, Any]], bounds: SchemaConfig) -> list[str]:
    """The training schema's row rules on each logged review (the text the model saw)."""
    problems = []
    for record in records:
        where = f"request {record['request_id']}#{record['index']}"
        review = record["review"]
        if review is None:
            problems.append(f"{where}: no review text logged")
        elif not review.strip():
            problems.append(f"{where}: empty review")
        elif not bounds.min_review_chars <= len(review) <= bounds.max_review_chars:
            problems.append(f"{where}: {len(review)} characters; the schema allows"
                            f" {bounds.min_review_chars}-{bounds.max_review_chars}")
    return problems


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def distribution_tests(served: Sequence[str], held_out: Sequence[str],
                       now: dict[str, int], before: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Length (two-sample KS), token coverage (one-sided: lower now) and reviews with no known
    token (one-sided: more now) of served vs held-out reviews, each with its p-value."""
    distance, length_p = stats.ks_two_sample([len(t) for t in served], [len(t) for t in held_out])
    coverage_z, _ = stats.two_proportion_test(before["known_tokens"], before["tokens"],
                                              now["known_tokens"], now["tokens"])
    empty_z, _ = stats.two_proportion_test(before["empty_reviews"], before["reviews"],
                                           now["empty_reviews"], now["reviews"])
    return {
        "length": {"statistic": distance, "p_value": length_p,
                   "served_mean": sum(map(len, served)) / len(served),
                   "reference_mean": sum(map(len, held_out)) / len(held_out)},
        "coverage": {"z": coverage_z, "p_value": stats.normal_cdf(coverage_z),
                     "served": _share(now["known_tokens"], now["tokens"]),
                     "reference": _share(before["known_tokens"], before["tokens"])},
        "empty_reviews": {"z": empty_z, "p_value": stats.normal_cdf(-empty_z),
                          "served": _share(now["empty_reviews"], now["reviews"]),
                          "reference": _share(before["empty_reviews"], before["reviews"])},
    }


def check_logged_inputs(records: Sequence[dict[str, Any]], model: Any,
                        reference: Sequence[str], bounds: SchemaConfig,
                        alpha: float) -> dict[str, Any]:
    """The reviews serving logged against the training schema's row rules, and their
    distribution against held-out training reviews (`reference`, raw, put through the same
    model's PII step as the log was).

    Distinct logged reviews are compared (a review scored twice is one piece of evidence):
    review length by a two-sample KS test, the share of tokens the served model's vocabulary
    knows and the share of reviews with no known token by one-sided two-proportion z-tests,
    each an alert below `alpha`. A log is not a batch file, so the batch-level expectations
    (row count, uniqueness) are left to `check_inputs` on files.
    """
    violations = _row_violations(records, bounds)
    served = sorted({record["review"] for record in records if record["review"]})
    held_out = [text for text in masked_texts(model, list(reference)) if text is not None]
    if not served or not held_out:
        raise PipelineError("inputs: no logged or reference review text to compare; the"
                            " served model has no PII step, so its log holds no text")
    now, before = vocabulary_figures(model, served), vocabulary_figures(model, held_out)
    tests = distribution_tests(served, held_out, now, before)
    shifted = sorted(name for name, test in tests.items() if test["p_value"] < alpha)
    reasons = violations[:EXAMPLES] + [
        f"{name} differs from held-out training reviews (p = {tests[name]['p_value']:.2g} <"
        f" {alpha:g})" for name in shifted]
    return {
        "alert": bool(violations or shifted),
        "message": ("; ".join(reasons) if reasons else
                    f"{len(records)} logged reviews ({len(served)} distinct) match the training"
                    f" schema and distribution (coverage {tests['coverage']['served']:.3f} vs"
                    f" {tests['coverage']['reference']:.3f})"),
        "rows": len(records),
        "distinct": len(served),
        "reference_rows": len(held_out),
        "row_violations": len(violations),
        "reasons": reasons,
        "layer": "log",
        "alpha": alpha,
        "served": now,
        "reference": before,
        "tests": tests,
    }
