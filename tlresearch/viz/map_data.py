"""What a map shows: the public fields of the places, their points, counts per area, and
the same in a table (RGAA: a map's information is also given as text).

The builders select public columns before anything else, so a SIRET or a contact
column in the input can never reach a map.
"""
from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_count
from tlresearch.viz.map_classes import LEVEL_WORDS, MEASURES

if TYPE_CHECKING:
    import geopandas as gpd

#: The public fields a map may show; nothing else of a place is read.
PUBLIC_PLACE_FIELDS = ("place_id", "place_name", "commune_code", "commune_name",
                       "departement_code", "typology", "waves")
#: Levels of the reference geography and the place column that links to each.
LEVEL_KEYS = {"commune": "commune_code", "epci": "epci_code", "departement": "departement_code"}


def _public_places(places: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("place_id", "place_name", "commune_code") if c not in places]
    if missing:
        raise UsageError(f"places table lacks column(s) {', '.join(missing)}; "
                         "pass tlresearch.load_places()")
    out = places[[c for c in PUBLIC_PLACE_FIELDS if c in places]].copy()
    for column in PUBLIC_PLACE_FIELDS:
        if column not in out:
            out[column] = pd.NA
    return out


def _jitter(place_id: str, lat: float, metres: float) -> tuple[float, float]:
    """A fixed offset (up to ``metres``) drawn from the place id, never from a RNG."""
    digest = hashlib.sha256(str(place_id).encode("utf-8")).digest()
    u1 = int.from_bytes(digest[:8], "big") / 2**64
    u2 = int.from_bytes(digest[8:16], "big") / 2**64
    radius, angle = metres * math.sqrt(u2), 2 * math.pi * u1
    dlat = radius * math.sin(angle) / 111_320
    dlon = radius * math.cos(angle) / (111_320 * math.cos(math.radians(lat)))
    return dlat, dlon


def place_points(places: pd.DataFrame, communes: "gpd.GeoDataFrame",
                 jitter_m: float = 400) -> "gpd.GeoDataFrame":
    """One point per place: its commune's representative point, slightly jittered.

    The panel has no coordinates (addresses are not public), so a place stands at a
    point inside its commune; a fixed offset derived from ``place_id`` keeps places
    of one commune from stacking exactly, and the same panel gives the same points.

    Returns
    -------
    GeoDataFrame (EPSG:4326) with the public fields only; places whose commune is not
    in ``communes`` are left out and counted in ``.attrs["unplaced"]``.
    """
    import geopandas as gpd

    public = _public_places(places)
    if communes.crs is not None and communes.crs.to_epsg() != 4326:
        communes = communes.to_crs(4326)
    # A commune without an outline cannot place its places: they count as unplaced.
    communes = communes[~(communes.geometry.isna() | communes.geometry.is_empty)]
    anchor = pd.DataFrame({"commune_code": communes["code"].astype(str).to_numpy(),
                           "_point": communes.geometry.representative_point().to_numpy()})
    merged = public.merge(anchor, on="commune_code", how="inner")
    merged = merged.sort_values("place_id", kind="stable").reset_index(drop=True)
    lats = np.array([p.y for p in merged["_point"]])
    lons = np.array([p.x for p in merged["_point"]])
    offsets = [_jitter(pid, lat, jitter_m) for pid, lat in zip(merged["place_id"], lats)]
    if offsets:
        lats = lats + np.array([o[0] for o in offsets])
        lons = lons + np.array([o[1] for o in offsets])
    geometry = gpd.points_from_xy(lons.round(5), lats.round(5))
    points = gpd.GeoDataFrame(merged.drop(columns="_point"), geometry=geometry, crs=4326)
    points.attrs["unplaced"] = int(len(public) - len(merged))
    return points


def places_per_area(places: pd.DataFrame, areas: "gpd.GeoDataFrame",
                    level: str) -> "gpd.GeoDataFrame":
    """Number of places and places per 100 000 inhabitants, for each area of a level.

    Parameters
    ----------
    areas
        Boundaries of one level (``code``, ``name``, ``population``, ``geometry``), e.g.
        ``tlresearch.geo.reference.load_boundaries(level)``.
    level
        ``commune``, ``epci`` or ``departement``: which place column links to ``code``.

    Returns
    -------
    ``areas`` with ``n_places`` (0 where none) and ``places_per_100k`` (NaN where the
    population is unknown); places outside every area are counted in
    ``.attrs["unmatched"]``.
    """
    if level not in LEVEL_KEYS:
        raise UsageError(f"unknown level {level!r}; choose one of {', '.join(LEVEL_KEYS)}")
    key = LEVEL_KEYS[level]
    if key not in places:
        raise UsageError(f"places table lacks column {key!r} needed for a {level} map")
    codes = places[key].astype("string")
    counts = codes.value_counts()
    out = areas[["code", "name", "population", "geometry"]].copy()
    out["code"] = out["code"].astype(str)
    out["n_places"] = out["code"].map(counts).fillna(0).astype(int).to_numpy()
    population = pd.to_numeric(out["population"], errors="coerce").astype(float)
    out["places_per_100k"] = np.where(population > 0, out["n_places"] * 1e5 / population, np.nan)
    out.attrs["unmatched"] = int((~codes.isin(set(out["code"]))).sum())
    out.attrs["level"] = level
    return out


# --------------------------------------------------------------------------- tables

def plural(level: str) -> str:
    """``communes``, ``intercommunalités (EPCI)``, ``départements``, ``zones``."""
    word = LEVEL_WORDS.get(level, "zone")
    return word.replace("é (", "és (") if "(" in word else word + "s"


def places_table(listed: list[list], title: str) -> dict:
    """What the places map shows, as a table: each place, its commune and type.

    A map is exempt from RGAA's text alternatives only when its information is also
    given accessibly: :func:`tlresearch.report.map_block.show_map` publishes this table
    under the map. Returns the arguments of a table (``frame``, ``caption``,
    ``filename``, ``stub``, ``codes``).
    """
    frame = pd.DataFrame(listed, columns=["Lieu", "Commune", "departement_code",
                                          "Type de lieu"]).astype("string").fillna("")
    frame = frame.sort_values(["Commune", "Lieu"], kind="stable").reset_index(drop=True)
    return {"frame": frame[["Lieu", "Commune", "Type de lieu"]],
            "codes": frame[["departement_code"]].rename(columns={
                "departement_code": "code_departement"}),  # one name across every file
            "filename": "carte_lieux",
            "caption": f"{title} : liste des {format_count(len(frame))} lieux de la carte"}


def area_table(stats: "gpd.GeoDataFrame", measure: str, title: str) -> dict:
    """What an area map shows, as a table (see :func:`places_table`): each area with at
    least one place, its count and, when the map shows it, its rate; the other areas
    are counted in the caption (a region has 4 000 communes, most without a place)."""
    level = stats.attrs.get("level", "zone")
    word = LEVEL_WORDS.get(level, "zone")
    shown = stats[stats["n_places"].fillna(0) > 0].sort_values("name", kind="stable")
    frame = pd.DataFrame({word[:1].upper() + word[1:]: shown["name"].astype(str).to_numpy(),
                          "Lieux": shown["n_places"].astype(int).to_numpy()})
    if measure != "n_places":
        frame[MEASURES[measure]] = shown[measure].round(1).to_numpy()
    others = len(stats) - len(shown)
    caption = f"{title} : {format_count(len(shown))} {plural(level)} avec au moins un lieu"
    if others:
        caption += f" ({format_count(others)} autres sans lieu)"
    codes = pd.DataFrame({f"code_{level}": shown["code"].astype(str).to_numpy()})
    return {"frame": frame, "codes": codes,
            "filename": f"carte_{level}_{measure}", "caption": caption,
            "stub": frame.columns[0]}
