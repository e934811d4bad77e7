"""The people of the demo places in one wave: salaried staff, ETP, volunteers, jobs.

Values are drawn around a persistent size of each place (so a big place stays big
from one wave to the next), then steered to the published figures: quotas fix how
many respondents employ, hold a CDI or a CDD; sums are nudged one unit at a time to
the published 2019 totals; ETP are scaled to the published mean. Every step keeps
the rules the validation checks: CDI + CDD <= staff, ETP <= 1.5 x staff.
"""
from __future__ import annotations

import numpy as np

from tlresearch.demo import names


def quota(n: int, share: float) -> int:
    return int(round(share * n))


def top_k(rng: np.random.Generator, score: np.ndarray, k: int, among: np.ndarray) -> np.ndarray:
    """Boolean mask of the ``k`` highest noisy scores among ``among``."""
    noisy = np.where(among, score + rng.normal(0.0, 0.6, score.size), -np.inf)
    out = np.zeros(score.size, dtype=bool)
    if k > 0:
        out[np.argsort(-noisy, kind="stable")[:k]] = True
    return out & among


def adjust_sum(rng: np.random.Generator, values: np.ndarray, target: int,
               eligible: np.ndarray, floor: np.ndarray | int = 0) -> np.ndarray:
    """Add or remove units on eligible rows until the column sums to ``target``.

    Big values move most (weights proportional to the value), like a respondent who
    would have counted a few more volunteers; no value goes below ``floor``.
    """
    values = values.astype(np.int64).copy()
    floor = np.broadcast_to(np.asarray(floor, dtype=np.int64), values.shape)
    for _ in range(1000):
        diff = int(target - values.sum())
        if diff == 0:
            return values
        if diff > 0:
            weights = (values + 1.0) * eligible
            values += rng.multinomial(diff, weights / weights.sum())
        else:
            room = np.where(eligible, values - floor, 0).astype(float)
            if room.sum() <= 0:
                raise ValueError("cannot lower the sum below its floor")
            take = rng.multinomial(-diff, room / room.sum())
            values -= np.minimum(take, room.astype(np.int64))
    raise RuntimeError("adjust_sum did not converge")


def staff(rng, size: np.ndarray, n_emp: int, n_cdi: int, n_cdd: int,
          mean_etp: float, sums: dict[str, int]) -> dict[str, np.ndarray]:
    """Salaried staff of the respondents of one wave.

    Parameters
    ----------
    size
        Persistent size of each respondent's place (log scale).
    n_emp, n_cdi, n_cdd
        How many respondents employ, hold at least one CDI, at least one CDD.
    mean_etp
        Mean ETP over all respondents (employers or not).
    sums
        Exact totals to reach (``cdi``, ``cdd``, ``staff_total``), possibly empty.
    """
    n = size.size
    everyone = np.ones(n, dtype=bool)
    employer = top_k(rng, size, n_emp, everyone)
    has_cdi = top_k(rng, size, n_cdi, employer)
    has_cdd = top_k(rng, np.zeros(n), n_cdd, employer)
    has_other = employer & ((~has_cdi & ~has_cdd) | (rng.random(n) < 0.12))
    flags = np.stack([has_cdi, has_cdd, has_other], axis=1)
    # Head count per employer so that the ETP target is reachable at ~0.8 ETP a head.
    heads = mean_etp * n / max(n_emp, 1) / 0.8
    base = flags.sum(axis=1)
    extra_mean = max(heads - base[employer].mean(), 0.0)
    weight = np.exp(size - size[employer].mean()) if employer.any() else np.ones(n)
    extra = rng.poisson(extra_mean * weight / weight[employer].mean()) * employer
    counts = flags.astype(np.int64)
    split = np.array([0.62, 0.25, 0.13])
    for i in np.flatnonzero(extra):
        p = split * flags[i]
        counts[i] += rng.multinomial(extra[i], p / p.sum())
    cdi, cdd, other = counts[:, 0], counts[:, 1], counts[:, 2]
    if "cdi" in sums:
        cdi = adjust_sum(rng, cdi, sums["cdi"], has_cdi, floor=1 * has_cdi)
    if "cdd" in sums:
        cdd = adjust_sum(rng, cdd, sums["cdd"], has_cdd, floor=1 * has_cdd)
    if "staff_total" in sums:  # the whole headcount published: CDI and other contracts move
        movable = cdi + other
        floor = 1 * has_cdi + 1 * has_other  # one of each contract a place holds
        goal = max(sums["staff_total"] - int(cdd.sum()), int(floor.sum()))
        moved = adjust_sum(rng, movable, goal, has_cdi | has_other, floor=floor)
        extra = moved - movable
        to_cdi = np.where(has_cdi, extra, 0)
        cdi, other = cdi + to_cdi, other + extra - to_cdi
    total = cdi + cdd + other
    etp = _etp(rng, total, mean_etp * n)
    return {"staff_total": total, "cdi": cdi, "cdd": cdd, "other_contracts": other,
            "etp": etp}


def _etp(rng, heads: np.ndarray, target_total: float) -> np.ndarray:
    """ETP per respondent: mostly part-time, at most 1.45 ETP a head, summing to target."""
    emp = heads > 0
    frac = rng.uniform(0.45, 1.0, heads.size)
    frac[rng.random(heads.size) < 0.04] = 1.2
    for _ in range(30):
        current = (heads * frac).sum()
        if current <= 0:
            break
        frac = np.clip(frac * target_total / current, 0.2, 1.45)
    tenths = np.where(emp, np.maximum(np.round(heads * frac * 10), 1), 0).astype(np.int64)
    cap = np.floor(heads * 14.5).astype(np.int64)
    tenths = np.minimum(tenths, cap)
    goal = int(round(target_total * 10))
    for _ in range(200):
        diff = goal - int(tenths.sum())
        if diff == 0 or not emp.any():
            break
        pick = rng.choice(np.flatnonzero(emp), size=min(abs(diff), int(emp.sum())),
                          replace=False)
        new = tenths[pick] + np.sign(diff)
        ok = (new >= 1) & (new <= cap[pick])
        tenths[pick[ok]] = new[ok]
    return tenths / 10.0


def people(rng, size: np.ndarray, assoc_like: np.ndarray, sums: dict[str, int],
           employer: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Volunteers, board members, civic-service volunteers and interns of one wave.

    A place that employs nobody runs on volunteers, save a few
    (:data:`~tlresearch.demo.calibration.VOLUNTEERS_AMONG_NON_EMPLOYERS`): the
    panoramas' « bénévoles uniquement » and « employeurs » nearly sum to 100 %.
    """
    from tlresearch.demo.calibration import VOLUNTEERS_AMONG_NON_EMPLOYERS

    n = size.size
    vol = np.where(assoc_like, np.round(rng.lognormal(np.log(8.0), 0.9, n)),
                   np.where(rng.random(n) < 0.5, 0, np.round(rng.lognormal(np.log(3), 0.7, n))))
    vol = vol.astype(np.int64)
    keeps = np.zeros(n, dtype=bool)
    if employer is not None:
        keeps = top_k(rng, np.zeros(n), quota(int((~employer).sum()),
                                              VOLUNTEERS_AMONG_NON_EMPLOYERS), ~employer)
        vol = np.where(keeps, np.maximum(vol, 1), np.where(employer, vol, 0))
    board = np.where(assoc_like, 3 + rng.poisson(4.0, n), 0).astype(np.int64)
    civic = np.where(assoc_like, rng.poisson(0.35, n), 0).astype(np.int64)
    interns = rng.poisson(0.45, n).astype(np.int64)
    if "volunteers" in sums:
        vol = adjust_sum(rng, vol, sums["volunteers"], vol > 0, floor=1 * keeps)
    if "board_members" in sums:
        board = adjust_sum(rng, board, sums["board_members"], assoc_like, floor=1 * assoc_like)
    if "civic_service" in sums:
        civic = adjust_sum(rng, civic, sums["civic_service"], assoc_like)
    if "interns" in sums:
        interns = adjust_sum(rng, interns, sums["interns"], np.ones(n, bool))
    return {"volunteers": vol, "board_members": board, "civic_service": civic,
            "interns": interns}


def jobs(rng, counts: dict[str, np.ndarray], facilitator: np.ndarray,
         slots: int) -> list[list[tuple[str, str]]]:
    """Job slots (title, contract) of each respondent, consistent with its counts.

    The first slots take the CDI, then the CDD, then the other contracts, as a
    respondent listing the team would; a place flagged ``facilitator`` puts its
    facilitator first, the others have none (the share is calibrated).
    """
    out = []
    for i in range(counts["staff_total"].size):
        contracts = (["cdi"] * int(counts["cdi"][i]) + ["cdd"] * int(counts["cdd"][i])
                     + ["other"] * int(counts["other_contracts"][i]))[:slots]
        titles = [names.other_title(rng) for _ in contracts]
        if contracts and facilitator[i]:
            titles[0] = names.facilitator_title(rng)
        out.append(list(zip(titles, contracts)))
    return out
