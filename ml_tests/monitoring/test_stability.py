"""Monitor 5: models are numerically stable.

`monitor stability --log` checks what serving answered (every logged probability finite, in
[0, 1], on the side of 0.5 its label says; no line the reader refused: NaN, infinite or missing
outputs, torn lines) and the served version's answers to HOSTILE_INPUTS. The hostile inputs the
server accepts are also sent to the real server, which must answer and log each one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ml_tests.support.traffic import Batch, edited_copy, send, serve_registry
from pipeline.data.reviews import Reviews
from pipeline.errors import PipelineError
from pipeline.features import STOP_WORDS
from pipeline.model import train_model
from pipeline.monitoring import stability
from pipeline.registry import LocalRegistry
from pipeline.serving.predlog import encode_line

HYPOTHESIS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def hostile_traffic(served_traffic, project_root: Path, config, tmp_path_factory):
    """The hostile inputs within the server's limits (non-empty, at most
    `serving.max_review_chars`), one per request, sent to the served version; (sent, log)."""
    accepted = [text for text in stability.HOSTILE_INPUTS.values()
                if text.strip() and len(text) <= config.serving.max_review_chars]
    log_dir = tmp_path_factory.mktemp("hostile-log")
    with serve_registry(project_root, served_traffic.registry, log_dir) as server:
        sent = send(server.url, [Batch("hostile", accepted, 1)])
    return accepted, sent, log_dir


@pytest.fixture(scope="module")
def served_model(served_traffic):
    """The served version as the registry hands it out (sha256 verified before loading)."""
    return LocalRegistry(served_traffic.registry).load(served_traffic.version)[0]


@pytest.mark.rubric("monitoring", 5)
def test_served_outputs_are_finite_and_consistent(served_traffic, run_monitor, record) -> None:
    """Every output in the served log is a finite probability in [0, 1] whose label is its side
    of 0.5, no line is torn or refused, and the served version answers every hostile input
    (empty, stop words only, emoji, other scripts, a million characters, ...) finitely.

    Red when the served model emits NaN or infinity for some input (a division by a zero
    length, a log of zero), or serving logs outputs that contradict each other.
    """
    code, report = run_monitor("stability", "--log", served_traffic.log_dir,
                               "--registry", served_traffic.registry)
    record("stability", report)
    assert (code, report["alert"]) == (0, False), report.get("message")
    assert report["log"]["records"] == served_traffic.sent.reviews
    assert set(report["hostile"][served_traffic.version]["inputs"]) == set(
        stability.HOSTILE_INPUTS)


@pytest.mark.rubric("monitoring", 5)
def test_hostile_inputs_through_the_server_are_answered_and_logged(hostile_traffic,
                                                                   served_traffic,
                                                                   run_monitor) -> None:
    """Each hostile input the server accepts gets a 200 and one log line with a finite output.

    Red when a hostile input makes the served model fail (a 500), emit a non-finite value
    (which the log writer refuses) or log an unusable output.
    """
    accepted, sent, log_dir = hostile_traffic
    assert sent.errors == [] and sent.reviews == len(accepted)
    code, report = run_monitor("stability", "--log", log_dir,
                               "--registry", served_traffic.registry)
    assert (code, report["alert"]) == (0, False), report.get("message")
    assert report["log"]["records"] == len(accepted)


@pytest.mark.rubric("monitoring", 5)
def test_stability_check_sees_unusable_lines(served_traffic, run_monitor, tmp_path: Path) -> None:
    """Checks the checker on a copy of the served log: a NaN, an infinite and an out-of-range
    probability, a label that contradicts its probability and a torn line are each counted.

    Red when the log check stops looking at any of them.
    """
    def broken(records):
        records[0]["probability"] = float("nan")
        records[1]["probability"] = float("inf")
        records[2]["probability"] = 1.5
        records[3]["label"] = 1 - records[3]["label"]
        lines = [json.dumps(r).encode() + b"\n" for r in records[:3]]
        torn = encode_line(records[4])[:-10] + b"\n"
        return lines + [encode_line(r) for r in records[3:4]] + [torn] + [
            encode_line(r) for r in records[5:]]

    log = edited_copy(served_traffic.log_dir, tmp_path / "log", broken)
    code, report = run_monitor("stability", "--log", log, "--registry", served_traffic.registry)
    assert code == 1 and report["alert"]
    assert report["log"]["problems"] == {
        "probability not finite": 2, "probability outside [0, 1]": 1,
        "not JSON (a torn or corrupted line)": 1, "label not the probability's side of 0.5": 1}


@HYPOTHESIS
@given(text=st.text(max_size=400))
def test_generated_texts_give_finite_outputs(served_model, text: str) -> None:
    """Any unicode string (Hypothesis, seeded): finite, normalised outputs of the served version.

    Red as for the hostile inputs; Hypothesis finds the odd code points a list misses.
    """
    problems = stability.output_problems(served_model, text)
    assert not problems, (text, problems)


def test_one_class_training_data_fails_clearly(train_split: Reviews, config) -> None:
    """Training on reviews of a single label raises a PipelineError naming the problem.

    Red when the trainer silently fits a degenerate model (constant or NaN outputs) instead.
    """
    negatives = [text for text, label in zip(train_split.texts, train_split.labels, strict=True)
                 if label == 0]
    with pytest.raises(PipelineError, match="both labels"):
        train_model(Reviews(negatives, [0] * len(negatives)), config.model_spec)


def test_stop_word_only_training_data_fails_clearly(config) -> None:
    """Reviews made only of stop words leave an empty vocabulary: a PipelineError, no model.

    Red when the trainer catches the failure and returns a model anyway.
    """
    words = sorted(STOP_WORDS)
    texts = [" ".join(words[i:i + 5]) for i in range(0, 60, 3)]
    labels = [i % 2 for i in range(len(texts))]
    with pytest.raises(PipelineError, match="train: cannot fit"):
        train_model(Reviews(texts, labels), config.model_spec)
