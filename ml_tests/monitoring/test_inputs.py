"""Monitor 2: data invariants hold for serving inputs.

The serving batch goes through the same schema as training data (row rules of pipeline.data.reviews
with labelled=False, then the Great Expectations suite of pipeline.data.schema for unlabelled data).
A corrupted batch is flagged with its reason and nothing of it is scored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.data.reviews import Reviews, format_reviews
from pipeline.monitoring import inputs

# Each corruption of the fresh batch, and a word its reason must contain.
Corruption = Callable[[list[str]], bytes]


def _unlabelled(texts: list[str]) -> bytes:
    return format_reviews(Reviews(texts, None))


CORRUPTIONS: dict[str, tuple[Corruption, str]] = {
    "empty_review": (lambda t: _unlabelled(t[:10] + ["   "] + t[10:]), "line 12: empty review"),
    "extra_column": (lambda t: _unlabelled([f"{x}\t1" for x in t]).replace(
        b"Review\n", b"Review\tLiked\n", 1), "header"),
    "undecodable_bytes": (lambda t: _unlabelled(t).replace(b"\n", b"\n\xff\xfe", 3), "UTF-8"),
    "duplicated_batch": (lambda t: _unlabelled([t[0]] * len(t)), "to_be_unique(Review)"),
    "absurd_lengths": (lambda t: _unlabelled(t[:90] + ["terrible " * 2000] * 10),
                       "value_lengths_to_be_between(Review)"),
    "truncated_batch": (lambda t: _unlabelled(t[:5]), "row_count_to_be_between"),
}


@pytest.mark.rubric("monitoring", 2)
def test_fresh_batch_satisfies_the_training_schema(serving_path: Path, config: Config,
                                                   fresh, record) -> None:
    """The real serving batch passes both layers: the check does not cry wolf.

    Red when serving data is checked against the labelled schema (the missing Liked column
    fails every row) or the suite's bounds no longer admit real reviews.
    """
    result = inputs.check_inputs(serving_path, config.schema_)
    record("inputs", result)
    assert not result["alert"], result["message"]
    assert result["rows"] == len(fresh.texts) and result["layer"] == "expectations"


@pytest.mark.rubric("monitoring", 2)
@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_batch_is_flagged_with_its_reason(name: str, fresh: Reviews, tmp_path: Path,
                                                    config: Config) -> None:
    """Empty reviews, an extra column, undecodable bytes, duplicates, absurd lengths, a
    truncated batch: each is an alert whose reason names what broke.

    Red when a layer is skipped (e.g. the expectation suite is not run on serving data: the
    duplicated, absurd-length and truncated batches then pass) or a row rule is relaxed.
    """
    corrupt, reason = CORRUPTIONS[name]
    path = tmp_path / f"{name}.tsv"
    path.write_bytes(corrupt(list(fresh.texts)))
    result = inputs.check_inputs(path, config.schema_)
    assert result["alert"], f"{name} was not flagged"
    assert reason in result["message"], result["message"]


@pytest.mark.rubric("monitoring", 2)
def test_monitor_inputs_scores_nothing_of_a_corrupted_batch(fresh: Reviews, tmp_path: Path,
                                                            packaged_model: Path, serving_path,
                                                            run_monitor) -> None:
    """`monitor inputs --score` scores a valid batch and refuses a corrupted one (exit 1).

    Red when the command scores before (or regardless of) checking, or exits 0 on a bad batch.
    """
    code, report = run_monitor("inputs", "--input", serving_path, "--score",
                               "--model-dir", packaged_model)
    assert (code, report["scored"]) == (0, 100), report.get("message")
    path = tmp_path / "duplicated.tsv"
    path.write_bytes(CORRUPTIONS["duplicated_batch"][0](list(fresh.texts)))
    code, report = run_monitor("inputs", "--input", path, "--score", "--model-dir", packaged_model)
    assert code == 1 and report["alert"] and report["scored"] == 0
    assert report["reasons"], report
