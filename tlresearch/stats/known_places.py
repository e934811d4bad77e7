"""The places the network knows at each wave, respondents or not, and the coverage.

Every figure of the reports is « parmi les répondants »; to say what it covers, and to
weight the respondents up to all places, one needs the places that could have
answered. They are (1) the places that answered any wave and are not known to have
closed, and (2) when the data folder has one, the places of the network's directory
(``raw/annuaire/``), matched to the panel by name and commune. A place is known at
wave ``w`` from its opening year (or the first wave it answered) until its closing
year; a place that reopens after a gap is known again from its next answer.

Each known place carries what is known of it at that wave, respondent or not: type,
département, EPCI, territorial class, period of opening and its answers of earlier
waves (``past_state``), which :mod:`tlresearch.stats.weighting` calibrates on.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.core.text import fold
from tlresearch.stats.indicators import asked_variables, employer_flag
from tlresearch.stats.open_places import _years

#: Periods of opening (first year of each), oldest first: labels in French.
OPENING_PERIODS = {"avant_2013": ("avant 2013", -np.inf), "2013_2017": ("2013-2017", 2013),
                   "2018_2021": ("2018-2021", 2018), "depuis_2022": ("depuis 2022", 2022)}
#: What a place said the last time it answered before a wave.
PAST_STATES = {"employeur": "employeur à sa dernière réponse",
               "non_employeur": "sans salarié à sa dernière réponse",
               "jamais": "n'a jamais répondu avant"}
#: Columns of :func:`known_places`.
KNOWN_COLUMNS = ["wave", "place_id", "responded", "source", "typology", "region_code",
                 "departement_code", "epci_code", "territorial_class", "opening_year",
                 "opening_period", "past_state"]
MISSING = "inconnu"


def opening_period(year) -> str:
    """Period code of an opening year (``"inconnu"`` when the year is unknown).

    >>> opening_period(2011), opening_period(2019), opening_period(None)
    ('avant_2013', '2018_2021', 'inconnu')
    """
    if year is None or pd.isna(year):
        return MISSING
    code = MISSING
    for key, (_, first) in OPENING_PERIODS.items():
        if float(year) >= first:
            code = key
    return code


def match_directory(directory: pd.DataFrame, places: pd.DataFrame,
                    responses: pd.DataFrame) -> pd.DataFrame:
    """Link each directory row to a panel ``place_id`` by folded name and commune.

    Every name a place answered under counts (a renamed place keeps its id). A row
    that matches no place keeps ``place_id`` NA; a directory row repeated (same name
    and commune) is kept once, its ``duplicates`` column counting the copies.

    Parameters
    ----------
    directory
        Columns ``nom_lieu``/``place_name``, ``code_commune``/``commune_code``,
        ``annee_ouverture``/``opening_year``, optionally ``annee_fermeture``,
        ``type_lieu``/``typology``.
    """
    frame = directory.rename(columns={"nom_lieu": "place_name", "code_commune": "commune_code",
                                      "annee_ouverture": "opening_year",
                                      "annee_fermeture": "closing_year",
                                      "type_lieu": "typology", "nom_commune": "commune_name"})
    if "place_name" not in frame or "commune_code" not in frame:
        raise UsageError("the directory needs the columns nom_lieu and code_commune")
    frame = frame.copy().reset_index(drop=True)
    for column in ("opening_year", "closing_year"):  # a year that is not one stops, with its line
        if column in frame:
            _years(frame, column, blank_ok=True)
    frame["_key"] = (frame["place_name"].astype("string").map(fold, na_action="ignore")
                     + "|" + frame["commune_code"].astype("string").str.strip().str.zfill(5))
    frame["duplicates"] = frame.groupby("_key")["_key"].transform("size").astype("Int64") - 1
    frame = frame.drop_duplicates("_key").reset_index(drop=True)
    columns = ["place_id", "place_name", "commune_code"]
    names = responses[columns + (["opening_year"] if "opening_year" in responses else [])]
    names = names.dropna(subset=columns)
    keys = (names["place_name"].astype("string").map(fold) + "|"
            + names["commune_code"].astype("string").str.zfill(5))
    lookup = (pd.DataFrame({"_key": keys.to_numpy(), "place_id": names["place_id"].to_numpy()})
              .drop_duplicates("_key"))
    linked = frame.merge(lookup, on="_key", how="left").drop(columns="_key")
    linked["place_id"] = linked["place_id"].astype("string")
    _match_close_names(linked, names)
    # Two directory rows on one place (an old and a new name): the first is kept.
    twice = linked["place_id"].notna() & linked["place_id"].duplicated()
    return linked[~twice.to_numpy()].reset_index(drop=True)


#: Least rapidfuzz ratio (0-100) for a directory name to match a name typed in the same commune.
CLOSE_NAME = 88


def _match_close_names(linked: pd.DataFrame, names: pd.DataFrame) -> None:
    """Directory rows still unmatched: a name typed differently in the same commune."""
    from rapidfuzz import fuzz, process

    taken = set(linked["place_id"].dropna())
    typed = names.assign(_name=names["place_name"].astype("string").map(fold),
                         _commune=names["commune_code"].astype("string").str.zfill(5))
    by_commune = {code: group for code, group in typed.groupby("_commune")}
    for row in np.flatnonzero(linked["place_id"].isna().to_numpy()):
        code = str(linked.at[row, "commune_code"]).strip().zfill(5)
        group = by_commune.get(code)
        if group is None or pd.isna(linked.at[row, "place_name"]):
            continue
        group = group[~group["place_id"].isin(taken).to_numpy()]
        best = process.extractOne(fold(str(linked.at[row, "place_name"])),
                                  group["_name"].tolist(), scorer=fuzz.ratio,
                                  score_cutoff=CLOSE_NAME)
        if best is not None:
            place = group["place_id"].iloc[best[2]]
            linked.at[row, "place_id"] = place
            taken.add(place)
    _match_same_opening(linked, names, taken)


def _match_same_opening(linked: pd.DataFrame, names: pd.DataFrame, taken: set) -> None:
    """Still unmatched (renamed while not answering): the one unmatched place of the
    same commune that gives the same opening year."""
    if "opening_year" not in names or "opening_year" not in linked:
        return
    free = names[~names["place_id"].isin(taken).to_numpy()].assign(
        _commune=lambda f: f["commune_code"].astype("string").str.zfill(5),
        _year=lambda f: pd.to_numeric(f["opening_year"], errors="coerce"))
    free = free.dropna(subset=["_year"]).drop_duplicates(["place_id", "_commune", "_year"])
    for row in np.flatnonzero(linked["place_id"].isna().to_numpy()):
        year = pd.to_numeric(pd.Series([linked.at[row, "opening_year"]]), errors="coerce")[0]
        code = str(linked.at[row, "commune_code"]).strip().zfill(5)
        candidates = free[(free["_commune"] == code).to_numpy() & (free["_year"] == year).to_numpy()]
        ids = candidates["place_id"].unique()
        if len(ids) == 1 and ids[0] not in taken:
            linked.at[row, "place_id"] = ids[0]
            taken.add(ids[0])


def known_places(responses: pd.DataFrame, directory: pd.DataFrame | None = None, waves=None,
                 *, communes: pd.DataFrame | None = None,
                 region: str = DEFAULT_REGION) -> pd.DataFrame:
    """One row per place the network knows at each wave, respondent or not.

    Parameters
    ----------
    responses
        The panel's responses (``place_id``, ``wave``, geography, ``typology``,
        ``opening_year``, staff counts).
    directory
        The network's directory, linked by :func:`match_directory` (``place_id`` NA for
        a place that never answered), or None.
    waves
        Waves to describe (default: those of ``responses``).
    communes
        ``code``, ``departement_code``, ``epci_code``, ``territorial_class`` of the
        region's communes, to place the directory's never-answering places (without
        it their département and class are ``inconnu``).
    region
        Region of the network whose directory it is.

    Returns
    -------
    DataFrame with :data:`KNOWN_COLUMNS`: ``responded`` (answered that wave),
    ``source`` (``panel``, ``annuaire`` or both), the place's attributes at its latest
    answer (its directory entry if it never answered), ``opening_period`` and
    ``past_state`` (:data:`PAST_STATES`).
    """
    waves = sorted(int(w) for w in (pd.to_numeric(responses["wave"]).dropna().unique()
                                    if waves is None else waves))
    answers = responses.assign(wave=pd.to_numeric(responses["wave"]).astype(int))
    answers = answers.sort_values(["place_id", "wave"], kind="stable")
    asked = asked_variables(answers, None)
    answers["_employer"] = employer_flag(answers, asked)
    panel = _panel_places(answers)
    listed = (_directory_places(directory, communes, region) if directory is not None
              else None)
    if listed is not None:
        panel = _with_directory(panel, listed)
    answered = answers.groupby("place_id")["wave"].agg(lambda s: sorted(set(s)))
    rows = []
    for wave in waves:
        for place in panel.itertuples(index=False):
            seen = answered.get(place.place_id, []) if not pd.isna(place.place_id) else []
            if not _known_at(place, seen, wave):
                continue
            before = [w for w in seen if w < wave]
            rows.append((wave, place.place_id, wave in seen, place.source, before[-1] if before
                         else None, place))
    if not rows:
        return pd.DataFrame(columns=KNOWN_COLUMNS)
    states = answers.set_index(["place_id", "wave"])["_employer"]
    out = pd.DataFrame({
        "wave": [r[0] for r in rows], "place_id": [r[1] for r in rows],
        "responded": [r[2] for r in rows], "source": [r[3] for r in rows]})
    for column in ("typology", "region_code", "departement_code", "epci_code",
                   "territorial_class", "opening_year"):
        out[column] = [getattr(r[5], column) for r in rows]
    out["opening_period"] = out["opening_year"].map(opening_period)
    out["past_state"] = [_past_state(states, r[1], r[4]) for r in rows]
    for column in ("typology", "departement_code", "territorial_class"):
        out[column] = out[column].astype("string").fillna(MISSING)
    out = out.astype({"wave": "Int64", "place_id": "string", "responded": "boolean",
                      "source": "string", "region_code": "string", "epci_code": "string",
                      "opening_year": "Int64", "opening_period": "string",
                      "past_state": "string"})
    return out[KNOWN_COLUMNS].sort_values(["wave", "place_id"], kind="stable").reset_index(drop=True)


def _panel_places(answers: pd.DataFrame) -> pd.DataFrame:
    """Each answering place at its latest answer, with its first answer and opening year."""
    latest = answers.groupby("place_id", sort=True).last()
    first = answers.groupby("place_id", sort=True)["wave"].min()
    opening = pd.to_numeric(answers.groupby("place_id", sort=True)["opening_year"].max(),
                            errors="coerce") if "opening_year" in answers else None
    out = pd.DataFrame({"place_id": latest.index.astype("string"), "source": "panel",
                        "first_wave": first.to_numpy(),
                        "opening_year": (opening.to_numpy() if opening is not None
                                         else np.nan),
                        "closing_year": np.nan})
    for column in ("typology", "region_code", "departement_code", "epci_code",
                   "territorial_class"):
        out[column] = (latest[column].astype("string").to_numpy() if column in latest
                       else pd.NA)
    return out


def _directory_places(directory: pd.DataFrame, communes, region: str) -> pd.DataFrame:
    """The directory's rows as places (their opening and closing years, type, commune)."""
    frame = directory.copy()
    for column in ("opening_year", "closing_year"):
        frame[column] = (pd.to_numeric(frame[column], errors="coerce") if column in frame
                         else np.nan)
    code = frame["commune_code"].astype("string").str.strip().str.zfill(5)
    geo = (communes.set_index("code") if communes is not None
           else pd.DataFrame(columns=["departement_code", "epci_code", "territorial_class"]))
    out = pd.DataFrame({"place_id": frame["place_id"].astype("string"), "source": "annuaire",
                        "first_wave": np.nan, "opening_year": frame["opening_year"],
                        "closing_year": frame["closing_year"],
                        "typology": (frame["typology"].astype("string") if "typology" in frame
                                     else pd.NA)})
    for column in ("departement_code", "epci_code", "territorial_class"):
        out[column] = (code.map(geo[column].astype("string")).astype("string")
                       if column in geo else pd.NA)
    # The directory lists one regional network (as in open_places_from_directory).
    out["region_code"] = region
    return out


def _with_directory(panel: pd.DataFrame, listed: pd.DataFrame) -> pd.DataFrame:
    """Panel places completed by their directory entry; unmatched entries added."""
    matched = listed[listed["place_id"].notna().to_numpy()].set_index("place_id")
    both = panel["place_id"].isin(matched.index).to_numpy()
    ids = panel.loc[both, "place_id"]
    panel.loc[both, "closing_year"] = matched.loc[ids, "closing_year"].to_numpy()
    directory_year = matched.loc[ids, "opening_year"].to_numpy()
    panel.loc[both, "opening_year"] = np.where(np.isnan(directory_year),
                                               panel.loc[both, "opening_year"], directory_year)
    panel.loc[both, "source"] = "panel+annuaire"
    # The directory's type describes every place the same way, respondent or not.
    typed = matched.loc[ids, "typology"].astype("string").to_numpy()
    panel.loc[both, "typology"] = np.where(pd.isna(typed), panel.loc[both, "typology"], typed)
    alone = listed[listed["place_id"].isna().to_numpy()].copy()
    alone["place_id"] = [f"AN{k:05d}" for k in range(1, len(alone) + 1)]
    return pd.concat([panel, alone], ignore_index=True)


def _known_at(place, seen: list[int], wave: int) -> bool:
    """Known at ``wave``: answered it, or opened and not closed since its last answer."""
    if wave in seen:
        return True
    start = place.opening_year if not pd.isna(place.opening_year) else place.first_wave
    if pd.isna(start) and seen:
        start = seen[0]
    if pd.isna(start) or start > wave:
        return False
    closing = place.closing_year
    if pd.isna(closing) or wave < closing:
        return True
    # closed at ``closing``: known again only after an answer (a reopening) since then
    return any(closing <= w < wave for w in seen)


def _past_state(states: pd.Series, place_id, last_wave) -> str:
    if last_wave is None or pd.isna(place_id):
        return "jamais"
    flag = states.get((place_id, last_wave))
    if flag is None or pd.isna(flag):
        return "jamais"
    return "employeur" if flag == 1 else "non_employeur"


def coverage(known: pd.DataFrame, wave: int, territory_column: str | None = None,
             code: str | None = None, by: str | None = None, *,
             unlocated_inside: bool = False) -> pd.DataFrame:
    """Respondents, known places and their ratio at one wave (optionally by a column).

    ``unlocated_inside`` counts the places of no known territory (commune not found) in
    this one: the folder's region, whose survey they answered.

    Examples
    --------
    >>> k = pd.DataFrame({"wave": [2024] * 3, "responded": [True, False, True],
    ...                   "typology": ["coworking", "coworking", "fablab"]})
    >>> coverage(k, 2024)[["respondents", "known_places", "rate"]].to_numpy().tolist()
    [[2, 3, 0.6666666666666666]]
    >>> k["region_code"] = ["75", "75", None]
    >>> coverage(k, 2024, "region_code", "75")["respondents"].tolist()
    [1]
    >>> coverage(k, 2024, "region_code", "75", unlocated_inside=True)["respondents"].tolist()
    [2]
    """
    frame = known[(pd.to_numeric(known["wave"]) == wave).to_numpy()]
    if territory_column is not None:
        codes = frame[territory_column].astype("string")
        if unlocated_inside:
            codes = codes.fillna(code)
        frame = frame[codes.eq(code).fillna(False).to_numpy()]
    keys = [by] if by else []
    if by:
        grouped = frame.groupby(frame[by].astype("string").fillna(MISSING), sort=True)
        table = grouped["responded"].agg(respondents="sum", known_places="size").reset_index()
    else:
        table = pd.DataFrame({"respondents": [int(frame["responded"].sum())],
                              "known_places": [len(frame)]})
    table["rate"] = table["respondents"] / table["known_places"].where(table["known_places"] > 0)
    table.insert(0, "wave", wave)
    return table[["wave", *keys, "respondents", "known_places", "rate"]].astype(
        {"respondents": "Int64", "known_places": "Int64", "rate": "Float64"})
