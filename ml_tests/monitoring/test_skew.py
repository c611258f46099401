"""Monitor 3: training and serving are not skewed.

Serving runs the loaded model's steps on micro-batches of whatever requests arrive together and
logs, per review, the text after the model's PII step, its feature row and its probability.
`monitor skew --log` recomputes every logged review through the training path of the version
that answered it (that version's Pipeline, fetched from the registry, on the logged text, as one
batch) and compares features and probabilities within `monitoring.skew_tolerance`. Recomputing
from the logged text is faithful only when that text is what the model's own PII step produces,
so the check verifies that too, and the suite checks it against the raw reviews it sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_tests.support.traffic import edited_copy
from pipeline.registry import LocalRegistry
from pipeline.serving.logreader import read_log
from pipeline.serving.predlog import encode_line
from pipeline.serving.served import masked_texts


@pytest.mark.rubric("monitoring", 3)
def test_served_log_matches_the_training_path(served_traffic, run_monitor, record) -> None:
    """Every review the server answered, recomputed through the served version's Pipeline,
    has the logged features and probability, within the configured tolerance.

    Red when serving computes features differently from training (a serving-side transform, a
    preprocessing step that depends on the batch, a loader that changes a setting, a vectoriser
    other than the trained one) or logs something other than what it answered.
    """
    code, report = run_monitor("skew", "--log", served_traffic.log_dir,
                               "--registry", served_traffic.registry)
    record("skew", report)
    assert (code, report["alert"]) == (0, False), (report.get("message"), report["examples"])
    assert report["recomputed"] == report["reviews"] == served_traffic.sent.reviews
    assert report["versions"] == [served_traffic.version]


@pytest.mark.rubric("monitoring", 3)
def test_logged_text_is_what_the_served_models_pii_step_made(served_traffic) -> None:
    """The review each log line holds is the served model's own PII step applied to the raw
    review that request sent, so recomputing from the log sees what serving saw.

    Red when the server logs the raw text, text masked by other code than the model's, or the
    review of another request or position.
    """
    model, _ = LocalRegistry(served_traffic.registry).load(served_traffic.version)
    logged = {(r["request_id"], r["index"]): r["review"]
              for r in read_log(str(served_traffic.log_dir)).records}
    expected = {(request_id, index): text
                for request_id, texts in served_traffic.sent.requests.items()
                for index, text in enumerate(masked_texts(model, texts))}
    assert logged == expected


@pytest.mark.rubric("monitoring", 3)
def test_skew_check_sees_one_perturbed_line(served_traffic, run_monitor, tmp_path: Path) -> None:
    """Checks the checker on a copy of the served log: one feature value, one probability and
    one review text changed, each in another line, are three mismatches of their kind.

    Red when the comparison stops looking at features, probabilities or the logged text.
    """
    def perturbed(records):
        feature_line = next(r for r in records if r["features"]["values"])
        others = [r for r in records if r is not feature_line]
        probability_line = others[0]
        text_line = next(r for r in others[1:] if r["review"] != r["review"].upper())
        feature_line["features"]["values"][0] += 1e-6
        probability_line["probability"] += 1e-6 if probability_line["probability"] < 0.5 else -1e-6
        text_line["review"] = text_line["review"].upper()
        return [encode_line(r) for r in records]

    log = edited_copy(served_traffic.log_dir, tmp_path / "log", perturbed)
    code, report = run_monitor("skew", "--log", log, "--registry", served_traffic.registry)
    assert code == 1 and report["alert"]
    assert (report["feature_mismatches"], report["prediction_mismatches"],
            report["unfaithful_texts"]) == (1, 1, 1), report["message"]
