"""Places open at each wave, counted from the network's directory of places.

The response rate of an indicator table needs the number of places that could have
answered; this module turns the directory (opening and closing years, commune) into
those counts by wave and territory.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.core.errors import DataError, UsageError
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.geo.datafrance import all_communes
from tlresearch.stats.indicator_catalogue import MISSING_SPLIT, in_territory, indicator_settings, require


def open_counter(open_places, wave: int, column: str, code: str, split: str | None):
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
    require(open_places, ["wave", column], "open_places")
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
    require(frame, ["opening_year"], "directory")
    opening = _years(frame, "opening_year", blank_ok=False)
    closing = (_years(frame, "closing_year", blank_ok=True) if "closing_year" in frame
               else pd.Series(np.nan, index=frame.index))
    keys = _directory_geography(frame, region)
    if waves is None:
        last = int(np.nanmax([opening.max(), closing.max() if closing.notna().any() else 0]))
        waves = range(int(opening.min()), last + 1)
    split_keys = [s for s in indicator_settings()["splits"] if s in frame.columns]
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
