"""The few statistics the monitoring checks share, in plain math (no scipy import): the tests
behind their alarms, and the smallest effect a test can show for a sample size."""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist


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


def _normal_quantile(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


def _smallest_effect(power_at: Callable[[float], float], power: float, largest: float,
                     steps: int = 60) -> float | None:
    """The smallest effect in (0, largest] whose power reaches `power`, by bisection.

    Power grows with the effect over the range searched here; None when even `largest` falls
    short (too few observations to ever reach the alarm with that power).
    """
    if largest <= 0 or power_at(largest) < power:
        return None
    low, high = 0.0, largest
    for _ in range(steps):
        middle = (low + high) / 2
        if power_at(middle) >= power:
            high = middle
        else:
            low = middle
    return high


def detectable_drop(expected: float, total: int, alpha: float, power: float) -> float | None:
    """The smallest fall of a proportion below `expected` that `total` observations show.

    The test of `one_sided_below` rejects when the observed share is below
    expected - z(1-alpha) * sqrt(expected (1 - expected) / n). If the true share is
    expected - d, that happens with probability

        power(d) = Phi((d - z(1-alpha) * sqrt(p0 q0 / n)) / sqrt(p1 q1 / n)),  p1 = p0 - d,

    and the detectable drop is the smallest d with power(d) >= `power` (None: not even a share
    of 0 would be seen that reliably). Halving it takes four times the observations.
    """
    if total <= 0:
        raise ValueError("need at least one observation")
    if not 0.0 < expected < 1.0:
        return None
    critical = _normal_quantile(1.0 - alpha) * math.sqrt(expected * (1.0 - expected) / total)

    def power_at(drop: float) -> float:
        true = expected - drop
        spread = math.sqrt(true * (1.0 - true) / total)
        if spread == 0.0:
            return 1.0 if drop > critical else 0.0
        return normal_cdf((drop - critical) / spread)

    return _smallest_effect(power_at, power, expected)


def detectable_shift(reference: float, total_reference: int, total_batch: int, alpha: float,
                     power: float) -> dict[str, float | None]:
    """The smallest fall ("down") and rise ("up") of a batch's share from a reference share
    that `two_proportion_test` finds at `alpha` with probability `power`.

    With batch share p_b = p_r + d, the pooled test rejects when |observed difference| >
    z(1-alpha/2) * sqrt(pbar (1 - pbar) (1/n_r + 1/n_b)) (pbar: the pooled share expected
    under p_b), and the observed difference has spread sqrt(p_r q_r / n_r + p_b q_b / n_b),
    so power(d) = Phi((|d| - that bound) / that spread) (the far tail is ignored); each
    direction's effect is the smallest |d| with power(d) >= `power` (None: out of reach).
    """
    if total_reference <= 0 or total_batch <= 0:
        raise ValueError("both samples need at least one observation")
    z = _normal_quantile(1.0 - alpha / 2.0)

    def power_at(shift: float) -> float:
        batch = reference + shift
        pooled = (total_reference * reference + total_batch * batch) / (
            total_reference + total_batch)
        bound = z * math.sqrt(pooled * (1.0 - pooled)
                              * (1.0 / total_reference + 1.0 / total_batch))
        spread = math.sqrt(reference * (1.0 - reference) / total_reference
                           + batch * (1.0 - batch) / total_batch)
        if spread == 0.0:
            return 1.0 if abs(shift) > bound else 0.0
        return normal_cdf((abs(shift) - bound) / spread)

    down = _smallest_effect(lambda d: power_at(-d), power, reference)
    up = _smallest_effect(power_at, power, 1.0 - reference)
    return {"down": down, "up": up}
