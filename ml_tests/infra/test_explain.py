"""Infra 5: the model is debuggable.

`python -m pipeline explain TEXT` shows the text after each preprocessing step, the features it
became and each feature's contribution. The decomposition is computed from the fitted parts,
so it is only right if it adds up to the decision value the model itself computes, for every
review, including models with the extra dense text statistics.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ml_tests.infra.conftest import package_for
from pipeline.errors import PipelineError
from pipeline.model import NGRAMS, feature_steps, train_model
from pipeline.serving import explain

TOLERANCE = 1e-9
EXAMPLE = "The food wasn't good at all, call me on 555-123-4567!"


def run_explain(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "pipeline", "explain", *args],
                          capture_output=True, text=True, check=False)


def reconstruction_errors(model, texts: list[str]) -> np.ndarray:
    """|explained decision - model's decision_function| per text."""
    explained = np.array([explain.explain_text(model, text).decision for text in texts])
    return np.abs(explained - model.decision_function(texts))


@pytest.mark.rubric("infra", 5)
def test_contributions_add_up_to_the_models_decision_value(trained_model, test_split, fresh,
                                                           reports_dir: Path) -> None:
    """Red when the explanation leaves out the intercept or any active feature, applies other
    coefficients than the model, or explains a different preprocessing than the model's."""
    texts = test_split.texts + fresh.texts
    errors = reconstruction_errors(trained_model, texts)
    sample = explain.explain_text(trained_model, EXAMPLE)
    manual = sample.intercept + sum(c.contribution for c in sample.contributions)
    (reports_dir / "infra_explain.json").write_text(json.dumps({
        "texts": len(texts), "max_abs_error": float(errors.max()),
        "example": {"steps": sample.steps, "decision": sample.decision,
                    "top": [c.feature for c in sample.contributions[:5]]}}, indent=2))
    assert len(texts) >= 200 and errors.max() <= TOLERANCE, (
        f"explanations miss the decision value by up to {errors.max():.3g}")
    assert abs(manual - sample.decision) <= TOLERANCE
    assert sample.steps == trained_model.named_steps["preprocess"].steps(EXAMPLE)
    vocabulary = dict(feature_steps(trained_model))[NGRAMS].vocabulary_
    known_tokens = set(sample.steps[-1][1].split()) & set(vocabulary)
    assert {c.feature.split("__", 1)[1] for c in sample.contributions} == known_tokens
    assert sample.label == int(trained_model.predict([EXAMPLE])[0])


@pytest.mark.rubric("infra", 5)
def test_explanations_cover_the_extra_text_statistics(train_split, test_split, config) -> None:
    """Red when explain only decomposes the TF-IDF part and drops dense feature columns."""
    model = train_model(train_split, config.with_overrides(
        {"features.extra": ["length", "exclamations", "negations"]}).model_spec)
    assert reconstruction_errors(model, test_split.texts).max() <= TOLERANCE
    names = {c.feature for c in explain.explain_text(model, EXAMPLE).contributions}
    assert {"stats__length", "stats__exclamations", "stats__negations"} <= names


@pytest.mark.rubric("infra", 5)
def test_explain_command_prints_steps_features_and_decision(packaged_model: Path,
                                                            trained_model) -> None:
    """Red when the command cannot load the package or its output loses the steps or the
    decision value the model computes."""
    result = run_explain(EXAMPLE, "Loved it", "--model-dir", str(packaged_model), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    first = report["explanations"][0]
    assert [name for name, _ in first["steps"]] == [
        name for name, _ in trained_model.named_steps["preprocess"].steps(EXAMPLE)]
    assert abs(first["decision"] - trained_model.decision_function([EXAMPLE])[0]) <= TOLERANCE
    human = run_explain(EXAMPLE, "--model-dir", str(packaged_model))
    assert human.returncode == 0, human.stderr
    for expected in ("mask_pii", "phonenumber", "neg_good", "intercept", "decision"):
        assert expected in human.stdout


@pytest.mark.rubric("infra", 5)
def test_a_family_without_coefficients_is_a_clear_error(train_split, test_split, config,
                                                        historic_path: Path,
                                                        tmp_path: Path) -> None:
    """Red when explain invents a decomposition for a model it cannot decompose, or crashes
    with a traceback instead of one line."""
    naive_bayes = config.with_overrides({"model.family": "multinomial_nb"})
    model = train_model(train_split, naive_bayes.model_spec)
    with pytest.raises(PipelineError, match="no per-feature coefficients"):
        explain.explain_text(model, EXAMPLE)
    directory = package_for(model, tmp_path / "nb", (train_split, test_split), naive_bayes,
                            historic_path)
    result = run_explain(EXAMPLE, "--model-dir", str(directory))
    assert result.returncode == 2
    assert "MultinomialNB" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
