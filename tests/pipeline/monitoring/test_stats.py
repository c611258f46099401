"""The monitoring checks' statistics against scipy's reference implementations."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from pipeline.monitoring.stats import (
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
