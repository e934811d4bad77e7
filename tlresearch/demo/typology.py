"""Place types: a stable profile per place, steered per wave to the published counts.

A place keeps its profile (say coworking + café) from wave to wave; what it ticks in
a wave is that profile cut to the options the questionnaire offered. Where the
publication gives exact counts (2018's exclusive typology, 2019's counts with
overlap), respondents are assigned to quotas, those whose profile already fits first:
only the leftovers tick something else that year, as real respondents do when a
question is reworded.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tlresearch.demo.calibration import COWORKING_ONLY_2017, TYPOLOGY_2018

# Profiles (type sets) and their weights: coworking dominates, a quarter are hybrid.
PROFILES: list[tuple[tuple[str, ...], float]] = [
    (("coworking",), 0.56), (("fablab",), 0.06), (("atelier_partage",), 0.06),
    (("cafe_associatif",), 0.03), (("tiers_lieu_nourricier",), 0.02),
    (("culturel",), 0.01), (("coworking", "fablab"), 0.06),
    (("coworking", "atelier_partage"), 0.04), (("coworking", "cafe_associatif"), 0.03),
    (("coworking", "mediation_numerique"), 0.03), (("fablab", "atelier_partage"), 0.02),
    (("cafe_associatif", "culturel"), 0.02), (("coworking", "tiers_lieu_nourricier"), 0.02),
    (("coworking", "fablab", "mediation_numerique"), 0.02),
    (("atelier_partage", "cafe_associatif", "tiers_lieu_nourricier"), 0.02),
]


def draw_profiles(rng: np.random.Generator, n: int) -> list[tuple[str, ...]]:
    weights = np.array([w for _, w in PROFILES])
    picks = rng.choice(len(PROFILES), size=n, p=weights / weights.sum())
    return [PROFILES[i][0] for i in picks]


def ticked(profile: tuple[str, ...], offered: list[str]) -> frozenset[str]:
    """What a place of that profile ticks among the offered options."""
    kept = frozenset(t for t in profile if t in offered)
    if kept:
        return kept
    return frozenset(["autre"] if "autre" in offered else [offered[0]])


Quota = tuple[int, Callable[[frozenset], bool], Callable[[frozenset], frozenset]]


def assign(rng: np.random.Generator, natural: list[frozenset], quotas: list[Quota]
           ) -> list[frozenset]:
    """Fill quotas (count, fits, force) with respondents; fitting ones first."""
    left = [q[0] for q in quotas]
    if sum(left) != len(natural):
        raise ValueError("quotas must add up to the number of respondents")
    out: list[frozenset | None] = [None] * len(natural)
    order = rng.permutation(len(natural))
    for i in order:
        for k, (_, fits, _) in enumerate(quotas):
            if left[k] and fits(natural[i]):
                out[i], left[k] = natural[i], left[k] - 1
                break
    for i in order:
        if out[i] is None:
            k = next(k for k, n in enumerate(left) if n)
            out[i], left[k] = quotas[k][2](natural[i]), left[k] - 1
    return out  # type: ignore[return-value]


def split_counts(total: int, parts: list[float]) -> list[int]:
    """Integer counts proportional to ``parts`` summing exactly to ``total``."""
    raw = np.array(parts, dtype=float) / sum(parts) * total
    counts = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]:
        counts[k] += 1
    return [int(c) for c in counts]


def _only(code):
    return (lambda s: s == frozenset([code])), (lambda s: frozenset([code]))


def quotas_2018(n: int) -> list[Quota]:
    """The 2018 exclusive typology (coworking / atelier / fablab only, hybrid)."""
    counts = split_counts(n, list(TYPOLOGY_2018.values()))
    hybrid_fits = lambda s: len(s) >= 2  # noqa: E731
    hybrid_force = lambda s: s if len(s) >= 2 else frozenset(  # noqa: E731
        {next(iter(s)), "coworking" if "coworking" not in s else "fablab"})
    fns = [_only("coworking"), _only("atelier_partage"), _only("fablab"),
           (hybrid_fits, hybrid_force)]
    return [(c, f, g) for c, (f, g) in zip(counts, fns)]


#: 2019 combinations reproducing 172 coworking, 27 fablab, 25 atelier ticks and 11 %
#: hybrids among 206 respondents (the publication counts types with overlap).
COMBOS_2019 = [(("coworking",), 151), (("fablab",), 13), (("atelier_partage",), 14),
               (("cafe_associatif",), 3), (("mediation_numerique",), 2),
               (("coworking", "fablab"), 12), (("coworking", "atelier_partage"), 9),
               (("fablab", "atelier_partage"), 2)]


def quotas_2019(n: int) -> list[Quota]:
    counts = split_counts(n, [c for _, c in COMBOS_2019])
    out = []
    for (combo, _), count in zip(COMBOS_2019, counts):
        target = frozenset(combo)
        out.append((count, (lambda s, t=target: s == t), (lambda s, t=target: t)))
    return out


def quotas_2017(n: int) -> list[Quota]:
    """2017: 71 % of the respondents are coworking spaces (only); the others as they are."""
    count = round(COWORKING_ONLY_2017 * n)
    coworking = frozenset(["coworking"])
    return [(count, (lambda s: s == coworking), (lambda s: coworking)),
            (n - count, (lambda s: s != coworking), (lambda s: coworking | {"cafe_associatif"}))]


#: Waves whose typology is steered, and how.
STEERED = {2017: quotas_2017, 2018: quotas_2018, 2019: quotas_2019}
