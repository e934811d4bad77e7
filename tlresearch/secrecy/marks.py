"""Statistical secrecy of indicator results: which figures may not be published.

:mod:`tlresearch.secrecy.protection` protects whole tables (counts or magnitudes with their
margins). Indicator results are a different shape: one figure per indicator and per
split value, each resting on ``n`` places. The same rules apply to them:

* primary (count): a figure resting on fewer places than the threshold (3) is
  secret — a share "among 2 places" describes those two places; the number of
  respondents itself is not (the map of places prints each of them, see
  :mod:`tlresearch.secrecy.wave_secrecy`);
* primary (magnitude): a figure built on sums — a sum, a mean (mean × base is a sum)
  or a ratio of two sums (facilitator jobs / salaried jobs) — is secret when one of its
  sums has fewer than 3 places with a value above 0, or one place over 85 % of it
  (e.g. one place holding most of a department's ETP, or 1 facilitator job at 1 place);
* primary (named places): a share of 0 % or 100 %, or a sum or mean of 0, tells the
  answer of every place of the cell, and the site names them (the map of places);
* secondary: within one split (e.g. by typology), the figures add up to the
  unsplit one, which is published too; if exactly one split value is secret, the
  next smallest one is hidden as well, so the secret one cannot be recomputed by
  difference (for sums directly, for shares and means through n × value).

The figures stay in the table, marked ``suppressed`` with the reason; whoever
publishes shows ``s`` instead (see :func:`publishable`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.secrecy.rules import PRIMARY_NAMED, SecrecyRule

#: The note of a secret figure (its own note could carry the sums it is made of).
SECRET_NOTE = "secret statistique"
#: The sums a share of job slots puts in its note (:mod:`tlresearch.stats.indicators`,
#: method ``job_role``): kept for the lab, never published.
SUMS_IN_NOTE = r" ; \d+ postes salariés, dont \d+ « [^»]* »"


def secrecy_marks(estimates: list, split: str | None,
                  rule: SecrecyRule | None = None) -> tuple[list[bool], list[str | None]]:
    """``suppressed`` flag and reason for each estimate (same order).

    ``estimates`` are :class:`tlresearch.stats.indicators.Estimate` objects; a sum keeps its
    per-place values in ``sample``, which is what the dominance rule reads.
    """
    rule = rule or SecrecyRule()
    reasons: list[str | None] = []
    for estimate in estimates:
        reasons.append(primary_reason(estimate, rule))
    if split is not None:
        by_indicator: dict[str, list[int]] = {}
        for position, estimate in enumerate(estimates):
            by_indicator.setdefault(estimate.indicator.code, []).append(position)
        for positions in by_indicator.values():
            _secondary(estimates, positions, reasons)
    return [r is not None for r in reasons], reasons


def primary_reason(estimate, rule: SecrecyRule) -> str | None:
    """Why one figure is secret by itself (``primary_count``, ``primary_dominance``), or None."""
    if estimate.n == 0 or pd.isna(estimate.value):
        return None  # nothing is published, so nothing to hide
    if estimate.indicator.method == "count":
        return None  # which places answered is public: the map shows each of them
    if estimate.n < rule.threshold:
        return "primary_count"
    return named_reason(estimate) or magnitude_reason(estimate, rule)


def named_reason(estimate) -> str | None:
    """``primary_named`` when every place of the figure gave the same answer.

    The site names every respondent (the map of places, with type and commune), so a
    share of 0 % or 100 % (« 6 employeurs sur 6 coworkings de Charente ») or a sum or
    mean of 0 tells each named place's answer. Counts and response rates say who
    answered, which is public: not concerned.
    """
    method, value = estimate.indicator.method, float(estimate.value)
    if method in {"share", "place_role", "job_role"}:
        return PRIMARY_NAMED if value in (0.0, 1.0) else None
    if method in {"sum", "mean"}:
        return PRIMARY_NAMED if value == 0.0 else None
    return None


def magnitude_reason(estimate, rule: SecrecyRule) -> str | None:
    """Why a figure built on sums breaks the magnitude rules, or None.

    A sum, a mean (mean × base gives the sum back: the base is printed) and a share of
    job slots (a ratio of two sums of jobs: facilitator jobs / salaried jobs) each rest
    on sums of the places' answers; every one of those sums must have at least
    ``threshold`` places with a value above 0 and no place above ``dominance`` of it.
    Shares of *places* (employers...) are counts, ruled by the threshold alone.
    """
    method = estimate.indicator.method
    if estimate.sample is None:
        return None
    if method in {"sum", "mean"}:
        sums = [estimate.sample]
    elif method == "job_role":
        sums = list(estimate.sample)  # (numerators, denominators) per place
    else:
        return None
    for values in sums:
        reason = _magnitude(np.asarray(values, dtype=float), rule)
        if reason is not None:
            return reason
    return None


def _magnitude(values: np.ndarray, rule: SecrecyRule) -> str | None:
    if 0 < int((values > 0).sum()) < rule.threshold:
        return "primary_count"  # fewer than 3 contributors (see secrecy.protection)
    total = values.sum()
    if total > 0 and values.max() / total > rule.dominance:
        return "primary_dominance"
    return None


def _secondary(estimates: list, positions: list[int], reasons: list[str | None]) -> None:
    hidden = [p for p in positions if reasons[p] is not None]
    if len(hidden) != 1:
        return
    candidates = [p for p in positions if reasons[p] is None and estimates[p].n > 0
                  and not pd.isna(estimates[p].value)]
    if candidates:
        smallest = min(candidates, key=lambda p: (estimates[p].n, p))
        reasons[smallest] = "secondary"


def publishable(tidy: pd.DataFrame) -> pd.DataFrame:
    """The tidy table as it may be published: secret figures blanked, ``n`` kept only
    where the figure is shown, and a ``display`` column reading ``s`` for secret ones."""
    out = tidy.copy()
    secret = out["suppressed"].fillna(False).astype(bool)
    for column in ("value", "low", "high"):
        out[column] = out[column].where(~secret, pd.NA)
    out["n"] = out["n"].where(~secret, pd.NA)
    if "note" in out.columns:
        # A note may carry the sums a figure is made of (« 12 postes salariés, dont 1
        # facilitateur »): a secret figure's note says only why it is secret, and a
        # published one loses them — the region's sums minus the other départements'
        # would give a hidden département's back.
        note = out["note"].astype("string").str.replace(SUMS_IN_NOTE, "", regex=True)
        keep = note.str.startswith(SECRET_NOTE).fillna(False)
        out["note"] = note.mask(secret & ~keep, SECRET_NOTE)
    out["display"] = pd.Series(np.where(secret, "s", ""), index=out.index, dtype="string")
    return out.drop(columns=["suppression_reason"])
