"""Named slices of reviews that matter for a restaurant-sentiment model (Model 6).

Each slice is a predicate over the raw review text (or its label), so it can be applied to any
labelled set. Word lists are deliberately plain: a reviewer should be able to read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORD = re.compile(r"[a-z']+")
NEGATION = re.compile(r"\b(not|no|never|nothing|none|nor|neither|nobody|without|cannot)\b|n't\b")
SERVICE = re.compile(r"\b(service|server|servers|waiter|waiters|waitress|waitresses|staff|"
                     r"manager|host|hostess|bartender|employees?|attentive|rude|friendly)\b")
FOOD = re.compile(r"\b(food|taste|tasted|tasty|flavou?r|flavou?rful|dish|dishes|meal|steak|"
                  r"chicken|pizza|burger|sushi|salad|fries|meat|fish|dessert|bread|soup|sauce|"
                  r"pasta|bland|delicious)\b")
PRICE = re.compile(r"\b(price|prices|priced|pricey|cheap|expensive|overpriced|value|money|"
                   r"worth|\$\d*)")

SHORT_WORDS = 6
LONG_WORDS = 15


def _words(text: str) -> int:
    return len(WORD.findall(text.lower()))


SLICES: dict[str, Callable[[str, int], bool]] = {
    "negation": lambda text, _: bool(NEGATION.search(text.lower())),
    "no_negation": lambda text, _: not NEGATION.search(text.lower()),
    f"short (<= {SHORT_WORDS} words)": lambda text, _: _words(text) <= SHORT_WORDS,
    f"long (>= {LONG_WORDS} words)": lambda text, _: _words(text) >= LONG_WORDS,
    "service": lambda text, _: bool(SERVICE.search(text.lower())),
    "food": lambda text, _: bool(FOOD.search(text.lower())),
    "price": lambda text, _: bool(PRICE.search(text.lower())),
    "exclamation": lambda text, _: "!" in text,
    "positive label": lambda _, label: label == 1,
    "negative label": lambda _, label: label == 0,
}
