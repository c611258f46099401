"""Monitor 5: no input makes the model emit NaN or infinity.

A NaN probability compares false with every threshold, so it turns silently into a label
downstream. Two views: what serving actually answered (the prediction log: NaN, infinite,
missing or out-of-range probabilities, labels that contradict them, torn lines) and the served
version's answers to the inputs a public text box receives sooner or later (HOSTILE_INPUTS).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.serving.logreader import ReadStats

EXAMPLES = 5  # inconsistent records quoted in a report; all are counted
MILLION = 1_000_000
# Inputs a public endpoint receives sooner or later, by what makes each one hostile. The canary
# refuses a candidate that fails any of them; Monitor 5 alerts when the served model does.
HOSTILE_INPUTS: dict[str, str] = {
    "empty": "",
    "whitespace": " \t \n ",
    "punctuation_only": "!!! ??? ... ,,,",
    "stop_words_only": "the and of to a in it was is at",
    "negations_only": "not not not not not never no",
    "numbers": "1234567890 3.14159 -42",
    "float_words": "NaN inf -inf None null",
    "control_characters": "\x00\x01\x07\x1b[31m\x7f\u200b\ufeff binary",
    "markup": "<script>alert('x')</script><b>good</b>",
    "sql": "'; DROP TABLE reviews; --",
    "emoji": "\U0001f600\U0001f355\U0001f44d\U0001f525\u2764\ufe0f \U0001f44e",
    "other_scripts": ("\u3068\u3066\u3082\u7f8e\u5473\u3057\u3044 "
                      "\u043e\u0447\u0435\u043d\u044c \u0432\u043a\u0443\u0441\u043d\u043e "
                      "\u0637\u0639\u0627\u0645 \u0644\u0630\u064a\u0630"),
    "combining_accents": "caf\u0065\u0301 na\u00efve r\u00e9sum\u00e9",
    "personal_data": "call me at +1 (555) 123-4567 or mail me@example.com, see http://example.com",
    "one_word_repeated": "good " * 5000,
    "one_long_token": "x" * 5000,
    "very_long": "The food was good but the service was slow. " * 2000,
    "million_characters": ("not bad at all! " * (MILLION // 16 + 1))[:MILLION],
}


def _decision_values(model: Any, texts: list[str]) -> np.ndarray | None:
    """Decision-function values where the model has one (not every family or wrapper does)."""
    if not hasattr(model, "decision_function"):
        return None
    return np.asarray(model.decision_function(texts), dtype=float)


def _number(value: Any) -> float | str:
    """A float for JSON, or its name ("nan", "inf") when not finite (JSON has no NaN)."""
    value = float(value)
    return value if np.isfinite(value) else str(value)


def output_problems(model: Any, text: str) -> list[str]:
    """Why the model's answer to one review is unusable (empty when it is usable).

    A crash, a non-finite or out-of-range probability, rows not summing to one, or a non-finite
    decision value: each would reach a client as a wrong label rather than an error.
    """
    try:
        probability = np.asarray(model.predict_proba([text]), dtype=float)
        decision = _decision_values(model, [text])
    except Exception as error:  # pylint: disable=broad-exception-caught  # any crash counts
        return [f"raised {type(error).__name__}"]
    problems = []
    if not np.all(np.isfinite(probability)):
        problems.append("non-finite probability")
    elif np.any(probability < 0) or np.any(probability > 1) or not np.allclose(
            probability.sum(axis=1), 1.0):
        problems.append("probabilities outside [0, 1] or not summing to 1")
    if decision is not None and not np.all(np.isfinite(decision)):
        problems.append("non-finite decision value")
    return problems


def check_stability(model: Any, inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """Alert on any input whose output is unusable (see `output_problems`)."""
    inputs = HOSTILE_INPUTS if inputs is None else inputs
    unstable: dict[str, list[str]] = {}
    figures: dict[str, dict[str, Any]] = {}
    for name, text in inputs.items():
        problems = output_problems(model, text)
        if problems:
            unstable[name] = problems
        figures[name] = {"chars": len(text), **_outputs(model, text)}
    return {
        "alert": bool(unstable),
        "message": (f"unstable outputs for {', '.join(sorted(unstable))}" if unstable
                    else f"finite, valid outputs for all {len(inputs)} hostile inputs"),
        "inputs": figures,
        "unstable": unstable,
    }


def _outputs(model: Any, text: str) -> dict[str, Any]:
    """The figures reported per input; none when the model cannot answer at all."""
    try:
        probability = np.asarray(model.predict_proba([text]), dtype=float)
        decision = _decision_values(model, [text])
    except Exception:  # pylint: disable=broad-exception-caught  # output_problems names it
        return {"positive_probability": None, "decision": None}
    return {"positive_probability": _number(probability[0, -1]),
            "decision": None if decision is None else _number(decision.ravel()[0])}


def check_logged_outputs(records: Sequence[dict[str, Any]], stats: ReadStats) -> dict[str, Any]:
    """Alert on any unusable output in the prediction log: a line the reader refused (a NaN,
    infinite, missing or out-of-range probability, a torn line; by reason in
    `stats.problems`), or a record whose label is not its probability's side of 0.5 (the
    threshold every answer uses, pipeline.model.predict_labels)."""
    inconsistent = [f"{record['request_id']}#{record['index']}" for record in records
                    if record["label"] != int(record["probability"] >= 0.5)]
    probabilities = [record["probability"] for record in records]
    problems = {**stats.problems}
    if inconsistent:
        problems["label not the probability's side of 0.5"] = len(inconsistent)
    described = ", ".join(f"{count} {problem}" for problem, count in sorted(problems.items()))
    return {
        "alert": bool(problems),
        "message": (f"unusable outputs in the log: {described}" if problems else
                    f"all {len(records)} logged outputs finite, in [0, 1] and consistent"),
        "records": len(records),
        "invalid_lines": stats.invalid_lines,
        "partial_lines": stats.partial_lines,
        "problems": problems,
        "inconsistent_examples": inconsistent[:EXAMPLES],
        "probability_range": [min(probabilities, default=None), max(probabilities, default=None)],
    }


def check_served_stability(models: dict[str, Any], records: Sequence[dict[str, Any]],
                           stats: ReadStats) -> dict[str, Any]:
    """The log's outputs (`check_logged_outputs`) and the hostile inputs on every version the
    log names (`check_stability`): one alert when either finds an unusable output."""
    logged = check_logged_outputs(records, stats)
    hostile = {version: check_stability(model) for version, model in sorted(models.items())}
    unstable = {version: result["unstable"] for version, result in hostile.items()
                if result["alert"]}
    messages = [logged["message"]] + [f"version {version}: {hostile[version]['message']}"
                                      for version in unstable]
    return {
        "alert": logged["alert"] or bool(unstable),
        "message": "; ".join(messages) if logged["alert"] or unstable else
                   f"{logged['message']}; finite, valid outputs for all"
                   f" {len(HOSTILE_INPUTS)} hostile inputs on {', '.join(sorted(models))}",
        "log": logged,
        "hostile": hostile,
        "unstable": unstable,
    }
