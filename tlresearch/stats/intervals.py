"""Confidence intervals for the indicators: Wilson, Newcombe and a seeded bootstrap.

Why these methods
-----------------
- **Shares** (a proportion of places): the Wilson score interval. Unlike the textbook
  Wald interval ``p ± z·sqrt(p(1-p)/n)`` it stays inside [0, 1], does not collapse to
  a single point when a share is 0 % or 100 %, and keeps close to its nominal coverage
  for the small bases of a département or a typology (n of 10 to 50).
- **Difference of two shares** (a change between two waves): Newcombe's hybrid score
  interval (method 10 of Newcombe, 1998), built from the two Wilson intervals; it
  inherits their good behaviour near 0 and 1.
- **Means and medians** (ETP per place): percentile bootstrap. ETP per place is skewed
  (many zeros, a few large places), so a normal interval on the mean is unreliable
  for small n, and a median has no simple variance formula.

Every bootstrap takes a ``seed`` and builds its own generator from it, so a figure
does not depend on which other figures were computed before it: the same data and
seed always give the same interval, byte for byte.

The intervals describe sampling uncertainty *among respondents* (which places
answered, which did not, as if at random); they cannot correct a non-response that is
related to the indicator itself.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. JASA 22, 209-212.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
Efron, B. & Tibshirani, R. (1993). An Introduction to the Bootstrap, ch. 13.
"""
from __future__ import annotations

import math
from statistics import NormalDist
from typing import Callable

import numpy as np

#: Seed of every bootstrap unless the caller gives another one.
DEFAULT_SEED = 20240601
#: Bootstrap resamples unless the caller gives another number.
DEFAULT_RESAMPLES = 2000
#: Confidence level of every interval unless told otherwise.
DEFAULT_CONFIDENCE = 0.95

NAN = float("nan")


def z_value(confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Two-sided standard normal quantile: 1.959964 for 95 %."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n``.

    Returns ``(nan, nan)`` when ``n`` is 0 (no base, no interval).

    Examples
    --------
    >>> low, high = wilson(56, 100)
    >>> round(low, 4), round(high, 4)
    (0.4623, 0.6533)
    >>> wilson(0, 10)[0]
    0.0
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return NAN, NAN
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Clamp the rounding noise at the edges: 0 successes must give exactly 0.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def newcombe_difference(x1: int, n1: int, x2: int, n2: int,
                        confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float, float]:
    """Difference ``x1/n1 - x2/n2`` with Newcombe's hybrid score interval.

    The samples are taken as independent. For two waves of a panel, where many places
    answer both, the true interval is narrower when answers are positively correlated
    from one year to the next, so this interval is on the safe (wide) side.

    Returns
    -------
    (difference, low, high); all NaN when either base is empty.

    Examples
    --------
    Newcombe (1998), example (a): 56/70 against 48/80.

    >>> d, low, high = newcombe_difference(56, 70, 48, 80)
    >>> round(d, 4), round(low, 4), round(high, 4)
    (0.2, 0.0524, 0.3339)
    """
    if n1 == 0 or n2 == 0:
        return NAN, NAN, NAN
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, confidence)
    l2, u2 = wilson(x2, n2, confidence)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, low, high


def _statistic(stat: str | Callable) -> Callable:
    """A function computing the statistic along axis 1 of a 2-D array of resamples."""
    if callable(stat):
        return stat
    functions = {"mean": lambda a: a.mean(axis=-1), "median": lambda a: np.median(a, axis=-1)}
    if stat not in functions:
        raise ValueError(f"unknown statistic {stat!r}: use 'mean', 'median' or a function")
    return functions[stat]


def _percentiles(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = 1 - confidence
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _clean(values) -> np.ndarray:
    array = np.asarray(values, dtype="float64")
    return array[~np.isnan(array)]


def bootstrap_interval(values, stat: str | Callable = "mean", *, seed: int = DEFAULT_SEED,
                       resamples: int = DEFAULT_RESAMPLES,
                       confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean or a median.

    Parameters
    ----------
    values
        One value per place; missing values are dropped first.
    stat
        ``"mean"``, ``"median"``, or a function mapping an ``(resamples, n)`` array to
        ``resamples`` statistics.
    seed
        Seed of the generator built for this call only.
    resamples
        Number of bootstrap resamples (B).

    Returns
    -------
    (low, high); NaN when fewer than two values (a resample of one value says nothing
    about the spread).

    Examples
    --------
    >>> bootstrap_interval([1.0, 2.0, 3.0, 4.0], seed=1) == bootstrap_interval([1, 2, 3, 4], seed=1)
    True
    """
    array = _clean(values)
    if array.size < 2:
        return NAN, NAN
    rng = np.random.default_rng(seed)
    index = rng.integers(0, array.size, size=(resamples, array.size))
    return _percentiles(_statistic(stat)(array[index]), confidence)


def bootstrap_difference(first, second, stat: str | Callable = "mean", *,
                         seed: int = DEFAULT_SEED, resamples: int = DEFAULT_RESAMPLES,
                         confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float, float]:
    """Difference ``stat(first) - stat(second)`` with a percentile bootstrap interval.

    The two samples are resampled independently (see :func:`newcombe_difference` for
    why that is the cautious choice for two waves of a panel).

    Returns
    -------
    (difference, low, high); the interval is NaN when either sample has fewer than two
    values, the difference when either is empty.
    """
    a, b = _clean(first), _clean(second)
    function = _statistic(stat)
    if a.size == 0 or b.size == 0:
        return NAN, NAN, NAN
    difference = float(function(a[None, :])[0] - function(b[None, :])[0])
    if a.size < 2 or b.size < 2:
        return difference, NAN, NAN
    rng = np.random.default_rng(seed)
    draws_a = function(a[rng.integers(0, a.size, size=(resamples, a.size))])
    draws_b = function(b[rng.integers(0, b.size, size=(resamples, b.size))])
    low, high = _percentiles(draws_a - draws_b, confidence)
    return difference, low, high


def cluster_ratio_draws(numerators, denominators, *, seed: int = DEFAULT_SEED,
                        resamples: int = DEFAULT_RESAMPLES) -> np.ndarray:
    """Bootstrap draws of ``sum(numerators) / sum(denominators)``, resampling clusters.

    Used for a share of *job slots* (facilitators among salaried jobs): the slots of
    one place are not independent draws, so the place is resampled as a whole.
    """
    num = np.asarray(numerators, dtype="float64")
    den = np.asarray(denominators, dtype="float64")
    rng = np.random.default_rng(seed)
    index = rng.integers(0, num.size, size=(resamples, num.size))
    totals = den[index].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num[index].sum(axis=1) / totals


def cluster_ratio_interval(numerators, denominators, *, seed: int = DEFAULT_SEED,
                           resamples: int = DEFAULT_RESAMPLES,
                           confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Percentile interval of a ratio of sums with places resampled as clusters.

    Returns ``(nan, nan)`` with fewer than two clusters.
    """
    if len(numerators) < 2:
        return NAN, NAN
    draws = cluster_ratio_draws(numerators, denominators, seed=seed, resamples=resamples)
    return _percentiles(draws[~np.isnan(draws)], confidence)


def cluster_ratio_difference(first: tuple, second: tuple, *, seed: int = DEFAULT_SEED,
                             resamples: int = DEFAULT_RESAMPLES,
                             confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float, float]:
    """Difference of two ratios of sums, each resampled by clusters, independently.

    ``first`` and ``second`` are ``(numerators, denominators)`` per place. The two
    generators come from one :class:`numpy.random.SeedSequence`, so the result
    depends on ``seed`` only.
    """
    (num1, den1), (num2, den2) = first, second
    if len(num1) == 0 or len(num2) == 0:
        return NAN, NAN, NAN
    difference = float(np.sum(num1) / np.sum(den1) - np.sum(num2) / np.sum(den2))
    if len(num1) < 2 or len(num2) < 2:
        return difference, NAN, NAN
    seed1, seed2 = np.random.SeedSequence(seed).spawn(2)
    draws = (cluster_ratio_draws(num1, den1, seed=seed1, resamples=resamples)
             - cluster_ratio_draws(num2, den2, seed=seed2, resamples=resamples))
    low, high = _percentiles(draws[~np.isnan(draws)], confidence)
    return difference, low, high
