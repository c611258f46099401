"""The model card: a Hub model card whose front matter and tables come from the metadata."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import ModelCard

from pipeline.artifact import read_metadata
from pipeline.registry.card import format_metric, model_card


def test_the_card_carries_the_metadata_in_hub_format(packages: list[Path]) -> None:
    metadata = read_metadata(packages[1])
    text = model_card(metadata)
    card = ModelCard(text)
    assert card.data.library_name == "sklearn" and card.data.license == "mit"
    assert card.data.metrics == ["accuracy", "f1"]
    for fact in (f"version `{metadata['version']}`", f"`{metadata['sha256']}`",
                 f"`{metadata['data_sha256']}`", "| f1 | 0.8820 |", "| `model.C` | `2.0` |",
                 f"| python | {metadata['versions']['python']} |", "## Intended use",
                 "## Limitations", f'load_model("{metadata["version"]}")'):
        assert fact in text, fact
    assert text.endswith("```\n")


def test_a_card_without_metrics_or_params_says_so() -> None:
    text = model_card({"version": "abc", "artifact": "model.skops", "sha256": "0" * 64})
    assert ModelCard(text).data.metrics == []
    assert text.count("| (none recorded) | |") == 2
    assert "| created (UTC) | unknown |" in text and "| scikit-learn | unknown |" in text


def test_scores_have_four_decimals_and_counts_none() -> None:
    assert [format_metric(0.5), format_metric(12)] == ["0.5000", "12"]
