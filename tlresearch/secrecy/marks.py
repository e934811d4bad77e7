"""Statistical secrecy of indicator results: which figures may not be published.

:mod:`tlresearch.secrecy.protection` protects whole tables (counts or magnitudes with their
margins). Indicator results are a different shape: one figure per indicator and per
split value, each resting on ``n`` places. The same rules apply to them:

* primary (count): a figure resting on fewer places than the threshold (3) is
  secret — a share "among 2 places" describes those two places; the number of
  respondents itself is not (the map of places prints each of them, see
  :mod:`tlresearch.secrecy.wave_secrecy`);
* primary (dominance): a sum where one place contributes more than 85 % of the
  total (e.g. one place holding most of a department's ETP) is secret;
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

from tlresearch.secrecy.rules import SecrecyRule


def secrecy_marks(estimates: list, split: str | None,
                  rule: SecrecyRule | None = None) -> tuple[list[bool], list[str | None]]:
    """``suppressed`` flag and reason for each estimate (same order).

    ``estimates`` are :class:`tlresearch.stats.indicators.Estimate` objects; a sum keeps its
    per-place values in ``sample``, which is what the dominance rule reads.
    """
    rule = rule or SecrecyRule()
    reasons: list[str | None] = []
    for estimate in estimates:
        reasons.append(_primary(estimate, rule))
    if split is not None:
        by_indicator: dict[str, list[int]] = {}
        for position, estimate in enumerate(estimates):
            by_indicator.setdefault(estimate.indicator.code, []).append(position)
        for positions in by_indicator.values():
            _secondary(estimates, positions, reasons)
    return [r is not None for r in reasons], reasons


def _primary(estimate, rule: SecrecyRule) -> str | None:
    if estimate.n == 0 or pd.isna(estimate.value):
        return None  # nothing is published, so nothing to hide
    if estimate.indicator.method == "count":
        return None  # which places answered is public: the map shows each of them
    if estimate.n < rule.threshold:
        return "primary_count"
    if estimate.indicator.method == "sum" and estimate.sample is not None:
        values = np.asarray(estimate.sample, dtype=float)
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
    out["display"] = pd.Series(np.where(secret, "s", ""), index=out.index, dtype="string")
    return out.drop(columns=["suppression_reason"])
