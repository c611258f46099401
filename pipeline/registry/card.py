"""The model card (README.md) stored with every version, in the Hugging Face Hub's format.

It lets someone judge a model without loading it, on the Hub page or next to a local copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CARD_NAME = "README.md"


def model_card(metadata: dict[str, Any]) -> str:
    """A README.md that lets someone judge the model without loading it (Hub model card format)."""
    metrics = _scalars(metadata.get("metrics") or {})
    scores = sorted(name for name, value in metrics.items() if isinstance(value, float))
    versions = metadata.get("versions") or {}
    metric_rows = "\n".join(f"| {name} | {format_metric(value)} |"
                            for name, value in sorted(metrics.items()))
    param_rows = "\n".join(f"| `{key}` | `{value}` |"
                           for key, value in _flatten(metadata.get("params") or {}))
    return f"""---
library_name: sklearn
license: mit
tags:
- text-classification
- sentiment-analysis
- skops
metrics: [{", ".join(scores)}]
---

# Restaurant-review sentiment classifier, version `{metadata['version']}`

A scikit-learn text classifier that labels a short English restaurant review as liked (1) or
not liked (0). The artifact `{metadata['artifact']}` is a skops file: loading it runs no code, and
it is loaded only after its sha256 matches the one below.

## Model details

| field | value |
|---|---|
| version | `{metadata['version']}` |
| artifact | `{metadata['artifact']}` |
| artifact sha256 | `{metadata['sha256']}` |
| created (UTC) | {metadata.get('created_at', 'unknown')} |
| python | {versions.get('python', 'unknown')} |
| scikit-learn | {versions.get('scikit-learn', 'unknown')} |
| project | {versions.get('project', 'unknown')} |

## Evaluation

Measured on the held-out test split of the labelled reviews (never seen in training).

| metric | value |
|---|---|
{metric_rows or "| (none recorded) | |"}

## Training data

Restaurant reviews with binary labels; sha256 of the training file:
`{metadata.get('data_sha256', 'unknown')}`.

## Parameters

| parameter | value |
|---|---|
{param_rows or "| (none recorded) | |"}

## Intended use

Ranking or triaging restaurant reviews by sentiment, with a person reviewing decisions that
matter. The label comes with a probability; treat values near 0.5 as uncertain.

## Limitations

- Trained on about a thousand short English restaurant reviews: other domains, languages,
  long texts, sarcasm and mixed opinions are out of scope and will be labelled unreliably.
- A bag-of-words model: it sees words and short phrases, not meaning; negation is handled only
  within a phrase.
- Reviews are not a representative sample of customers; errors may differ between groups of
  writers. Monitor live accuracy and input drift before relying on it.

## How to load

```python
from pipeline.registry import load_model

model, metadata = load_model("{metadata['version']}")  # verifies the sha256 before loading
```
"""


def _scalars(metrics: dict[str, Any]) -> dict[str, int | float]:
    """Numbers only: a confusion matrix belongs in the reports, not in a one-line summary."""
    return {name: value for name, value in metrics.items()
            if isinstance(value, int | float) and not isinstance(value, bool)}


def format_metric(value: Any) -> str:
    """A metric as the card and `registry list` show it: four decimals for a score."""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _flatten(params: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key in sorted(params):
        value = params[key]
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
