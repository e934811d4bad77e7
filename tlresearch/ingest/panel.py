"""Assembling the panel tables from harmonised waves (pure functions, no I/O).

Columns a wave did not ask stay missing for that wave, never zero: waves are stacked
with the union of their columns, and a ``type_<code>`` option absent from a wave's
questionnaire is NA in that wave.
"""
from __future__ import annotations

import pandas as pd

from tlresearch.spec.variables import catalogue

TYPE_CODES = list(catalogue()["place_types"].values)

#: Order of the response columns in the published panel (others follow, sorted).
RESPONSE_COLUMNS = [
    "response_id", "wave", "place_id", "demo", "source_file", "source_row", "submitted_at",
    "place_name", "address", "commune_code", "commune_name", "epci_code", "epci_name",
    "departement_code", "region_code", "territorial_class", "resolution_method", "resolution_score",
    "resolution_note", "declared_commune_name", "declared_commune_code",
    "declared_postcode", "siret", "typology",
    *[f"type_{code}" for code in TYPE_CODES],
    "legal_status", "opening_year", "surface_m2", "users_count", "staff_total", "cdi",
    "cdd", "other_contracts", "etp", "volunteers", "civic_service", "interns",
    "board_members", "revenue_eur", "public_funding_eur",
]

#: Canonical dtypes of the stacked responses (so Parquet schemas never drift).
def _dtype(column: str) -> str:
    variables = catalogue()
    if column.startswith("type_"):
        return "boolean"
    if column in {"wave", "source_row"}:
        return "Int64"
    if column == "resolution_score":
        return "Float64"
    if column == "demo":
        return "boolean"
    variable = variables.get(column)
    if variable is None:
        return "string"
    return {"count": "Int64", "year": "Int64", "decimal": "Float64",
            "date": "datetime64[s]"}.get(variable.type, "string")


def typology(responses: pd.DataFrame) -> pd.Series:
    """Main typology: the only type ticked, ``hybride`` when several, NA when none.

    This is how the regional network's panoramas (region 75) count "hybrid" places (e.g. 2018:
    118 coworking, 15 ateliers, 14 fablabs, 45 hybrid = 192 respondents).
    """
    columns = [f"type_{c}" for c in TYPE_CODES if f"type_{c}" in responses]
    if not columns:
        return pd.Series(pd.NA, index=responses.index, dtype="string")
    ticks = responses[columns].astype("boolean")
    count = ticks.fillna(False).astype(int).sum(axis=1)
    first = ticks.fillna(False).idxmax(axis=1).str.removeprefix("type_")
    out = first.where(count == 1, "hybride").where(count > 0, pd.NA)
    return out.astype("string")


def stack_responses(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack waves with the union of their columns in the canonical order and types."""
    non_empty = [f for f in frames if not f.empty]
    stacked = pd.concat(non_empty, ignore_index=True) if non_empty else pd.DataFrame()
    stacked["typology"] = typology(stacked)
    extra = sorted(c for c in stacked.columns if c not in RESPONSE_COLUMNS)
    ordered = [c for c in RESPONSE_COLUMNS if c in stacked.columns or c == "place_id"] + extra
    for column in ordered:
        if column not in stacked:
            stacked[column] = pd.NA
        stacked[column] = stacked[column].astype(_dtype(column))
    stacked = stacked[ordered]
    return stacked.sort_values("response_id", kind="stable").reset_index(drop=True)


#: What a place takes from its latest response, besides its name.
_PLACE_COLUMNS = ("commune_code", "commune_name", "epci_code", "epci_name",
                  "departement_code", "region_code", "territorial_class", "typology",
                  "legal_status")


def build_places(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per place: its latest name, commune and typology, and its history."""
    # Sorted on the keys only; the latest response's other columns are then taken
    # once, for one row per place (a copy of the responses sorted would be three).
    needed = ["place_id", "wave", "response_id", "place_name", "siret", "demo"]
    ordered = responses[[c for c in needed if c in responses]].sort_values(
        ["place_id", "wave", "response_id"], kind="stable")
    groups = ordered.groupby("place_id", sort=True)
    last = groups.tail(1)
    taken = ["place_name", *(c for c in _PLACE_COLUMNS if c in responses)]
    latest = responses.loc[last.index, taken].set_axis(pd.Index(last["place_id"].array,
                                                                 name="place_id"))
    if not latest.index.is_monotonic_increasing:  # sorted by place_id already, as a rule
        latest = latest.sort_index()
    # Former names: every distinct name but the latest, in order of first use. A place
    # with one response has none: only places seen several times are looked at.
    several = ordered["place_id"].duplicated(keep=False)
    named = ordered.loc[several, ["place_id", "place_name"]].dropna().drop_duplicates()
    named = named[named["place_name"] != named["place_id"].map(latest["place_name"])]
    former = named.groupby("place_id", sort=True)["place_name"].agg(" | ".join)
    siret = (ordered.dropna(subset=["siret"]).groupby("place_id", sort=True)["siret"].last()
             if "siret" in ordered else pd.Series(dtype="string"))
    waves = ordered[["place_id", "wave"]].drop_duplicates()
    places = pd.DataFrame({
        "place_id": latest.index,
        "place_name": latest["place_name"],
        "former_names": former.reindex(latest.index),
        "siret": siret.reindex(latest.index),
    })
    for column in _PLACE_COLUMNS:
        places[column] = latest[column] if column in latest else pd.NA
    places["first_wave"] = groups["wave"].min()
    places["last_wave"] = groups["wave"].max()
    places["n_waves"] = groups["wave"].nunique()
    places["waves"] = _wave_lists(waves)
    places["demo"] = groups["demo"].all()
    types = {"first_wave": "Int64", "last_wave": "Int64", "n_waves": "Int64", "demo": "boolean"}
    for column in places.columns:
        places[column] = places[column].astype(types.get(column, "string"))
    return places.reset_index(drop=True)


def places_in_wave(places: pd.DataFrame, wave_responses: pd.DataFrame) -> pd.DataFrame:
    """The places that answered a wave, as they answered it: name, commune, type.

    ``places`` describes each place by its *latest* response; a page about 2017 must show
    the type and commune a place had in 2017, or its map would contradict its tables
    (a coworking space in 2017 that became a hybrid place in 2021 is counted as
    coworking by the 2017 tables, so its 2017 marker must say coworking too). The
    place's history (``waves``, ``first_wave``, …) is kept.

    Parameters
    ----------
    places
        The places table (:func:`build_places`).
    wave_responses
        The responses of one wave (one row per place).

    Examples
    --------
    >>> import pandas as pd
    >>> places = pd.DataFrame({"place_id": ["TL1"], "place_name": ["La Ruche"],
    ...                        "typology": ["hybride"], "waves": ["2017,2021"]})
    >>> answered = pd.DataFrame({"place_id": ["TL1"], "place_name": ["Ruche"],
    ...                          "typology": ["coworking"]})
    >>> places_in_wave(places, answered)[["place_name", "typology", "waves"]].iloc[0].tolist()
    ['Ruche', 'coworking', '2017,2021']
    """
    as_answered = [c for c in ("place_name", *_PLACE_COLUMNS) if c in wave_responses]
    answered = wave_responses[["place_id", *as_answered]].drop_duplicates("place_id", keep="last")
    history = places[[c for c in places.columns if c not in as_answered]]
    merged = history.merge(answered, on="place_id", how="inner", validate="one_to_one")
    merged = merged[[c for c in places.columns if c in merged.columns]]
    for column in merged.columns:
        merged[column] = merged[column].astype(places[column].dtype)
    merged.attrs.update(places.attrs)
    return merged.reset_index(drop=True)


def _wave_lists(waves: pd.DataFrame) -> pd.Series:
    """``"2019,2021"``: the waves of each place (``waves``: distinct place_id, wave, sorted).

    A place seen in one wave (most of a large first wave) takes its wave as it is;
    only places seen several times are joined group by group, in Python.
    """
    text = waves["wave"].astype("string")
    several = waves["place_id"].duplicated(keep=False)
    once = pd.Series(text[~several].array, index=pd.Index(waves.loc[~several, "place_id"].array))
    joined = text[several].groupby(waves.loc[several, "place_id"].array, sort=True).agg(",".join)
    return pd.concat([once, joined.astype("string")]) if len(joined) else once


def attach_jobs(jobs: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """Job slots of kept responses only, with their place and wave."""
    keys = responses[["response_id", "place_id", "wave"]]
    merged = jobs.merge(keys, on="response_id", how="inner")
    return merged.sort_values(["response_id", "job_index"], kind="stable").reset_index(drop=True)


def build_staff(jobs: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """One row per job slot: ``jobs`` from :func:`attach_jobs`, ``roles`` aligned on it."""
    staff = pd.concat([jobs.reset_index(drop=True), roles.reset_index(drop=True)], axis=1)
    columns = ["place_id", "wave", "response_id", "job_index", "title_raw", "title_normalised",
               "contract", "role", "role_source", "role_rule"]
    staff = staff[columns]
    for column in columns:
        staff[column] = staff[column].astype("Int64" if column in {"wave", "job_index"} else "string")
    return staff.reset_index(drop=True)
