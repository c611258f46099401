"""Monitor 2: a serving batch must satisfy the schema the training data satisfies.

The same two layers as training data (pipeline.data.reviews row rules, then the Great Expectations
suite of pipeline.data.schema for unlabelled data), applied before anything is scored: a corrupted
batch is reported with its reason and never reaches the model, so it cannot be silently scored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config import SchemaConfig
from pipeline.data import reviews
from pipeline.errors import PipelineError
from pipeline.model import predict_labels


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
