"""Monitor 5: no input makes the model emit NaN or infinity.

A NaN probability compares false with every threshold, so it turns silently into a label
downstream. The inputs here are those a public text box receives; the suite adds generated
ones (Hypothesis) and checks that training on degenerate data fails loudly instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MILLION = 1_000_000
HOSTILE_INPUTS: dict[str, str] = {
    "empty": "",
    "whitespace": " \t \n ",
    "very_long": "The food was good but the service was slow. " * 2000,
    "emoji": "\U0001f600\U0001f355\U0001f44d\U0001f525\u2764\ufe0f",
    "other_scripts": ("\u3068\u3066\u3082\u7f8e\u5473\u3057\u3044 "
                      "\u043e\u0447\u0435\u043d\u044c \u0432\u043a\u0443\u0441\u043d\u043e "
                      "\u0637\u0639\u0627\u0645 \u0644\u0630\u064a\u0630"),
    "stop_words_only": "the and of to a in it was is at",
    "control_characters": "\x00\x01\x07\x1b[31m\x7f\u200b\ufeff",
    "punctuation_only": "!!! ??? ... ,,,",
    "million_characters": ("not bad at all! " * (MILLION // 16 + 1))[:MILLION],
}


def _decision_values(model: Any, texts: list[str]) -> np.ndarray | None:
    """Decision-function values where the classifier has one (not every family does)."""
    if not hasattr(model[-1], "decision_function"):
        return None
    return np.asarray(model.decision_function(texts), dtype=float)


def _number(value: Any) -> float | str:
    """A float for JSON, or its name ("nan", "inf") when not finite (JSON has no NaN)."""
    value = float(value)
    return value if np.isfinite(value) else str(value)


def check_stability(model: Any, inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """Alert on any non-finite output or probabilities outside [0, 1] / not summing to one."""
    inputs = HOSTILE_INPUTS if inputs is None else inputs
    unstable: dict[str, list[str]] = {}
    figures: dict[str, dict[str, Any]] = {}
    for name, text in inputs.items():
        probability = np.asarray(model.predict_proba([text]), dtype=float)
        decision = _decision_values(model, [text])
        problems = []
        if not np.all(np.isfinite(probability)):
            problems.append("non-finite probability")
        elif np.any(probability < 0) or np.any(probability > 1) or not np.allclose(
                probability.sum(axis=1), 1.0):
            problems.append("probabilities outside [0, 1] or not summing to 1")
        if decision is not None and not np.all(np.isfinite(decision)):
            problems.append("non-finite decision value")
        if problems:
            unstable[name] = problems
        figures[name] = {
            "chars": len(text),
            "positive_probability": _number(probability[0, -1]),
            "decision": None if decision is None else _number(decision.ravel()[0]),
        }
    return {
        "alert": bool(unstable),
        "message": (f"unstable outputs for {', '.join(sorted(unstable))}" if unstable
                    else f"finite, valid outputs for all {len(inputs)} hostile inputs"),
        "inputs": figures,
        "unstable": unstable,
    }
