"""Personal data for the privacy tests: generated e-mails, phone numbers and URLs, and the
bundled list of person names.

Every generated piece is built from random nonsense words (e.g. "qovilak"), so finding one in a
vocabulary or an artifact can only mean the personal data leaked.
"""

from __future__ import annotations

import random
import re

from hypothesis import strategies as st

from pipeline.features import FIRST_NAMES_FILE

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def nonsense(rng: random.Random) -> str:
    """A word that occurs in no review."""
    return "q" + "".join(rng.choice(_LETTERS) for _ in range(7))


def email(rng: random.Random) -> str:
    return f"{nonsense(rng)}.{nonsense(rng)}{rng.randint(1, 99)}@{nonsense(rng)}.com"


def phone(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(9))
    return rng.choice([f"+31 6 {digits[:4]} {digits[4:8]}", f"({digits[:3]}) {digits[3:6]}-"
                       f"{digits[6:9]}1", f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}2",
                       f"06{digits[:8]}"])


def url(rng: random.Random) -> str:
    return rng.choice([f"https://www.{nonsense(rng)}.com/{nonsense(rng)}?id={rng.randint(1, 999)}",
                       f"www.{nonsense(rng)}.nl/{nonsense(rng)}",
                       f"http://{nonsense(rng)}.org"])


KINDS = {"email": email, "phone": phone, "url": url}


def pii_strategy():
    """Hypothesis strategy of (kind, value) pairs."""
    return st.tuples(st.sampled_from(sorted(KINDS)), st.integers(0, 2**32)).map(
        lambda pair: (pair[0], KINDS[pair[0]](random.Random(pair[1]))))


def fragments(value: str) -> set[str]:
    """The word-like pieces of a value that must never become (part of) a feature."""
    return {piece.lower() for piece in re.findall(r"[^\W_]+", value)
            if piece.startswith("q") or piece.isdigit() and len(piece) >= 3}


def listed_names() -> frozenset[str]:
    """The person names the pipeline promises to mask, read from the bundled file itself (not
    from the module constant a defect could empty)."""
    return frozenset(FIRST_NAMES_FILE.read_text(encoding="utf-8").split())


def words(text: str) -> set[str]:
    """The lowercased words of a text, as masking and tokenising split them."""
    return {word.lower() for word in re.findall(r"[^\W_]+", text)}
