"""The places, for exploring: a French table, one place's history, a map-ready frame.

Three questions researchers ask of the panel by hand: "which places are there in this
territory?", "what happened to this place over the years?" and "where are they?".
Each answer is one call, with French column names for reading and the codes
(``place_id``, ``commune_code``, ``typology``...) kept as columns for computing.
Only public fields are used: contacts stay in ``data/restricted`` (see
:mod:`tlresearch.explore.contacts`).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pandas as pd

from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import home_region
from tlresearch.core.text import fold
from tlresearch.explore.panel_status import ExplorerError, read_tables
from tlresearch.explore.territory import territory as read_territory
from tlresearch.geo.boundaries import load_boundaries
from tlresearch.ingest.panel import places_in_wave
from tlresearch.ingest.roles import role_labels
from tlresearch.spec.variables import contract_labels
from tlresearch.stats.indicator_catalogue import split_label
from tlresearch.viz.maps import place_points

if TYPE_CHECKING:
    import geopandas as gpd

#: French headers of the public place fields, in the order they are shown.
PLACE_COLUMNS = {"place_name": "Nom", "commune_name": "Commune",
                 "departement_code": "Département", "epci_name": "Intercommunalité (EPCI)",
                 "typology_label": "Type de lieu", "legal_status_label": "Statut juridique",
                 "territorial_class": "Classe territoriale", "first_wave": "Première vague",
                 "last_wave": "Dernière vague", "n_waves": "Vagues renseignées"}
#: Codes kept after the French columns.
PLACE_CODES = ["place_id", "commune_code", "epci_code", "typology", "legal_status", "waves"]


def _labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Add French labels of the typology and legal status beside their codes."""
    out = frame.copy()
    for column, split in (("typology", "typology"), ("legal_status", "legal_status")):
        if column in out:
            out[f"{column}_label"] = [split_label(split, v) if isinstance(v, str) else ""
                                      for v in out[column]]
    return out


def places_table(territory: str | int | None = None, *, data_dir: str | os.PathLike | None = None
                 ) -> pd.DataFrame:
    """The places of a territory, French headers first, codes after, sorted by name.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        import tlresearch
        tlresearch.places_table("64")
    """
    places, = read_tables(data_dir, "places")
    where = read_territory(territory, places, home_region(data_dir))
    chosen = _labels(where.select(places)).sort_values(["place_name", "place_id"],
                                                       kind="stable")
    table = chosen[[c for c in PLACE_COLUMNS if c in chosen]].rename(columns=PLACE_COLUMNS)
    for column in PLACE_CODES:
        if column in chosen:
            table[column] = chosen[column].to_numpy()
    table.attrs.update(territory=where.label, demo=places.attrs.get("demo", False))
    return table.reset_index(drop=True)


def find_place(query: str, places: pd.DataFrame) -> str:
    """The ``place_id`` of a place given by its id or part of its (current or former) name.

    Case, accents and hyphens are ignored. Several matches stop with the list of them,
    so that the researcher picks one id.
    """
    text = str(query).strip()
    if text in set(places["place_id"].astype(str)):
        return text
    wanted = fold(text)
    names = (places["place_name"].fillna("").astype(str) + " | "
             + places["former_names"].fillna("").astype(str))
    hits = places[[wanted in fold(n) for n in names]]
    if len(hits) == 1:
        return str(hits["place_id"].iloc[0])
    if hits.empty:
        raise ExplorerError(f"aucun lieu ne correspond à {text!r} (identifiant ou partie du nom)")
    listed = "; ".join(f"{i} {n} ({c})" for i, n, c in
                       hits[["place_id", "place_name", "commune_name"]].head(8).itertuples(
                           index=False))
    raise ExplorerError(f"{len(hits)} lieux correspondent à {text!r} : {listed}; "
                     "donnez l'identifiant (place_id)")


def place_history(place: str, *, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One place across waves: name, commune, staff, contracts and the jobs with their role.

    Parameters
    ----------
    place
        Its ``place_id`` or part of its name (current or former).

    Returns
    -------
    DataFrame, one row per wave answered, oldest first: ``Vague``, ``Nom``,
    ``Commune``, ``Type de lieu``, ``Salariés``, ``CDI``, ``CDD``, ``ETP``,
    ``Bénévoles``, ``Postes (contrat, rôle)``, then the codes (``place_id``,
    ``response_id``, ``wave``, ``commune_code``, ``typology``).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        import tlresearch
        tlresearch.place_history("Bayonne Fablab")
    """
    places, responses, staff = read_tables(data_dir, "places", "responses", "staff")
    place_id = find_place(place, places)
    rows = _labels(responses[responses["place_id"].astype(str) == place_id]
                   .sort_values("wave", kind="stable"))
    staff = staff[staff["place_id"].astype(str) == place_id].sort_values(["wave", "job_index"])
    roles, contracts = role_labels(), contract_labels()
    jobs = {int(wave): " ; ".join(
        f"{t} ({contracts.get(c, c or 'non précisé')}, {roles.get(r, r or 'non classé')})"
        for t, c, r in zip(group["title_raw"].fillna("?"), group["contract"].fillna(""),
                           group["role"].fillna("")))
        for wave, group in staff.groupby("wave")}
    table = pd.DataFrame({
        "Vague": rows["wave"].astype(int).to_numpy(),
        "Nom": rows["place_name"].to_numpy(),
        "Commune": rows["commune_name"].to_numpy(),
        "Type de lieu": rows["typology_label"].to_numpy(),
        "Salariés": rows["staff_total"].to_numpy(), "CDI": rows["cdi"].to_numpy(),
        "CDD": rows["cdd"].to_numpy(), "ETP": rows["etp"].to_numpy(),
        "Bénévoles": rows["volunteers"].to_numpy(),
        "Postes (contrat, rôle)": [jobs.get(int(w), "") for w in rows["wave"]]})
    for column in ("place_id", "response_id", "wave", "commune_code", "typology"):
        table[column] = rows[column].to_numpy()
    table.attrs["demo"] = responses.attrs.get("demo", False)
    return table


def places_map_frame(territory: str | int | None = None, wave: int | None = None, *,
                     data_dir: str | os.PathLike | None = None) -> gpd.GeoDataFrame:
    """The places of a territory as points, ready for ``.explore()`` or a map.

    Each place stands at its commune's representative point, slightly and reproducibly
    shifted (addresses are not public; see :func:`tlresearch.viz.maps.place_points`).

    Parameters
    ----------
    territory
        ``"75"``, a department or an EPCI's SIREN.
    wave
        Keep the places that answered this wave, with the type and commune they had
        then (default: every place of the panel, as it answered last).

    Returns
    -------
    GeoDataFrame (EPSG:4326) with the public fields, ``Type de lieu`` in French and the
    typology code; ``attrs["unplaced"]`` counts places without a known commune.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        import tlresearch
        tlresearch.places_map_frame("33").explore(column="Type de lieu")
    """
    places, answered = read_tables(data_dir, "places", "responses")
    region = home_region(data_dir)
    if wave is not None:  # the type and commune each place had in that wave
        places = places_in_wave(places, answered[answered["wave"] == int(wave)])
    where = read_territory(territory, places, region)
    chosen = where.select(places)
    communes = load_boundaries("commune", region=region, paths=DataPaths.resolve(data_dir))
    points = _labels(place_points(chosen, communes))
    points = points.rename(columns={"typology_label": "Type de lieu"})
    points.attrs.update(territory=where.label, demo=places.attrs.get("demo", False))
    return points
