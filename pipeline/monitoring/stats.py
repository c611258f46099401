"""The few statistics the monitoring checks share, in plain math (no scipy import)."""

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


def normal_cdf(z: float) -> float:
    """P(Z <= z) of a standard normal: the one-sided p-value of a z below zero."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def kolmogorov_sf(x: float, terms: int = 100) -> float:
    """P(K > x) of the Kolmogorov distribution (the limit of sqrt(n) times a KS distance)."""
    if x <= 0.0:
        return 1.0
    total = sum((-1) ** (k - 1) * math.exp(-2.0 * (k * x) ** 2) for k in range(1, terms + 1))
    return min(1.0, max(0.0, 2.0 * total))


def ks_two_sample(sample_a: list[float], sample_b: list[float]) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov test: (largest distance of the two empirical CDFs, its
    asymptotic two-sided p-value). Ties are handled: both CDFs are compared after each value."""
    if not sample_a or not sample_b:
        raise ValueError("both samples need at least one observation")
    a, b = sorted(sample_a), sorted(sample_b)
    i = j = 0
    distance = 0.0
    while i < len(a) and j < len(b):
        value = min(a[i], b[j])
        while i < len(a) and a[i] == value:
            i += 1
        while j < len(b) and b[j] == value:
            j += 1
        distance = max(distance, abs(i / len(a) - j / len(b)))
    effective = len(a) * len(b) / (len(a) + len(b))
    return distance, kolmogorov_sf(math.sqrt(effective) * distance)
