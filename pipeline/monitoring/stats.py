"""The few statistics the drift and quality checks share, in plain math (no scipy import)."""

from __future__ import annotations

import math


def two_proportion_test(hits_a: int, total_a: int,
                        hits_b: int, total_b: int) -> tuple[float, float]:
    """Pooled two-proportion z-test: (z of b minus a, two-sided p-value); chi-square = z**2."""
    if total_a <= 0 or total_b <= 0:
        raise ValueError("both samples need at least one observation")
    pooled = (hits_a + hits_b) / (total_a + total_b)
    variance = pooled * (1.0 - pooled) * (1.0 / total_a + 1.0 / total_b)
    if variance == 0.0:  # both samples all hits or all misses: no evidence of a difference
        return 0.0, 1.0
    z = (hits_b / total_b - hits_a / total_a) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def one_sided_below(observed: float, expected: float, total: int) -> tuple[float, float]:
    """z and p-value of `observed` (a proportion over `total`) being below `expected` by chance."""
    if total <= 0:
        raise ValueError("need at least one observation")
    if expected in (0.0, 1.0):
        return 0.0, 1.0 if observed >= expected else 0.0
    z = (observed - expected) / math.sqrt(expected * (1.0 - expected) / total)
    return z, 0.5 * math.erfc(-z / math.sqrt(2.0))


def population_stability_index(expected: list[float], actual: list[float],
                               floor: float = 1e-4) -> float:
    """PSI between two distributions over the same bins (shares summing to 1)."""
    total = 0.0
    for share_e, share_a in zip(expected, actual, strict=True):
        share_e, share_a = max(share_e, floor), max(share_a, floor)
        total += (share_a - share_e) * math.log(share_a / share_e)
    return total
