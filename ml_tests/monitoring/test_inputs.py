"""Monitor 2: data invariants hold for serving inputs.

`monitor inputs --log` reads the reviews the server logged (after the served model's own PII
step), applies the training schema's row rules to each, and compares their distribution with
held-out training reviews put through the same step: review length (two-sample KS), the share
of tokens the served vocabulary knows, and reviews it does not reach at all (one-sided z-tests),
each at `monitoring.input_alpha`. Batch files keep the schema's two layers (row rules, then the
Great Expectations suite), and nothing of a flagged batch is scored.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from ml_tests.support.traffic import edited_copy
from pipeline.config import Config
from pipeline.data.reviews import Reviews, format_reviews
from pipeline.monitoring import inputs
from pipeline.serving.predlog import encode_line

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
def test_served_inputs_match_the_training_schema_and_distribution(served_traffic, config: Config,
                                                                  run_monitor, record) -> None:
    """Every review the server answered is in the log, passes the row rules, and its length,
    vocabulary coverage and share of reviews without a known token are those of held-out
    training reviews (no test below `monitoring.input_alpha`).

    Red when the serving inputs stop looking like the training data: text arriving encoded or
    mangled upstream, a PII step or vocabulary that no longer fits the reviews, reviews
    truncated or padded, or a log that lost or emptied reviews.
    """
    code, report = run_monitor("inputs", "--log", served_traffic.log_dir,
                               "--registry", served_traffic.registry)
    record("inputs", report)
    assert (code, report["alert"]) == (0, False), report.get("message")
    result = report["versions"][served_traffic.version]
    assert result["rows"] == served_traffic.sent.reviews and result["row_violations"] == 0
    assert all(test["p_value"] >= config.monitoring.input_alpha
               for test in result["tests"].values()), result["tests"]


@pytest.mark.rubric("monitoring", 2)
def test_logged_inputs_that_break_the_schema_are_flagged(served_traffic, run_monitor,
                                                         tmp_path: Path) -> None:
    """Checks the checker on copies of the served log: one review emptied is a row-rule alert
    naming its request; every review percent-encoded (an upstream that URL-encodes its form
    data) is a coverage alert.

    Red when the row rules or the coverage test stop looking at the logged reviews.
    """
    def emptied(records):
        records[0]["review"] = " "
        return [encode_line(r) for r in records]

    def encoded(records):
        return [encode_line({**r, "review": urllib.parse.quote(r["review"])}) for r in records]

    first = edited_copy(served_traffic.log_dir, tmp_path / "emptied", emptied)
    code, report = run_monitor("inputs", "--log", first, "--registry", served_traffic.registry)
    result = report["versions"][served_traffic.version]
    assert code == 1 and result["row_violations"] == 1
    assert "empty review" in report["message"]
    second = edited_copy(served_traffic.log_dir, tmp_path / "encoded", encoded)
    code, report = run_monitor("inputs", "--log", second, "--registry", served_traffic.registry)
    result = report["versions"][served_traffic.version]
    assert code == 1 and "coverage" in report["message"], json.dumps(result["tests"])


def test_fresh_batch_file_satisfies_the_training_schema(serving_path: Path, config: Config,
                                                        fresh) -> None:
    """The serving batch as a file passes both layers: the file check does not cry wolf.

    Red when serving data is checked against the labelled schema (the missing Liked column
    fails every row) or the suite's bounds no longer admit real reviews.
    """
    result = inputs.check_inputs(serving_path, config.schema_)
    assert not result["alert"], result["message"]
    assert result["rows"] == len(fresh.texts) and result["layer"] == "expectations"


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_batch_file_is_flagged_with_its_reason(name: str, fresh: Reviews,
                                                         tmp_path: Path, config: Config) -> None:
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


def test_monitor_inputs_scores_nothing_of_a_corrupted_batch(fresh: Reviews, tmp_path: Path,
                                                            served_traffic, serving_path,
                                                            run_monitor) -> None:
    """`monitor inputs --score` scores a valid batch with the served version and refuses a
    corrupted one (exit 1).

    Red when the command scores before (or regardless of) checking, or exits 0 on a bad batch.
    """
    served = ("--registry", served_traffic.registry)
    code, report = run_monitor("inputs", "--input", serving_path, "--score", *served)
    assert (code, report["scored"]) == (0, len(fresh.texts)), report.get("message")
    path = tmp_path / "duplicated.tsv"
    path.write_bytes(CORRUPTIONS["duplicated_batch"][0](list(fresh.texts)))
    code, report = run_monitor("inputs", "--input", path, "--score", *served)
    assert code == 1 and report["alert"] and report["scored"] == 0
    assert report["reasons"], report
