"""Wilson, Newcombe and the seeded bootstrap, against published values."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tlresearch.stats.intervals import (
    bootstrap_difference,
    bootstrap_interval,
    cluster_ratio_difference,
    cluster_ratio_interval,
    newcombe_difference,
    wilson,
    z_value,
)


def test_z_value():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError):
        z_value(1.0)


# Wilson (1927) score interval; values as given by R's prop.test(x, n, correct = FALSE).
@pytest.mark.parametrize("x, n, low, high", [
    (56, 100, 0.4622, 0.6532),
    (6, 10, 0.3127, 0.8318),
    (5, 6, 0.4365, 0.9699),
    (8, 10, 0.4902, 0.9433),
    (3, 10, 0.1078, 0.6032),
    (0, 2, 0.0, 0.6576),
])
def test_wilson_known_values(x, n, low, high):
    got_low, got_high = wilson(x, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_edges_and_empty_base():
    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert wilson(10, 10)[1] == 1.0
    assert all(math.isnan(v) for v in wilson(0, 0))
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_wilson_confidence_level_widens():
    narrow = wilson(56, 100, confidence=0.90)
    wide = wilson(56, 100, confidence=0.99)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]


# Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10.
@pytest.mark.parametrize("x1, n1, x2, n2, low, high", [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
])
def test_newcombe_published_examples(x1, n1, x2, n2, low, high):
    difference, got_low, got_high = newcombe_difference(x1, n1, x2, n2)
    assert difference == pytest.approx(x1 / n1 - x2 / n2)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_newcombe_empty_base():
    assert all(math.isnan(v) for v in newcombe_difference(1, 2, 0, 0))


def test_bootstrap_is_deterministic_for_a_seed():
    values = [0, 0, 0.5, 1, 1.5, 2, 2.5, 3.6, 0, 1]
    first = bootstrap_interval(values, "mean", seed=7)
    assert first == bootstrap_interval(values, "mean", seed=7)
    assert first != bootstrap_interval(values, "mean", seed=8)
    low, high = first
    assert low < np.mean(values) < high


def test_bootstrap_median_and_callable():
    values = np.arange(21, dtype=float)
    low, high = bootstrap_interval(values, "median", seed=1, resamples=500)
    assert low <= 10 <= high
    same = bootstrap_interval(values, lambda a: np.median(a, axis=-1), seed=1, resamples=500)
    assert same == (low, high)
    with pytest.raises(ValueError):
        bootstrap_interval(values, "mode")


def test_bootstrap_needs_two_values_and_drops_missing():
    assert all(math.isnan(v) for v in bootstrap_interval([3.0]))
    assert all(math.isnan(v) for v in bootstrap_interval([]))
    assert bootstrap_interval([1, 2, np.nan, 3], seed=3) == bootstrap_interval([1, 2, 3], seed=3)


def test_bootstrap_of_constant_values_is_a_point():
    assert bootstrap_interval([2.0] * 5) == (2.0, 2.0)


def test_bootstrap_difference():
    a, b = [2, 3, 4, 5, 6], [1, 1, 2, 2, 3]
    difference, low, high = bootstrap_difference(a, b, "mean", seed=5)
    assert difference == pytest.approx(2.2)
    assert low < difference < high
    assert (difference, low, high) == bootstrap_difference(a, b, "mean", seed=5)
    d, low, high = bootstrap_difference([1.0], [2.0, 3.0])
    assert d == -1.5 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in bootstrap_difference([], [1, 2]))


def test_cluster_ratio_resamples_places():
    numerators, denominators = [1, 1, 1, 0, 1, 0], [2, 1, 3, 1, 4, 1]
    low, high = cluster_ratio_interval(numerators, denominators, seed=2)
    assert low < 4 / 12 < high
    assert (low, high) == cluster_ratio_interval(numerators, denominators, seed=2)
    assert all(math.isnan(v) for v in cluster_ratio_interval([1], [2]))
    d, low, high = cluster_ratio_difference((np.array([1, 2]), np.array([2, 2])),
                                            (np.array([1, 0]), np.array([2, 2])), seed=4)
    assert d == pytest.approx(0.5)
    assert low <= d <= high
