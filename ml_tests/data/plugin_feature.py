"""A feature that lives outside `pipeline/`: the Data 6 test adds it through `features.plugins`.

It stands for the code a modeller writes when trying a new feature: one function from a review's
feature text (after preprocessing) to a number, in a module of their own.
"""

from __future__ import annotations

from pipeline.features import NEGATED_PREFIX


def negated_share(text: str) -> float:
    """The share of the review's words inside a negation's scope: how much of it is denied."""
    tokens = text.split()
    if not tokens:
        return 0.0
    return sum(token.startswith(NEGATED_PREFIX) for token in tokens) / len(tokens)
