"""The monitoring checks' statistics against scipy's reference implementations."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from pipeline.monitoring.stats import (
    detectable_drop,
    detectable_shift,
    kolmogorov_sf,
    ks_two_sample,
    normal_cdf,
    one_sided_below,
    population_stability_index,
    two_proportion_test,
)


@pytest.mark.parametrize(("a", "n_a", "b", "n_b"), [(45, 100, 30, 100), (10, 50, 40, 60),
                                                    (1, 900, 0, 100)])
def test_two_proportion_test_is_the_chi_square_test_of_the_two_by_two_table(a, n_a, b, n_b):
    """Red when: the z-test drifts from the textbook test the alerts are documented as."""
    z, p = two_proportion_test(a, n_a, b, n_b)
    chi2, expected_p, _, _ = stats.chi2_contingency([[a, n_a - a], [b, n_b - b]],
                                                    correction=False)
    assert z ** 2 == pytest.approx(chi2)
    assert p == pytest.approx(expected_p)
    assert math.copysign(1, z) == math.copysign(1, b / n_b - a / n_a)


def test_two_proportion_test_without_variance_and_without_observations():
    """All hits on both sides is no evidence of a difference; an empty sample is an error."""
    assert two_proportion_test(10, 10, 5, 5) == (0.0, 1.0)
    with pytest.raises(ValueError, match="at least one observation"):
        two_proportion_test(0, 0, 1, 1)


def test_one_sided_below_is_the_normal_approximation_of_the_lower_tail():
    """Red when: the live-accuracy alert uses the wrong tail or the wrong standard error."""
    z, p = one_sided_below(0.70, 0.80, 100)
    assert z == pytest.approx(-2.5)
    assert p == pytest.approx(stats.norm.cdf(-2.5))
    assert one_sided_below(0.90, 0.80, 100)[1] > 0.5
    assert one_sided_below(1.0, 1.0, 10) == (0.0, 1.0)
    assert one_sided_below(0.9, 1.0, 10) == (0.0, 0.0)
    with pytest.raises(ValueError):
        one_sided_below(0.5, 0.5, 0)


def test_population_stability_index_is_zero_for_equal_shares_and_symmetric():
    """PSI is a symmetric divergence: zero only for equal distributions, floored empty bins."""
    assert population_stability_index([0.5, 0.5], [0.5, 0.5]) == 0.0
    shifted = population_stability_index([0.5, 0.5], [0.9, 0.1])
    assert shifted == pytest.approx((0.4 * math.log(1.8)) + (-0.4 * math.log(0.2)))
    assert population_stability_index([0.9, 0.1], [0.5, 0.5]) == pytest.approx(shifted)
    assert math.isfinite(population_stability_index([1.0, 0.0], [0.0, 1.0]))
    with pytest.raises(ValueError):
        population_stability_index([0.5, 0.5], [1.0])


def _rejection_rate_below(expected: float, true: float, total: int, alpha: float) -> float:
    """The exact binomial probability that `one_sided_below` rejects at `alpha` when the true
    share is `true`."""
    hits = [k for k in range(total + 1) if one_sided_below(k / total, expected, total)[1] < alpha]
    return float(stats.binom.cdf(max(hits), total, true)) if hits else 0.0


@pytest.mark.parametrize(("expected", "total"), [(0.844, 100), (0.844, 400), (0.7, 1000)])
def test_detectable_drop_is_seen_with_the_stated_power(expected, total):
    """Red when: the detectable drop is not the one the alarm's own test reaches with that power
    (the exact binomial rejection rate there is the power, up to the normal approximation)."""
    alpha, power = 0.001, 0.8
    drop = detectable_drop(expected, total, alpha, power)
    assert 0 < drop < expected
    assert _rejection_rate_below(expected, expected - drop, total, alpha) == pytest.approx(
        power, abs=0.08)
    assert _rejection_rate_below(expected, expected - drop / 2, total, alpha) < power


def test_detectable_drop_shrinks_with_the_batch_and_grows_with_the_demands():
    """Four times the labels about halve it; a stricter alpha or a higher power enlarge it."""
    base = detectable_drop(0.85, 100, 0.001, 0.8)
    assert detectable_drop(0.85, 400, 0.001, 0.8) == pytest.approx(base / 2, rel=0.15)
    assert detectable_drop(0.85, 100, 0.0001, 0.8) > base
    assert detectable_drop(0.85, 100, 0.001, 0.95) > base
    assert detectable_drop(0.85, 100, 0.05, 0.5) < base


def test_detectable_drop_out_of_reach_and_without_observations():
    """Too few labels to ever alarm with that power is None, not a number; none is an error."""
    assert detectable_drop(0.85, 1, 0.001, 0.8) is None
    assert detectable_drop(1.0, 100, 0.001, 0.8) is None
    with pytest.raises(ValueError):
        detectable_drop(0.85, 0, 0.001, 0.8)


def _rejection_rate_shift(reference: float, n_ref: int, batch: float, n_batch: int,
                          alpha: float) -> float:
    """Exact probability that `two_proportion_test` rejects, the reference count held at its
    expected value and the batch count binomial."""
    hits = round(reference * n_ref)
    return float(sum(stats.binom.pmf(k, n_batch, batch) for k in range(n_batch + 1)
                     if two_proportion_test(hits, n_ref, k, n_batch)[1] < alpha))


@pytest.mark.parametrize(("reference", "n_ref", "n_batch"), [(0.55, 180, 200), (0.3, 2000, 500)])
def test_detectable_shift_is_seen_with_the_stated_power(reference, n_ref, n_batch):
    """Red when: the stated shift is not what the drift test reaches with that power (the
    reference count is held fixed here, so the rate runs above the power, never far below)."""
    alpha, power = 0.001, 0.8
    shift = detectable_shift(reference, n_ref, n_batch, alpha, power)
    for way, sign in (("down", -1), ("up", 1)):
        rate = _rejection_rate_shift(reference, n_ref, reference + sign * shift[way], n_batch,
                                     alpha)
        assert power - 0.08 <= rate <= 1.0, (way, rate)
        half = _rejection_rate_shift(reference, n_ref, reference + sign * shift[way] / 2,
                                     n_batch, alpha)
        assert half < power


def test_detectable_shift_shrinks_with_the_batch():
    """More logged predictions show smaller shifts, down to what the reference sample allows."""
    small = detectable_shift(0.55, 180, 100, 0.001, 0.8)
    large = detectable_shift(0.55, 180, 10000, 0.001, 0.8)
    assert large["down"] < small["down"] and large["up"] < small["up"]
    assert detectable_shift(0.55, 100000, 100000, 0.001, 0.8)["down"] < large["down"]
    assert detectable_shift(0.5, 3, 3, 0.001, 0.8) == {"down": None, "up": None}
    with pytest.raises(ValueError):
        detectable_shift(0.5, 0, 10, 0.001, 0.8)


@pytest.mark.parametrize(("a", "b"), [([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]),
                                      ([10, 12, 12, 15, 20, 20, 31] * 5, [9, 12, 14, 20] * 7),
                                      ([0.5] * 30, [0.5] * 40)])
def test_ks_two_sample_distance_is_scipys_and_its_p_value_the_kolmogorov_limit(a, b):
    """Red when: the distance mishandles ties or the p-value another distribution's tail."""
    distance, p = ks_two_sample(a, b)
    assert distance == pytest.approx(stats.ks_2samp(a, b).statistic)
    effective = len(a) * len(b) / (len(a) + len(b))
    assert p == pytest.approx(stats.kstwobign.sf(math.sqrt(effective) * distance), abs=1e-9)


def test_ks_two_sample_needs_two_samples():
    """An empty sample is an error, not a p-value."""
    with pytest.raises(ValueError, match="at least one"):
        ks_two_sample([], [1.0])


@pytest.mark.parametrize("x", [0.0, 0.3, 0.8, 1.36, 2.5])
def test_kolmogorov_sf_is_scipys_kstwobign(x):
    """Red when: the series is cut short or its sign alternation is wrong."""
    assert kolmogorov_sf(x) == pytest.approx(stats.kstwobign.sf(x), abs=1e-9)


@pytest.mark.parametrize("z", [-3.1, -1.0, 0.0, 2.2])
def test_normal_cdf_is_scipys(z):
    """Red when: the one-sided p-values of the input checks use another tail."""
    assert normal_cdf(z) == pytest.approx(stats.norm.cdf(z))
