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
>>> import tlresearch
>>> from tlresearch.stats.indicators import compute_indicators
>>> responses = tlresearch.load_responses()                     # doctest: +SKIP
>>> staff = tlresearch.load_staff()                             # doctest: +SKIP
>>> compute_indicators(responses, staff, 2024, ("departement", "33"),
...                    split="typology")                        # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tlresearch.core.errors import DataError, UsageError
from tlresearch.core.paths import DEFAULT_REGION, VOCAB_DIR
from tlresearch.stats import intervals as iv

#: Columns of every table this module and :mod:`tlresearch.stats.trends` return.
COLUMNS = ["indicator", "label", "territory_level", "territory", "wave", "split",
           "split_value", "value", "low", "high", "n", "unit", "note"]
#: Columns of :func:`compute_indicators`: the tidy columns and the secrecy marks.
RESULT_COLUMNS = COLUMNS + ["suppressed", "suppression_reason"]
DTYPES = {"wave": "Int64", "value": "Float64", "low": "Float64", "high": "Float64",
          "n": "Int64"}
#: Every note starts with this: the figures describe respondents, not all places.
AMONG_RESPONDENTS = "parmi les répondants"
#: split_value of the respondents who left the split variable blank.
MISSING_SPLIT = "non_renseigne"
CONTRACT_VARIABLES = ("staff_total", "cdi", "cdd", "other_contracts")
METHODS = ("count", "response_rate", "share", "sum", "mean", "median", "place_role",
           "job_role")
NAN = float("nan")


# --- catalogue ----------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    """One entry of ``vocab/indicators.yaml``."""

    code: str
    label: str
    unit: str
    method: str
    needs: tuple = ()
    base: str = ""
    definition: str = ""
    flag: str | None = None
    positive: str | None = None
    variable: str | None = None
    among: str | None = None
    role: str | None = None
    contracts: tuple = ()


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    """The raw content of ``vocab/indicators.yaml``."""
    with open(VOCAB_DIR / "indicators.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Indicator]:
    """Every indicator, by code, in the order of the output tables."""
    out = {}
    for code, spec in vocabulary()["indicators"].items():
        spec = dict(spec)
        if spec["method"] not in METHODS:
            raise ValueError(f"indicators.yaml: {code} has unknown method {spec['method']!r}")
        spec["needs"] = tuple(tuple(n) if isinstance(n, list) else n for n in spec.get("needs", []))
        spec["contracts"] = tuple(spec.get("contracts", ()))
        out[code] = Indicator(code=code, **spec)
    return out


def catalogue_table() -> pd.DataFrame:
    """The catalogue as a table (code, label, unit, method, needs, base, definition)."""
    rows = [{"indicator": i.code, "label": i.label, "unit": i.unit, "method": i.method,
             "needs": ", ".join("|".join(n) if isinstance(n, tuple) else n for n in i.needs),
             "base": i.base, "definition": i.definition} for i in catalogue().values()]
    return pd.DataFrame(rows).astype("string")


def split_label(split: str | None, value: Any) -> str:
    """French label of a split value (``atelier_partage`` → ``Atelier partagé``)."""
    from tlresearch.spec.variables import catalogue as variables

    if value is None or value is pd.NA:
        return ""
    labels = dict(vocabulary()["split_value_labels"])
    variable = {"typology": "place_types"}.get(split or "", split or "")
    if variable in variables():
        labels = {**variables()[variable].values, **labels}
    return labels.get(str(value), str(value))


def _select(indicators) -> list[Indicator]:
    known = catalogue()
    if indicators is None:
        return list(known.values())
    if isinstance(indicators, str):
        indicators = [indicators]
    unknown = [c for c in indicators if c not in known]
    if unknown:
        raise UsageError(f"unknown indicator(s) {', '.join(unknown)}; "
                         f"known: {', '.join(known)}")
    return [known[c] for c in indicators]


# --- territory, split and columns ------------------------------------------------

def territory_column(territory) -> tuple[str, str, str]:
    """``("departement", "33")`` → ``("departement", "33", "departement_code")``."""
    levels = vocabulary()["territories"]
    if not (isinstance(territory, (tuple, list)) and len(territory) == 2):
        raise UsageError(f"territory must be a pair (level, code) such as ('region', "
                         f"'{DEFAULT_REGION}'), got {territory!r}")
    level, code = territory
    if level not in levels:
        raise UsageError(f"unknown territory level {level!r}; use one of {', '.join(levels)}")
    return level, str(code), levels[level]["column"]


def _require(frame: pd.DataFrame, columns, table: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise DataError(f"the {table} table has no {column!r} column", column=column)


def _check_split(responses: pd.DataFrame, split: str | None) -> None:
    if split is None:
        return
    splits = vocabulary()["splits"]
    if split not in splits:
        raise UsageError(f"cannot split by {split!r}; use one of {', '.join(splits)}")
    if split not in responses.columns:
        hint = (" (urbain / périurbain / rural): add it to the responses before splitting"
                if split == "territorial_class" else "")
        raise UsageError(f"cannot split by {split!r}: the responses have no {split!r} "
                         f"column{hint}")


def in_territory(frame: pd.DataFrame, column: str, code: str) -> pd.Series:
    """Boolean mask of the rows of ``frame`` in the territory (NA codes are outside)."""
    return frame[column].astype("string").eq(code).fillna(False).astype(bool)


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
        from tlresearch.ingest.roles import role_labels

        role = role_labels().get(indicator.role, indicator.role)
        est.note = _note(indicator, extra=f"{int(den.sum())} postes salariés, dont "
                                          f"{int(num.sum())} « {role} »")
        if len(per_place):
            est.value = float(num.sum() / den.sum())
            est.low, est.high = iv.cluster_ratio_interval(num, den, seed=ctx.seed,
                                                          resamples=ctx.resamples,
                                                          confidence=ctx.confidence)
    return est


# --- open places -------------------------------------------------------------------

def _open_counter(open_places, wave: int, column: str, code: str, split: str | None):
    """A function split_value -> (number of open places or None, reason)."""
    if open_places is None:
        return lambda _: (None, "lieux ouverts inconnus (passer open_places)")
    if isinstance(open_places, dict):
        open_places = open_places.get(wave)
        if open_places is None:
            return lambda _: (None, f"lieux ouverts inconnus en {wave}")
    if isinstance(open_places, (int, np.integer)):
        if split is not None:
            return lambda _: (None, f"lieux ouverts non ventilés par {split}")
        return lambda _: (int(open_places), "décompte fourni")
    if not isinstance(open_places, pd.DataFrame):
        raise UsageError("open_places must be a count, a {wave: count} mapping, a table "
                         "(see open_places_from_directory) or None")
    _require(open_places, ["wave", column], "open_places")
    table = open_places[(pd.to_numeric(open_places["wave"]) == wave).to_numpy()
                        & in_territory(open_places, column, code).to_numpy()]
    weights = (pd.to_numeric(table["n_open"]) if "n_open" in table
               else pd.Series(1, index=table.index))
    if split is None:
        return lambda _: (int(weights.sum()), "annuaire")
    if split not in table.columns:
        return lambda _: (None, f"l'annuaire n'indique pas : {split}")
    by_value = weights.groupby(table[split].astype("string").fillna(MISSING_SPLIT)).sum()
    return lambda value: (int(by_value.get(value, 0)), "annuaire")


def open_places_from_directory(directory: pd.DataFrame, waves=None, *,
                               region: str = DEFAULT_REGION) -> pd.DataFrame:
    """Count the places open at each wave from the network's directory.

    A place is open at wave ``w`` when ``opening_year <= w < closing_year`` (the closing
    year is the first year it no longer runs; blank while it runs).

    Parameters
    ----------
    directory
        One row per known place, with the opening year (``opening_year`` or
        ``annee_ouverture``), the closing year (``closing_year`` or
        ``annee_fermeture``, blank when open) and the commune (``commune_code`` or
        ``code_commune``). Département, EPCI and region are looked up from the commune
        unless the table already has ``departement_code`` / ``epci_code`` /
        ``region_code`` (a place whose commune is unknown is counted in ``region``
        only). Extra columns named like a split (``typology``, ``territorial_class``…)
        are kept as keys so response rates can be split by them.
    waves
        Waves to count (default: every year from the first opening to the last year
        the directory mentions).
    region
        Region of the whole directory (it lists one regional network).

    Returns
    -------
    DataFrame with ``wave``, ``region_code``, ``departement_code``, ``epci_code`` (and
    split columns when present), ``n_open``: the ``open_places`` argument of
    :func:`compute_indicators`.

    Raises
    ------
    DataError
        When an opening year is blank or not a year, or a closing year is not a year
        (``row`` is the line of the CSV file, the header being line 1).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"annee_ouverture": ["2015", "2021"], "annee_fermeture": ["2022", ""],
    ...                   "departement_code": ["33", "33"]})
    >>> open_places_from_directory(d, waves=[2021, 2022])[["wave", "n_open"]].to_numpy().tolist()
    [[2021, 2], [2022, 1]]
    """
    frame = directory.rename(columns={"annee_ouverture": "opening_year",
                                      "annee_fermeture": "closing_year",
                                      "code_commune": "commune_code"})
    _require(frame, ["opening_year"], "directory")
    opening = _years(frame, "opening_year", blank_ok=False)
    closing = (_years(frame, "closing_year", blank_ok=True) if "closing_year" in frame
               else pd.Series(np.nan, index=frame.index))
    keys = _directory_geography(frame, region)
    if waves is None:
        last = int(np.nanmax([opening.max(), closing.max() if closing.notna().any() else 0]))
        waves = range(int(opening.min()), last + 1)
    split_keys = [s for s in vocabulary()["splits"] if s in frame.columns]
    for column in split_keys:
        keys[column] = frame[column].astype("string").fillna(MISSING_SPLIT).to_numpy()
    parts = []
    for wave in waves:
        open_ = (opening.to_numpy() <= wave) & ~(closing.to_numpy() <= wave)
        part = keys[open_].copy()
        part.insert(0, "wave", wave)
        parts.append(part)
    columns = ["wave", "region_code", "departement_code", "epci_code", *split_keys]
    stacked = pd.concat(parts, ignore_index=True)
    out = stacked.groupby(columns, dropna=False, sort=True).size().rename("n_open").reset_index()
    return out.astype({"wave": "Int64", "n_open": "Int64", **{c: "string" for c in columns[1:]}})


def _years(frame: pd.DataFrame, column: str, blank_ok: bool) -> pd.Series:
    """A year column as floats; a value that is not a year stops with its line number."""
    raw = frame[column].astype("string").str.strip()
    years = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = years.isna()
    if blank_ok:
        bad &= raw.fillna("").ne("").astype(bool)
    for position in np.flatnonzero(bad.to_numpy()):
        value = frame[column].iloc[position]
        raise DataError(f"{column} {value!r} is not a year", row=int(position) + 2,
                        column=column, rule="directory_year")
    return years.set_axis(frame.index)


def _directory_geography(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    """Region, département and EPCI of each directory row (from its commune if needed)."""
    keys = pd.DataFrame(index=frame.index)
    for column in ("region_code", "departement_code", "epci_code"):
        keys[column] = frame[column].astype("string") if column in frame else pd.NA
    if "commune_code" in frame and keys[["departement_code", "epci_code"]].isna().any().any():
        from tlresearch.geo.datafrance import all_communes

        reference = all_communes().copy()
        reference["_current"] = reference["type"] != "COM"
        reference = (reference.sort_values(["code", "_current"], kind="stable")
                     .drop_duplicates("code").set_index("code"))
        codes = frame["commune_code"].astype("string").str.strip().str.zfill(5)
        for column in ("region_code", "departement_code", "epci_code"):
            looked_up = codes.map(reference[column]).astype("string")
            keys[column] = keys[column].fillna(looked_up)
    keys["region_code"] = keys["region_code"].fillna(region)
    return keys.reset_index(drop=True).astype("string")


# --- the public function -------------------------------------------------------------

def wave_estimates(responses: pd.DataFrame, staff: pd.DataFrame | None, wave: int,
                   territory=("region", DEFAULT_REGION), split: str | None = None,
                   open_places=None, *, indicators=None, seed: int = iv.DEFAULT_SEED,
                   resamples: int = iv.DEFAULT_RESAMPLES,
                   confidence: float = iv.DEFAULT_CONFIDENCE) -> list[Estimate]:
    """The :class:`Estimate` objects behind :func:`compute_indicators` (same arguments)."""
    _require(responses, ["wave", "place_id"], "responses")
    level, code, column = territory_column(territory)
    _require(responses, [column], "responses")
    _check_split(responses, split)
    selected = _select(indicators)
    waves = pd.to_numeric(responses["wave"])
    wave_frame = responses[(waves == wave).to_numpy()]
    if wave_frame.empty:
        present = ", ".join(str(int(w)) for w in sorted(waves.dropna().unique()))
        raise UsageError(f"no responses for wave {wave}; waves present: {present}")
    wave_staff = None
    if staff is not None:
        _require(staff, ["wave", "place_id", "contract", "role"], "staff")
        wave_staff = staff[(pd.to_numeric(staff["wave"]) == wave).to_numpy()]
    ctx = _Context(wave, asked_variables(wave_frame, wave_staff), seed, resamples, confidence,
                   _open_counter(open_places, wave, column, code, split))
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


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a tidy table its canonical dtypes (nullable numbers, ``string`` text)."""
    for column in frame.columns:
        dtype = DTYPES.get(column, "string" if column in COLUMNS else None)
        if dtype is not None:
            if dtype == "Float64":
                frame[column] = pd.to_numeric(frame[column]).astype("Float64")
            else:
                frame[column] = frame[column].astype(dtype)
    return frame.reset_index(drop=True)


def compute_indicators(responses: pd.DataFrame, staff: pd.DataFrame | None, wave: int,
                       territory=("region", DEFAULT_REGION), split: str | None = None,
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
        ``("region", "75")``, ``("departement", "33")`` or ``("epci", "200054781")``.
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
        :class:`tlresearch.secrecy.protection.SecrecyRule` (default: 3 places, 85 %
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
    >>> table = compute_indicators(responses, staff, 2024)          # doctest: +SKIP
    >>> table.set_index("indicator").loc["share_employers", ["value", "low", "high", "n"]]
    ... # doctest: +SKIP
    """
    from tlresearch.secrecy.marks import secrecy_marks

    estimates = wave_estimates(responses, staff, wave, territory, split, open_places,
                               indicators=indicators, seed=seed, resamples=resamples,
                               confidence=confidence)
    frame = to_frame(estimates, territory, wave, split)
    suppressed, reasons = secrecy_marks(estimates, split, secrecy)
    frame["suppressed"] = pd.array(suppressed, dtype="boolean")
    frame["suppression_reason"] = pd.array(reasons, dtype="string")
    return frame
