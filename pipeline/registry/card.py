"""The model card (README.md) stored with every version, in the Hugging Face Hub's format.

It lets someone judge a model without loading it, on the Hub page or next to a local copy. What
the card says about this particular model (task, data, intended use, limitations) lives in
`card_template.md`; here only what every package's metadata holds is turned into template
variables: `metadata`, `versions`, `metric_rows`, `param_rows` and the YAML `card_data`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

CARD_NAME = "README.md"
CARD_TEMPLATE = Path(__file__).with_name("card_template.md")


def model_card(metadata: dict[str, Any]) -> str:
    """The card of the package `metadata` describes, its front matter checked by the Hub client."""
    # huggingface_hub is imported when a card is written, not when the registry is (load_model).
    from huggingface_hub import ModelCard, ModelCardData  # pylint: disable=import-outside-toplevel

    metrics = _scalars(metadata.get("metrics") or {})
    card = ModelCard.from_template(
        ModelCardData(metrics=sorted(name for name, value in metrics.items()
                                     if isinstance(value, float))),
        template_path=str(CARD_TEMPLATE),
        metadata=metadata,
        versions=metadata.get("versions") or {},
        metric_rows=[(name, format_metric(value)) for name, value in sorted(metrics.items())],
        param_rows=list(_flatten(metadata.get("params") or {})),
    )
    return f"{card.content.rstrip()}\n"


def format_metric(value: Any) -> str:
    """A metric as the card and `registry list` show it: four decimals for a score."""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _scalars(metrics: dict[str, Any]) -> dict[str, int | float]:
    """Numbers only: a confusion matrix belongs in the reports, not in a one-line summary."""
    return {name: value for name, value in metrics.items()
            if isinstance(value, int | float) and not isinstance(value, bool)}


def _flatten(params: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key in sorted(params):
        value = params[key]
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
