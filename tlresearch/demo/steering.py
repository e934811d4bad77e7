"""Steering the demo places to published counts: départements, legal status, food places.

A place's département, legal status and types are drawn once and kept from wave to
wave. Where the publications give counts for a wave (places by département in 2017,
2018 and 2019; legal status of the respondents in 2017, 2019 and 2024; tiers-lieux
nourriciers in 2022 and 2024), these functions move as few places as they need so the
counts hold, every other wave following from the same places.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.demo import calibration as cal
from tlresearch.demo import typology

#: Proposals of the département search (it stops as soon as every count holds).
SEARCH_STEPS = 40_000


def open_matrix(life: pd.DataFrame, waves) -> dict[int, np.ndarray]:
    closing = life["closing_year"].astype("float64").fillna(np.inf).to_numpy()
    opening = life["opening_year"].to_numpy()
    return {w: (opening <= w) & (closing > w) for w in waves}


def departements(rng: np.random.Generator, life: pd.DataFrame, pool, waves,
                 scale: float) -> np.ndarray:
    """A département per place: the open places of each wave match
    :data:`~tlresearch.demo.calibration.OPEN_BY_DEPARTEMENT`.

    Each place first draws a département in proportion to the pool's communes of its
    class; then a local search moves single places, or swaps two places of one class,
    whenever that does not take the counts further from their targets.
    """
    cls = life["density"].to_numpy()
    table = pool.table
    codes = sorted(table["departement_code"].unique())
    mass = {c: table[table["density"] == c].groupby("departement_code").size()
            .reindex(codes, fill_value=0).to_numpy(dtype=float) for c in set(cls)}
    dep = np.array([codes[rng.choice(len(codes), p=mass[c] / mass[c].sum())] for c in cls],
                   dtype=object)
    targets = {(w, d): round(t * scale) for w, by in cal.OPEN_BY_DEPARTEMENT.items()
               if w in waves for d, t in by.items()}
    if not targets:
        return dep
    is_open = open_matrix(life, sorted({w for w, _ in targets}))
    count = {k: int((is_open[k[0]] & (dep == k[1])).sum()) for k in targets}

    def gap(moves) -> int:
        """Change of the total distance to the targets if ``moves`` (place, new) happen."""
        delta: dict = {}
        for i, new in moves:
            for w, opened in is_open.items():
                if opened[i]:
                    delta[(w, dep[i])] = delta.get((w, dep[i]), 0) - 1
                    delta[(w, new)] = delta.get((w, new), 0) + 1
        return sum(abs(count[k] + d - targets[k]) - abs(count[k] - targets[k])
                   for k, d in delta.items() if k in targets and d)

    n = len(dep)
    for _ in range(SEARCH_STEPS):
        if all(count[k] == t for k, t in targets.items()):
            break
        i = int(rng.integers(n))
        if rng.random() < 0.5:
            new = codes[int(rng.integers(len(codes)))]
            if new == dep[i] or mass[cls[i]][codes.index(new)] == 0:
                continue
            moves = [(i, new)]
        else:
            same = np.flatnonzero((cls == cls[i]) & (dep != dep[i]))
            if not same.size:
                continue
            j = int(rng.choice(same))
            moves = [(i, dep[j]), (j, dep[i])]
        if gap(moves) <= 0:
            for w, opened in is_open.items():
                for k, new in moves:
                    if opened[k]:
                        for key, step in (((w, dep[k]), -1), ((w, new), 1)):
                            if key in count:
                                count[key] += step
            for k, new in moves:
                dep[k] = new
    return dep


def status(rng, places: pd.DataFrame, resp: dict, scale: float) -> dict:
    """Legal status per place (and its changes): 2017, 2019 and 2024 shares as published.

    2019 fills quotas among its respondents, places whose status already fits first;
    2017 does the same among its own, and a place of both waves that must change takes
    its 2017 status first and its 2019 one from 2019 on (a status does change: an
    association becomes a SCIC). 2024 turns free places to or from association, and
    gives a place already steered a change in 2022 instead.
    """
    codes = places["status_base"].to_numpy().astype(object).copy()
    change: dict[int, list[tuple[int, str]]] = {}
    for wave, shares in ((2019, cal.STATUS_2019), (2017, cal.STATUS_2017)):
        if wave not in resp:
            continue
        idx = resp[wave]
        parts = list(shares.values())
        counts = typology.split_counts(len(idx), parts + [max(1 - sum(parts), 0.0)])
        quotas = [(c, (lambda s, k=k: s == frozenset([k])), (lambda s, k=k: frozenset([k])))
                  for c, k in zip(counts, list(shares) + ["autre"])]
        got = typology.assign(rng, [frozenset([codes[i]]) for i in idx], quotas)
        later = set(resp.get(2019, []).tolist()) if wave == 2017 else set()
        for i, s in zip(idx, got):
            new = next(iter(s))
            if new != codes[i] and i in later:
                change.setdefault(i, []).append((2019, codes[i]))
            codes[i] = new
    if 2024 in resp:
        idx = resp[2024]
        fixed = set(resp.get(2019, []).tolist()) | set(resp.get(2017, []).tolist())
        target = round(cal.ASSOCIATION_2024 * len(idx))
        diff = target - sum(status_at({"base": codes, "change": change}, i, 2024) == "association"
                            for i in idx)
        order = [idx[k] for k in rng.permutation(len(idx))]
        for i in sorted(order, key=lambda i: i in fixed):  # free places first
            now = status_at({"base": codes, "change": change}, i, 2024)
            if diff > 0 and now != "association":
                if i in fixed:  # e.g. a SARL handed to an association
                    change.setdefault(i, []).append((2022, "association"))
                else:
                    codes[i] = "association"
                diff -= 1
            elif diff < 0 and now == "association":
                if i in fixed:
                    change.setdefault(i, []).append((2022, "scic"))
                else:
                    codes[i] = "sas"
                diff += 1
    return {"base": codes, "change": change}


def status_at(status: dict, i: int, wave: int) -> str:
    """A place's legal status at a wave: its base, then its changes up to that wave."""
    code = status["base"][i]
    for year, new in sorted(status["change"].get(i, [])):
        if wave >= year:
            code = new
    return code


def nourriciers(rng, places: pd.DataFrame, resp: dict, scale: float) -> None:
    """Add « tiers-lieu nourricier » to profiles until the respondents of 2022 and 2024
    who tick it match :data:`~tlresearch.demo.calibration.NOURRICIERS` (in place).

    The food places are the newer wave: a later wave's extra ones are taken first among
    its respondents that did not answer the earlier one, so its count is left alone.
    """
    seen: set = set()
    for wave, target in sorted(cal.NOURRICIERS.items()):
        if wave not in resp:
            continue
        idx = resp[wave]
        has = [i for i in idx if "tiers_lieu_nourricier" in places.at[i, "profile"]]
        missing = round(target * scale) - len(has)
        free = [i for i in idx if "tiers_lieu_nourricier" not in places.at[i, "profile"]]
        order = sorted(rng.permutation(free).tolist(), key=lambda i: (i in seen, ))
        for i in order[:max(missing, 0)]:
            places.at[i, "profile"] = (*places.at[i, "profile"], "tiers_lieu_nourricier")
        seen |= set(idx.tolist())
