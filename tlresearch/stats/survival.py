"""The life course of places: how long they stay open, how long before a first hire.

Kaplan–Meier curves with delayed entry (left truncation), from ``statsmodels``
(``SurvfuncRight(..., entry=...)``). ``lifelines`` 0.30.3, the usual choice, requires
``pandas<3`` and cannot be installed beside the project's pinned pandas 3.1.1.

- **Time open** (``closure``): years from opening to closing, from the directory's
  opening and closing years; a place still open is censored at the last wave. The
  survey starts in its first wave: a place opened earlier enters the risk set at the
  age it had then (places that closed before are not seen, which the delayed entry
  accounts for). A place that reopens after a gap is followed until its first closure.
- **Time to first hire** (``first_hire``): years from opening to the first wave where
  the place answers as an employer. A place is observed from its first answer: one
  already employing then hired before it was seen (left-censored) and does not enter
  the curve — the delayed entry keeps the estimate right for the others, and the
  count of those places is given. The hire is dated at the answer that first shows
  it (it happened since the previous one).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.stats.indicators import asked_variables, employer_flag
from tlresearch.stats.known_places import OPENING_PERIODS, opening_period

EVENTS = {"closure": "fermeture", "first_hire": "première embauche"}
#: Columns of :func:`kaplan_meier`.
CURVE_COLUMNS = ["event", "group", "time", "survival", "low", "high", "at_risk", "events",
                 "places", "observed_events", "left_censored"]


def closure_spells(directory: pd.DataFrame, first_wave: int, last_wave: int) -> pd.DataFrame:
    """One row per directory place: ``entry``, ``time`` (years since opening), ``event``."""
    opening = pd.to_numeric(directory["opening_year"], errors="coerce")
    closing = pd.to_numeric(directory.get("closing_year"), errors="coerce")
    seen = opening.notna() & ~(closing <= first_wave).fillna(False) & (opening <= last_wave)
    frame = directory[seen.to_numpy()].copy()
    opening, closing = opening[seen], closing[seen]
    closed = closing.notna() & (closing <= last_wave)
    end = closing.where(closed, last_wave + 1)
    frame["entry"] = np.maximum(first_wave - opening, 0).astype(float)
    frame["time"] = (end - opening).astype(float)
    frame["event"] = closed.astype(int)
    frame["left_censored"] = False
    return frame


def first_hire_spells(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per place seen as a non-employer at its first answer (and the others flagged)."""
    frame = responses.assign(wave=pd.to_numeric(responses["wave"]).astype(int))
    frame = frame.sort_values(["place_id", "wave"], kind="stable").reset_index(drop=True)
    frame["_employer"] = employer_flag(frame, asked_variables(frame, None))
    frame = frame[frame["_employer"].notna().to_numpy()]
    rows = []
    for place, answers in frame.groupby("place_id", sort=True):
        opening = pd.to_numeric(answers["opening_year"], errors="coerce").dropna()
        if opening.empty:
            continue
        opened = float(opening.iloc[-1])
        first = answers.iloc[0]
        hired = answers[answers["_employer"] == 1]
        left = bool(first["_employer"] == 1)
        event = not left and not hired.empty
        end = (hired["wave"].iloc[0] if event else answers["wave"].iloc[-1]) - opened
        rows.append({"place_id": place, "opening_year": opened,
                     "typology": first.get("typology"), "entry": max(first["wave"] - opened, 0.0),
                     "time": max(float(end), 0.0), "event": int(event), "left_censored": left})
    return pd.DataFrame(rows)


def kaplan_meier(spells: pd.DataFrame, event: str, by: str | None = None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier curve(s) with delayed entry, one block of rows per group.

    ``spells`` has ``entry``, ``time``, ``event`` (1 observed, 0 censored) and
    ``left_censored`` (places left out of the curve, counted). ``by`` is
    ``"opening_period"`` or ``"typology"`` (or None).
    """
    from scipy.stats import norm
    from statsmodels.duration.survfunc import SurvfuncRight

    if event not in EVENTS:
        raise UsageError(f"event must be one of {', '.join(EVENTS)}, not {event!r}")
    frame = spells.copy()
    if by == "opening_period":
        frame["opening_period"] = frame["opening_year"].map(opening_period).map(
            lambda c: OPENING_PERIODS[c][0] if c in OPENING_PERIODS else c)
    if by is not None and by not in frame:
        raise UsageError(f"cannot split by {by!r}: use opening_period or typology")
    groups = (frame.groupby(frame[by].astype("string").fillna("inconnu"), sort=True)
              if by else [("ensemble", frame)])
    z = float(norm.ppf(0.5 + confidence / 2))
    rows = []
    for name, group in groups:
        kept = group[~group["left_censored"].astype(bool).to_numpy()]
        kept = kept[(kept["time"] > kept["entry"]).to_numpy()]
        base = {"event": event, "group": str(name), "places": len(kept),
                "observed_events": int(kept["event"].sum()),
                "left_censored": int(group["left_censored"].astype(bool).sum())}
        rows.append({**base, "time": 0.0, "survival": 1.0, "low": 1.0, "high": 1.0,
                     "at_risk": int((kept["entry"] <= 0).sum()), "events": 0})
        if kept.empty or kept["event"].sum() == 0:
            continue
        curve = SurvfuncRight(kept["time"].to_numpy(float), kept["event"].to_numpy(int),
                              entry=kept["entry"].to_numpy(float))
        for t, s, se, risk, n in zip(curve.surv_times, curve.surv_prob, curve.surv_prob_se,
                                     curve.n_risk, curve.n_events):
            rows.append({**base, "time": float(t), "survival": float(s),
                         "low": float(max(s - z * se, 0.0)), "high": float(min(s + z * se, 1.0)),
                         "at_risk": int(risk), "events": int(n)})
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def volunteer_to_employer(responses: pd.DataFrame) -> pd.DataFrame:
    """Volunteer-run places becoming employers between consecutive waves, with their bases."""
    from tlresearch.stats.trends import place_states

    waves = sorted(int(w) for w in pd.to_numeric(responses["wave"]).dropna().unique())
    rows = []
    for before, after in zip(waves, waves[1:]):
        a = place_states(responses, before).set_index("place_id")["state"]
        b = place_states(responses, after).set_index("place_id")["state"]
        both = a.index.intersection(b.index)
        base = int((a[both] == "benevole").sum())
        became = int(((a[both] == "benevole") & (b[both] == "employeur")).sum())
        rows.append({"from_wave": before, "to_wave": after, "volunteer_run": base,
                     "became_employer": became, "share": became / base if base else np.nan,
                     "linked_places": len(both)})
    return pd.DataFrame(rows, columns=["from_wave", "to_wave", "volunteer_run",
                                       "became_employer", "share", "linked_places"])
