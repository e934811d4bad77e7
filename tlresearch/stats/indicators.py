"""Professionalisation indicators of one survey wave and one territory, as a tidy table.

What an indicator is lives in ``vocab/indicators.yaml`` (code, French label, unit,
method, the panel variables it needs); this module is the generic code that reads
it. Functions are pure: they take the panel tables and return a DataFrame with the
columns of :data:`COLUMNS`, one row per indicator (× split value)::

    indicator, label, territory_level, territory, wave, split, split_value,
    value, low, high, n, unit, note

Shares are proportions (0.563, shown ``56,3 %`` by :mod:`tlresearch.core.formats`).

Non-response, the rules
-----------------------
1. **Unit non-response** (an open place that did not answer): every figure is computed
   *among respondents*, and every note says so ("parmi les répondants"). Sums are
   sums over respondents, not estimates of the regional total: nothing is imputed to
   places that did not answer, and no interval is given (an interval would need a
   model of the non-respondents, not a sampling formula). The response rate against
   the directory of open places (:func:`open_places_from_directory`) tells the
   reader how much of the region a figure covers.
2. **A question a wave did not ask** is missing for that wave, never zero. A variable
   is *asked* in a wave when at least one response of the whole wave (all
   territories) answers it; if an indicator needs a variable that was not asked, its
   value is NA, ``n`` is 0 and the note says "question non posée".
3. **Item non-response** (the question was asked, this place left it blank): the
   place leaves the base of that indicator only. Shares are computed among the
   respondents who answered the question; ``n`` is that base and the note counts
   the places left out.

Denominators
------------
- ``share_employers``: a place employs when its declared salaried headcount is > 0
  or it declares at least one CDI, CDD or other contract; it does not when the
  headcount is 0, or (headcount blank) every contract question the wave asked is 0.
- ``share_with_cdi`` / ``share_with_cdd``: all respondents who answered, employers or
  not; ``share_with_cdi_employers`` / ``share_with_cdd_employers`` give the other
  reading of the 2024 panorama ("parmi lesquels": among employing places).
- Facilitators, two definitions, always labelled:
  **(a)** ``facilitator_places``: places with at least one job slot whose role is
  ``facilitator`` (:mod:`tlresearch.ingest.roles`), among the places that describe at least
  one job slot in the staff table (in practice the employing places; a place that
  employs but lists no job is item non-response). This is the reading of the 2019
  "56 % facilitateurs ou coordinateurs" as a share of places.
  **(b)** ``facilitator_jobs``: facilitator slots among *salaried* slots (contract
  CDI, CDD or other; slots with an unknown contract are left out). ``n`` is the
  number of places with a salaried slot, the note gives the number of slots, and the
  interval comes from resampling places (slots of one place are not independent).
- ``etp_mean`` / ``etp_median``: all respondents who answered ETP, non-employers
  counting 0; ``etp_mean_employers`` is the employer-only reading.

Intervals: Wilson for shares, seeded percentile bootstrap for means and medians, see
:mod:`tlresearch.stats.intervals`. Weighting (post-stratification against the directory)
is not applied: the directory has no typology, so a département × typology
adjustment cannot be built from it yet; figures are unweighted and say so.

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    import tlresearch
    from tlresearch.stats.indicators import compute_indicators
    responses = tlresearch.load_responses()
    staff = tlresearch.load_staff()
    compute_indicators(responses, staff, 2024, ("departement", "33"),
                       split="typology")
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.ingest.roles import role_labels
from tlresearch.secrecy.marks import secrecy_marks
from tlresearch.stats import intervals as iv
from tlresearch.stats.indicator_catalogue import (
    AMONG_RESPONDENTS,
    COLUMNS,
    CONTRACT_VARIABLES,
    MISSING_SPLIT,
    Indicator,
    in_territory,
    indicator_settings,
    require,
    select,
    territory_column,
    typed,
)
from tlresearch.stats.open_places import open_counter

NAN = float("nan")


# --- split and columns ---------------------------------------------------------------

def _check_split(responses: pd.DataFrame, split: str | None) -> None:
    if split is None:
        return
    splits = indicator_settings()["splits"]
    if split not in splits:
        raise UsageError(f"cannot split by {split!r}; use one of {', '.join(splits)}")
    if split not in responses.columns:
        hint = (" (urbain / périurbain / rural): add it to the responses before splitting"
                if split == "territorial_class" else "")
        raise UsageError(f"cannot split by {split!r}: the responses have no {split!r} "
                         f"column{hint}")


def numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as float64 with NaN for missing (or all NaN when the column is absent)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def asked_variables(wave_frame: pd.DataFrame, wave_staff: pd.DataFrame | None) -> dict[str, bool]:
    """Which variables a wave asked: at least one answer across the whole wave."""
    asked = {c: bool(wave_frame[c].notna().any()) for c in wave_frame.columns}
    asked["jobs"] = wave_staff is not None and len(wave_staff) > 0
    return asked


# --- derived flags (1.0 true, 0.0 false, NaN unknown) ----------------------------

def employer_flag(frame: pd.DataFrame, asked: dict[str, bool]) -> np.ndarray:
    """1 when the place employs, 0 when it does not, NaN when it cannot be told."""
    headcount = numeric(frame, "staff_total")
    contracts = [numeric(frame, c) for c in CONTRACT_VARIABLES[1:] if asked.get(c)]
    positive = headcount > 0
    for values in contracts:
        positive |= values > 0
    zero = headcount == 0
    if contracts:
        all_zero = np.logical_and.reduce([values == 0 for values in contracts])
        zero |= np.isnan(headcount) & all_zero
    return np.where(positive, 1.0, np.where(zero, 0.0, np.nan))


def volunteer_run_flag(frame: pd.DataFrame, asked: dict[str, bool]) -> np.ndarray:
    """1 for a place with no salaried staff and at least one volunteer."""
    employer = employer_flag(frame, asked)
    volunteers = numeric(frame, "volunteers")
    out = np.where(employer == 1, 0.0, np.nan)
    out = np.where((employer == 0) & (volunteers >= 1), 1.0, out)
    return np.where((employer == 0) & (volunteers == 0), 0.0, out)


FLAGS = {"employer": employer_flag, "volunteer_run": volunteer_run_flag}


# --- estimates -------------------------------------------------------------------

@dataclass
class Estimate:
    """One figure before it becomes a row; ``sample`` keeps what a comparison needs.

    ``sample`` is ``(successes, n)`` for a share, the array of values for a mean,
    median or sum, ``(numerators, denominators)`` per place for a share of job slots,
    ``(respondents, open places)`` for a response rate.
    """

    indicator: Indicator
    split_value: Any
    value: float = NAN
    low: float = NAN
    high: float = NAN
    n: int = 0
    note: str = AMONG_RESPONDENTS
    sample: Any = field(default=None, repr=False)


@dataclass
class _Context:
    wave: int
    asked: dict[str, bool]
    seed: int
    resamples: int
    confidence: float
    open_count: Any  # callable(split_value) -> (count | None, reason)


def _note(indicator: Indicator, left_out: int = 0, extra: str = "") -> str:
    base = indicator.base.strip()
    text = f"{AMONG_RESPONDENTS} {base}" if base else AMONG_RESPONDENTS
    if left_out:
        text += f" ; {left_out} sans réponse à la question, exclus"
    return text + (f" ; {extra}" if extra else "")


def _not_asked(indicator: Indicator, ctx: _Context) -> list[str]:
    missing = []
    for need in indicator.needs:
        options = need if isinstance(need, tuple) else (need,)
        if not any(ctx.asked.get(v, False) for v in options):
            missing.append(" ou ".join(options))
    return missing


def _share(est: Estimate, flags: np.ndarray, ctx: _Context) -> Estimate:
    answered = ~np.isnan(flags)
    x, n = int(flags[answered].sum()), int(answered.sum())
    est.n, est.sample = n, (x, n)
    est.note = _note(est.indicator, int((~answered).sum()))
    if n:
        est.value = x / n
        est.low, est.high = iv.wilson(x, n, ctx.confidence)
    return est


def _estimate(indicator: Indicator, group: pd.DataFrame, jobs: pd.DataFrame | None,
              split_value, ctx: _Context) -> Estimate:
    est = Estimate(indicator, split_value)
    missing = _not_asked(indicator, ctx)
    if missing:
        est.note = (f"{AMONG_RESPONDENTS} ; question non posée en {ctx.wave} "
                    f"({', '.join(missing)}) : indicateur non défini (manquant, pas zéro)")
        return est
    method = indicator.method
    if method == "count":
        est.value, est.n, est.sample = float(len(group)), len(group), len(group)
        est.note = _note(indicator)
    elif method == "response_rate":
        count, reason = ctx.open_count(split_value)
        if count is None or count == 0:
            est.note = f"{AMONG_RESPONDENTS} ; taux non calculable : {reason}"
            return est
        est.value, est.n, est.sample = len(group) / count, int(count), (len(group), int(count))
        est.note = (f"{AMONG_RESPONDENTS} rapportés aux lieux ouverts : {len(group)} "
                    f"répondants / {int(count)} lieux ouverts ({reason})")
    elif method == "share":
        if indicator.flag:
            flags = FLAGS[indicator.flag](group, ctx.asked)
        else:
            values = numeric(group, indicator.positive)
            flags = np.where(np.isnan(values), np.nan, (values >= 1).astype(float))
        if indicator.among:
            flags = flags[FLAGS[indicator.among](group, ctx.asked) == 1]
        return _share(est, flags, ctx)
    elif method in {"sum", "mean", "median"}:
        values = numeric(group, indicator.variable)
        left_out = int(np.isnan(values).sum())
        if indicator.among:
            keep = FLAGS[indicator.among](group, ctx.asked) == 1
            values, left_out = values[keep], int(np.isnan(values[keep]).sum())
        values = values[~np.isnan(values)]
        est.n, est.sample = int(values.size), values
        if method == "sum":
            est.note = _note(indicator, left_out, "somme sur les répondants, sans extrapolation "
                                                  "aux non-répondants ni intervalle")
            if values.size:
                est.value = float(values.sum())
            return est
        est.note = _note(indicator, left_out,
                         f"intervalle par bootstrap percentile ({ctx.resamples} tirages)")
        if values.size:
            est.value = float(values.mean() if method == "mean" else np.median(values))
            est.low, est.high = iv.bootstrap_interval(values, method, seed=ctx.seed,
                                                      resamples=ctx.resamples,
                                                      confidence=ctx.confidence)
    elif method == "place_role":
        listed = jobs.groupby("_row")["role"].agg(lambda r: bool((r == indicator.role).any()))
        flags = np.full(len(group), np.nan)
        flags[listed.index.to_numpy(dtype=int)] = listed.to_numpy(dtype=float)
        est = _share(est, flags, ctx)
        est.note = _note(indicator)
    elif method == "job_role":
        salaried = jobs[jobs["contract"].isin(indicator.contracts)]
        per_place = salaried.groupby("_row").agg(
            num=("role", lambda r: int((r == indicator.role).sum())), den=("role", "size"))
        num, den = per_place["num"].to_numpy(float), per_place["den"].to_numpy(float)
        est.n, est.sample = len(per_place), (num, den)

        role = role_labels().get(indicator.role, indicator.role)
        est.note = _note(indicator, extra=f"{int(den.sum())} postes salariés, dont "
                                          f"{int(num.sum())} « {role} »")
        if len(per_place):
            est.value = float(num.sum() / den.sum())
            est.low, est.high = iv.cluster_ratio_interval(num, den, seed=ctx.seed,
                                                          resamples=ctx.resamples,
                                                          confidence=ctx.confidence)
    return est


# --- the public function -------------------------------------------------------------

def wave_estimates(responses: pd.DataFrame, staff: pd.DataFrame | None, wave: int,
                   territory=None, split: str | None = None,
                   open_places=None, *, indicators=None, seed: int = iv.DEFAULT_SEED,
                   resamples: int = iv.DEFAULT_RESAMPLES,
                   confidence: float = iv.DEFAULT_CONFIDENCE) -> list[Estimate]:
    """The :class:`Estimate` objects behind :func:`compute_indicators` (same arguments)."""
    require(responses, ["wave", "place_id"], "responses")
    level, code, column = territory_column(territory)
    require(responses, [column], "responses")
    _check_split(responses, split)
    selected = select(indicators)
    waves = pd.to_numeric(responses["wave"])
    wave_frame = responses[(waves == wave).to_numpy()]
    if wave_frame.empty:
        present = ", ".join(str(int(w)) for w in sorted(waves.dropna().unique()))
        raise UsageError(f"no responses for wave {wave}; waves present: {present}")
    wave_staff = None
    if staff is not None:
        require(staff, ["wave", "place_id", "contract", "role"], "staff")
        wave_staff = staff[(pd.to_numeric(staff["wave"]) == wave).to_numpy()]
    ctx = _Context(wave, asked_variables(wave_frame, wave_staff), seed, resamples, confidence,
                   open_counter(open_places, wave, column, code, split))
    scope = wave_frame[in_territory(wave_frame, column, code).to_numpy()].reset_index(drop=True)
    if split is None:
        groups = [(pd.NA, scope)]
    else:
        values = scope[split].astype("string").fillna(MISSING_SPLIT)
        order = sorted(set(values) - {MISSING_SPLIT}) + ([MISSING_SPLIT]
                                                          if MISSING_SPLIT in set(values) else [])
        groups = [(v, scope[(values == v).to_numpy()].reset_index(drop=True)) for v in order]
    out = []
    for value, group in groups:
        jobs = _jobs_of(group, wave_staff)
        out += [_estimate(ind, group, jobs, value, ctx) for ind in selected]
    return out


def _jobs_of(group: pd.DataFrame, wave_staff: pd.DataFrame | None) -> pd.DataFrame:
    """Job slots of the group's responses, with ``_row`` = position of the response."""
    columns = ["_row", "contract", "role"]
    if wave_staff is None or wave_staff.empty or group.empty:
        return pd.DataFrame(columns=columns)
    key = ["response_id"] if {"response_id"} <= set(group) & set(wave_staff) else ["place_id"]
    rows = group[key].astype("string").assign(_row=np.arange(len(group)))
    slots = wave_staff[key + ["contract", "role"]].astype("string")
    return slots.merge(rows, on=key, how="inner")[columns]


def to_frame(estimates: list[Estimate], territory, wave: int, split: str | None) -> pd.DataFrame:
    """Tidy table (:data:`COLUMNS`) of a list of estimates."""
    level, code, _ = territory_column(territory)
    rows = [{"indicator": e.indicator.code, "label": e.indicator.label,
             "territory_level": level, "territory": code, "wave": wave,
             "split": split if split is not None else pd.NA, "split_value": e.split_value,
             "value": e.value, "low": e.low, "high": e.high, "n": e.n,
             "unit": e.indicator.unit, "note": e.note} for e in estimates]
    return typed(pd.DataFrame(rows, columns=COLUMNS))


def compute_indicators(responses: pd.DataFrame, staff: pd.DataFrame | None, wave: int,
                       territory=None, split: str | None = None,
                       open_places=None, *, indicators=None, seed: int = iv.DEFAULT_SEED,
                       resamples: int = iv.DEFAULT_RESAMPLES,
                       confidence: float = iv.DEFAULT_CONFIDENCE,
                       secrecy=None) -> pd.DataFrame:
    """Every professionalisation indicator of one wave and territory, as a tidy table.

    Parameters
    ----------
    responses
        The panel's responses (:func:`tlresearch.load_responses`), all waves or one.
    staff
        The staff table (:func:`tlresearch.load_staff`), or None: then the facilitator
        indicators are NA ("question non posée").
    wave
        Survey wave (year).
    territory
        ``("region", "76")``, ``("departement", "33")`` or ``("epci", "200054781")``;
        None (default): the data folder's own region, from its settings
        (:mod:`tlresearch.core.settings`).
    split
        None, ``"typology"``, ``"legal_status"`` or ``"territorial_class"``; blank split
        values form the group ``non_renseigne``.
    open_places
        Places open, for the response rate: a count (this wave and territory, no
        split), a ``{wave: count}`` mapping, a table from
        :func:`open_places_from_directory`, or None (then the response rate is NA).
    indicators
        Codes of ``vocab/indicators.yaml`` to compute (default: all).
    seed, resamples, confidence
        Bootstrap seed and number of resamples, confidence level of every interval.
    secrecy
        :class:`tlresearch.secrecy.rules.SecrecyRule` (default: 3 places, 85 %
        dominance) deciding the ``suppressed`` column.

    Returns
    -------
    DataFrame with :data:`COLUMNS`, one row per indicator (× split value), in the
    catalogue's order, plus ``suppressed`` and ``suppression_reason`` (statistical
    secrecy, see :mod:`tlresearch.secrecy.marks`; the figures are kept, marked).

    Raises
    ------
    UsageError
        Unknown wave, indicator, territory level or split, or a split column missing
        from the responses (e.g. ``territorial_class`` not added yet).
    DataError
        A table lacks a column the computation needs (``wave``, ``place_id``, the
        territory column; ``contract``/``role`` in the staff table).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        table = compute_indicators(responses, staff, 2024)
        table.set_index("indicator").loc["share_employers", ["value", "low", "high", "n"]]
    """

    estimates = wave_estimates(responses, staff, wave, territory, split, open_places,
                               indicators=indicators, seed=seed, resamples=resamples,
                               confidence=confidence)
    frame = to_frame(estimates, territory, wave, split)
    suppressed, reasons = secrecy_marks(estimates, split, secrecy)
    frame["suppressed"] = pd.array(suppressed, dtype="boolean")
    frame["suppression_reason"] = pd.array(reasons, dtype="string")
    return frame
